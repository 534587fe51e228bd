import { describe, expect, it } from "vitest";
import { categoryName, priceText, stockText, unitName } from "./labels";

describe("labels", () => {
  it("names slugs per language and falls back to the slug", () => {
    expect(unitName("jin", "zh-Hans")).toBe("斤");
    expect(categoryName("matsutake", "en")).toBe("Matsutake");
    expect(unitName("bushel", "en")).toBe("bushel");
  });

  it("writes the price per unit", () => {
    expect(priceText({ price_fen: 6850, unit: "kg" }, "en")).toBe("¥68.50 per kg");
    expect(priceText({ price_fen: 3000, unit: "jin" }, "zh-Hans")).toBe("每斤 ¥30.00");
  });

  it("writes stock, and oversold stock as such", () => {
    expect(stockText({ stock: 12500, stock_display: "12.5", unit: "kg" }, "en")).toBe("12.5 kg left");
    expect(stockText({ stock: -1000, stock_display: "-1", unit: "kg" }, "en")).toBe("Sold 1 kg more than you had");
  });
});

describe("amounts", () => {
  it("writes base units in the listing's unit exactly", async () => {
    const { inUnit } = await import("./labels");
    expect(inUnit(1250, "kg")).toBe("1.25");
    expect(inUnit(1, "jin")).toBe("0.002");
    expect(inUnit(3, "jar")).toBe("3");
    expect(inUnit(-500, "jin")).toBe("-1");
  });

  it("previews a sale's total to the fen", async () => {
    const { previewTotal } = await import("./labels");
    expect(previewTotal(6850, "2.5")).toBe(17125);
    expect(previewTotal(6850, "0.333")).toBe(2281);
    expect(previewTotal(4500, "3")).toBe(13500);
    expect(previewTotal(4500, "")).toBeNull();
  });
});

describe("slug names", () => {
  it("names every category, unit, payment, status and order state of highland-domain", async () => {
    const { CATEGORIES, UNITS, PAYMENTS, STATUSES } = await import("./types");
    const { en } = await import("./i18n/en");
    const keys = [
      ...CATEGORIES.map((c) => `category.${c}`),
      ...UNITS.map((u) => `unit.${u}`),
      ...PAYMENTS.map((p) => `payment.${p}`),
      ...STATUSES.map((s) => `status.${s}`),
      ...["placed", "accepted", "declined", "handed-over", "received", "paid", "cancelled"].map((s) => `order_state.${s}`),
      ...["place", "accept", "decline", "hand-over", "receive", "pay", "cancel"].map((a) => `order_action.${a}`),
    ];
    expect(keys.filter((k) => !(k in en))).toEqual([]);
  });
});
