// What the console's browser specs share: the environment scripts/browser-tests.sh
// sets, the seller's device as the `highland` binary, signing in, and
// photographing a page in Chinese, then English (which stays).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export function need(name) {
  const value = process.env[name];
  assert.ok(value, `${name} must be set (see scripts/browser-tests.sh)`);
  return value;
}

/** The seller's device, as the seller would use it from the command line. */
export function device(...args) {
  return execFileSync(need('HIGHLAND_BIN'), ['--data-dir', need('DEVICE_DIR'), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** Photographs the current page in Chinese, then English (which stays). */
export function photographer(page, artifacts) {
  return async (name) => {
    for (const lang of ['zh', 'en']) {
      const url = new URL(page.url());
      url.searchParams.set('lang', lang);
      await page.goto(url.toString());
      assert.equal(await page.locator('script').count(), 0, 'no scripts');
      await page.screenshot({ path: join(artifacts, `${name}-${lang}.png`), fullPage: true });
    }
  };
}

/** Signs in at the console's login page; `photograph` takes it first, if given. */
export async function signIn(page, hub, { name, token }, photograph) {
  await page.goto(`${hub}/console/login`);
  if (photograph) await photograph('01-login');
  await page.fill('input[name=name]', name);
  await page.fill('input[name=token]', token);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/console\/listings/);
}
