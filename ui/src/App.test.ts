import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import App from "./App.svelte";
import { CommandError } from "./lib/errors";
import type { AppInfo, SyncStatus } from "./lib/types";
import { fakeApi } from "./test/fake-api";

const FRESH: AppInfo = {
  version: "0.1.0",
  profile: "real",
  settings: { language: null, data_saver: false, profile: "real", practice_network: null, practice_network_set_at: null, low_stock_at: 3, large_text: false },
  enrollment: null,
  device_id: "d1",
};
const STATUS: SyncStatus = {
  profile: "real", enrolled: false, hub_url: null, syncing: false, pending_ops: 0, last_sync_at: null, last_error: null, refused: [],
};

describe("App", () => {
  it("starts with the language, then keeps the hub address and code when enrolling fails", async () => {
    const enroll = vi.fn().mockRejectedValue(new CommandError({ code: "code_expired", field: "code" }));
    const setLanguage = vi.fn().mockResolvedValue(FRESH.settings);
    const api = fakeApi({
      appInfo: vi.fn().mockResolvedValue(FRESH),
      syncStatus: vi.fn().mockResolvedValue(STATUS),
      listOrders: vi.fn().mockResolvedValue([]),
      onSyncEvent: vi.fn().mockResolvedValue(() => {}),
      setLanguage,
      enroll,
    });
    render(App, { props: { api } });

    await fireEvent.click(await screen.findByTestId("lang-en"));
    expect(setLanguage).toHaveBeenCalledWith("en");

    const hub = (await screen.findByTestId("enroll-hub-url")) as HTMLInputElement;
    const code = screen.getByTestId("enroll-code") as HTMLInputElement;
    await fireEvent.input(hub, { target: { value: "hub.deqen.example.cn" } });
    await fireEvent.input(code, { target: { value: "k7qm-4xrp-y" } });
    await fireEvent.click(screen.getByTestId("enroll-submit"));

    // The engine adds the scheme (http:// on a LAN, https:// elsewhere).
    expect(enroll).toHaveBeenCalledWith("hub.deqen.example.cn", "K7QM-4XRP-Y");
    expect((await screen.findByTestId("error")).textContent).toContain("This code is too old.");
    expect(hub.value).toBe("hub.deqen.example.cn");
    expect(code.value).toBe("k7qm-4xrp-y");
  });

  it("opens on the sell screen, one tap from a sale, when there is something to sell", async () => {
    const honey = {
      id: "L1", title: "Honey", category: "honey", unit: "jar", price_fen: 4500, status: "listed", description: null, lot_id: null,
      stock: 2, stock_unit: "count", stock_display: "2", sold: 0, sales_count: 0, reserved: 0, low_stock: true,
    };
    const api = fakeApi({
      appInfo: vi.fn().mockResolvedValue({
        ...FRESH,
        settings: { ...FRESH.settings, language: "en" },
        enrollment: { hub_url: "https://hub", seller_id: "s", seller_name: "Dolma", village: "Benzilan" },
      }),
      syncStatus: vi.fn().mockResolvedValue({ ...STATUS, enrolled: true }),
      listOrders: vi.fn().mockResolvedValue([]),
      onSyncEvent: vi.fn().mockResolvedValue(() => {}),
      listListings: vi.fn().mockResolvedValue([honey]),
      listPhotos: vi.fn().mockResolvedValue([]),
      weekSales: vi.fn().mockResolvedValue([{ date: "2026-12-07", count: 3, total_fen: 13500 }]),
    });
    render(App, { props: { api } });
    const tile = await screen.findByTestId("sell-pick");
    expect(tile.textContent).toContain("Honey");
    expect(tile.textContent).toContain("2 jar");
    expect(screen.getByTestId("low-stock").textContent).toBe("⚠ Running low");
    expect((await screen.findByTestId("today-total")).textContent?.trim()).toBe("Today: ¥135.00 from 3 sales");
  });

  it("opens on the products when the device is enrolled and has nothing to sell", async () => {
    const api = fakeApi({
      appInfo: vi.fn().mockResolvedValue({
        ...FRESH,
        settings: { ...FRESH.settings, language: "zh-Hans" },
        enrollment: { hub_url: "https://hub", seller_id: "s", seller_name: "Dolma", village: "Benzilan" },
      }),
      syncStatus: vi.fn().mockResolvedValue({ ...STATUS, enrolled: true }),
      listOrders: vi.fn().mockResolvedValue([]),
      onSyncEvent: vi.fn().mockResolvedValue(() => {}),
      listListings: vi.fn().mockResolvedValue([]),
      weekSales: vi.fn().mockResolvedValue([]),
    });
    render(App, { props: { api } });
    expect((await screen.findByTestId("listings-empty")).textContent).toBe("还没有商品。先添加第一个吧。");
    expect(screen.getByTestId("sync-last").textContent?.trim()).toBe("还没有发送过");
  });
});
