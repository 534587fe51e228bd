import { describe, expect, it } from "vitest";
import { CATALOGS, LANGS, parseLang, translate, translatePlural } from "./messages";
import { en } from "./en";

const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "").sort();

describe("translation catalogs", () => {
  const keys = Object.keys(en).sort();

  for (const lang of LANGS) {
    describe(lang, () => {
      const catalog = CATALOGS[lang] as Record<string, string>;

      it("has every key of en.ts and no other", () => {
        const own = Object.keys(catalog).sort();
        expect(keys.filter((k) => !own.includes(k)), "missing").toEqual([]);
        expect(own.filter((k) => !keys.includes(k)), "extra").toEqual([]);
      });

      it("uses the same placeholders as en.ts in every message", () => {
        const mismatched = keys.filter(
          (k) => JSON.stringify(placeholders(catalog[k] ?? "")) !== JSON.stringify(placeholders((en as Record<string, string>)[k] ?? "")),
        );
        expect(mismatched).toEqual([]);
      });

      it("has no empty message and no stray braces", () => {
        for (const k of keys) {
          const m = catalog[k] ?? "";
          expect(m.trim(), k).not.toBe("");
          expect(m.replace(/\{\w+\}/g, ""), k).not.toMatch(/[{}]/);
        }
      });
    });
  }

  it("writes Tibetan in the Tibetan catalog and Chinese in the Chinese one", () => {
    // A message left in English is a missing translation too; allow names and codes.
    const english = (v: string): boolean => {
      const text = v.replace(/\{\w+\}/g, "");
      return /[A-Za-z]/.test(text) && /^[\x20-\x7E…×]*$/.test(text);
    };
    const same = ["lang.en"];
    for (const lang of ["bo", "zh-Hans"] as const) {
      const left = Object.entries(CATALOGS[lang]).filter(([k, v]) => !same.includes(k) && english(v));
      expect(left, lang).toEqual([]);
    }
  });
});

describe("translate", () => {
  it("fills placeholders and leaves unknown ones visible", () => {
    expect(translate("en", "products.stock", { stock: "12.5", unit: "kg" })).toBe("12.5 kg left");
    expect(translate("en", "products.stock", { stock: "3" })).toBe("3 {unit} left");
  });

  it("chooses plural forms per language", () => {
    expect(translatePlural("en", "sync.waiting", 1)).toBe("1 change waits to be sent");
    expect(translatePlural("en", "sync.waiting", 3)).toBe("3 changes wait to be sent");
    expect(translatePlural("zh-Hans", "sync.waiting", 1)).toBe("1 条改动等待发送");
    expect(translatePlural("bo", "sync.waiting", 2)).toBe("བཟོ་བཅོས་ 2 བསྐུར་རྒྱུ་སྒུག་ཡོད།");
  });

  it("reads language tags", () => {
    expect(parseLang("zh-CN")).toBe("zh-Hans");
    expect(parseLang("bo-CN")).toBe("bo");
    expect(parseLang("en-GB")).toBe("en");
    expect(parseLang("fr")).toBeNull();
  });
});
