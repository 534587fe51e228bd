import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import App from "./App.svelte";
import { CommandError } from "./lib/errors";
import type { AppInfo, SyncStatus } from "./lib/types";
import { fakeApi } from "./test/fake-api";

const FRESH: AppInfo = {
  version: "0.1.0",
  profile: "real",
  settings: { language: null, data_saver: false, profile: "real", practice_network: null, practice_network_set_at: null },
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

    expect(enroll).toHaveBeenCalledWith("https://hub.deqen.example.cn", "K7QM-4XRP-Y");
    expect((await screen.findByTestId("error")).textContent).toContain("This code is too old.");
    expect(hub.value).toBe("hub.deqen.example.cn");
    expect(code.value).toBe("k7qm-4xrp-y");
  });

  it("opens on the products when the device is enrolled", async () => {
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
