// Money, numbers, dates and "12 minutes ago", per language. Pure functions of
// their arguments (the language and "now" are passed in), so tests pin them.
import { translate, translatePlural, type Lang, type MessageKey } from "./i18n/messages";

/** Intl tags: Tibetan with Arabic digits, as on prices and scales in the markets. */
const INTL_TAG: Record<Lang, string> = { bo: "bo-u-nu-latn", "zh-Hans": "zh-Hans-CN", en: "en" };

const cache = new Map<string, Intl.NumberFormat>();
function numberFormat(lang: Lang, kind: "money" | "whole-money" | "number"): Intl.NumberFormat {
  const key = lang + kind;
  let f = cache.get(key);
  if (!f) {
    const money = { style: "currency", currency: "CNY", currencyDisplay: "narrowSymbol" } as const;
    f =
      kind === "money"
        ? new Intl.NumberFormat(INTL_TAG[lang], money)
        : kind === "whole-money"
          ? new Intl.NumberFormat(INTL_TAG[lang], { ...money, minimumFractionDigits: 0, maximumFractionDigits: 0 })
          : new Intl.NumberFormat(INTL_TAG[lang], { maximumFractionDigits: 3 });
    cache.set(key, f);
  }
  return f;
}

/** ¥68.50 from 6850 fen. Fen are integers; dividing for display only is exact to the fen. */
export function formatMoney(fen: number, lang: Lang): string {
  return numberFormat(lang, "money").format(fen / 100);
}

/**
 * ¥69 from 6850 fen: whole yuan, for labels too small for fen (the week's
 * bars). Rounded half up in integer fen before the formatter sees it, so a
 * label never disagrees with the total by a float's whim.
 */
export function formatMoneyWhole(fen: number, lang: Lang): string {
  const sign = fen < 0 ? -1 : 1;
  const yuan = Math.floor((Math.abs(fen) + 50) / 100);
  return numberFormat(lang, "whole-money").format(sign * yuan);
}

/** Fen as the plain yuan string the keypad edits and the engine parses: 6850 -> "68.50". */
export function fenToYuanText(fen: number): string {
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  const rest = abs % 100;
  return sign + String(yuan) + (rest === 0 ? "" : "." + String(rest).padStart(2, "0"));
}

export function formatNumber(n: number, lang: Lang): string {
  return numberFormat(lang, "number").format(n);
}

/**
 * A display string from the engine ("12.5", "-3") with the language's digit
 * grouping; left as it is if it is not a plain number.
 */
export function formatDecimalText(text: string, lang: Lang): string {
  if (!/^-?\d+(\.\d+)?$/.test(text)) return text;
  return formatNumber(Number(text), lang);
}

function partsOf(date: Date, timeZone: string | undefined): { y: number; m: number; d: number } {
  const f = new Intl.DateTimeFormat("en-u-nu-latn", { year: "numeric", month: "numeric", day: "numeric", timeZone });
  const p = Object.fromEntries(f.formatToParts(date).map((x) => [x.type, x.value]));
  return { y: Number(p["year"]), m: Number(p["month"]), d: Number(p["day"]) };
}

function formatYMD(y: number, m: number, d: number, lang: Lang): string {
  if (lang === "bo") return `སྤྱི་ལོ་${y} ཟླ་${m} ཚེས་${d}`;
  return new Intl.DateTimeFormat(INTL_TAG[lang], { dateStyle: "medium", timeZone: "UTC" }).format(Date.UTC(y, m - 1, d));
}

/** A calendar date ("2026-09-14", as harvest and hand-over dates are kept), with no time zone shift. */
export function formatCalendarDate(ymd: string, lang: Lang): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) return ymd;
  return formatYMD(Number(m[1]), Number(m[2]), Number(m[3]), lang);
}

/** The local date of an instant (RFC 3339 from the engine or the hub). */
export function formatDate(instant: string | Date, lang: Lang, timeZone?: string): string {
  const date = typeof instant === "string" ? new Date(instant) : instant;
  if (Number.isNaN(date.getTime())) return String(instant);
  const { y, m, d } = partsOf(date, timeZone);
  return formatYMD(y, m, d, lang);
}

/** Date and time of an instant, such as a sale. */
export function formatDateTime(instant: string | Date, lang: Lang, timeZone?: string): string {
  const date = typeof instant === "string" ? new Date(instant) : instant;
  if (Number.isNaN(date.getTime())) return String(instant);
  const time = new Intl.DateTimeFormat(INTL_TAG[lang], { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone }).format(date);
  return `${formatDate(date, lang, timeZone)} ${time}`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * How long ago `then` was, in words: "just now", "12 minutes ago", "3 hours
 * ago", "yesterday", "4 days ago", then the date. A `then` in the future (a
 * clock that is wrong) reads "just now" rather than a negative time.
 */
export function timeAgo(then: Date | string, now: Date, lang: Lang, timeZone?: string): string {
  const t = typeof then === "string" ? new Date(then) : then;
  const ms = now.getTime() - t.getTime();
  if (Number.isNaN(ms)) return String(then);
  if (ms < MINUTE) return translate(lang, "time.just_now");
  if (ms < HOUR) return translatePlural(lang, "time.minutes_ago", Math.floor(ms / MINUTE));
  if (ms < DAY) return translatePlural(lang, "time.hours_ago", Math.floor(ms / HOUR));
  const days = Math.floor(ms / DAY);
  if (days === 1) return translate(lang, "time.yesterday");
  if (days < 7) return translatePlural(lang, "time.days_ago", days);
  return translate(lang, "time.on_date", { date: formatDate(t, lang, timeZone) });
}

/** The short name of a weekday (0 = Sunday) in `lang`. */
export function weekdayShort(day: number, lang: Lang): string {
  return translate(lang, `day.${day % 7}` as MessageKey);
}
