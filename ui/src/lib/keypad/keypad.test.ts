import { describe, expect, it } from "vitest";
import { isComplete, keyFromKeyboard, press, type KeypadKey, type KeypadMode } from "./keypad";

function typeKeys(keys: string, mode: KeypadMode, start = ""): string {
  let text = start;
  for (const k of keys.split(" ")) text = press(text, k as KeypadKey, mode);
  return text;
}

describe("keypad", () => {
  it("types a price with two decimals at most", () => {
    expect(typeKeys("6 8 . 5 0", "money")).toBe("68.50");
    expect(typeKeys("6 8 . 5 0 7", "money")).toBe("68.50");
  });

  it("allows three decimals for quantities and none for whole numbers", () => {
    expect(typeKeys("0 . 3 3 3 3", "quantity")).toBe("0.333");
    expect(typeKeys("1 2 . 5", "integer")).toBe("125");
  });

  it("starts a bare point with zero and refuses a second point", () => {
    expect(typeKeys(". 5", "money")).toBe("0.5");
    expect(typeKeys("1 . 2 .", "quantity")).toBe("1.2");
  });

  it("drops a leading zero", () => {
    expect(typeKeys("0 0 7", "money")).toBe("7");
    expect(typeKeys("0 . 0 7", "money")).toBe("0.07");
  });

  it("deletes and clears", () => {
    expect(typeKeys("back", "money", "68.5")).toBe("68.");
    expect(typeKeys("back back", "money", "")).toBe("");
    expect(typeKeys("clear", "quantity", "12.5")).toBe("");
  });

  it("caps the whole part at eight digits", () => {
    expect(typeKeys("1 2 3 4 5 6 7 8 9", "integer")).toBe("12345678");
    expect(typeKeys(". 5", "money", "12345678")).toBe("12345678.5");
  });

  it("knows when a number is complete", () => {
    expect(isComplete("68.50")).toBe(true);
    expect(isComplete("3")).toBe(true);
    expect(isComplete("3.")).toBe(false);
    expect(isComplete("")).toBe(false);
    expect(isComplete("0")).toBe(false);
    expect(isComplete("0.00")).toBe(false);
  });

  it("maps keyboard keys", () => {
    expect(keyFromKeyboard("7")).toBe("7");
    expect(keyFromKeyboard(",")).toBe(".");
    expect(keyFromKeyboard("Backspace")).toBe("back");
    expect(keyFromKeyboard("a")).toBeNull();
  });
});
