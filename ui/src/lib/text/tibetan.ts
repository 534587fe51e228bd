import { TIBETAN_PUA } from "./tibetan-pua-table";

/** The outcome of normalising text a seller typed. */
export type Normalised =
  | { ok: true; value: string }
  /** The text holds private-use characters we cannot map; `chars` lists them, as typed. */
  | { ok: false; code: "tibetan_pua_unmappable"; chars: string[] };

const PUA_START = 0xe000;
const PUA_END = 0xf8ff;

function isPrivateUse(cp: number): boolean {
  return cp >= PUA_START && cp <= PUA_END;
}

/**
 * Brings typed text to standard Unicode: precomposed Tibetan stacks from old input
 * methods (GB/T 20524-2006 Extension A, in the private-use area) become the
 * standard sequences of consonants, subjoined letters and vowel signs; then NFC,
 * which also splits the discouraged composite vowels (U+0F73, U+0F75, U+0F81).
 * Text with a private-use character we cannot map is refused, never half-converted.
 * Does not trim: the engine trims, and trimming while typing would eat the space
 * the seller is about to type between words.
 */
export function normaliseText(input: string): Normalised {
  let out = "";
  const unmapped: string[] = [];
  for (const ch of input) {
    const cp = ch.codePointAt(0) ?? 0;
    if (!isPrivateUse(cp)) {
      out += ch;
      continue;
    }
    const mapped = TIBETAN_PUA.get(cp);
    if (mapped === undefined) {
      if (!unmapped.includes(ch)) unmapped.push(ch);
    } else {
      out += mapped;
    }
  }
  if (unmapped.length > 0) return { ok: false, code: "tibetan_pua_unmappable", chars: unmapped };
  return { ok: true, value: out.normalize("NFC") };
}

/** "U+F306" for showing a character that has no glyph in any font we ship. */
export function codePointLabel(ch: string): string {
  return "U+" + (ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0");
}
