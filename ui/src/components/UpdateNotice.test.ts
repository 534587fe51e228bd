import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { Api } from "../lib/api/contract";
import { AppState } from "../lib/app.svelte";
import { CommandError } from "../lib/errors";
import { setLang } from "../lib/i18n/i18n.svelte";
import type { UpdateOutcome } from "../lib/types";
import { apiContext, fakeApi } from "../test/fake-api";
import UpdateNotice from "./UpdateNotice.svelte";

function enrolled(api: Api, canUpdate = true): AppState {
  const app = new AppState(api);
  app.info = {
    version: "0.1.0",
    device_id: "d1",
    profile: "real",
    settings: { language: "en", data_saver: false, profile: "real", practice_network: null, practice_network_set_at: null, low_stock_at: 3, large_text: false },
    enrollment: { hub_url: "http://192.168.1.10:7878", seller_id: "s1", seller_name: "Dolma", village: "Benzilan" },
  };
  app.sync = {
    profile: "real",
    enrolled: true,
    hub_url: "http://192.168.1.10:7878",
    syncing: false,
    pending_ops: 0,
    last_sync_at: null,
    last_error: null,
    refused: [],
    release_ready: { version: "0.2.0", size_bytes: 12_400_000 },
    can_update: canUpdate,
  };
  return app;
}

describe("UpdateNotice", () => {
  it("says a new Highland is ready, installs it in one tap, and starts it in another", async () => {
    setLang("en");
    const api = fakeApi({
      installUpdate: vi.fn().mockResolvedValue({ status: "installed", version: "0.2.0" }),
      restartApp: vi.fn().mockResolvedValue(undefined),
    });
    const app = enrolled(api);
    render(UpdateNotice, { props: { app }, context: apiContext(api) });
    expect(screen.getByTestId("update-notice").textContent).toContain("A new Highland (0.2.0, 12.4 MB) is ready on the hub.");

    await fireEvent.click(screen.getByTestId("update-install"));
    await waitFor(() => expect(screen.getByTestId("update-installed").textContent).toBe("The new Highland is installed. Nothing was lost."));
    await fireEvent.click(screen.getByTestId("update-restart"));
    expect(api.restartApp).toHaveBeenCalledOnce();
  });

  it("shows the download's progress, and a wait for signal without losing the count", async () => {
    setLang("zh-Hans");
    let finish: (v: UpdateOutcome) => void = () => undefined;
    const api = fakeApi({ installUpdate: vi.fn(() => new Promise<UpdateOutcome>((resolve) => (finish = resolve))) });
    const app = enrolled(api);
    const { rerender } = render(UpdateNotice, { props: { app }, context: apiContext(api) });
    await fireEvent.click(screen.getByTestId("update-install"));
    app.handle({ kind: "update", have: 3_100_000, total: 12_400_000, retrying: false });
    await rerender({ app });
    expect(screen.getByTestId("update-progress").textContent).toBe("正在下载新版 Highland：25%");
    app.handle({ kind: "update", have: 0, total: 0, retrying: true });
    await rerender({ app });
    expect(screen.getByTestId("update-progress").textContent).toBe("等信号来了继续下载新版 Highland……");
    expect(screen.getByTestId("update-progress").dataset["pct"]).toBe("25");
    finish({ status: "installed", version: "0.2.0" });
    await waitFor(() => expect(screen.getByTestId("update-notice").dataset["state"]).toBe("installed"));
  });

  it("says plainly when the release is not the publisher's, and installs nothing", async () => {
    setLang("en");
    const api = fakeApi({
      installUpdate: vi.fn().mockRejectedValue(new CommandError({ code: "update_rejected", field: null, params: {} })),
    });
    render(UpdateNotice, { props: { app: enrolled(api) }, context: apiContext(api) });
    await fireEvent.click(screen.getByTestId("update-install"));
    await waitFor(() => expect(screen.getByTestId("update-error").dataset["code"]).toBe("update_rejected"));
    expect(screen.getByTestId("update-error").textContent).toContain("not from its publisher");
    expect(screen.getByTestId("update-install")).toBeTruthy();
  });

  it("sends the seller to the trainer when this build cannot update itself", () => {
    setLang("bo");
    const api = fakeApi();
    render(UpdateNotice, { props: { app: enrolled(api, false) }, context: apiContext(api) });
    expect(screen.queryByTestId("update-install")).toBeNull();
    expect(screen.getByTestId("update-notice").textContent).toContain("ཁྲིད་སྟོན་པར་བཙུགས་རོགས་ཞུ།");
  });
});
