// Names of the engine's slugs (units, categories, statuses, payments) in the
// seller's language, and the sentences built from a listing's numbers.
import { formatDecimalText, formatMoney } from "./format";
import { CATALOGS, translate, translatePlural, type Lang, type MessageKey } from "./i18n/messages";
import type { Listing } from "./types";

function named(prefix: string, slug: string, lang: Lang): string {
  const key = `${prefix}.${slug}`;
  return key in CATALOGS[lang] ? translate(lang, key as MessageKey) : slug;
}

export const unitName = (unit: string, lang: Lang): string => named("unit", unit, lang);
export const categoryName = (c: string, lang: Lang): string => named("category", c, lang);
export const statusName = (s: string, lang: Lang): string => named("status", s, lang);
export const paymentName = (p: string, lang: Lang): string => named("payment", p, lang);
export const orderStateName = (s: string, lang: Lang): string => named("order_state", s, lang);
export const basisName = (b: string, lang: Lang): string => named("basis", b, lang);
export const orderActionName = (a: string, lang: Lang): string => named("order_action", a, lang);

/** "¥68.50 per kg" */
export function priceText(l: Pick<Listing, "price_fen" | "unit">, lang: Lang): string {
  return translate(lang, "products.price_per", { price: formatMoney(l.price_fen, lang), unit: unitName(l.unit, lang) });
}

/** "12.5 kg left", or how much was oversold when stock is negative. */
export function stockText(l: Pick<Listing, "stock" | "stock_display" | "unit">, lang: Lang): string {
  const unit = unitName(l.unit, lang);
  if (l.stock < 0) {
    return translate(lang, "products.oversold", { stock: formatDecimalText(l.stock_display.replace(/^-/, ""), lang), unit });
  }
  return translate(lang, "products.stock", { stock: formatDecimalText(l.stock_display, lang), unit });
}

export function salesCountText(n: number, lang: Lang): string {
  return translatePlural(lang, "products.sales_count", n);
}

/** Base units (g, ml, pieces) in one listing unit. */
const BASE_PER_UNIT: Record<string, number> = { kg: 1000, jin: 500, l: 1000 };

/** An amount in base units written in the listing's unit, exactly: 1250 g in kg is "1.25". */
export function inUnit(base: number, unit: string): string {
  const per = BASE_PER_UNIT[unit] ?? 1;
  const sign = base < 0 ? "-" : "";
  const abs = Math.abs(base);
  const whole = Math.floor(abs / per);
  const frac = String(((abs % per) * 1000) / per).padStart(3, "0").replace(/0+$/, "");
  return sign + String(whole) + (frac === "" ? "" : "." + frac);
}

/** The price of `quantity` (as typed, "2.5") at `priceFen` per unit, rounded to the fen, as a preview. */
export function previewTotal(priceFen: number, quantity: string): number | null {
  const m = /^(\d+)(?:\.(\d{0,3}))?$/.exec(quantity);
  if (!m) return null;
  const milli = Number(m[1]) * 1000 + Number((m[2] ?? "").padEnd(3, "0"));
  return Math.round((priceFen * milli) / 1000);
}
