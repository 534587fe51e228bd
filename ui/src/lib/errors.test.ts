import { describe, expect, it } from "vitest";
import type { ErrorCode } from "./api";
import { asAppError, CommandError, describeError, describeRefusal, fieldLabel, hasMessage } from "./errors";
import { LANGS } from "./i18n/messages";

// Every code the Rust side can return today (highland-domain, highland-engine's
// store and sync errors, the hub's enrollment and error bodies), plus the app's own.
const KNOWN_CODES = [
  "invalid_money", "not_positive", "too_large", "invalid_quantity", "not_whole", "too_precise",
  "unknown_unit", "unknown_category", "unknown_choice", "empty", "too_long", "control_character",
  "invalid_altitude", "invalid_id", "invalid_code", "code_mistyped", "unit_mismatch",
  "unknown_listing", "unknown_lot", "unknown_order", "order_transition_refused", "oversell",
  "not_highland", "corrupt", "too_new",
  "not_enrolled", "unauthorized", "device_revoked", "timed_out", "untrusted_certificate", "not_tls", "hub",
  "code_unknown", "code_used", "code_expired", "device_enrolled_elsewhere", "unknown_seller",
  "rate_limited", "not_your_order", "not_found", "too_many_operations", "unsupported_protocol",
  "internal", "offline", "invalid_url",
  // src-tauri's ErrorCode (error.rs), as the app's commands return them.
  "invalid_price", "invalid_date", "oversold", "demo_profile", "hub_unreachable", "bad_hub_url",
  "hub_refused", "storage_full", "data_damaged", "busy",
];

// Every ErrorCode the app's commands declare (src-tauri's error.rs, through the
// generated bindings). A code added on the Rust side fails type-checking here
// until it is listed, and then this test until it has a message.
const APP_CODES: Record<ErrorCode, true> = {
  invalid_price: true, invalid_quantity: true, not_positive: true, too_large: true, not_whole: true,
  too_precise: true, unit_mismatch: true, unknown_unit: true, unknown_category: true, unknown_choice: true,
  empty: true, too_long: true, control_character: true, invalid_altitude: true, invalid_date: true,
  invalid_id: true, invalid_code: true, code_mistyped: true, unknown_listing: true, unknown_lot: true,
  unknown_order: true, unknown_sale: true, receipt_not_voidable: true, sale_already_voided: true,
  order_transition_refused: true, oversold: true, unknown_round: true, not_on_round: true, round_closed: true,
  weight_not_needed: true, not_enrolled: true, demo_profile: true,
  hub_unreachable: true, bad_hub_url: true, untrusted_certificate: true, unauthorized: true, device_revoked: true, code_unknown: true,
  code_used: true, code_expired: true, device_enrolled_elsewhere: true, update_needed: true, no_update: true, update_rejected: true, update_not_installable: true, hub_refused: true, storage_full: true,
  data_damaged: true, too_new: true, busy: true, internal: true,
  needs_product: true, needs_quantity: true, needs_issuer: true, font_missing: true, does_not_fit: true,
  file_not_saved: true,
  unknown_photo: true, photo_too_large: true, not_an_image: true, unsupported_image_format: true,
  image_too_many_pixels: true, image_damaged: true, no_qr_code: true,
};

describe("describeError", () => {
  it("has a message for every code the app's commands can return, in every language", () => {
    for (const lang of LANGS) {
      const missing = Object.keys(APP_CODES).filter((c) => !hasMessage(c, lang));
      expect(missing, lang).toEqual([]);
    }
  });

  it("has a message for every known code in every language", () => {
    for (const lang of LANGS) {
      const missing = KNOWN_CODES.filter((c) => !hasMessage(c, lang));
      expect(missing, lang).toEqual([]);
    }
  });

  it("says what to do next, in the seller's language", () => {
    const e = new CommandError({ code: "code_expired", field: "code" });
    expect(describeError(e, "en")).toEqual({
      message: "This code is too old. Ask your trainer or the buyer for a new one.",
      field: "code",
      detail: null,
    });
    expect(describeError(e, "zh-Hans").message).toBe("这个连接码过期了。请向培训老师或收购方要一个新的。");
    expect(describeError(e, "bo").message).toContain("མཐུད་ཨང་");
  });

  it("never shows a raw message: unknown codes get the general message and the code", () => {
    const shown = describeError({ code: "sqlite_busy_7", field: null }, "en");
    expect(shown.message).toMatch(/^Highland had a problem/);
    expect(shown.detail).toBe("Code for your trainer: sqlite_busy_7");
  });

  it("hides exceptions that are not AppErrors", () => {
    const rust = new Error("called `Result::unwrap()` on an `Err` value: Sqlite(SqliteFailure)");
    expect(asAppError(rust)).toEqual({ code: "internal" });
    expect(describeError(rust, "en").message).not.toContain("unwrap");
    expect(asAppError("boom")).toEqual({ code: "internal" });
    expect(asAppError(new TypeError("Failed to fetch"))).toEqual({ code: "offline" });
  });

  it("reads AppErrors as they cross IPC", () => {
    expect(asAppError({ code: "oversell", field: "quantity", params: { available: "2" } })).toEqual({
      code: "oversell",
      field: "quantity",
      params: { available: "2" },
    });
  });

  it("labels fields", () => {
    expect(fieldLabel("price", "en", { unit: "kg" })).toBe("Price for one kg");
    expect(fieldLabel("village", "zh-Hans")).toBe("村子");
    expect(fieldLabel("nonsense", "en")).toBeNull();
  });

  it("shows the hub's refusals plainly", () => {
    expect(describeRefusal("order_transition_refused", "en")).toBe(
      "The hub did not accept your answer: This order cannot do that now. Look at its state and try something else.",
    );
    expect(describeRefusal("not_your_order", "zh-Hans")).toBe("服务站没有接受您的操作：这个订单属于别的卖家。");
    expect(describeRefusal("brand_new_code", "en")).toContain("This order cannot do that now.");
  });
});
