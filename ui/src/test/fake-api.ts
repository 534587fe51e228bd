// Test double for the Api contract: every method fails loudly unless a test gives it.
import { vi } from "vitest";
import type { Api } from "../lib/api/contract";
import { API_CONTEXT } from "../lib/api/context";
import type { Certificate, Listing, Lot, Round } from "../lib/types";

export function fakeApi(methods: Partial<Api> = {}): Api {
  return new Proxy(methods as Api, {
    get(target, prop: string) {
      const m = (target as unknown as Record<string, unknown>)[prop];
      if (m !== undefined) return m;
      return vi.fn().mockRejectedValue(new Error(`fakeApi: ${prop} not given`));
    },
  });
}

export function apiContext(api: Api): Map<symbol, Api> {
  return new Map([[API_CONTEXT, api]]);
}

/** A certificate of compliance as the engine returns it, with `overrides`. */
export function fakeCertificate(overrides: Partial<Certificate> = {}): Certificate {
  return {
    id: "C1",
    lot_id: "LOT1",
    product: "Yak meat",
    quantity: 12500,
    quantity_unit: "g",
    unit: "kg",
    quantity_display: "12.5",
    origin: "雨崩村",
    issuer: "卓玛 Dolma",
    contact: null,
    issued_on: "2026-09-14",
    basis: "own_word",
    ...overrides,
  };
}

/**
 * The calls the certificate screen makes for one harvest (`lot_id` "LOT1")
 * with the given products and certificates; `issueCertificate` answers with
 * `issued` and adds it to the list, as the engine does.
 */
export function certificateApi(options: { listings?: Listing[]; certificates?: Certificate[]; issue?: Api["issueCertificate"] } = {}): Api {
  const certificates = [...(options.certificates ?? [])];
  const lot: Lot = { id: "LOT1", village: "雨崩村", altitude_m: 3050, harvested_on: "2026-09-10", environment: null };
  const issue =
    options.issue ??
    vi.fn(async (lotId: string) => {
      const certificate = fakeCertificate({ id: `C${certificates.length + 1}`, lot_id: lotId });
      certificates.unshift(certificate);
      return { certificate, file: "/home/dolma/Documents/Highland/承诺达标合格证-2026-09-14-c1.pdf", trace_url: "https://hub.example/t/K7QM" };
    });
  return fakeApi({
    listLots: vi.fn().mockResolvedValue([lot]),
    listListings: vi.fn().mockResolvedValue(options.listings ?? []),
    listCertificates: vi.fn(async () => [...certificates]),
    issueCertificate: issue,
    syncStatus: vi.fn().mockResolvedValue({ profile: "real", enrolled: true, hub_url: null, syncing: false, pending_ops: 1, last_sync_at: null, last_error: null, refused: [] }),
    listOrders: vi.fn().mockResolvedValue([]),
  });
}

/** Thursday's truck at Yubeng, 10:30, bringing 12 kg of yak meat, with `overrides`. */
export function fakeRound(overrides: Partial<Round> = {}): Round {
  return {
    id: "R1",
    date: "2026-10-15",
    vehicle: "云F·12345",
    state: "planned",
    stop: { id: "S2", place: "Yubeng", expected_at: "10:30" },
    stops: [{ id: "S2", place: "Yubeng", expected_at: "10:30" }],
    bring: [{ listing_id: "L1", listing_title: "yak meat", quantity: 12000, unit: "kg", quantity_display: "12" }],
    orders: [],
    answer: null,
    answer_reason: null,
    answer_pending: false,
    refusal: null,
    ...overrides,
  };
}
