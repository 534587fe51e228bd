import { describe, expect, it } from "vitest";
import { matchesSearch } from "./search";

describe("matchesSearch", () => {
  it("finds a product by any part of its name, in any script, ignoring case and width", () => {
    expect(matchesSearch("གཡག་ཤ 牦牛肉 Yak meat", "yak")).toBe(true);
    expect(matchesSearch("གཡག་ཤ 牦牛肉 Yak meat", "ＹＡＫ")).toBe(true);
    expect(matchesSearch("གཡག་ཤ 牦牛肉 Yak meat", "牛肉")).toBe(true);
    expect(matchesSearch("གཡག་ཤ 牦牛肉 Yak meat", "གཡག")).toBe(true);
    expect(matchesSearch("Dried yak meat", "meat dried")).toBe(true);
    expect(matchesSearch("Honey", "yak")).toBe(false);
    expect(matchesSearch("Dried yak meat", "yak honey")).toBe(false);
  });

  it("shows everything for an empty search", () => {
    expect(matchesSearch("Honey", "")).toBe(true);
    expect(matchesSearch("Honey", "   ")).toBe(true);
  });
});
