// The state every screen shares: what mode the app is in, the sync status the
// bar shows, and a clock for "12 minutes ago". Screens load their own lists.
import type { Api } from "./api/contract";
import { asAppError } from "./errors";
import { modeOf, type AppInfo, type AppMode, type PhotoUploadProgress, type SyncEvent, type SyncProgress, type SyncStatus } from "./types";

export class AppState {
  info = $state<AppInfo | null>(null);
  sync = $state<SyncStatus | null>(null);
  progress = $state<SyncProgress | null>(null);
  /** Photo bytes left to upload while a sync sends them; null otherwise. */
  photoUpload = $state<PhotoUploadProgress | null>(null);
  /** Code of the last sync failure (from the status, an event, or a failed "send now"). */
  syncError = $state<string | null>(null);
  /** How the download of a newer Highland goes, while one runs. */
  update = $state<{ have: number; total: number; retrying: boolean } | null>(null);
  /** Orders waiting for the seller's answer, for the tab's badge. */
  ordersToAnswer = $state(0);
  /** Bumped when data changed behind the screens' backs (a sync pulled something). */
  revision = $state(0);
  /** Replaced (never mutated) every 30 s by tick(), so a plain Date is reactive enough. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  now = $state(new Date());

  constructor(private readonly api: Api) {}

  get mode(): AppMode {
    return this.info ? modeOf(this.info) : "first-run";
  }

  async loadInfo(): Promise<AppInfo> {
    const info = await this.api.appInfo();
    this.info = info;
    return info;
  }

  async refreshSync(): Promise<void> {
    try {
      const status = await this.api.syncStatus();
      this.sync = status;
      this.syncError = status.last_error?.code ?? null;
    } catch (e) {
      this.syncError = asAppError(e).code;
    }
  }

  async refreshOrders(): Promise<void> {
    try {
      const orders = await this.api.listOrders();
      this.ordersToAnswer = orders.filter((o) => o.state === "placed").length;
    } catch {
      // The orders screen shows its own error; the badge just stays.
    }
  }

  /** Sends now; a failure shows in the bar, never as an exception. */
  async syncNow(): Promise<void> {
    let failed: string | null = null;
    try {
      await this.api.syncNow();
    } catch (e) {
      failed = asAppError(e).code;
    }
    await this.refreshSync();
    if (failed !== null) this.syncError = failed;
  }

  /** Called after every local write: the waiting count changes at once. */
  changed(): void {
    this.revision++;
    void this.refreshSync();
    void this.refreshOrders();
  }

  handle(e: SyncEvent): void {
    switch (e.kind) {
      case "started":
        this.progress = { done: 0, total: e.pending };
        this.photoUpload = null;
        if (this.sync) this.sync = { ...this.sync, syncing: true };
        break;
      case "progress":
        this.progress = { done: e.pushed, total: e.pushed + e.pending };
        this.syncError = e.retrying;
        this.photoUpload =
          e.photoBytesLeft !== undefined && e.photoBytesLeft > 0
            ? { left: e.photoBytesLeft, start: Math.max(this.photoUpload?.start ?? 0, e.photoBytesLeft) }
            : null;
        if (this.sync) this.sync = { ...this.sync, pending_ops: e.pending };
        break;
      case "finished":
        this.progress = null;
        this.photoUpload = null;
        this.syncError = null;
        if (this.sync) this.sync = { ...this.sync, syncing: false, pending_ops: e.pending };
        this.revision++;
        void this.refreshSync();
        break;
      case "failed":
        this.progress = null;
        this.photoUpload = null;
        this.syncError = e.code;
        void this.refreshSync().then(() => (this.syncError = e.code));
        break;
      case "new-orders":
        this.ordersToAnswer = e.toAnswer;
        this.revision++;
        break;
      case "update":
        // A wait for the link keeps the count so far.
        this.update = e.retrying && this.update ? { ...this.update, retrying: true } : { have: e.have, total: e.total, retrying: e.retrying };
        break;
      case "network":
        // The trainer switched the class: the bar and settings show it.
        if (this.sync) this.sync = { ...this.sync, practice_network: e.network };
        this.revision++;
        void this.refreshSync();
        break;
    }
  }

  tick(): void {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    this.now = new Date();
  }
}
