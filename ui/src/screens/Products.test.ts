import { render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AppState } from "../lib/app.svelte";
import { setLang } from "../lib/i18n/i18n.svelte";
import { Router } from "../lib/router.svelte";
import type { Listing } from "../lib/types";
import { apiContext, fakeApi } from "../test/fake-api";
import Products from "./Products.svelte";

const listing = (i: number): Listing => ({
  id: `L${i}`, title: `Honey ${i}`, category: "honey", unit: "jar", price_fen: 4500, status: "listed", description: null,
  lot_id: null, stock: 3, stock_unit: "count", stock_display: "3", sold: 0, sales_count: 0, reserved: 0, low_stock: false, weight_per_unit_g: null,
});

describe("Products", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("draws a long list a page at a time as it scrolls into view", async () => {
    setLang("en");
    // An observer that says the end of the list is in view the moment it watches it.
    vi.stubGlobal(
      "IntersectionObserver",
      class {
        constructor(private readonly cb: (e: { isIntersecting: boolean }[]) => void) {}
        observe(): void {
          queueMicrotask(() => this.cb([{ isIntersecting: true }]));
        }
        disconnect(): void {}
      },
    );
    const api = fakeApi({
      listListings: vi.fn().mockResolvedValue(Array.from({ length: 1000 }, (_, i) => listing(i))),
      weekSales: vi.fn().mockResolvedValue([]),
    });
    render(Products, { props: { app: new AppState(api), router: new Router() }, context: apiContext(api) });
    await vi.waitFor(() => expect(screen.getAllByTestId("listing-item")).toHaveLength(1000), { timeout: 5000 });
    expect(screen.getAllByTestId("listing-stock")[0]?.dataset["stock"]).toBe("3");
  });

  it("shows a listing's first photo in place of its category's drawing", async () => {
    setLang("en");
    const file = (sha: string) => ({ sha256: sha, bytes: 1, width: 320, height: 240, here: true, on_hub: true, path: null });
    const photo = (id: string, listing: string) => ({
      id, subject_kind: "listing", subject_id: listing, display: file(`d${id}`), thumbnail: file(`t${id}`),
      waiting_to_upload: false, refused: false, latitude: null, longitude: null,
    });
    const api = fakeApi({
      listListings: vi.fn().mockResolvedValue([listing(1), listing(2)]),
      weekSales: vi.fn().mockResolvedValue([]),
      listPhotos: vi.fn().mockResolvedValue([photo("P1", "L2"), photo("P2", "L2")]),
      photoUrl: (sha: string) => `photo://localhost/${sha}.jpg`,
    });
    render(Products, { props: { app: new AppState(api), router: new Router() }, context: apiContext(api) });
    await vi.waitFor(() => expect(screen.getAllByTestId("listing-photo")).toHaveLength(1));
    const items = screen.getAllByTestId("listing-item");
    expect(items[0]?.querySelector("img")).toBeNull();
    expect(items[1]?.querySelector("img")?.getAttribute("src")).toBe("photo://localhost/tP1.jpg");
  });
});
