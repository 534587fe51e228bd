import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { AppState } from "../lib/app.svelte";
import { CommandError } from "../lib/errors";
import { setLang } from "../lib/i18n/i18n.svelte";
import { Router } from "../lib/router.svelte";
import { hasCheckMark } from "../test/css";
import { apiContext, fakeApi } from "../test/fake-api";
import ProductForm from "./ProductForm.svelte";

describe("ProductForm", () => {
  it("lists a product with its photo in ten taps: photo, category (which names it), unit, price, stock, save", async () => {
    setLang("zh-Hans");
    const honey = { id: "L9", title: "蜂蜜" };
    const createListing = vi.fn().mockResolvedValue(honey);
    const addPhoto = vi.fn().mockResolvedValue({ id: "P1" });
    const api = fakeApi({ createListing, addPhoto, listLots: vi.fn().mockResolvedValue([]) });
    const router = new Router();
    router.push({ name: "product-new" });
    globalThis.URL.createObjectURL = vi.fn(() => "blob:photo");
    globalThis.URL.revokeObjectURL = vi.fn();
    render(ProductForm, { props: { app: new AppState(api), router, listing: null }, context: apiContext(api) });

    let taps = 0;
    const tap = async (testid: string): Promise<void> => {
      taps++;
      await fireEvent.click(screen.getByTestId(testid));
    };
    // The photo comes first: one tap on the camera, which gives back a picture.
    const picture = new File([new Uint8Array([0xff, 0xd8, 0xff])], "honey.jpg", { type: "image/jpeg" });
    taps++;
    await fireEvent.change(screen.getByTestId("form-photo-camera"), { target: { files: [picture] } });
    expect(screen.getByTestId("form-photo-preview").getAttribute("src")).toBe("blob:photo");
    await tap("category-honey");
    const title = screen.getByTestId("listing-title-input") as HTMLInputElement;
    expect(title.value).toBe("蜂蜜"); // named after the category, in the seller's language
    await tap("unit-jar");
    for (const k of ["4", "5"]) await tap(`price-keypad-${k}`);
    await tap("pad-stock-tab");
    for (const k of ["1", "2"]) await tap(`stock-keypad-${k}`);
    await tap("listing-save");

    expect(taps).toBeLessThanOrEqual(10);
    expect(createListing).toHaveBeenCalledWith(expect.objectContaining({ title: "蜂蜜", category: "honey", unit: "jar", price: "45", stock: "12" }));
    await vi.waitFor(() => expect(addPhoto).toHaveBeenCalledWith({ kind: "listing", id: "L9" }, picture, false));
    await vi.waitFor(() => expect(router.current).toEqual({ name: "product", id: "L9" }));
  });

  it("keeps a name the seller typed when the category changes, and follows the category otherwise", async () => {
    setLang("en");
    const api = fakeApi({ listLots: vi.fn().mockResolvedValue([]) });
    render(ProductForm, { props: { app: new AppState(api), router: new Router(), listing: null }, context: apiContext(api) });
    const title = screen.getByTestId("listing-title-input") as HTMLInputElement;
    await fireEvent.click(screen.getByTestId("category-honey"));
    expect(title.value).toBe("Honey");
    await fireEvent.click(screen.getByTestId("category-matsutake"));
    expect(title.value).toBe("Matsutake");
    await fireEvent.input(title, { target: { value: "Wild matsutake from Yubeng" } });
    await fireEvent.click(screen.getByTestId("category-honey"));
    expect(title.value).toBe("Wild matsutake from Yubeng");
  });

  it("keeps what was typed and says what to do when saving fails", async () => {
    setLang("en");
    const createListing = vi.fn().mockRejectedValue(new CommandError({ code: "too_large", field: "price" }));
    const api = fakeApi({ createListing, listLots: vi.fn().mockResolvedValue([]) });
    const router = new Router();
    render(ProductForm, { props: { app: new AppState(api), router, listing: null }, context: apiContext(api) });

    await fireEvent.click(screen.getByTestId("category-honey"));
    const title = screen.getByTestId("listing-title-input") as HTMLInputElement;
    await fireEvent.input(title, { target: { value: "བྲག་སྦྲང་རྩི། Cliff honey" } });
    await fireEvent.click(screen.getByTestId("unit-jar"));
    for (const k of ["9", "9", "9", "point", "5"]) await fireEvent.click(screen.getByTestId(`price-keypad-${k}`));
    await fireEvent.click(screen.getByTestId("pad-stock-tab"));
    for (const k of ["1", "2"]) await fireEvent.click(screen.getByTestId(`stock-keypad-${k}`));
    await fireEvent.click(screen.getByTestId("pad-price-tab"));
    await fireEvent.click(screen.getByTestId("listing-save"));

    expect(createListing).toHaveBeenCalledWith(
      expect.objectContaining({ title: "བྲག་སྦྲང་རྩི། Cliff honey", category: "honey", unit: "jar", price: "999.5", stock: "12" }),
    );
    expect((await screen.findByTestId("form-error")).textContent).toContain("This number is too large.");
    expect(title.value).toBe("བྲག་སྦྲང་རྩི། Cliff honey");
    expect(screen.getByTestId("price-keypad-display").textContent).toContain("999.5");
    expect(screen.getByTestId("category-honey").getAttribute("aria-checked")).toBe("true");
    expect(screen.getByTestId("unit-jar").getAttribute("aria-checked")).toBe("true");
    // The chosen category, unit and keypad tab carry the check mark; the others do not.
    const marked = (prefix: string): string[] =>
      Array.from(document.querySelectorAll<HTMLElement>(`[data-testid^='${prefix}']`))
        .filter(hasCheckMark)
        .map((b) => b.dataset["testid"] ?? "");
    expect(document.querySelectorAll("[data-testid^='category-']").length).toBeGreaterThan(1);
    expect(document.querySelectorAll("[data-testid^='unit-']").length).toBeGreaterThan(1);
    expect(marked("category-")).toEqual(["category-honey"]);
    expect(marked("unit-")).toEqual(["unit-jar"]);
    expect(marked("pad-")).toEqual(["pad-price-tab"]);
    expect(router.current.name).toBe("products"); // still on the form's caller stack, not navigated away
  });

  it("converts old-keyboard Tibetan as it is typed and refuses what it cannot", async () => {
    setLang("en");
    const api = fakeApi({ listLots: vi.fn().mockResolvedValue([]) });
    render(ProductForm, { props: { app: new AppState(api), router: new Router(), listing: null }, context: apiContext(api) });
    const title = screen.getByTestId("listing-title-input") as HTMLInputElement;

    await fireEvent.input(title, { target: { value: "\uF311\u0F0B" } });
    expect(title.value).toBe("\u0F40\u0FB2\u0F0B");

    await fireEvent.input(title, { target: { value: "ཀ\uF306" } });
    expect(title.value).toBe("ཀ\uF306"); // kept as typed, so nothing is lost
    expect(screen.getByRole("alert").textContent).toContain("U+F306");
    for (const k of ["5", "0"]) await fireEvent.click(screen.getByTestId(`price-keypad-${k}`));
    expect((screen.getByTestId("listing-save") as HTMLButtonElement).disabled).toBe(true);
  });
});
