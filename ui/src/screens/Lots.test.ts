import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { AppState } from "../lib/app.svelte";
import { setLang } from "../lib/i18n/i18n.svelte";
import { Router } from "../lib/router.svelte";
import { apiContext, fakeApi } from "../test/fake-api";
import Lots from "./Lots.svelte";

describe("Lots", () => {
  it("opens a harvest's certificate of compliance from a large button named in Chinese too", async () => {
    setLang("bo");
    const api = fakeApi({
      listLots: vi.fn().mockResolvedValue([{ id: "LOT1", village: "雨崩村", altitude_m: null, harvested_on: null, environment: null }]),
    });
    const router = new Router();
    router.reset({ name: "lots" });
    render(Lots, { props: { app: new AppState(api), router }, context: apiContext(api) });

    const button = await screen.findByTestId("lot-certificate");
    expect(button.textContent).toContain("ཚད་ལྡན་ཁས་ལེན་ལག་འཁྱེར།");
    expect(button.textContent).toContain("承诺达标合格证");
    await fireEvent.click(button);
    expect(router.current).toEqual({ name: "certificate", lotId: "LOT1" });
    expect(router.tab).toBe("lots");
  });
});
