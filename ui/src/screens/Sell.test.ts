import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { AppState } from "../lib/app.svelte";
import { CommandError } from "../lib/errors";
import { setLang } from "../lib/i18n/i18n.svelte";
import type { Listing } from "../lib/types";
import { hasCheckMark } from "../test/css";
import { apiContext, fakeApi } from "../test/fake-api";
import Sell from "./Sell.svelte";

const YAK: Listing = {
  id: "L1", title: "Yak meat", category: "yak-meat", unit: "kg", price_fen: 6850, status: "listed", description: null,
  lot_id: null, stock: 12000, stock_unit: "g", stock_display: "12", sold: 0, sales_count: 0, reserved: 0,
};

describe("Sell", () => {
  it("records a sale with three taps: product, quantity, confirm", async () => {
    setLang("en");
    const recordSale = vi.fn().mockResolvedValue({ ...YAK, stock: 9500, stock_display: "9.5" });
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
    expect((await screen.findByTestId("sale-done")).textContent).toBe("Sale saved: 2.5 kg for ¥171.25.");
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
});
