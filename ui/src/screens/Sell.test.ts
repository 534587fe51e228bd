import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { AppState } from "../lib/app.svelte";
import { CommandError } from "../lib/errors";
import { setLang } from "../lib/i18n/i18n.svelte";
import type { Listing, Sale, SaleOutcome } from "../lib/types";
import { hasCheckMark } from "../test/css";
import { apiContext, fakeApi } from "../test/fake-api";
import Sell from "./Sell.svelte";

const YAK: Listing = {
  id: "L1", title: "Yak meat", category: "yak-meat", unit: "kg", price_fen: 6850, status: "listed", description: null,
  lot_id: null, stock: 12000, stock_unit: "g", stock_display: "12", sold: 0, sales_count: 0, reserved: 0, low_stock: false, weight_per_unit_g: null,
};

const SALE: Sale = {
  id: "S1", listing_id: "L1", listing_title: "Yak meat", quantity: 2500, quantity_unit: "g", unit: "kg", quantity_display: "2.5",
  unit_price_fen: 6850, total_fen: 17125, payment: "cash", buyer: null, sold_at: "2026-12-07T10:00:00Z", order_id: null, voided: null,
};

function outcome(overrides: Partial<Sale> = {}, today = { count: 2, total_fen: 23975 }): SaleOutcome {
  return { sale: { ...SALE, ...overrides }, listing: { ...YAK, stock: 9500, stock_display: "9.5" }, today: { date: "2026-12-07", ...today } };
}

describe("Sell", () => {
  it("records a sale with three taps: product, quantity, confirm", async () => {
    setLang("en");
    const recordSale = vi.fn().mockResolvedValue(outcome());
    const api = fakeApi({
      listListings: vi.fn().mockResolvedValue([YAK]),
      recordSale,
      syncStatus: vi.fn().mockResolvedValue({ profile: "real", enrolled: true, hub_url: null, syncing: false, pending_ops: 1, last_sync_at: null, last_error: null, refused: [] }),
      listOrders: vi.fn().mockResolvedValue([]),
    });
    render(Sell, { props: { app: new AppState(api) }, context: apiContext(api) });

    await fireEvent.click(await screen.findByTestId("sell-pick"));
    for (const k of ["2", "point", "5"]) await fireEvent.click(screen.getByTestId(`quantity-keypad-${k}`));
    expect(screen.getByTestId("sale-total").textContent).toBe("¥171.25");
    await fireEvent.click(screen.getByTestId("sale-confirm"));

    expect(recordSale).toHaveBeenCalledWith("L1", "2.5", "cash");
    expect((await screen.findByTestId("sale-done")).textContent).toContain("Sale saved: 2.5 kg for ¥171.25.");
    expect(screen.getByTestId("sale-today").textContent).toBe("Today: ¥239.75 from 2 sales");
  });

  it("undoes the sale just saved with one tap, and says the stock is back", async () => {
    setLang("en");
    const voidSale = vi.fn().mockResolvedValue(outcome({ voided: { reason: "Undone right after the sale", at: "2026-12-07T10:00:05Z" } }, { count: 1, total_fen: 6850 }));
    const api = fakeApi({
      listListings: vi.fn().mockResolvedValue([YAK]),
      recordSale: vi.fn().mockResolvedValue(outcome()),
      voidSale,
      syncStatus: vi.fn().mockResolvedValue({ profile: "real", enrolled: true, hub_url: null, syncing: false, pending_ops: 1, last_sync_at: null, last_error: null, refused: [] }),
      listOrders: vi.fn().mockResolvedValue([]),
    });
    render(Sell, { props: { app: new AppState(api), listingId: "L1" }, context: apiContext(api) });
    await fireEvent.click(await screen.findByTestId("quantity-keypad-2"));
    await fireEvent.click(screen.getByTestId("sale-confirm"));
    await fireEvent.click(await screen.findByTestId("sale-undo"));

    expect(voidSale).toHaveBeenCalledWith("S1", "Undone right after the sale");
    expect((await screen.findByTestId("sale-undone")).textContent).toBe("Sale undone. The stock is back.");
    expect(screen.getByTestId("sale-today").textContent).toBe("Today: ¥68.50 from 1 sale");
    expect(screen.queryByTestId("sale-undo")).toBeNull();
  });

  it("says why an undo failed and keeps Undo to try again", async () => {
    setLang("zh-Hans");
    const api = fakeApi({
      listListings: vi.fn().mockResolvedValue([YAK]),
      recordSale: vi.fn().mockResolvedValue(outcome()),
      voidSale: vi.fn().mockRejectedValue(new CommandError({ code: "storage_full" })),
    });
    render(Sell, { props: { app: new AppState(api), listingId: "L1" }, context: apiContext(api) });
    await fireEvent.click(await screen.findByTestId("quantity-keypad-2"));
    await fireEvent.click(screen.getByTestId("sale-confirm"));
    await fireEvent.click(await screen.findByTestId("sale-undo"));

    expect((await screen.findByTestId("sale-error")).textContent).toContain("平板存储空间满了");
    expect(screen.getByTestId("sale-undo")).toBeTruthy();
  });

  it("keeps the product and quantity when the sale is refused", async () => {
    setLang("zh-Hans");
    const api = fakeApi({
      listListings: vi.fn().mockResolvedValue([YAK]),
      recordSale: vi.fn().mockRejectedValue(new CommandError({ code: "oversold", field: "quantity" })),
    });
    render(Sell, { props: { app: new AppState(api), listingId: "L1" }, context: apiContext(api) });

    for (const k of ["2", "0"]) await fireEvent.click(await screen.findByTestId(`quantity-keypad-${k}`));
    await fireEvent.click(screen.getByTestId("payment-wechat"));
    await fireEvent.click(screen.getByTestId("sale-confirm"));

    expect((await screen.findByTestId("sale-error")).textContent).toContain("库存没有这么多。请先记录新到的货。");
    expect(screen.getByTestId("quantity-keypad-display").textContent).toContain("20");
    expect(screen.getByTestId("payment-wechat").getAttribute("aria-checked")).toBe("true");
  });

  it("marks the chosen payment with a check, not by colour alone", async () => {
    setLang("en");
    const api = fakeApi({ listListings: vi.fn().mockResolvedValue([YAK]) });
    render(Sell, { props: { app: new AppState(api), listingId: "L1" }, context: apiContext(api) });

    const group = await screen.findByRole("radiogroup", { name: "Paid with" });
    const payments = Array.from(group.querySelectorAll<HTMLElement>("[data-testid^='payment-']"));
    expect(payments.length).toBeGreaterThan(1);
    const marked = (): string[] => payments.filter(hasCheckMark).map((b) => b.dataset["testid"] ?? "");
    const checked = (): string[] => payments.filter((b) => b.getAttribute("aria-checked") === "true").map((b) => b.dataset["testid"] ?? "");

    expect(marked()).toEqual(["payment-cash"]);
    expect(checked()).toEqual(["payment-cash"]);
    await fireEvent.click(screen.getByTestId("payment-wechat"));
    expect(marked()).toEqual(["payment-wechat"]);
    expect(checked()).toEqual(["payment-wechat"]);
    for (const b of payments) expect(b.getAttribute("aria-checked")).toMatch(/^(true|false)$/);
  });

  it("shows each tile's photo, name and stock, marks low stock, and finds a product by name", async () => {
    setLang("en");
    const names = ["Yak meat", "Honey", "Dried yak meat", "Barley", "Butter", "Cheese", "Matsutake"];
    const listings = names.map((title, i) => ({ ...YAK, id: `L${i}`, title, low_stock: title === "Honey" }));
    const photo = { id: "P1", subject_kind: "listing", subject_id: "L1", display: { sha256: "d", width: 1, height: 1, bytes: 1, here: true }, thumbnail: { sha256: "t1", width: 1, height: 1, bytes: 1, here: true }, waiting_to_upload: false, refused: false, latitude: null, longitude: null };
    const api = fakeApi({
      listListings: vi.fn().mockResolvedValue(listings),
      listPhotos: vi.fn().mockResolvedValue([photo]),
      photoUrl: (sha) => `photo://${sha}.jpg`,
      weekSales: vi.fn().mockResolvedValue([{ date: "2026-12-07", count: 1, total_fen: 6850 }]),
    });
    render(Sell, { props: { app: new AppState(api) }, context: apiContext(api) });

    const tiles = await screen.findAllByTestId("sell-pick");
    expect(tiles).toHaveLength(7);
    const [yak, honey] = tiles;
    if (!yak || !honey) throw new Error("tiles");
    expect((await screen.findByTestId("sell-photo")).getAttribute("src")).toBe("photo://t1.jpg");
    expect(honey.querySelector("[data-testid=sell-photo]")).not.toBeNull(); // Honey has the photo
    expect(yak.querySelector("[data-testid=sell-stock]")?.textContent).toBe("12 kg left");
    expect(screen.getAllByTestId("low-stock")).toHaveLength(1);
    expect(honey.dataset["low"]).toBe("true");
    expect((await screen.findByTestId("today-total")).textContent?.trim()).toBe("Today: ¥68.50 from 1 sale");

    await fireEvent.input(screen.getByTestId("sell-search"), { target: { value: "yak" } });
    expect(screen.getAllByTestId("sell-pick").map((t) => t.querySelector(".name")?.textContent)).toEqual(["Yak meat", "Dried yak meat"]);
    await fireEvent.input(screen.getByTestId("sell-search"), { target: { value: "tea" } });
    expect(screen.queryAllByTestId("sell-pick")).toHaveLength(0);
    expect(screen.getByTestId("sell-no-match").textContent).toBe("No product called “tea”.");
  });

  it("clears a wrong quantity with one key, and offers payments as pictures with cash first", async () => {
    setLang("zh-Hans");
    const api = fakeApi({ listListings: vi.fn().mockResolvedValue([YAK]) });
    render(Sell, { props: { app: new AppState(api), listingId: "L1" }, context: apiContext(api) });
    for (const k of ["1", "2", "point", "5"]) await fireEvent.click(await screen.findByTestId(`quantity-keypad-${k}`));
    expect(screen.getByTestId("quantity-keypad-display").textContent).toContain("12.5");
    await fireEvent.click(screen.getByTestId("quantity-keypad-clear"));
    expect(screen.getByTestId("quantity-keypad-display").textContent).toContain("0");
    expect((screen.getByTestId("sale-confirm") as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId("quantity-keypad-clear") as HTMLButtonElement).disabled).toBe(true);

    for (const p of ["cash", "wechat", "alipay"]) expect(screen.getByTestId(`pay-icon-${p}`)).toBeTruthy();
    expect(screen.getByTestId("payment-cash").getAttribute("aria-checked")).toBe("true");
  });
});
