import { parseLang, translate, translatePlural, type Lang, type MessageKey, type Params, type PluralBase } from "./messages";

/** The language the UI speaks now. Reading it inside a template makes the text follow it. */
class Locale {
  lang = $state<Lang>("bo");
}

export const locale = new Locale();

export function setLang(lang: Lang): void {
  locale.lang = lang;
  document.documentElement.lang = lang;
}

/** Guesses the first-run language from the system: Tibetan unless it says Chinese or English. */
export function systemLang(): Lang {
  for (const tag of navigator.languages) {
    const l = parseLang(tag);
    if (l) return l;
  }
  return "bo";
}

export function t(key: MessageKey, params?: Params): string {
  return translate(locale.lang, key, params);
}

export function tp(base: PluralBase, n: number, params?: Params): string {
  return translatePlural(locale.lang, base, n, params);
}
