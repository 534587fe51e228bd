// What the screens work with. The shapes follow highland-engine's views.rs
// (stable JSON names); api.ts is the one place that turns the generated
// bindings into these, so a screen never depends on the IPC layer.
import type { Lang } from "./i18n/messages";

export const CATEGORIES = [
  "yak-meat",
  "yak-butter",
  "yak-cheese",
  "honey",
  "matsutake",
  "other-mushrooms",
  "cordyceps",
  "highland-barley",
  "walnuts",
  "medicinal-herbs",
  "handicrafts",
  "other",
] as const;
export type Category = (typeof CATEGORIES)[number];

export const UNITS = ["kg", "jin", "g", "l", "ml", "jar", "piece", "bag"] as const;
export type Unit = (typeof UNITS)[number];
/** Units counted in whole pieces: the keypad offers no decimal point for them. */
export const WHOLE_UNITS: readonly string[] = ["jar", "piece", "bag", "g", "ml"];

export const PAYMENTS = ["cash", "wechat", "alipay", "bank", "other"] as const;
export type Payment = (typeof PAYMENTS)[number];

export const STATUSES = ["draft", "listed", "sold-out", "archived"] as const;
export type ListingStatus = (typeof STATUSES)[number];

export interface Listing {
  id: string;
  title: string;
  category: string;
  unit: string;
  price_fen: number;
  status: string;
  description: string | null;
  lot_id: string | null;
  stock: number;
  stock_unit: string;
  stock_display: string;
  sold: number;
  sales_count: number;
  reserved: number;
  /** At or below the seller's low-stock mark (Settings.low_stock_at). */
  low_stock: boolean;
  /** What one unit weighs in grams, for a listing not sold by weight; null when unknown. */
  weight_per_unit_g: number | null;
}

/** Units a listing is sold by weight in: they take no weight per unit. */
export const WEIGHT_UNITS: readonly string[] = ["kg", "jin", "g"];

export interface Sale {
  id: string;
  listing_id: string;
  listing_title: string;
  quantity: number;
  quantity_unit: string;
  unit: string;
  quantity_display: string;
  unit_price_fen: number;
  total_fen: number;
  payment: string;
  buyer: string | null;
  sold_at: string;
  /** The order whose receipt this is; the seller cannot void such a sale. */
  order_id: string | null;
  /** Set when the sale was voided: it no longer counts in stock or totals. */
  voided: { reason: string; at: string } | null;
}

/** What a sale or its void changed: the sale, its listing's stock, today's total. */
export interface SaleOutcome {
  sale: Sale;
  listing: Listing;
  today: DaySales;
}

export interface Adjustment {
  id: string;
  kind: string;
  change: number;
  change_unit: string;
  change_display: string;
  reason: string | null;
  at: string;
}

export interface ListingDetail extends Listing {
  sales: Sale[];
  adjustments: Adjustment[];
}

export interface Lot {
  id: string;
  village: string;
  altitude_m: number | null;
  harvested_on: string | null;
  environment: string | null;
}

/** A certificate of compliance (承诺达标合格证), as highland-engine's CertificateView. */
export interface Certificate {
  id: string;
  lot_id: string;
  product: string;
  /** In `quantity_unit`, the base unit of `unit`. */
  quantity: number;
  quantity_unit: string;
  /** The unit it was issued in, in which `quantity_display` is written. */
  unit: string;
  quantity_display: string;
  /** The lot's village. */
  origin: string;
  issuer: string;
  contact: string | null;
  /** YYYY-MM-DD, in China Standard Time. */
  issued_on: string;
  /** A slug of CERTIFICATE_BASES. */
  basis: string;
}

/** A certificate as the seller filled it in: null takes its default from the records. */
export interface CertificateInput {
  quantity: string | null;
  unit: string | null;
  product: string | null;
  issuer: string | null;
  contact: string | null;
  basis: string | null;
}

export interface IssuedCertificate {
  certificate: Certificate;
  /** Where the printable PDF slip was saved on this device. */
  file: string;
  /** The lot's public page, which the slip's QR code opens. */
  trace_url: string;
}

/** A ground of the certificate's promise: its slug and its words on the national template. */
export interface BasisChoice {
  slug: string;
  zh: string;
}

/** The app gives these in AppInfo.choices (from highland-domain's CommitmentBasis); this copy serves until it loads. */
export const CERTIFICATE_BASES: readonly BasisChoice[] = [
  { slug: "lab_test", zh: "委托检测" },
  { slug: "self_test", zh: "自我检验" },
  { slug: "quality_control", zh: "内部质量控制" },
  { slug: "own_word", zh: "自我承诺" },
];

export interface Refusal {
  action: string;
  code: string;
  message: string;
}

export interface Order {
  id: string;
  listing_id: string;
  listing_title: string;
  quantity: number;
  quantity_unit: string;
  unit: string;
  quantity_display: string;
  unit_price_fen: number;
  total_fen: number;
  hand_over_by: string | null;
  note: string | null;
  placed_at: string;
  state: string;
  confirmed_state: string;
  pending_action: string | null;
  refusal: Refusal | null;
  reason: string | null;
  received_quantity: number | null;
  received_display: string | null;
  paid_fen: number | null;
  paid_method: string | null;
  sale_id: string | null;
  /** The collection round the order rides and its stop, or null. */
  round_id: string | null;
  stop_id: string | null;
  loaded_quantity: number | null;
  loaded_display: string | null;
  loaded_weight_g: number | null;
}

/** One stop of a collection round; `expected_at` is "HH:MM", China time. */
export interface RoundStop {
  id: string;
  place: string;
  expected_at: string;
}

/** One listing's goods to bring to the stop, summed over accepted orders. */
export interface Bring {
  listing_id: string;
  listing_title: string;
  quantity: number;
  unit: string;
  quantity_display: string;
}

export interface RoundOrder {
  order_id: string;
  listing_id: string;
  listing_title: string;
  quantity: number;
  unit: string;
  quantity_display: string;
  weight_g: number | null;
  state: string;
  stop_id: string;
  loaded_display: string | null;
  loaded_weight_g: number | null;
}

/** A collection round at the seller's stop (highland-engine's RoundView). */
export interface Round {
  id: string;
  /** YYYY-MM-DD. */
  date: string;
  vehicle: string;
  /** planned, loading, on-the-road, done or cancelled. */
  state: string;
  stop: RoundStop;
  stops: RoundStop[];
  bring: Bring[];
  orders: RoundOrder[];
  /** coming, not-coming, or null before any answer. */
  answer: string | null;
  answer_reason: string | null;
  answer_pending: boolean;
  refusal: Refusal | null;
}

export interface OrderHistoryEntry {
  action: string;
  actor: string;
  at: string;
  reason: string | null;
  quantity: number | null;
  quantity_display: string | null;
  amount_fen: number | null;
  method: string | null;
}

export interface OrderDetail extends Order {
  history: OrderHistoryEntry[];
}

/** A new listing as the seller typed it; numbers stay as typed ("68.50", "12.5"). */
export interface ListingInput {
  title: string;
  category: string;
  unit: string;
  price: string;
  stock: string;
  description: string | null;
  lot_id: string | null;
  status: string | null;
}

/** Changes to a listing: null leaves a field as it is; an empty description clears it. */
export interface ListingChanges {
  title: string | null;
  price: string | null;
  status: string | null;
  description: string | null;
  lot_id: string | null;
}

export interface LotInput {
  village: string;
  altitude_m: string | null;
  harvested_on: string | null;
  environment: string | null;
}

/** Which data the app shows: the seller's own, or the practice (demo) data. */
export type Profile = "real" | "demo";

/** The app's mode, derived from AppInfo: before enrollment, practising, or working with a hub. */
export type AppMode = "first-run" | "demo" | "enrolled";

export interface Settings {
  /** Null until the seller chose one. */
  language: Lang | null;
  data_saver: boolean;
  profile: Profile;
  /** The workshop's practice network (a SimulatedNetwork), or null for the real network. */
  practice_network: string | null;
  /** RFC 3339 of this tablet's last change of it, or null. */
  practice_network_set_at: string | null;
  /** A product is marked low at this many of its units or fewer; 0 marks none. */
  low_stock_at: number;
  /** Everything on screen larger, Tibetan included. */
  large_text: boolean;
}

/** The networks a workshop's simulator can behave as, from worst to best. */
export const NETWORKS = ["offline", "mountain_2g", "3g", "good"] as const;
export type SimulatedNetwork = (typeof NETWORKS)[number];

/** The practice network a setting or status names, if it is one this app knows. */
export function asNetwork(slug: string | null | undefined): SimulatedNetwork | null {
  return (NETWORKS as readonly string[]).includes(slug ?? "") ? (slug as SimulatedNetwork) : null;
}

/** The guided lesson's steps, in order (highland-engine's LessonStep). */
export const LESSON_STEPS = ["list_product", "take_photo", "sale_offline", "sync", "accept_order", "print_label"] as const;
export type LessonStep = (typeof LESSON_STEPS)[number];

export interface LessonStepView {
  step: LessonStep;
  /** RFC 3339 of when the trainee really did it, or null. */
  done_at: string | null;
}

/** The lesson in progress, as highland-engine's LessonView. */
export interface Lesson {
  started_at: string;
  steps: LessonStepView[];
  /** The first step not done yet; null once finished. */
  current: LessonStep | null;
  finished: boolean;
}

/** A workshop hub found on the local network (mDNS). */
export interface FoundHub {
  name: string;
  url: string;
}

export interface Enrollment {
  hub_url: string;
  seller_id: string;
  seller_name: string;
  village: string;
}

/** The values the forms offer, as the commands accept them (from highland-domain). */
export interface Choices {
  categories: string[];
  units: string[];
  payments: string[];
  listing_statuses: string[];
  adjustment_kinds: string[];
  certificate_bases: BasisChoice[];
  /** Categories gathered in the wild: outside the 2026 certificate rule, though one may be issued. */
  wild_categories: string[];
}

export interface AppInfo {
  version: string;
  profile: Profile;
  settings: Settings;
  enrollment: Enrollment | null;
  device_id: string;
  choices?: Choices;
  /** Whether this app can run a workshop hub (the desktop app). */
  can_host_workshop?: boolean;
}

/** One trainee's enrollment card on the trainer's screen. */
export interface Trainee {
  name: string;
  code: string;
  /** What the QR code holds. */
  enroll_text: string;
  /** The QR code as an SVG document. */
  qr_svg: string;
}

/** A workshop hub this app runs on the LAN. */
export interface Workshop {
  hub_url: string;
  lan_addresses: string[];
  console_url: string;
  projector_url: string;
  staff_token: string;
  trainees: Trainee[];
}

export function modeOf(info: AppInfo): AppMode {
  if (info.profile === "demo") return "demo";
  return info.enrollment === null ? "first-run" : "enrolled";
}

/** The error every command returns (src-tauri/src/error.rs): `message` is English, for logs only. */
export interface CommandFailure {
  code: string;
  field: string | null;
  params: Partial<Record<string, string>>;
  message: string;
}

/** A change the hub refused for good, with its reason. */
export interface RefusedOp {
  op_id: string;
  entity: string;
  entity_id: string;
  code: string;
  message: string;
}

export interface SyncStatus {
  profile: Profile;
  /** Whether this profile syncs at all (the seller's own, enrolled). */
  enrolled: boolean;
  hub_url: string | null;
  syncing: boolean;
  pending_ops: number;
  /** RFC 3339 of the last successful sync, or null. */
  last_sync_at: string | null;
  /** Why the last sync failed, until one succeeds. */
  last_error: CommandFailure | null;
  refused: RefusedOp[];
  /** The workshop's practice network, or null for the real network (absent from older fakes). */
  practice_network?: string | null;
  /** Whether syncs really go through the simulator (an http:// hub). */
  simulated?: boolean;
  /**
   * The last time this device found the hub restored from a backup, and how
   * many of its changes (and sales) it sent again; null if never (absent
   * from older fakes).
   */
  hub_went_back?: HubWentBack | null;
  /** The last time this device's own file went back and what it took back from the hub. */
  own_recovered?: OwnRecovered | null;
  /** Changes from a newer Highland that wait for an update of this app. */
  waiting_for_update?: number;
  /** This device's changes the hub cannot read until it is updated. */
  deferred_ops?: number;
  /** A newer Highland the hub carries for this device, or null. */
  release_ready?: ReleaseReady | null;
  /** Whether this build can install an update (it has the publisher's key). */
  can_update?: boolean;
  /**
   * The last time this store was found damaged and what was done: indexes
   * rebuilt, or the store rebuilt from the hub and its old outbox; null if
   * never (absent from older fakes).
   */
  store_repaired?: StoreRepair | null;
}

/** This device's file was put back from an old copy: its own changes taken back from the hub. */
export interface OwnRecovered {
  /** RFC 3339, UTC: when the device noticed. */
  at: string;
  operations: number;
  sales: number;
}

/** The hub went back in time: restored from a backup, everything it had acknowledged sent again. */
export interface HubWentBack {
  /** RFC 3339, UTC: when the device noticed. */
  at: string;
  resent: number;
  resent_sales: number;
  /** Changes of the seller's other tablets and of the hub given back. */
  returned?: number;
}

/** What the engine did about a damaged store (`highland status`'s `store_repaired`). */
export interface StoreRepair {
  /** RFC 3339, UTC. */
  at: string;
  kind: "indexes_rebuilt" | "store_rebuilt";
  findings: string;
  indexes: string[];
  /** Where the damaged file was put, unchanged. */
  set_aside: string | null;
  /** This device's changes read back from the damaged file, sent again. */
  recovered: number;
  recovered_sales: number;
  /** Changes that could not be read. */
  unreadable: number;
  /** The tablet must be connected to the hub again. */
  enrollment_lost: boolean;
}

export interface SyncProgress {
  /** Changes sent so far in this sync. */
  done: number;
  /** Sent plus still waiting. */
  total: number;
}

export interface DaySales {
  /** YYYY-MM-DD, local to the device. */
  date: string;
  total_fen: number;
  count: number;
}

/** What a photo is of: a listing or a lot, by id. */
export type PhotoOf = { kind: "listing"; id: string } | { kind: "lot"; id: string };

/** One stored version of a photo, as highland-engine's PhotoFileView. */
export interface PhotoFile {
  /** Its name in the photo store; `Api.photoUrl` shows it. */
  sha256: string;
  bytes: number;
  width: number;
  height: number;
  /** On this device (taken here, or downloaded). */
  here: boolean;
  /** The hub holds the whole file. */
  on_hub: boolean;
  path: string | null;
}

/** A photo of a listing or a lot, as highland-engine's PhotoView. */
export interface Photo {
  id: string;
  /** "listing" or "lot". */
  subject_kind: string;
  subject_id: string;
  /** At most 1600 pixels a side. */
  display: PhotoFile;
  /** At most 320 pixels a side. */
  thumbnail: PhotoFile;
  /** Not all of its files are on the hub yet. */
  waiting_to_upload: boolean;
  /** The hub refused it; its files will not upload. */
  refused: boolean;
  /** Where a lot's photo was taken, when the seller kept it. */
  latitude: number | null;
  longitude: number | null;
}

export interface PhotoTransfers {
  uploads_waiting: number;
  upload_bytes_left: number;
  downloads_waiting: number;
  download_bytes_left: number;
}

/** How photo uploads go during a sync, for the sync bar. */
export interface PhotoUploadProgress {
  /** Bytes still to upload. */
  left: number;
  /** The most that was left in this sync: the bar's 0%. */
  start: number;
}

/** What the engine pushes while it syncs in the background. */
/** A newer Highland on the hub. */
export interface ReleaseReady {
  version: string;
  size_bytes: number;
}

/** What installing an update did: installed (restart to run it), or an APK for Android's installer. */
export type UpdateOutcome = { status: "installed"; version: string } | { status: "downloaded"; version: string; path: string };

export type SyncEvent =
  | { kind: "started"; pending: number }
  | { kind: "progress"; pushed: number; pending: number; retrying: string | null; photoBytesLeft?: number }
  | { kind: "finished"; pending: number; photoBytesLeft?: number }
  | { kind: "failed"; code: string }
  | { kind: "new-orders"; count: number; toAnswer: number }
  | { kind: "network"; network: SimulatedNetwork | null }
  | { kind: "update"; have: number; total: number; retrying: boolean };
