/** What the on-screen keypad types: prices in yuan, quantities, or whole numbers. */
export type KeypadMode = "money" | "quantity" | "integer";

export type KeypadKey = "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "." | "back" | "clear";

const DECIMALS: Record<KeypadMode, number> = { money: 2, quantity: 3, integer: 0 };
/** Enough for any price or stock a village sells (99,999,999), short of float trouble. */
const MAX_INTEGER_DIGITS = 8;

/**
 * The text after pressing `key`, as a string the engine parses exactly
 * ("68.50", "2.5"). Keys that would make the text invalid are ignored, so the
 * text is always a prefix of a valid number: no second point, no more decimals
 * than the mode allows, no leading zeros.
 */
export function press(text: string, key: KeypadKey, mode: KeypadMode): string {
  if (key === "clear") return "";
  if (key === "back") return text.slice(0, -1);
  const point = text.indexOf(".");
  if (key === ".") {
    if (DECIMALS[mode] === 0 || point >= 0) return text;
    return text === "" ? "0." : text + ".";
  }
  if (point >= 0) {
    const decimals = text.length - point - 1;
    return decimals >= DECIMALS[mode] ? text : text + key;
  }
  if (text === "0") return key;
  if (text.length >= MAX_INTEGER_DIGITS) return text;
  return text + key;
}

/** Whether the text is a complete number worth sending (not "", not "3.", not zero). */
export function isComplete(text: string): boolean {
  return /^\d+(\.\d+)?$/.test(text) && /[1-9]/.test(text);
}

/** Maps a physical key (desktop keyboards) to a keypad key, or null. */
export function keyFromKeyboard(key: string): KeypadKey | null {
  if (/^[0-9]$/.test(key)) return key as KeypadKey;
  if (key === "." || key === ",") return ".";
  if (key === "Backspace") return "back";
  if (key === "Escape" || key === "Delete") return "clear";
  return null;
}
