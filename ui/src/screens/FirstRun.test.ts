import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
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
