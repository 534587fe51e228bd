import { describe, expect, it } from "vitest";
import { codePointLabel, normaliseText } from "./tibetan";
import { TIBETAN_PUA } from "./tibetan-pua-table";

describe("normaliseText", () => {
  it("leaves standard Tibetan, Chinese and English as they are", () => {
    for (const s of ["གཡག་ཤ་", "བཀྲ་ཤིས་བདེ་ལེགས།", "牦牛肉 2 斤", "Yak meat", ""]) {
      expect(normaliseText(s)).toEqual({ ok: true, value: s });
    }
  });

  it("turns precomposed private-use stacks into standard sequences", () => {
    // U+F311 is KA with subjoined RA (ཀྲ), U+F300 is A with vowel I (ཨི) in Extension A.
    expect(normaliseText("\uF311\u0F0B\uF300")).toEqual({ ok: true, value: "\u0F40\u0FB2\u0F0B\u0F68\u0F72" });
    expect(normaliseText("བ\uF311་ཤིས")).toEqual({ ok: true, value: "བཀྲ་ཤིས" });
  });

  it("maps every table entry to Tibetan letters only", () => {
    expect(TIBETAN_PUA.size).toBeGreaterThan(300);
    for (const [cp, seq] of TIBETAN_PUA) {
      expect(cp).toBeGreaterThanOrEqual(0xf300);
      expect(cp).toBeLessThanOrEqual(0xf8ff);
      expect(seq).toMatch(/^[\u0F00-\u0FFF]{2,}$/u);
    }
  });

  it("splits discouraged composite vowels the way NFC does", () => {
    expect(normaliseText("ཀ\u0F73")).toEqual({ ok: true, value: "ཀ\u0F71\u0F72" });
  });

  it("refuses text with a private-use character it cannot map, listing each once", () => {
    const r = normaliseText("ཀ\uF306\uE001\uF306");
    expect(r).toEqual({ ok: false, code: "tibetan_pua_unmappable", chars: ["\uF306", "\uE001"] });
  });

  it("keeps characters outside the Basic Multilingual Plane intact", () => {
    expect(normaliseText("𠀀 ok")).toEqual({ ok: true, value: "𠀀 ok" });
  });

  it("labels code points for messages", () => {
    expect(codePointLabel("\uF306")).toBe("U+F306");
    expect(codePointLabel("a")).toBe("U+0061");
  });
});
