import { bo } from "./bo";
import { en, type MessageKey, type Messages } from "./en";
import { zhHans } from "./zh-Hans";

export type Lang = "bo" | "zh-Hans" | "en";
export const LANGS: readonly Lang[] = ["bo", "zh-Hans", "en"];
export type { MessageKey, Messages };

export const CATALOGS: Record<Lang, Messages> = { bo, "zh-Hans": zhHans, en };

export type Params = Record<string, string | number>;

/** The message for `key` in `lang`, with {placeholders} filled in. */
export function translate(lang: Lang, key: MessageKey, params: Params = {}): string {
  const template = CATALOGS[lang][key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    return v === undefined ? whole : String(v);
  });
}

/** Message keys that have plural forms: "time.minutes_ago" for "time.minutes_ago_one"/"_other". */
export type PluralBase = MessageKey extends infer K
  ? K extends `${infer B}_other`
    ? B
    : never
  : never;

/** The plural form of `base` for `n` in `lang`, with {n} and `params` filled in. */
export function translatePlural(lang: Lang, base: PluralBase, n: number, params: Params = {}): string {
  const form = new Intl.PluralRules(lang).select(n);
  const key = `${base}_${form}`;
  const chosen = (key in CATALOGS[lang] ? key : `${base}_other`) as MessageKey;
  return translate(lang, chosen, { n, ...params });
}

/** Reads a language tag (from settings or the system) as one of ours. */
export function parseLang(tag: string | null | undefined): Lang | null {
  if (!tag) return null;
  const t = tag.toLowerCase();
  if (t.startsWith("bo") || t.startsWith("dz")) return "bo";
  if (t === "zh" || t.startsWith("zh-hans") || t.startsWith("zh-cn") || t.startsWith("zh-sg") || t.startsWith("zh")) return "zh-Hans";
  if (t.startsWith("en")) return "en";
  return null;
}
