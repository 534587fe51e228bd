// The public trace page in a real browser, as a buyer's phone opens it from
// the QR code on a jar: headless Chromium (Debian's) through playwright-core,
// in each language a phone may ask for. The page must show the whole chain,
// need no JavaScript, stay under 30 KB compressed (HTML and CSS together,
// on a slow link), and draw Tibetan with a font that has Tibetan glyphs.
//
// Run by scripts/browser-tests.sh, which records a village lot on a device,
// syncs it, has the hub receive, process and inspect it, and sets:
//   PRODUCT_URL (the jars' page), VILLAGE_URL (the village lot's page),
//   ARTIFACTS, CHROMIUM (default /usr/bin/chromium)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

function need(name) {
  const value = process.env[name];
  assert.ok(value, `${name} must be set (see scripts/browser-tests.sh)`);
  return value;
}

const productUrl = need('PRODUCT_URL');
const villageUrl = need('VILLAGE_URL');
const artifacts = need('ARTIFACTS');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** What a phone asking for gzip receives: the status, headers and raw bytes. */
function fetchCompressed(url, language) {
  return new Promise((resolve, reject) => {
    const request = http.get(
      url,
      { headers: { 'accept-encoding': 'gzip', 'accept-language': language } },
      (response) => {
        const chunks = [];
        response.on('data', (c) => chunks.push(c));
        response.on('end', () =>
          resolve({ status: response.statusCode, headers: response.headers, bytes: Buffer.concat(chunks) }),
        );
      },
    );
    request.on('error', reject);
  });
}

const languages = [
  { accept: 'zh-CN,zh;q=0.9', locale: 'zh-CN', tag: 'zh-Hans', words: ['雪山蜂蜜', '检验', '承诺达标合格证'] },
  { accept: 'bo-CN,bo;q=0.9', locale: 'bo-CN', tag: 'bo', words: ['གངས་རིའི་སྦྲང་རྩི།', 'DQ-2026-0917'] },
  { accept: 'en-US,en;q=0.9', locale: 'en-US', tag: 'en', words: ['Inspected', 'DQ-2026-0917'] },
];

test('the trace page is small on the wire in every language', async () => {
  for (const { accept, tag } of languages) {
    const { status, headers, bytes } = await fetchCompressed(productUrl, accept);
    assert.equal(status, 200, tag);
    assert.equal(headers['content-encoding'], 'gzip', `${tag}: the page is compressed`);
    // The styles are inline: this is the whole of the page's HTML and CSS.
    assert.ok(bytes.length < 30 * 1024, `${tag}: ${bytes.length} bytes compressed`);
    console.log(`trace page (${tag}): ${bytes.length} bytes gzip`);
  }
});

test('a phone sees the whole chain in its language, Tibetan drawn with a Tibetan font', async () => {
  mkdirSync(artifacts, { recursive: true });
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const profileless = mkdtempSync(join(tmpdir(), 'highland-trace-'));
  try {
    for (const { accept, locale, tag, words } of languages) {
      // A small phone, asking for its language as phones do.
      const context = await browser.newContext({
        locale,
        extraHTTPHeaders: { 'accept-language': accept },
        viewport: { width: 360, height: 740 },
        deviceScaleFactor: 2,
        isMobile: true,
        javaScriptEnabled: false,
      });
      const page = await context.newPage();
      const response = await page.goto(productUrl);
      assert.equal(response.status(), 200, tag);
      assert.equal(await page.locator('script').count(), 0, `${tag}: no scripts`);
      const text = await page.locator('body').innerText();
      for (const word of words) assert.ok(text.includes(word), `${tag}: "${word}" missing from\n${text}`);
      assert.equal(await page.locator('html').getAttribute('lang'), tag, `${tag}: the page says its language`);

      // The village lot it was made from is a link to that lot's own page.
      const villagePath = new URL(villageUrl).pathname;
      const link = page.locator(`a[href^="${villagePath}"]`).first();
      assert.equal(await link.count(), 1, `${tag}: a link to ${villagePath}`);

      // Which font really drew the Tibetan: Chromium's own answer.
      const cdp = await context.newCDPSession(page);
      await cdp.send('DOM.enable');
      await cdp.send('CSS.enable');
      const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
      const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: 'h1' });
      const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
      const tibetan = fonts.filter((f) => /tibetan|jomolhari|kailasa|himalaya/i.test(f.familyName));
      assert.ok(
        tibetan.length > 0 && tibetan.every((f) => f.glyphCount > 0),
        `${tag}: the product's Tibetan name is drawn with ${JSON.stringify(fonts)}`,
      );
      await page.screenshot({ path: join(artifacts, `trace-${tag}.png`), fullPage: true });
      await context.close();
    }

    // A code that does not exist: a friendly page, not a bare error.
    const context = await browser.newContext({ locale: 'zh-CN', javaScriptEnabled: false });
    const page = await context.newPage();
    const missing = new URL(productUrl);
    missing.pathname = '/t/AAAAAAAAAAAAA';
    const response = await page.goto(missing.toString());
    assert.equal(response.status(), 404);
    assert.ok((await page.locator('body').innerText()).trim().length > 10, 'the 404 page says something');
    await page.screenshot({ path: join(artifacts, 'trace-404-zh.png'), fullPage: true });
    await context.close();
  } finally {
    await browser.close();
    rmSync(profileless, { recursive: true, force: true });
  }
});
