// The app's colours against WCAG 2.x: text at least 4.5:1 (1.4.3), the
// borders that show where a control is at least 3:1 (1.4.11). The colours are
// read from the real style sheets, so changing one that fails breaks this test.
import { describe, expect, it } from "vitest";
import { contrast, cssOf, parseColour, parseCss, selectorsOf, styleSources, type Rule } from "../test/css";

const TEXT = 4.5;
const UI = 3;

const APP_CSS = "styles/app.css";
const appRules = parseCss(cssOf(APP_CSS));

/** The custom properties of :root (the light theme, the only one today). */
function rootVars(): Map<string, string> {
  const vars = new Map<string, string>();
  for (const r of appRules) {
    if (r.media === "" && selectorsOf(r).includes(":root")) {
      for (const [p, v] of r.declarations) if (p.startsWith("--")) vars.set(p, v);
    }
  }
  return vars;
}

function isColour(value: string): boolean {
  try {
    parseColour(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every theme: :root, and :root with the colours of any other rule that sets
 * one of them (a dark scheme, a high-contrast class), so a theme added later
 * is checked by the same pairs.
 */
function themes(): [name: string, vars: Map<string, string>][] {
  const base = rootVars();
  const colourVars = [...base].filter(([, v]) => isColour(v)).map(([p]) => p);
  const out: [string, Map<string, string>][] = [[":root", base]];
  for (const r of appRules) {
    if (r.media === "" && selectorsOf(r).includes(":root")) continue;
    const overrides = r.declarations.filter(([p]) => colourVars.includes(p));
    if (overrides.length > 0) out.push([`${r.media} ${r.selector}`.trim(), new Map([...base, ...overrides])]);
  }
  return out;
}

/** A colour value, with var(--x) looked up in a theme. */
function resolve(value: string, vars: Map<string, string>): string {
  const m = /^var\((--[a-z0-9-]+)\)$/.exec(value.trim());
  if (!m) return value;
  const v = vars.get(m[1] ?? "");
  if (v === undefined) throw new Error(`${value} is not declared in ${APP_CSS}`);
  return resolve(v, vars);
}

/** The var(--x) a border declaration draws with, or null. */
function borderVar(rule: Rule): string | null {
  for (const [p, v] of rule.declarations) {
    if (p === "border" || p === "border-color") {
      const m = /var\((--[a-z0-9-]+)\)/.exec(v);
      if (m) return m[1] ?? null;
    }
  }
  return null;
}

/** The value of the last of these properties a rule declares (the one that wins). */
function last(rule: Rule, ...properties: string[]): string | undefined {
  return [...rule.declarations].reverse().find(([p]) => properties.includes(p))?.[1];
}

/** Text colours on the backgrounds they sit on (text inherits them; no one rule holds both). */
const TEXT_PAIRS: [fg: string, bg: string][] = [
  ["--ink", "--bg"],
  ["--ink", "--surface"],
  ["--muted", "--bg"],
  ["--muted", "--surface"],
  ["--accent", "--bg"],
  ["--accent", "--surface"],
  ["--good", "--bg"],
  ["--good", "--surface"],
  ["--warn", "--bg"],
  ["--warn", "--surface"],
  ["--bad", "--bg"],
  ["--bad", "--surface"],
  ["--sky", "--bg"],
  ["--sky", "--surface"],
  ["--accent-ink", "--accent"],
  // Status pills, a lesson step's number: ink on --line.
  ["--ink", "--line"],
];

/** Non-text marks: the chosen option's border, a field in error, the focus ring, the finished step. */
const UI_PAIRS: [fg: string, bg: string][] = [
  ["--accent", "--bg"],
  ["--accent", "--surface"],
  ["--bad", "--surface"],
  ["--sky", "--bg"],
  ["--sky", "--surface"],
  ["--good", "--surface"],
];

/** The rules that draw a control's outline: [file, one of the rule's selectors]. */
const CONTROL_BORDERS: [file: string, selector: string][] = [
  [APP_CSS, "button"], // every button: keys, tiles, choices
  [APP_CSS, "input"],
  [APP_CSS, "select"],
  [APP_CSS, "textarea"],
  ["components/Keypad.svelte", ".display"], // the amount being typed, drawn as a field
  ["components/PhotoStrip.svelte", ".add"], // the "add a photo" picker
  ["screens/Settings.svelte", ".choice"], // the practice network's choices
];

describe("colour contrast (WCAG 2.x)", () => {
  it("finds the colours in app.css and nowhere else", () => {
    expect(rootVars().get("--ink")).toBeDefined();
    for (const file of styleSources()) {
      if (file === APP_CSS) continue;
      for (const rule of parseCss(cssOf(file))) {
        for (const [p, v] of rule.declarations) {
          expect(p.startsWith("--") && isColour(v), `${file}: ${rule.selector} declares ${p}`).toBe(false);
        }
      }
    }
  });

  for (const [theme, vars] of themes()) {
    describe(theme, () => {
      it.each(TEXT_PAIRS)(`text %s on %s reaches ${TEXT}:1`, (fg, bg) => {
        const ratio = contrast(resolve(`var(${fg})`, vars), resolve(`var(${bg})`, vars));
        expect(ratio, `${fg} on ${bg}: ${ratio.toFixed(2)}:1`).toBeGreaterThanOrEqual(TEXT);
      });

      it.each(UI_PAIRS)(`mark %s on %s reaches ${UI}:1`, (fg, bg) => {
        const ratio = contrast(resolve(`var(${fg})`, vars), resolve(`var(${bg})`, vars));
        expect(ratio, `${fg} on ${bg}: ${ratio.toFixed(2)}:1`).toBeGreaterThanOrEqual(UI);
      });

      it.each(CONTROL_BORDERS)(`the border of %s %s reaches ${UI}:1 on --bg and --surface`, (file, selector) => {
        const rule = parseCss(cssOf(file)).find((r) => r.media === "" && selectorsOf(r).includes(selector) && borderVar(r) !== null);
        expect(rule, `${file} has no rule for ${selector} with a var() border`).toBeDefined();
        const edge = borderVar(rule as Rule) ?? "";
        for (const bg of ["--bg", "--surface"]) {
          const ratio = contrast(resolve(`var(${edge})`, vars), resolve(`var(${bg})`, vars));
          expect(ratio, `${file} ${selector}: ${edge} on ${bg}: ${ratio.toFixed(2)}:1`).toBeGreaterThanOrEqual(UI);
        }
      });

      it("every rule that sets both a text colour and a background reaches 4.5:1", () => {
        const checked: string[] = [];
        const failing: string[] = [];
        for (const file of styleSources()) {
          for (const rule of parseCss(cssOf(file))) {
            const colour = last(rule, "color", "fill");
            const background = last(rule, "background", "background-color");
            if (colour === undefined || background === undefined) continue;
            if (!colour.includes("var(") && !background.includes("var(")) continue;
            const [fg, bg] = [resolve(colour, vars), resolve(background, vars)];
            if (!isColour(fg) || !isColour(bg)) continue; // inherit, none, a translucent wash
            const ratio = contrast(fg, bg);
            checked.push(rule.selector);
            if (ratio < TEXT) failing.push(`${file}: ${rule.selector}: ${colour} on ${background}: ${ratio.toFixed(2)}:1`);
          }
        }
        expect(checked.length).toBeGreaterThan(5);
        expect(failing).toEqual([]);
      });
    });
  }
});
