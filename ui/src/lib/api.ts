// The one module that talks to Rust: it calls the typed commands generated
// into ../bindings.ts (tauri-specta, from src-tauri/src/commands.rs), turns
// their Result into a value or a thrown CommandError, and the events into
// SyncEvents. Screens use the Api interface and never see the bindings.
import { convertFileSrc } from "@tauri-apps/api/core";
import { commands, events, type AppError, type ErrorCode, type Result } from "../bindings";
import type { Api } from "./api/contract";
import { CommandError } from "./errors";
import { readAsBase64 } from "./photos";
import { asNetwork, type SyncEvent } from "./types";

/** Every code a command can fail with, for the test that each has a message. */
export type { ErrorCode };

async function unwrap<T>(call: Promise<Result<T, AppError>>): Promise<T> {
  const r = await call;
  if (r.status === "error") throw new CommandError(r.error);
  return r.data;
}

export function createTauriApi(): Api {
  return {
    appInfo: () => unwrap(commands.appInfo()),
    setLanguage: (lang) => unwrap(commands.setLanguage(lang)),
    enroll: (hubUrl, code) => unwrap(commands.enroll(hubUrl, code)),
    startDemo: () => unwrap(commands.startDemo()),
    resetDemo: () => unwrap(commands.resetDemo()),
    useRealProfile: () => unwrap(commands.useRealProfile()),

    listListings: () => unwrap(commands.listListings()),
    listingDetail: (id) => unwrap(commands.listingDetail(id)),
    createListing: (input) => unwrap(commands.createListing(input)),
    editListing: (id, changes) => unwrap(commands.editListing(id, changes)),
    recordSale: (listingId, quantity, payment) => unwrap(commands.recordSale(listingId, quantity, payment)),
    voidSale: (saleId, reason) => unwrap(commands.voidSale(saleId, reason)),
    adjustStock: (listingId, kind, change, reason) => unwrap(commands.adjustStock(listingId, kind, change, reason)),

    listLots: () => unwrap(commands.listLots()),
    recordLot: (input) => unwrap(commands.recordLot(input)),
    issueCertificate: (lotId, input) => unwrap(commands.issueCertificate(lotId, input)),
    listCertificates: (lotId) => unwrap(commands.listCertificates(lotId)),

    // The picture crosses the IPC as base64 text: see add_photo in
    // src-tauri/src/commands.rs for why not bytes.
    addPhoto: async (of, picture, keepLocation) => unwrap(commands.addPhoto(of, await readAsBase64(picture), keepLocation)),
    decodeQr: async (picture) => unwrap(commands.decodeQr(await readAsBase64(picture))),
    removePhoto: async (id) => {
      await unwrap(commands.removePhoto(id));
    },
    photosOf: (of) => unwrap(commands.photosOf(of)),
    listPhotos: () => unwrap(commands.listPhotos()),
    photoTransfers: () => unwrap(commands.photoTransfers()),
    // The app's `photo:` protocol (src-tauri/src/photo_protocol.rs).
    photoUrl: (sha256) => convertFileSrc(`${sha256}.jpg`, "photo"),

    listOrders: () => unwrap(commands.listOrders()),
    orderDetail: (id) => unwrap(commands.orderDetail(id)),
    acceptOrder: (id) => unwrap(commands.acceptOrder(id)),
    declineOrder: (id, reason) => unwrap(commands.declineOrder(id, reason)),
    handOverOrder: (id) => unwrap(commands.handOverOrder(id)),

    listRounds: () => unwrap(commands.listRounds()),
    answerRound: (id, coming, reason) => unwrap(commands.answerRound(id, coming, reason)),
    weighListing: (id, weight) => unwrap(commands.weighListing(id, weight)),

    syncStatus: () => unwrap(commands.syncStatus()),
    syncNow: async () => {
      await unwrap(commands.syncNow());
    },
    weekSales: () => unwrap(commands.weekSales()),
    getSettings: () => unwrap(commands.getSettings()),
    setDataSaver: (on) => unwrap(commands.setSettings(on)),
    setLargeText: (on) => unwrap(commands.setLargeText(on)),
    setLowStockAt: (units) => unwrap(commands.setLowStockAt(units)),
    resetTablet: () => unwrap(commands.resetTablet()),
    setPracticeNetwork: (network) => unwrap(commands.setPracticeNetwork(network)),

    startLesson: () => unwrap(commands.startLesson()),
    lesson: () => unwrap(commands.lesson()),
    endLesson: async () => {
      await unwrap(commands.endLesson());
    },

    findHubs: () => unwrap(commands.findHubs()),

    startWorkshop: () => unwrap(commands.startWorkshop()),
    workshop: () => unwrap(commands.workshop()),
    stopWorkshop: async () => {
      await unwrap(commands.stopWorkshop());
    },

    installUpdate: () => unwrap(commands.installUpdate()),
    restartApp: async () => {
      await unwrap(commands.restartApp());
    },

    async onSyncEvent(on: (e: SyncEvent) => void): Promise<() => void> {
      const stops = await Promise.all([
        events.syncStarted.listen((e) => on({ kind: "started", pending: e.payload.pending_ops })),
        events.syncProgress.listen((e) =>
          on({
            kind: "progress",
            pushed: e.payload.pushed,
            pending: e.payload.pending_ops,
            retrying: e.payload.retrying,
            photoBytesLeft: e.payload.photo_bytes_left,
          }),
        ),
        events.syncFinished.listen((e) => on({ kind: "finished", pending: e.payload.pending_ops, photoBytesLeft: e.payload.photo_bytes_left })),
        events.syncFailed.listen((e) => on({ kind: "failed", code: e.payload.error.code })),
        events.newOrders.listen((e) => on({ kind: "new-orders", count: e.payload.count, toAnswer: e.payload.to_answer })),
        events.practiceNetworkChanged.listen((e) => on({ kind: "network", network: asNetwork(e.payload.network) })),
        events.updateProgress.listen((e) => on({ kind: "update", have: e.payload.have, total: e.payload.total, retrying: e.payload.retrying })),
      ]);
      return () => stops.forEach((stop) => stop());
    },
  };
}
