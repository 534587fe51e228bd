// What a collection round says to its seller, in their language: "The truck
// comes to Yubeng on Thursday 15 October at about 10:30. Bring 12 kg of yak
// meat and 6 jars of honey." Pure functions of the round and the language.
import { formatCalendarDate, formatDecimalText } from "./format";
import { translate, type Lang, type MessageKey } from "./i18n/messages";
import { unitName } from "./labels";
import type { Round } from "./types";

/** The weekday (0 = Sunday) of a YYYY-MM-DD date, whatever the device's time zone. */
export function weekdayOf(ymd: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) return null;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).getUTCDay();
}

/** "Thursday 15 October 2026", with the weekday in full. */
export function dayText(ymd: string, lang: Lang): string {
  const day = weekdayOf(ymd);
  const date = formatCalendarDate(ymd, lang);
  return day === null ? date : translate(lang, "rounds.day", { weekday: translate(lang, `weekday.${day}` as MessageKey), date });
}

/** "The truck comes to Yubeng on Thursday … at about 10:30." */
export function comesText(round: Round, lang: Lang): string {
  return translate(lang, "rounds.comes", { place: round.stop.place, day: dayText(round.date, lang), time: round.stop.expected_at });
}

/** "a, b and c" in `lang`. */
export function listText(items: string[], lang: Lang): string {
  if (items.length <= 1) return items.join("");
  const and = translate(lang, "rounds.and");
  const comma = translate(lang, "rounds.comma");
  return items.slice(0, -1).join(comma) + and + items[items.length - 1];
}

/** "Bring 12 kg of yak meat and 6 jar of honey.", or null when nothing is to bring. */
export function bringText(round: Round, lang: Lang): string | null {
  if (round.bring.length === 0) return null;
  const items = round.bring.map((b) =>
    translate(lang, "orders.quantity", { title: b.listing_title, quantity: formatDecimalText(b.quantity_display, lang), unit: unitName(b.unit, lang) }),
  );
  return translate(lang, "rounds.bring", { items: listText(items, lang) });
}

/** Whether the seller may still answer: the truck has not left the last stop. */
export function takesAnswers(round: Round): boolean {
  return round.state === "planned" || round.state === "loading";
}
