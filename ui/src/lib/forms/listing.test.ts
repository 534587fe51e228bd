import { describe, expect, it, vi } from "vitest";
import type { Api } from "../api/contract";
import { CommandError } from "../errors";
import type { Listing } from "../types";
import { ListingDraft } from "./listing.svelte";

const LISTING: Listing = {
  id: "L1", title: "གཡག་ཤ་སྐམ་པོ།", category: "yak-meat", unit: "kg", price_fen: 6850, status: "listed",
  description: null, lot_id: null, stock: 12000, stock_unit: "g", stock_display: "12", sold: 0, sales_count: 0, reserved: 0, low_stock: false, weight_per_unit_g: null,
};

function fakeApi(overrides: Partial<Api>): Api {
  return overrides as Api;
}

describe("ListingDraft", () => {
  it("keeps everything typed when the engine refuses, and names the field", async () => {
    const createListing = vi.fn().mockRejectedValue(new CommandError({ code: "invalid_money", field: "price" }));
    const draft = new ListingDraft();
    draft.title = "སྦྲང་རྩི། 蜂蜜";
    draft.category = "honey";
    draft.unit = "jar";
    draft.price = "45";
    draft.stock = "20";
    draft.description = "ནགས་ཁྲོད་ཀྱི་སྦྲང་རྩི།";

    expect(await draft.save(fakeApi({ createListing }))).toBeNull();

    expect(createListing).toHaveBeenCalledWith(
      { title: "སྦྲང་རྩི། 蜂蜜", category: "honey", unit: "jar", price: "45", stock: "20", description: "ནགས་ཁྲོད་ཀྱི་སྦྲང་རྩི།", lot_id: null, status: "listed" },
    );
    expect([draft.title, draft.category, draft.unit, draft.price, draft.stock, draft.description]).toEqual([
      "སྦྲང་རྩི། 蜂蜜", "honey", "jar", "45", "20", "ནགས་ཁྲོད་ཀྱི་སྦྲང་རྩི།",
    ]);
    expect(draft.errorField).toBe("price");
    expect(draft.saving).toBe(false);
    expect(draft.canSave).toBe(true);
  });

  it("keeps the typed text when the call itself fails", async () => {
    const draft = new ListingDraft();
    draft.title = "Honey";
    draft.price = "30";
    draft.stock = "4";
    const createListing = vi.fn().mockRejectedValue(new Error("IPC broke"));
    expect(await draft.save(fakeApi({ createListing }))).toBeNull();
    expect(draft.title).toBe("Honey");
    expect(draft.price).toBe("30");
  });

  it("starts an edit from the listing, price in yuan, and sends no stock", async () => {
    const draft = new ListingDraft(LISTING);
    expect(draft.price).toBe("68.50");
    draft.price = "70";
    const editListing = vi.fn().mockResolvedValue({ ...LISTING, price_fen: 7000 });
    const saved = await draft.save(fakeApi({ editListing }));
    expect(saved?.price_fen).toBe(7000);
    expect(editListing).toHaveBeenCalledWith("L1", { title: LISTING.title, price: "70", status: "listed", description: null, lot_id: null });
    expect(draft.error).toBeNull();
  });

  it("cannot be saved with an empty name, an unfinished price or unconvertible text", () => {
    const draft = new ListingDraft();
    expect(draft.canSave).toBe(false);
    draft.title = "Walnuts";
    draft.price = "12.";
    expect(draft.canSave).toBe(false);
    draft.price = "12.5";
    expect(draft.canSave).toBe(false); // a new listing needs its stock
    draft.stock = "3";
    expect(draft.canSave).toBe(true);
    draft.titleInvalid = true;
    expect(draft.canSave).toBe(false);
  });

  it("types whole numbers of stock for units counted in pieces", () => {
    const draft = new ListingDraft();
    draft.unit = "jar";
    expect(draft.stockMode).toBe("integer");
    draft.unit = "jin";
    expect(draft.stockMode).toBe("quantity");
  });

  it("weighs a jar after saving it, and leaves products sold by weight alone", async () => {
    const draft = new ListingDraft();
    draft.title = "Honey";
    draft.unit = "jar";
    draft.price = "45";
    draft.stock = "20";
    expect(draft.needsWeight).toBe(true);
    draft.weight = "0.75g";
    expect(draft.canSave).toBe(false);
    draft.weight = "0.75";
    const saved = { ...LISTING, id: "L2", unit: "jar" };
    const createListing = vi.fn().mockResolvedValue(saved);
    const weighListing = vi.fn().mockResolvedValue({ ...saved, weight_per_unit_g: 750 });
    await draft.save(fakeApi({ createListing, weighListing }));
    expect(weighListing).toHaveBeenCalledWith("L2", "0.75");

    // An edit that keeps the weight it had weighs nothing again.
    const jar = new ListingDraft({ ...saved, weight_per_unit_g: 750 });
    expect(jar.weight).toBe("0.75");
    const editListing = vi.fn().mockResolvedValue(saved);
    const again = vi.fn();
    await jar.save(fakeApi({ editListing, weighListing: again }));
    expect(again).not.toHaveBeenCalled();

    const meat = new ListingDraft(LISTING);
    expect(meat.needsWeight).toBe(false);
  });
});
