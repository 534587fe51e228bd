import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { AppState } from "../lib/app.svelte";
import { setLang } from "../lib/i18n/i18n.svelte";
import type { AppInfo, Settings } from "../lib/types";
import { apiContext, fakeApi } from "../test/fake-api";
import SettingsScreen from "./Settings.svelte";

const SETTINGS: Settings = { language: "en", data_saver: false, profile: "real", practice_network: null, practice_network_set_at: null, low_stock_at: 3, large_text: false };
const info = (hubUrl: string): AppInfo => ({
  version: "0.1.0",
  device_id: "d1",
  profile: "real",
  settings: SETTINGS,
  enrollment: { hub_url: hubUrl, seller_id: "s1", seller_name: "Dolma", village: "Xidang" },
});

function setup(api: ReturnType<typeof fakeApi>, hubUrl = "http://192.168.4.1:7878") {
  const app = new AppState(api);
  app.info = info(hubUrl);
  const onlesson = vi.fn();
  render(SettingsScreen, { props: { app, onrestart: () => {}, onlesson }, context: apiContext(api) });
  return { app, onlesson };
}

const status = { profile: "real", enrolled: true, hub_url: null, syncing: false, pending_ops: 0, last_sync_at: null, last_error: null, refused: [] };

describe("Settings: the practice network", () => {
  it("switches the practice network and back to the real network", async () => {
    setLang("en");
    const setPracticeNetwork = vi.fn(async (n: string | null) => ({ ...SETTINGS, practice_network: n, practice_network_set_at: "2026-12-04T10:00:00Z" }));
    const api = fakeApi({
      getSettings: vi.fn().mockResolvedValue(SETTINGS),
      setPracticeNetwork,
      syncStatus: vi.fn().mockResolvedValue(status),
      listOrders: vi.fn().mockResolvedValue([]),
    });
    setup(api);
    const real = (await screen.findByTestId("network-real")) as HTMLInputElement;
    await vi.waitFor(() => expect(real.disabled).toBe(false));
    expect(real.checked).toBe(true);
    await fireEvent.click(screen.getByTestId("network-offline"));
    expect(setPracticeNetwork).toHaveBeenLastCalledWith("offline");
    await vi.waitFor(() => expect((screen.getByTestId("network-offline") as HTMLInputElement).checked).toBe(true));
    expect(screen.queryByTestId("network-https")).toBeNull();
    await fireEvent.click(screen.getByTestId("network-real"));
    expect(setPracticeNetwork).toHaveBeenLastCalledWith(null);
  });

  it("warns that an https:// hub cannot be simulated", async () => {
    setLang("en");
    const api = fakeApi({ getSettings: vi.fn().mockResolvedValue({ ...SETTINGS, practice_network: "3g" }) });
    setup(api, "https://hub.deqen.example.cn");
    expect((await screen.findByTestId("network-https")).textContent).toContain("https://");
  });

  it("opens the lesson", async () => {
    setLang("en");
    const api = fakeApi({ getSettings: vi.fn().mockResolvedValue(SETTINGS) });
    const { onlesson } = setup(api);
    await fireEvent.click(await screen.findByTestId("settings-lesson"));
    expect(onlesson).toHaveBeenCalledOnce();
  });

  it("offers to start a workshop only where the app can host one (the desktop)", async () => {
    setLang("en");
    const api = fakeApi({ getSettings: vi.fn().mockResolvedValue(SETTINGS), workshop: vi.fn().mockResolvedValue(null) });
    const app = new AppState(api);
    app.info = { ...info("http://192.168.4.1:7878"), can_host_workshop: true };
    const { unmount } = render(SettingsScreen, { props: { app, onrestart: () => {} }, context: apiContext(api) });
    expect(await screen.findByTestId("workshop-start")).toBeTruthy();
    unmount();
    app.info = { ...app.info, can_host_workshop: false };
    render(SettingsScreen, { props: { app, onrestart: () => {} }, context: apiContext(api) });
    await screen.findByTestId("settings-network");
    expect(screen.queryByTestId("settings-workshop")).toBeNull();
  });
});

describe("Settings: reading and trainers", () => {
  it("makes the whole screen larger, and sets the low-stock mark with − and +", async () => {
    setLang("en");
    const setLargeText = vi.fn(async (on: boolean) => ({ ...SETTINGS, large_text: on }));
    const setLowStockAt = vi.fn(async (units: number) => ({ ...SETTINGS, low_stock_at: units }));
    const api = fakeApi({ getSettings: vi.fn().mockResolvedValue(SETTINGS), setLargeText, setLowStockAt, syncStatus: vi.fn().mockResolvedValue(status) });
    setup(api);
    const large = (await screen.findByTestId("settings-large-text")) as HTMLInputElement;
    await vi.waitFor(() => expect(large.disabled).toBe(false));
    await fireEvent.click(large);
    await vi.waitFor(() => expect(document.documentElement.classList.contains("large-text")).toBe(true));
    expect(setLargeText).toHaveBeenCalledWith(true);

    expect(screen.getByTestId("low-stock-at").textContent).toBe("3");
    await fireEvent.click(screen.getByTestId("low-stock-more"));
    await vi.waitFor(() => expect(screen.getByTestId("low-stock-at").textContent).toBe("4"));
    expect(setLowStockAt).toHaveBeenCalledWith(4);
    document.documentElement.classList.remove("large-text");
  });

  it("resets the tablet for the next class only after a confirmation", async () => {
    setLang("en");
    const resetTablet = vi.fn().mockResolvedValue(info(""));
    const api = fakeApi({ getSettings: vi.fn().mockResolvedValue(SETTINGS), resetTablet, appInfo: vi.fn().mockResolvedValue({ ...info(""), enrollment: null }) });
    setup(api);
    await fireEvent.click(await screen.findByTestId("tablet-reset"));
    expect(resetTablet).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId("tablet-reset-cancel"));
    expect(screen.queryByTestId("tablet-reset-confirm")).toBeNull();
    await fireEvent.click(screen.getByTestId("tablet-reset"));
    await fireEvent.click(screen.getByTestId("tablet-reset-confirm"));
    await vi.waitFor(() => expect(resetTablet).toHaveBeenCalledTimes(1));
  });
});
