import { describe, expect, it } from "vitest";
import { bringText, comesText, dayText, listText, takesAnswers, weekdayOf } from "./rounds";
import { fakeRound } from "../test/fake-api";
import type { Round } from "./types";

function round(overrides: Partial<Round> = {}): Round {
  return fakeRound({
    bring: [
      { listing_id: "L1", listing_title: "yak meat", quantity: 12000, unit: "kg", quantity_display: "12" },
      { listing_id: "L2", listing_title: "honey", quantity: 6, unit: "jar", quantity_display: "6" },
    ],
    ...overrides,
  });
}

describe("a round's sentences", () => {
  it("find the weekday of the round's own date, not the device's", () => {
    expect(weekdayOf("2026-10-15")).toBe(4);
    expect(weekdayOf("2026-10-18")).toBe(0);
    expect(weekdayOf("15/10/2026")).toBeNull();
  });

  it("say when the truck comes and what to bring, in each language", () => {
    expect(comesText(round(), "en")).toBe("The truck comes to Yubeng on Thursday, Oct 15, 2026 at about 10:30.");
    expect(bringText(round(), "en")).toBe("Bring 12 kg of yak meat and 6 jar of honey.");
    for (const lang of ["bo", "zh-Hans"] as const) {
      const comes = comesText(round(), lang);
      expect(comes).toContain("Yubeng");
      expect(comes).toContain("10:30");
      expect(bringText(round(), lang)).toContain("honey");
    }
    expect(comesText(round(), "zh-Hans")).toContain("星期四");
    expect(comesText(round(), "bo")).toContain("གཟའ་ཕུར་བུ།");
    expect(dayText("not a date", "en")).toBe("not a date");
  });

  it("bring nothing when nothing is accepted", () => {
    expect(bringText(round({ bring: [] }), "en")).toBeNull();
  });

  it("join lists the way each language does", () => {
    expect(listText(["a", "b", "c"], "en")).toBe("a, b and c");
    expect(listText(["a"], "en")).toBe("a");
    expect(listText(["甲", "乙", "丙"], "zh-Hans")).toBe("甲、乙和丙");
  });

  it("take answers until the truck has left", () => {
    expect(takesAnswers(round())).toBe(true);
    expect(takesAnswers(round({ state: "loading" }))).toBe(true);
    expect(takesAnswers(round({ state: "on-the-road" }))).toBe(false);
    expect(takesAnswers(round({ state: "cancelled" }))).toBe(false);
  });
});
