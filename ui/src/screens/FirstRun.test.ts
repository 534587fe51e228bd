import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { CommandError } from "../lib/errors";
import { setLang } from "../lib/i18n/i18n.svelte";
import { hasCheckMark } from "../test/css";
import { apiContext, fakeApi } from "../test/fake-api";
import FirstRun from "./FirstRun.svelte";

async function toEnrollForm(): Promise<void> {
  await fireEvent.click(await screen.findByTestId("lang-en"));
}

describe("FirstRun: the language", () => {
  it("marks the language in use with a check, not by colour alone", async () => {
    setLang("zh-Hans");
    const api = fakeApi({ setLanguage: vi.fn().mockResolvedValue({}) });
    render(FirstRun, { props: { ondone: () => {} }, context: apiContext(api) });
    const langs = ["lang-bo", "lang-zh-Hans", "lang-en"].map((id) => screen.getByTestId(id));
    expect(langs.map(hasCheckMark)).toEqual([false, true, false]);
    expect(langs.map((b) => b.getAttribute("aria-checked"))).toEqual(["false", "true", "false"]);
  });
});

describe("FirstRun: finding a hub nearby", () => {
  it("lists the hubs found and fills the address of the one tapped; the code is still typed", async () => {
    setLang("en");
    const findHubs = vi.fn().mockResolvedValue([
      { name: "Deqen workshop", url: "http://192.168.4.1:7878" },
      { name: "Benzilan hall", url: "http://10.0.0.5:7878" },
    ]);
    const enroll = vi.fn().mockResolvedValue({});
    const api = fakeApi({ setLanguage: vi.fn().mockResolvedValue({}), findHubs, enroll });
    render(FirstRun, { props: { ondone: () => {} }, context: apiContext(api) });
    await toEnrollForm();
    await fireEvent.click(screen.getByTestId("enroll-find"));
    const hubs = await screen.findAllByTestId("enroll-found-hub");
    expect(hubs.map((h) => h.dataset["url"])).toEqual(["http://192.168.4.1:7878", "http://10.0.0.5:7878"]);
    const second = hubs[1];
    if (!second) throw new Error("two hubs are listed");
    await fireEvent.click(second);
    const url = screen.getByTestId("enroll-hub-url") as HTMLInputElement;
    await vi.waitFor(() => expect(url.value).toBe("http://10.0.0.5:7878"));
    // The hub tapped is pressed and marked with a check; the other is neither.
    expect(hubs.map((h) => h.getAttribute("aria-pressed"))).toEqual(["false", "true"]);
    expect(hubs.map(hasCheckMark)).toEqual([false, true]);
    await fireEvent.input(screen.getByTestId("enroll-code"), { target: { value: "k7qm-4xrp-y" } });
    await fireEvent.click(screen.getByTestId("enroll-submit"));
    expect(enroll).toHaveBeenCalledWith("http://10.0.0.5:7878", "K7QM-4XRP-Y");
  });

  it("fills the address at once when one hub answers, and says so when none does", async () => {
    setLang("en");
    const findHubs = vi.fn().mockResolvedValueOnce([{ name: "Deqen workshop", url: "http://192.168.4.1:7878" }]).mockResolvedValueOnce([]);
    const api = fakeApi({ setLanguage: vi.fn().mockResolvedValue({}), findHubs });
    render(FirstRun, { props: { ondone: () => {} }, context: apiContext(api) });
    await toEnrollForm();
    await fireEvent.click(screen.getByTestId("enroll-find"));
    await vi.waitFor(() => expect((screen.getByTestId("enroll-hub-url") as HTMLInputElement).value).toBe("http://192.168.4.1:7878"));
    await fireEvent.click(screen.getByTestId("enroll-find"));
    expect((await screen.findByTestId("enroll-found-none")).textContent).toContain("No hub found");
  });
});

describe("FirstRun: one scan enrolls", () => {
  const card = new File([new Uint8Array([0xff, 0xd8])], "card.jpg", { type: "image/jpeg" });
  const scan = async (): Promise<void> => {
    await fireEvent.change(screen.getByTestId("enroll-scan-input"), { target: { files: [card] } });
  };

  it("reads the card's photo in Rust and enrolls at once when it holds the hub and the code", async () => {
    setLang("en");
    const decodeQr = vi.fn().mockResolvedValue("highland://enroll?hub=http://192.168.1.10:7878&code=k7qm-4xrp-y");
    const enroll = vi.fn().mockResolvedValue({});
    const ondone = vi.fn();
    const api = fakeApi({ setLanguage: vi.fn().mockResolvedValue({}), decodeQr, enroll });
    render(FirstRun, { props: { ondone }, context: apiContext(api) });
    await toEnrollForm();
    await scan();
    await vi.waitFor(() => expect(ondone).toHaveBeenCalled());
    expect(decodeQr).toHaveBeenCalledWith(card);
    expect(enroll).toHaveBeenCalledWith("http://192.168.1.10:7878", "K7QM-4XRP-Y");
  });

  it("takes the one hub found nearby for a card that holds only the code", async () => {
    setLang("en");
    const enroll = vi.fn().mockResolvedValue({});
    const ondone = vi.fn();
    const api = fakeApi({
      setLanguage: vi.fn().mockResolvedValue({}),
      decodeQr: vi.fn().mockResolvedValue("K7QM-4XRP-Y"),
      findHubs: vi.fn().mockResolvedValue([{ name: "Deqen workshop", url: "http://192.168.4.1:7878" }]),
      enroll,
    });
    render(FirstRun, { props: { ondone }, context: apiContext(api) });
    await toEnrollForm();
    await scan();
    await vi.waitFor(() => expect(ondone).toHaveBeenCalled());
    expect(enroll).toHaveBeenCalledWith("http://192.168.4.1:7878", "K7QM-4XRP-Y");
  });

  it("keeps the code and asks for the hub when a code-only card finds none nearby", async () => {
    setLang("en");
    const enroll = vi.fn();
    const api = fakeApi({
      setLanguage: vi.fn().mockResolvedValue({}),
      decodeQr: vi.fn().mockResolvedValue("K7QM-4XRP-Y"),
      findHubs: vi.fn().mockResolvedValue([]),
      enroll,
    });
    render(FirstRun, { props: { ondone: () => {} }, context: apiContext(api) });
    await toEnrollForm();
    await scan();
    expect((await screen.findByTestId("scan-needs-hub")).textContent).toContain("The code is read.");
    expect((screen.getByTestId("enroll-code") as HTMLInputElement).value).toBe("K7QM-4XRP-Y");
    expect(enroll).not.toHaveBeenCalled();
  });

  it("says what to do when the photo holds no code", async () => {
    setLang("zh-Hans");
    const api = fakeApi({
      setLanguage: vi.fn().mockResolvedValue({}),
      decodeQr: vi.fn().mockRejectedValue(new CommandError({ code: "no_qr_code" })),
    });
    render(FirstRun, { props: { ondone: () => {} }, context: apiContext(api) });
    await fireEvent.click(await screen.findByTestId("lang-zh-Hans"));
    await scan();
    expect((await screen.findByTestId("error")).textContent).toContain("照片里读不出二维码");
  });
});
