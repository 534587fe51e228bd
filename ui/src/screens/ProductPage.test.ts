import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { AppState } from "../lib/app.svelte";
import { setLang } from "../lib/i18n/i18n.svelte";
import { Router } from "../lib/router.svelte";
import type { ListingDetail, Sale } from "../lib/types";
import { apiContext, fakeApi } from "../test/fake-api";
import ProductPage from "./ProductPage.svelte";

function sale(id: string, overrides: Partial<Sale> = {}): Sale {
  return {
    id, listing_id: "L1", listing_title: "Honey", quantity: 2, quantity_unit: "count", unit: "jar", quantity_display: "2",
    unit_price_fen: 4500, total_fen: 9000, payment: "cash", buyer: null, sold_at: "2026-12-07T10:00:00Z", order_id: null, voided: null,
    ...overrides,
  };
}

function detail(sales: Sale[]): ListingDetail {
  return {
    id: "L1", title: "Honey", category: "honey", unit: "jar", price_fen: 4500, status: "listed", description: null, lot_id: null,
    stock: 8, stock_unit: "count", stock_display: "8", sold: 2, sales_count: 1, reserved: 0, low_stock: false, weight_per_unit_g: null, sales, adjustments: [],
  };
}

describe("ProductPage", () => {
  it("voids a sale with the reason typed, and shows voided sales and receipts without a Void button", async () => {
    setLang("en");
    let sales = [
      sale("S1"),
      sale("S2", { voided: { reason: "wrong jar", at: "2026-12-07T10:05:00Z" } }),
      sale("S3", { order_id: "O1", payment: "bank" }),
    ];
    const voidSale = vi.fn(async (id: string, reason: string) => {
      sales = sales.map((s) => (s.id === id ? { ...s, voided: { reason, at: "2026-12-07T11:00:00Z" } } : s));
      const first = sales[0];
      if (!first) throw new Error("a sale");
      return { sale: first, listing: detail(sales), today: { date: "2026-12-07", count: 0, total_fen: 0 } };
    });
    const api = fakeApi({
      listingDetail: vi.fn(async () => detail(sales)),
      photosOf: vi.fn().mockResolvedValue([]),
      listLots: vi.fn().mockResolvedValue([]),
      voidSale,
      syncStatus: vi.fn().mockResolvedValue({ profile: "real", enrolled: true, hub_url: null, syncing: false, pending_ops: 1, last_sync_at: null, last_error: null, refused: [] }),
      listOrders: vi.fn().mockResolvedValue([]),
    });
    render(ProductPage, { props: { app: new AppState(api), router: new Router(), id: "L1" }, context: apiContext(api) });

    const voids = await screen.findAllByTestId("sale-void");
    expect(voids).toHaveLength(1); // not the voided sale, not the order's receipt
    expect(screen.getByTestId("sale-voided").textContent).toContain("Voided: wrong jar");
    expect(screen.getByText("Order receipt (the buyer corrects it)")).toBeTruthy();

    const [open] = voids;
    if (!open) throw new Error("a Void button");
    await fireEvent.click(open);
    const confirm = screen.getByTestId("void-confirm") as HTMLButtonElement;
    expect(confirm.disabled).toBe(true); // a void says why
    await fireEvent.input(screen.getByTestId("void-reason"), { target: { value: "按错了" } });
    expect(confirm.disabled).toBe(false);
    await fireEvent.click(confirm);

    expect(voidSale).toHaveBeenCalledWith("S1", "按错了");
    expect((await screen.findAllByTestId("sale-voided")).map((e) => e.textContent)).toEqual(["✕ Voided: 按错了", "✕ Voided: wrong jar"]);
    expect(screen.queryByTestId("sale-void")).toBeNull();
  });
});
