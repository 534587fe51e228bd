// A workshop in a real browser: headless Chromium (Debian's) driven by
// playwright-core, against the real `highland-hub workshop` and a trainee's
// device (the real `highland` binary).
//
// The projector page stays open, never reloaded, while the class works: a
// trainee joins with a printed code, lists honey and syncs, the workshop's
// buyer orders it, the trainee accepts; each shows up on the wall by
// server-sent events. The trainer signs in to the console at the hub's LAN
// address (plain HTTP, where a `Secure` cookie would be dropped), switches
// the class to mountain 2G, which the projector shows, and prints the
// cards of the trainees not yet joined.
//
// Run by scripts/browser-tests.sh, which starts the workshop and sets:
//   HUB_URL, STAFF_TOKEN, TRAINEE_CODE, TRAINEES, HIGHLAND_BIN, DEVICE_DIR,
//   ARTIFACTS, CHROMIUM (default /usr/bin/chromium)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openChromium } from './chromium.mjs';

function need(name) {
  const value = process.env[name];
  assert.ok(value, `${name} must be set (see scripts/browser-tests.sh)`);
  return value;
}

const hub = need('HUB_URL');
const staffToken = need('STAFF_TOKEN');
const traineeCode = need('TRAINEE_CODE');
const trainees = Number(need('TRAINEES'));
const highland = need('HIGHLAND_BIN');
const deviceDir = need('DEVICE_DIR');
const artifacts = need('ARTIFACTS');

/** The trainee's device, as the command line drives it. */
function device(...args) {
  return execFileSync(highland, ['--data-dir', deviceDir, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  }).trim();
}

/** Syncs until the device holds an order, which the buyer places ~1 s after the listing arrives. */
async function waitForOrder() {
  for (let i = 0; i < 60; i += 1) {
    device('sync');
    const orders = JSON.parse(device('order', 'list', '--json'));
    if (orders.length > 0) return orders[0].id;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('the workshop buyer placed no order');
}

test('the projector follows the class live, and the trainer runs it from the console', async () => {
  mkdirSync(artifacts, { recursive: true });
  const { context, close } = await openChromium({ locale: 'zh-CN', viewport: { width: 1280, height: 720 } });
  try {
    const wall = context.pages()[0] ?? (await context.newPage());
    await wall.goto(`${hub}/projector`);
    const listings = wall.getByTestId('projector-listings');
    const orders = wall.getByTestId('projector-orders');
    const tablets = wall.getByTestId('projector-tablets');
    assert.match(await listings.innerText(), /松茸/, 'the demo village is on the wall');
    assert.match(await tablets.innerText(), /学员 1 Trainee 1\s*尚未加入 Not joined yet/);
    assert.equal(await wall.getByTestId('projector-hub').innerText(), hub);
    // Readable from the back of a hall: large type on a dark ground.
    const size = await listings.locator('li').first().evaluate((li) => parseFloat(getComputedStyle(li).fontSize));
    assert.ok(size >= 24, `list text is ${size}px`);
    // The demo's listings show their photos, loaded.
    const photos = listings.locator('img');
    assert.ok((await photos.count()) >= 4, 'the demo listings have photos');
    assert.ok(await photos.first().evaluate((img) => img.complete && img.naturalWidth > 0), 'a photo loaded');
    await wall.screenshot({ path: join(artifacts, '01-projector-start.png') });
    const reloads = await wall.evaluate(() => performance.getEntriesByType('navigation').length);

    // A trainee joins with the printed code and lists honey.
    device('enroll', '--hub', hub, '--code', traineeCode);
    const listing = device('listing', 'add', '--title', '蜂蜜 trainee honey', '--category', 'honey',
      '--unit', 'jar', '--price', '45', '--stock', '20');
    assert.ok(listing.length > 0);
    device('sync');
    await listings.getByText('蜂蜜 trainee honey').waitFor({ timeout: 15_000 });
    await tablets.getByText(/同步 Synced/).first().waitFor({ timeout: 15_000 });

    // The buyer orders it; the trainee accepts; the wall shows both.
    const order = await waitForOrder();
    await orders.locator('li', { hasText: '蜂蜜 trainee honey' }).getByText('新 New').waitFor({ timeout: 15_000 });
    device('order', 'accept', order);
    device('sync');
    await orders.locator('li', { hasText: '蜂蜜 trainee honey' }).getByText('已接受 Accepted')
      .waitFor({ timeout: 15_000 });
    await wall.screenshot({ path: join(artifacts, '02-projector-order-accepted.png') });

    // The trainer signs in to the console at the same (LAN) address.
    const console_ = await context.newPage();
    await console_.goto(`${hub}/console/login?lang=en`);
    await console_.fill('input[name=name]', 'trainer');
    await console_.fill('input[name=token]', staffToken);
    await console_.click('button[type=submit]');
    await console_.waitForURL(/\/console\/listings/);
    await console_.goto(`${hub}/console/workshop`);
    assert.match(await console_.locator('main').innerText(), /Trainee 2/);
    await console_.getByRole('button', { name: 'Mountain 2G' }).click();
    await console_.waitForURL(/\/console\/workshop$/);
    assert.equal(
      await console_.getByRole('button', { name: '✓ Mountain 2G' }).getAttribute('aria-pressed'),
      'true',
    );
    await console_.screenshot({ path: join(artifacts, '03-console-workshop-en.png'), fullPage: true });
    await wall.getByTestId('projector-network').getByText('山区 2G').waitFor({ timeout: 15_000 });
    await wall.screenshot({ path: join(artifacts, '04-projector-mountain-2g.png') });

    // Cards for the trainees whose tablets have not joined.
    await console_.getByRole('button', { name: /New cards/ }).click();
    const cards = console_.getByTestId('trainee-card');
    assert.equal(await cards.count(), trainees - 1);
    assert.equal(await cards.first().locator('svg').count(), 1);
    await console_.screenshot({ path: join(artifacts, '05-console-cards-en.png'), fullPage: true });

    // All of it arrived without the wall ever reloading.
    assert.equal(await wall.evaluate(() => performance.getEntriesByType('navigation').length), reloads);
    assert.equal(await wall.evaluate(() => document.body.dataset.live), '1');
  } finally {
    await close();
  }
});
