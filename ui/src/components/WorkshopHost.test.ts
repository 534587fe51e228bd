import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { setLang } from "../lib/i18n/i18n.svelte";
import type { Workshop } from "../lib/types";
import { apiContext, fakeApi } from "../test/fake-api";
import WorkshopHost from "./WorkshopHost.svelte";

const WORKSHOP: Workshop = {
  hub_url: "http://192.168.4.1:7878",
  lan_addresses: ["192.168.4.1"],
  console_url: "http://192.168.4.1:7878/console",
  projector_url: "http://192.168.4.1:7878/projector",
  staff_token: "hst_abc",
  trainees: [
    { name: "Trainee 1", code: "K7QM-4XRP-Y", enroll_text: "highland://enroll?hub=http://192.168.4.1:7878&code=K7QM-4XRP-Y", qr_svg: '<svg xmlns="http://www.w3.org/2000/svg"/>' },
    { name: "Trainee 2", code: "M3QA-9TXR-2", enroll_text: "highland://enroll?hub=http://192.168.4.1:7878&code=M3QA-9TXR-2", qr_svg: '<svg xmlns="http://www.w3.org/2000/svg"/>' },
  ],
};

describe("WorkshopHost", () => {
  it("starts a workshop and shows the hub's address, the token and a QR code per trainee; stops it", async () => {
    setLang("en");
    const startWorkshop = vi.fn().mockResolvedValue(WORKSHOP);
    const stopWorkshop = vi.fn().mockResolvedValue(undefined);
    const api = fakeApi({ workshop: vi.fn().mockResolvedValue(null), startWorkshop, stopWorkshop });
    render(WorkshopHost, { context: apiContext(api) });
    await fireEvent.click(await screen.findByTestId("workshop-start"));
    expect((await screen.findByTestId("workshop-hub-url")).textContent).toBe("http://192.168.4.1:7878");
    expect(screen.getByTestId("workshop-projector").textContent).toBe("http://192.168.4.1:7878/projector");
    expect(screen.getByTestId("workshop-token").textContent).toBe("hst_abc");
    const cards = screen.getAllByTestId("workshop-trainee");
    expect(cards).toHaveLength(2);
    const img = cards[0]?.querySelector("img");
    expect(img?.getAttribute("src")).toMatch(/^data:image\/svg\+xml;charset=utf-8,%3Csvg/);
    expect(img?.getAttribute("alt")).toContain("code=K7QM-4XRP-Y");
    await fireEvent.click(screen.getByTestId("workshop-stop"));
    expect(stopWorkshop).toHaveBeenCalledOnce();
    expect(await screen.findByTestId("workshop-start")).toBeTruthy();
  });

  it("shows the workshop already running when the screen opens", async () => {
    setLang("zh-Hans");
    const api = fakeApi({ workshop: vi.fn().mockResolvedValue(WORKSHOP) });
    render(WorkshopHost, { context: apiContext(api) });
    expect((await screen.findByTestId("workshop-hub-url")).textContent).toBe("http://192.168.4.1:7878");
    expect(screen.getByText("学员：每台平板扫一个码")).toBeTruthy();
  });
});
