// Reads the app's real style sheets for the tests that check them: app.css and
// every <style> block of a component, as they are on disk (never a copy).
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** ui/src, whatever directory the tests run from. */
export const SRC = join(import.meta.dirname, "..");

/** A file under ui/src, as text. */
export function readSrc(path: string): string {
  return readFileSync(join(SRC, path), "utf8");
}

/** Every .css and .svelte file under ui/src, as paths relative to it. */
export function styleSources(dir: string = SRC): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...styleSources(path));
    else if (/\.(css|svelte)$/.test(entry.name)) out.push(relative(SRC, path));
  }
  return out.sort();
}

/** The CSS of a file: all of a .css file, the <style> blocks of a .svelte one. */
export function cssOf(path: string): string {
  const text = readSrc(path);
  if (path.endsWith(".css")) return text;
  return [...text.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/g)].map((m) => m[1] ?? "").join("\n");
}

/** One style rule: its selector, the at-rules around it ("" at the top), its declarations in order. */
export interface Rule {
  selector: string;
  media: string;
  declarations: [property: string, value: string][];
}

/**
 * A small parser, enough for the app's own sheets: comments dropped, rules
 * inside @media/@supports kept with their condition, @font-face and
 * @keyframes skipped.
 */
export function parseCss(css: string): Rule[] {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, "");
  const rules: Rule[] = [];
  const walk = (from: number, to: number, media: string): void => {
    let i = from;
    while (i < to) {
      const open = text.indexOf("{", i);
      if (open < 0 || open >= to) return;
      const prelude = text.slice(i, open).trim();
      const close = matching(text, open);
      const body = text.slice(open + 1, close);
      if (prelude.startsWith("@media") || prelude.startsWith("@supports")) {
        walk(open + 1, close, media ? `${media} and ${prelude}` : prelude);
      } else if (!prelude.startsWith("@")) {
        rules.push({ selector: prelude.replace(/\s+/g, " "), media, declarations: declarations(body) });
      }
      i = close + 1;
    }
  };
  walk(0, text.length, "");
  return rules;
}

function matching(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return i;
  }
  throw new Error(`unbalanced braces after ${text.slice(open - 40, open)}`);
}

function declarations(body: string): [string, string][] {
  return body
    .split(";")
    .map((d) => d.trim())
    .filter((d) => d.includes(":"))
    .map((d) => {
      const colon = d.indexOf(":");
      return [d.slice(0, colon).trim(), d.slice(colon + 1).trim().replace(/\s+/g, " ")];
    });
}

/** The selectors of a rule, one by one ("a, b" is two). */
export function selectorsOf(rule: Rule): string[] {
  return rule.selector.split(",").map((s) => s.trim());
}

/** An sRGB colour as three 0-255 channels, from #rgb, #rrggbb or rgb(r g b) / rgb(r, g, b). */
export function parseColour(value: string): [number, number, number] {
  const v = value.trim().toLowerCase();
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/.exec(v);
  if (short) return [1, 2, 3].map((k) => parseInt((short[k] ?? "0").repeat(2), 16)) as [number, number, number];
  const long = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/.exec(v);
  if (long) return [1, 2, 3].map((k) => parseInt(long[k] ?? "0", 16)) as [number, number, number];
  const rgb = /^rgb\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)\s*\)$/.exec(v);
  if (rgb) return [1, 2, 3].map((k) => Number(rgb[k])) as [number, number, number];
  throw new Error(`not an opaque colour this test can read: ${value}`);
}

/** WCAG 2.x relative luminance. */
export function luminance([r, g, b]: [number, number, number]): number {
  const lin = (c: number): number => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG 2.x contrast ratio, 1 to 21. */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(parseColour(a)), luminance(parseColour(b))].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * The selectors of the check mark app.css draws on a chosen option (a rule
 * whose ::after shows U+2713), without the ::after: the mark is on an element
 * exactly when the element matches one of them.
 */
export function checkMarkSelector(): string {
  const marked = parseCss(cssOf("styles/app.css"))
    .filter((r) => r.declarations.some(([p, v]) => p === "content" && /\\2713|✓/.test(v)))
    .flatMap(selectorsOf)
    .filter((s) => s.endsWith("::after"))
    .map((s) => s.slice(0, -"::after".length));
  if (marked.length === 0) throw new Error("app.css draws no check mark");
  return marked.join(", ");
}

/** Whether app.css draws the chosen option's check mark on this element. */
export function hasCheckMark(el: Element): boolean {
  return el.matches(checkMarkSelector());
}
