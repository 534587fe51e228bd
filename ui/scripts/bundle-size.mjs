// Prints the production bundle's sizes: each JS and CSS file raw and gzipped
// (what a WebView parses and what a download would cost), and each font.
// Run after `npm run build`.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, extname } from "node:path";
import { gzipSync } from "node:zlib";

const dist = new URL("../dist/", import.meta.url).pathname;
const rows = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else rows.push(path);
  }
}
walk(dist);

const kb = (n) => (n / 1024).toFixed(1).padStart(8) + " KiB";
const totals = {};
console.log("file".padEnd(64), "raw".padStart(12), "gzip".padStart(12));
for (const path of rows.sort()) {
  const ext = extname(path).slice(1);
  const raw = readFileSync(path);
  const gz = ["js", "css", "html", "svg"].includes(ext) ? gzipSync(raw, { level: 9 }).length : raw.length;
  totals[ext] = totals[ext] ?? { raw: 0, gz: 0 };
  totals[ext].raw += raw.length;
  totals[ext].gz += gz;
  console.log(path.slice(dist.length).padEnd(64), kb(raw.length), kb(gz));
}
console.log("\ntotals by kind (fonts are already compressed: gzip column = raw)");
for (const [ext, t] of Object.entries(totals)) console.log(ext.padEnd(64), kb(t.raw), kb(t.gz));
