// The operations the screens need, as one interface. api.ts implements it over
// the generated Tauri bindings; tests implement it with in-memory fakes.
// Every method rejects with a CommandError (errors.ts) when the command fails.
import type { Lang } from "../i18n/messages";
import type {
  AppInfo,
  Certificate,
  CertificateInput,
  DaySales,
  FoundHub,
  Lesson,
  Listing,
  ListingDetail,
  ListingChanges,
  ListingInput,
  IssuedCertificate,
  Lot,
  LotInput,
  Order,
  OrderDetail,
  Photo,
  PhotoOf,
  PhotoTransfers,
  Round,
  SaleOutcome,
  Settings,
  SimulatedNetwork,
  Workshop,
  SyncEvent,
  SyncStatus,
  UpdateOutcome,
} from "../types";

export interface Api {
  appInfo(): Promise<AppInfo>;
  setLanguage(lang: Lang): Promise<Settings>;
  enroll(hubUrl: string, code: string): Promise<AppInfo>;
  startDemo(): Promise<AppInfo>;
  resetDemo(): Promise<AppInfo>;
  useRealProfile(): Promise<AppInfo>;

  listListings(): Promise<Listing[]>;
  listingDetail(id: string): Promise<ListingDetail>;
  createListing(input: ListingInput): Promise<Listing>;
  editListing(id: string, changes: ListingChanges): Promise<Listing>;
  /** `quantity` as typed in the listing's unit ("2.5"). */
  recordSale(listingId: string, quantity: string, payment: string): Promise<SaleOutcome>;
  /** Voids a sale recorded by mistake; `reason` is what the buyer's staff read. */
  voidSale(saleId: string, reason: string): Promise<SaleOutcome>;
  /** `change` as typed, negative to take away ("-2"); `kind` received or correction. */
  adjustStock(listingId: string, kind: string, change: string, reason: string | null): Promise<Listing>;

  listLots(): Promise<Lot[]>;
  recordLot(input: LotInput): Promise<Lot>;
  /** Issues a certificate of compliance for the lot and saves its PDF slip on the device. */
  issueCertificate(lotId: string, input: CertificateInput): Promise<IssuedCertificate>;
  /** The lot's certificates, newest first. */
  listCertificates(lotId: string): Promise<Certificate[]>;

  /**
   * Adds a photo (a file from the camera or the gallery) to a listing or a
   * lot; `keepLocation` keeps where a lot's photo was taken.
   */
  addPhoto(of: PhotoOf, picture: Blob, keepLocation: boolean): Promise<Photo>;
  /** The text of the QR code in a photo, read in Rust (no Google Play services). */
  decodeQr(picture: Blob): Promise<string>;
  removePhoto(id: string): Promise<void>;
  /** A listing's or a lot's photos, oldest first. */
  photosOf(of: PhotoOf): Promise<Photo[]>;
  /** Every photo, oldest first (for each listing's first photo). */
  listPhotos(): Promise<Photo[]>;
  photoTransfers(): Promise<PhotoTransfers>;
  /** The address an `<img>` shows a stored photo file by (its `sha256`). */
  photoUrl(sha256: string): string;

  listOrders(): Promise<Order[]>;
  orderDetail(id: string): Promise<OrderDetail>;
  acceptOrder(id: string): Promise<Order>;
  declineOrder(id: string, reason: string): Promise<Order>;
  handOverOrder(id: string): Promise<Order>;

  /** The collection rounds the seller has orders on, once per stop; open ones first. */
  listRounds(): Promise<Round[]>;
  /** "I will be there" (`coming`), or "I cannot come" with a reason; returns the rounds. */
  answerRound(id: string, coming: boolean, reason: string | null): Promise<Round[]>;
  /** What one unit of a listing weighs, in kg as typed ("0.75"); null forgets it. */
  weighListing(id: string, weight: string | null): Promise<Listing>;

  syncStatus(): Promise<SyncStatus>;
  syncNow(): Promise<void>;
  weekSales(): Promise<DaySales[]>;
  getSettings(): Promise<Settings>;
  setDataSaver(on: boolean): Promise<Settings>;
  setLargeText(on: boolean): Promise<Settings>;
  setLowStockAt(units: number): Promise<Settings>;
  /** A trainer's reset for the next class: keeps nothing, un-enrolls. */
  resetTablet(): Promise<AppInfo>;
  /** The workshop's practice network; null is the real network. */
  setPracticeNetwork(network: SimulatedNetwork | null): Promise<Settings>;

  /** Starts the guided lesson from its first step. */
  startLesson(): Promise<Lesson>;
  /** The lesson in progress, or null. */
  lesson(): Promise<Lesson | null>;
  endLesson(): Promise<void>;

  /** Workshop hubs announcing themselves on this network; takes a few seconds. */
  findHubs(): Promise<FoundHub[]>;

  /** Starts a workshop hub on this computer (desktop), or shows the one running. */
  startWorkshop(): Promise<Workshop>;
  /** The workshop hub this app runs, or null. */
  workshop(): Promise<Workshop | null>;
  stopWorkshop(): Promise<void>;

  /** Downloads the newer Highland the hub carries and installs it (progress as "update" events). */
  installUpdate(): Promise<UpdateOutcome>;
  /** Starts the app again, to run an installed update. */
  restartApp(): Promise<void>;

  /** Calls `on` for every sync event until the returned function is called. */
  onSyncEvent(on: (e: SyncEvent) => void): Promise<() => void>;
}
