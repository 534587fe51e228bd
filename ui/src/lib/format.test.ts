import { describe, expect, it } from "vitest";
import {
  fenToYuanText,
  formatCalendarDate,
  formatDate,
  formatDateTime,
  formatDecimalText,
  formatMoney,
  formatMoneyWhole,
  formatNumber,
  timeAgo,
  weekdayShort,
} from "./format";

describe("money", () => {
  it("writes ¥68.50 in every language", () => {
    expect(formatMoney(6850, "en")).toBe("¥68.50");
    expect(formatMoney(6850, "zh-Hans")).toBe("¥68.50");
    expect(formatMoney(6850, "bo")).toMatch(/^¥\s?68\.50$/);
  });

  it("groups thousands and keeps two decimals", () => {
    expect(formatMoney(123456789, "en")).toBe("¥1,234,567.89");
    expect(formatMoney(5, "zh-Hans")).toBe("¥0.05");
    expect(formatMoney(0, "en")).toBe("¥0.00");
  });

  it("writes whole yuan for small labels, rounding half up in fen, grouped per language", () => {
    expect(formatMoneyWhole(6850, "en")).toBe("¥69");
    expect(formatMoneyWhole(6849, "en")).toBe("¥68");
    expect(formatMoneyWhole(123456789, "zh-Hans")).toBe("¥1,234,568");
    expect(formatMoneyWhole(49, "en")).toBe("¥0");
    expect(formatMoneyWhole(6850, "bo")).toMatch(/^¥\s?69$/);
  });

  it("gives back the yuan text the keypad edits", () => {
    expect(fenToYuanText(6850)).toBe("68.50");
    expect(fenToYuanText(6800)).toBe("68");
    expect(fenToYuanText(5)).toBe("0.05");
    expect(fenToYuanText(-150)).toBe("-1.50");
  });
});

describe("numbers", () => {
  it("groups digits per language, with Arabic digits in Tibetan", () => {
    expect(formatNumber(12345.5, "en")).toBe("12,345.5");
    expect(formatNumber(12345.5, "zh-Hans")).toBe("12,345.5");
    expect(formatNumber(12345.5, "bo")).toBe("12,345.5");
    expect(formatDecimalText("1200.25", "en")).toBe("1,200.25");
    expect(formatDecimalText("about 3", "en")).toBe("about 3");
  });
});

describe("dates", () => {
  it("formats calendar dates without shifting the day", () => {
    expect(formatCalendarDate("2026-09-14", "en")).toBe("Sep 14, 2026");
    expect(formatCalendarDate("2026-09-14", "zh-Hans")).toBe("2026年9月14日");
    expect(formatCalendarDate("2026-09-14", "bo")).toBe("སྤྱི་ལོ་2026 ཟླ་9 ཚེས་14");
    expect(formatCalendarDate("soon", "en")).toBe("soon");
  });

  it("formats instants in the given time zone", () => {
    const at = "2026-11-28T17:30:00Z";
    expect(formatDate(at, "zh-Hans", "Asia/Shanghai")).toBe("2026年11月29日");
    expect(formatDateTime(at, "en", "Asia/Shanghai")).toBe("Nov 29, 2026 01:30");
    expect(formatDateTime(at, "bo", "UTC")).toBe("སྤྱི་ལོ་2026 ཟླ་11 ཚེས་28 17:30");
  });

  it("names weekdays", () => {
    expect(weekdayShort(1, "en")).toBe("Mon");
    expect(weekdayShort(0, "zh-Hans")).toBe("日");
    expect(weekdayShort(6, "bo")).toBe("སྤེན་པ།");
  });
});

describe("timeAgo", () => {
  const now = new Date("2026-11-28T12:00:00Z");
  const ago = (ms: number): Date => new Date(now.getTime() - ms);
  const min = 60_000;

  it("says just now, minutes and hours in words", () => {
    expect(timeAgo(ago(20_000), now, "en")).toBe("just now");
    expect(timeAgo(ago(1 * min), now, "en")).toBe("1 minute ago");
    expect(timeAgo(ago(12 * min), now, "en")).toBe("12 minutes ago");
    expect(timeAgo(ago(12 * min), now, "zh-Hans")).toBe("12 分钟前");
    expect(timeAgo(ago(12 * min), now, "bo")).toBe("སྐར་མ་ 12 གོང་");
    expect(timeAgo(ago(3 * 60 * min), now, "en")).toBe("3 hours ago");
    expect(timeAgo(ago(60 * min), now, "zh-Hans")).toBe("1 小时前");
  });

  it("says yesterday, then days, then the date", () => {
    expect(timeAgo(ago(30 * 60 * min), now, "en")).toBe("yesterday");
    expect(timeAgo(ago(30 * 60 * min), now, "bo")).toBe("ཁ་སང་");
    expect(timeAgo(ago(4 * 24 * 60 * min), now, "en")).toBe("4 days ago");
    expect(timeAgo(ago(10 * 24 * 60 * min), now, "en", "UTC")).toBe("on Nov 18, 2026");
  });

  it("treats a time in the future as just now", () => {
    expect(timeAgo(new Date(now.getTime() + 5 * min), now, "en")).toBe("just now");
  });
});
