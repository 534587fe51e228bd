import { render, screen } from "@testing-library/svelte";
import { tick } from "svelte";
import { describe, expect, it, vi } from "vitest";
import { AppState } from "../lib/app.svelte";
import { setLang } from "../lib/i18n/i18n.svelte";
import { fakeApi } from "../test/fake-api";
import SyncBar from "./SyncBar.svelte";

function state(): AppState {
  const app = new AppState(fakeApi());
  app.info = {
    version: "0.1.0",
    device_id: "d1",
    profile: "real",
    settings: { language: "en", data_saver: false, profile: "real", practice_network: null, practice_network_set_at: null, low_stock_at: 3, large_text: false },
    enrollment: { hub_url: "https://hub.example.cn", seller_id: "s1", seller_name: "Dolma", village: "Benzilan" },
  };
  app.now = new Date("2026-11-28T12:00:00Z");
  app.sync = {
    profile: "real",
    enrolled: true,
    hub_url: "https://hub.example.cn",
    syncing: false,
    pending_ops: 3,
    last_sync_at: "2026-11-28T11:48:00Z",
    last_error: null,
    refused: [],
  };
  return app;
}

describe("SyncBar", () => {
  it("shows the waiting changes and the last sync in words", () => {
    setLang("en");
    render(SyncBar, { props: { app: state() } });
    expect(screen.getByTestId("sync-pending").textContent).toBe("3 changes wait to be sent");
    expect(screen.getByTestId("sync-last").textContent?.trim()).toBe("Last sent 12 minutes ago");
    expect(screen.getByTestId("sync-last").dataset["at"]).toBe("2026-11-28T11:48:00Z");
    expect(screen.getByTestId("sync-pending").dataset["count"]).toBe("3");
    expect(screen.getByTestId("sync-bar").dataset["state"]).toBe("idle");
  });

  it("speaks Chinese and Tibetan", async () => {
    setLang("zh-Hans");
    render(SyncBar, { props: { app: state() } });
    expect(screen.getByTestId("sync-last").textContent?.trim()).toBe("上次发送：12 分钟前");
    setLang("bo");
    await tick();
    expect(screen.getByTestId("sync-pending").textContent).toBe("བཟོ་བཅོས་ 3 བསྐུར་རྒྱུ་སྒུག་ཡོད།");
  });

  it("shows progress while syncing and the reason when it failed", async () => {
    setLang("en");
    const app = state();
    const { rerender } = render(SyncBar, { props: { app } });
    app.handle({ kind: "started", pending: 5 });
    app.handle({ kind: "progress", pushed: 2, pending: 3, retrying: null });
    await rerender({ app });
    expect(screen.getByTestId("sync-state").textContent).toBe("Sending 2 of 5");
    expect(screen.getByTestId("sync-progress").getAttribute("aria-valuenow")).toBe("40");
    expect(screen.getByTestId("sync-bar").dataset["state"]).toBe("syncing");
    expect(screen.getByTestId("sync-pending").dataset["count"]).toBe("3");

    app.progress = null;
    if (app.sync) app.sync = { ...app.sync, syncing: false };
    app.syncError = "code_expired";
    await rerender({ app });
    expect(screen.getByTestId("sync-error").textContent).toBe(
      "Could not send: This code is too old. Ask your trainer or the buyer for a new one.",
    );
    expect(screen.getByTestId("sync-error").dataset["code"]).toBe("code_expired");
    expect(screen.getByTestId("sync-bar").dataset["state"]).toBe("failed");

    if (app.sync) {
      app.sync = {
        ...app.sync,
        refused: [{ op_id: "o1", entity: "order", entity_id: "x", code: "order_transition_refused", message: "An order that is cancelled cannot be accepted." }],
      };
    }
    await rerender({ app });
    expect(screen.getByTestId("sync-refused").textContent).toBe(
      "The hub refused 1 change: This order cannot do that now. Look at its state and try something else.",
    );
  });

  it("tells the seller what a tablet put back from an old copy took back, and what waits for an update", async () => {
    setLang("en");
    const app = state();
    const { rerender } = render(SyncBar, { props: { app } });
    expect(screen.queryByTestId("sync-own-recovered")).toBeNull();
    expect(screen.queryByTestId("sync-waiting-update")).toBeNull();
    expect(screen.queryByTestId("sync-deferred")).toBeNull();
    if (app.sync) {
      app.sync = {
        ...app.sync,
        own_recovered: { at: "2026-12-07T11:48:00Z", operations: 4, sales: 3 },
        waiting_for_update: 2,
        deferred_ops: 1,
      };
    }
    await rerender({ app });
    expect(screen.getByTestId("sync-own-recovered").textContent).toBe(
      "3 sales of this tablet were brought back from the hub",
    );
    expect(screen.getByTestId("sync-waiting-update").textContent).toBe(
      "2 changes from a newer Highland wait for an update: ask your trainer to update Highland",
    );
    expect(screen.getByTestId("sync-deferred").textContent).toBe("1 change waits until the hub is updated; nothing is lost");
    setLang("bo");
    await tick();
    expect(screen.getByTestId("sync-waiting-update").textContent).toContain("2");
    expect(screen.getByTestId("sync-waiting-update").textContent).not.toContain("newer");
  });

  it("tells the seller the hub was restored and how many sales went again", async () => {
    setLang("en");
    const app = state();
    const { rerender } = render(SyncBar, { props: { app } });
    expect(screen.queryByTestId("sync-hub-restored")).toBeNull();
    if (app.sync) {
      app.sync = { ...app.sync, hub_went_back: { at: "2026-11-28T11:48:00Z", resent: 5, resent_sales: 3 } };
    }
    await rerender({ app });
    expect(screen.getByTestId("sync-hub-restored").textContent).toBe("The hub was restored from a backup; 3 sales were sent again");
    setLang("zh-Hans");
    await tick();
    expect(screen.getByTestId("sync-hub-restored").textContent).toBe("服务站从备份中恢复了；已重新发送 3 笔销售");
  });

  it("tells the seller the tablet's data was repaired, or rebuilt and what it lost", async () => {
    setLang("en");
    const app = state();
    const { rerender } = render(SyncBar, { props: { app } });
    expect(screen.queryByTestId("sync-store-repaired")).toBeNull();
    const repair = {
      at: "2026-11-28T08:00:00Z",
      kind: "indexes_rebuilt" as const,
      findings: "row 40 missing from index sales_by_listing",
      indexes: ["sales_by_listing"],
      set_aside: null,
      recovered: 0,
      recovered_sales: 0,
      unreadable: 0,
      enrollment_lost: false,
    };
    if (app.sync) app.sync = { ...app.sync, store_repaired: repair };
    await rerender({ app });
    expect(screen.getByTestId("sync-store-repaired").textContent?.trim()).toBe(
      "The data on this tablet had a small fault. It was repaired and nothing was lost.",
    );
    if (app.sync) {
      app.sync = {
        ...app.sync,
        store_repaired: { ...repair, kind: "store_rebuilt", set_aside: "/data/highland.db.damaged-20261128T080000Z", recovered: 60, recovered_sales: 58, unreadable: 3 },
      };
    }
    await rerender({ app });
    expect(screen.getByTestId("sync-store-repaired").textContent?.trim()).toBe(
      "The data on this tablet was damaged and has been rebuilt: 58 sales were recovered from it. The rest comes back from the hub when sent next. 3 changes could not be read; those the hub had come back too.",
    );
    setLang("zh-Hans");
    await tick();
    expect(screen.getByTestId("sync-store-repaired").textContent?.trim()).toBe(
      "平板上的数据损坏了，已经重建：从中找回 58 笔销售，其余的下次发送时从服务站取回。有 3 条改动读不出来；服务站已有的也会取回。",
    );
  });

  it("tells a seller whose tablet was revoked that nothing is lost, in their language", async () => {
    setLang("en");
    const app = state();
    const { rerender } = render(SyncBar, { props: { app } });
    app.handle({ kind: "failed", code: "device_revoked" });
    await rerender({ app });
    // The bar re-reads the status after a failure, and keeps the event's code.
    await vi.waitFor(() => expect(screen.getByTestId("sync-error").dataset["code"]).toBe("device_revoked"));
    const shown = screen.getByTestId("sync-error");
    expect(shown.textContent).toBe(
      "Could not send: The buyer removed this tablet from the hub. Everything you recorded is still here. Ask your trainer to connect it again.",
    );
    expect(screen.getByTestId("sync-bar").dataset["state"]).toBe("failed");
    expect(screen.getByTestId("sync-pending").dataset["count"]).toBe("3");
    setLang("zh-Hans");
    await tick();
    expect(screen.getByTestId("sync-error").textContent).toContain("收购方已把这台平板从服务站移除。您记下的都还在本机上。");
    setLang("bo");
    await tick();
    expect(screen.getByTestId("sync-error").textContent).toContain("ལྟེ་གནས་ནས་བསུབ་ཟིན།");
  });

  it("shows the photo bytes left and a bar while photos upload", async () => {
    setLang("en");
    const app = state();
    const { rerender } = render(SyncBar, { props: { app } });
    app.handle({ kind: "started", pending: 1 });
    app.handle({ kind: "progress", pushed: 1, pending: 0, retrying: null, photoBytesLeft: 0 });
    await rerender({ app });
    expect(screen.queryByTestId("sync-photos")).toBeNull();
    app.handle({ kind: "progress", pushed: 1, pending: 0, retrying: null, photoBytesLeft: 400 * 1024 });
    await rerender({ app });
    expect(screen.getByTestId("sync-photos").textContent).toContain("Photos: 400 KB left");
    expect(screen.getByTestId("sync-photos-progress").getAttribute("aria-valuenow")).toBe("0");
    app.handle({ kind: "progress", pushed: 1, pending: 0, retrying: null, photoBytesLeft: 100 * 1024 + 1 });
    await rerender({ app });
    expect(screen.getByTestId("sync-photos").textContent).toContain("Photos: 101 KB left");
    expect(screen.getByTestId("sync-photos-progress").getAttribute("aria-valuenow")).toBe("75");
    expect(screen.getByTestId("sync-photos").dataset["left"]).toBe(String(100 * 1024 + 1));
    setLang("zh-Hans");
    await rerender({ app });
    expect(screen.getByTestId("sync-photos").textContent).toContain("照片：还剩 101 KB");
    app.handle({ kind: "finished", pending: 0, photoBytesLeft: 0 });
    await rerender({ app });
    expect(screen.queryByTestId("sync-photos")).toBeNull();
  });

  it("shows the practice network plainly while one is set, and nothing in the demo", () => {
    setLang("zh-Hans");
    const app = state();
    const base = app.sync;
    if (!base) throw new Error("state() sets the status");
    app.sync = { ...base, practice_network: "mountain_2g", simulated: true };
    const { unmount } = render(SyncBar, { props: { app } });
    const net = screen.getByTestId("sync-network");
    expect(net.textContent?.trim()).toBe("练习网络：山区 2G");
    expect(net.dataset["network"]).toBe("mountain_2g");
    expect(net.dataset["simulated"]).toBe("yes");
    unmount();
    app.sync = { ...base, practice_network: null };
    render(SyncBar, { props: { app } });
    expect(screen.queryByTestId("sync-network")).toBeNull();
  });

  it("follows the trainer's class-wide switch as it arrives", async () => {
    setLang("en");
    const app = state();
    render(SyncBar, { props: { app } });
    expect(screen.queryByTestId("sync-network")).toBeNull();
    app.handle({ kind: "network", network: "offline" });
    await vi.waitFor(() => expect(screen.getByTestId("sync-network").textContent?.trim()).toBe("Practice network: Offline"));
  });

  it("announces to screen readers only when the state changes, not at each progress step", async () => {
    setLang("en");
    const app = state();
    const { rerender } = render(SyncBar, { props: { app } });
    const live = screen.getByTestId("sync-announce");
    expect(live.getAttribute("aria-live")).toBe("polite");
    // Only the announcement is live: the bar's counts and progress are not read out.
    expect(screen.getByTestId("sync-bar").getAttribute("aria-live")).toBeNull();
    expect(document.querySelectorAll("[aria-live]")).toHaveLength(1);
    expect(live.textContent).toBe("Stopped sending; some changes still wait");

    const heard: string[] = [];
    const observer = new MutationObserver(() => heard.push(live.textContent ?? ""));
    observer.observe(live, { characterData: true, childList: true, subtree: true });
    app.handle({ kind: "started", pending: 5 });
    await rerender({ app });
    for (let pushed = 1; pushed <= 4; pushed++) {
      app.handle({ kind: "progress", pushed, pending: 5 - pushed, retrying: null });
      await rerender({ app });
    }
    // Done: what the finished event leads to once the status is read again.
    app.progress = null;
    if (app.sync) app.sync = { ...app.sync, syncing: false, pending_ops: 0 };
    await rerender({ app });
    await tick();
    observer.disconnect();
    expect(heard.filter((h, i) => h !== heard[i - 1])).toEqual(["Sending…", "Everything is sent"]);
  });
});
