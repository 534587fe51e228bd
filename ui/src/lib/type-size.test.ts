// Tibetan text is never smaller than body text (1rem): stacked letters and
// vowel signs blur below it. Read from the real style sheets.
import { describe, expect, it } from "vitest";
import { cssOf, parseCss, selectorsOf, styleSources } from "../test/css";

const ROOT_PX = 18; // :root's font-size in app.css, checked below

/** font-size declarations in SVG user units, which scale with their drawing rather than being text sizes. */
const SVG_UNITS = new Set([
  // The week chart's day names and amounts sit in a 350-unit-wide viewBox
  // where each day has 50 units; a Tibetan day name at 18 units overflows it.
  "components/WeekChart.svelte .day",
  "components/WeekChart.svelte .amount",
]);

/** The least size, in rem, a font-size value gives Tibetan text; null when it cannot tell. */
function tibetanRem(value: string): number | null {
  const floor = /^max\((.+),\s*var\(--tibetan-min\)\)$/.exec(value);
  if (floor) return Math.max(1, tibetanRem(floor[1] ?? "") ?? 0);
  const m = /^(\d*\.?\d+)(rem|px)$/.exec(value);
  if (!m) return null;
  const n = Number(m[1]);
  return m[2] === "rem" ? n : n / ROOT_PX;
}

describe("Tibetan type size", () => {
  const app = parseCss(cssOf("styles/app.css"));
  const declared = (selector: string, property: string): string | undefined =>
    app
      .filter((r) => r.media === "" && selectorsOf(r).includes(selector))
      .flatMap((r) => r.declarations)
      .filter(([p]) => p === property)
      .map(([, v]) => v)
      .pop();

  it("raises the least size to 1rem in Tibetan, and only there", () => {
    expect(declared(":root", "font-size")).toBe(`${ROOT_PX}px`);
    expect(declared(":root", "--tibetan-min")).toBe("0px");
    expect(declared(":lang(bo)", "--tibetan-min")).toBe("1rem");
    // A Chinese caption inside Tibetan keeps its own size.
    expect(declared("[lang]:not(:lang(bo))", "--tibetan-min")).toBe("0px");
  });

  it("gives no text in any component a size under 1rem in Tibetan", () => {
    const small: string[] = [];
    let seen = 0;
    for (const file of styleSources()) {
      for (const rule of parseCss(cssOf(file))) {
        for (const [p, v] of rule.declarations) {
          if (p !== "font-size" && !(p === "font" && v !== "inherit")) continue;
          seen++;
          if (SVG_UNITS.has(`${file} ${rule.selector}`)) continue;
          const rem = p === "font-size" ? tibetanRem(v) : null;
          if (rem === null || rem < 1) small.push(`${file}: ${rule.selector} { ${p}: ${v} }`);
        }
      }
    }
    expect(seen).toBeGreaterThan(20);
    expect(small).toEqual([]);
  });

  it("scales the root and Tibetan's body by the same factor under large text", () => {
    const large = declared(":root.large-text", "font-size");
    const largeTibetan = declared(":root.large-text:lang(bo) body", "font-size");
    const tibetan = declared(":lang(bo) body", "font-size");
    expect(large).toMatch(/px$/);
    const factor = parseFloat(large ?? "") / ROOT_PX;
    expect(factor).toBeGreaterThanOrEqual(1.2);
    expect(parseFloat(largeTibetan ?? "")).toBeCloseTo(parseFloat(tibetan ?? "") * factor, 5);
  });

  it("reads the sizes it checks", () => {
    expect(tibetanRem("0.8rem")).toBe(0.8);
    expect(tibetanRem("max(0.8rem, var(--tibetan-min))")).toBe(1);
    expect(tibetanRem("1.4rem")).toBe(1.4);
    expect(tibetanRem("max(1.2rem, var(--tibetan-min))")).toBe(1.2);
    expect(tibetanRem("9px")).toBe(0.5);
    expect(tibetanRem("smaller")).toBeNull();
  });
});
