// Collection rounds in the staff console, in headless Chromium: staff plan
// a small truck's round from its form, put an order on it from the
// listing's page; the seller's device (the real `highland` binary) syncs,
// accepts and says she will be there; staff see the load expected and
// confirmed, over the truck's capacity, start loading, record what was
// loaded at the stop, download the loading sheet, close the round with
// its cost and see the cost per kg on the chart. Every page is
// photographed in Chinese and English.
//
// Run by scripts/browser-tests.sh before console.spec.mjs (which revokes
// the device at its end), with the same environment.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { openChromium } from './chromium.mjs';
import { device, need, photographer, signIn } from './console-session.mjs';

const hub = need('HUB_URL');
const village = need('VILLAGE');
const listingTitle = need('LISTING_TITLE');
const artifacts = need('ARTIFACTS');

test('a round is planned, fills past capacity, is loaded at its stop, and its cost per kg is charted', async () => {
  mkdirSync(artifacts, { recursive: true });
  const { context, close } = await openChromium({ locale: 'en-US', viewport: { width: 1100, height: 800 } });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const photograph = photographer(page, artifacts);
    await signIn(page, hub, { name: need('STAFF_NAME'), token: need('STAFF_TOKEN') });

    // A 5 kg truck through Xidang to the seller's village.
    await page.goto(`${hub}/console/rounds`);
    await page.fill('input[name=date]', '2030-06-06');
    await page.fill('input[name=vehicle]', '云F·12345 Dongfeng');
    await page.fill('input[name=capacity]', '5');
    await page.fill('textarea[name=stops]', `09:00 Xidang\n10:30 ${village}`);
    await page.click('form[action="/console/rounds"] button[type=submit]');
    await page.waitForURL(/\/console\/rounds\/[0-9a-f-]+$/);
    const roundUrl = page.url().split('?')[0];
    const roundId = roundUrl.split('/').pop();
    assert.equal(await page.locator('[data-state=planned]').count(), 1);
    await photograph('r1-round-planned');

    // An order of 6 kg on it, at the seller's village.
    await page.goto(`${hub}/console/listings?village=${encodeURIComponent(village)}`);
    await page.locator('table a', { hasText: listingTitle }).click();
    await page.waitForURL(/\/console\/listings\/[0-9a-f-]+$/);
    await page.fill('input[name=quantity]', '6');
    const option = page.locator('select[name=round] option', { hasText: `10:30 ${village}` });
    await page.selectOption('select[name=round]', await option.getAttribute('value'));
    await page.click('form[action$="/orders"] button[type=submit]');
    await page.waitForURL(/\/console\/orders\/[0-9a-f-]+$/);
    const orderId = new URL(page.url()).pathname.split('/').pop();
    assert.equal(await page.locator('[data-testid=order-round]').count(), 1);

    // The seller's device: the truck, what to bring; accepted, and she will be there.
    device('sync');
    const shown = JSON.parse(device('round', 'list', '--json'));
    assert.equal(shown.length, 1);
    assert.equal(shown[0].stop.expected_at, '10:30');
    device('order', 'accept', orderId);
    device('round', 'answer', roundId, '--coming');
    device('sync');

    // 6 kg expected and confirmed on a 5 kg truck.
    await page.goto(roundUrl);
    assert.match(await page.locator('[data-testid=expected-kg]').innerText(), /^6 kg/);
    assert.match(await page.locator('[data-testid=confirmed-kg]').innerText(), /^6 kg/);
    assert.equal(await page.locator('[data-testid=over-capacity]').count(), 1);
    await photograph('r2-round-over-capacity');

    // The truck goes out; 5.5 kg were loaded at the stop.
    await page.locator('form[action$="/move"]', { has: page.locator('input[value=loading]') }).locator('button').click();
    await page.waitForURL(roundUrl);
    assert.equal(await page.locator('[data-state=loading]').count(), 1);
    await page.fill(`input[name="quantity:${orderId}"]`, '5.5');
    await page.click('form[action$="/loads"] button[type=submit]');
    await page.waitForURL(roundUrl);
    assert.match(await page.locator('[data-testid=loaded-kg]').innerText(), /^5\.5 kg/);
    assert.equal(await page.locator('[data-testid=over-capacity]').count(), 1, 'still more expected than fits');
    await photograph('r3-round-loaded');

    // The driver's loading sheet.
    const sheet = await page.request.get(`${roundUrl}/loading-sheet.pdf`);
    assert.equal(sheet.status(), 200);
    assert.equal(sheet.headers()['content-type'], 'application/pdf');
    assert.equal((await sheet.body()).subarray(0, 4).toString(), '%PDF');

    // Back at the buyer's: done, with its cost; ¥33 for 5.5 kg is ¥6.00 a kg.
    for (const to of ['on-the-road', 'done']) {
      await page.locator('form[action$="/move"]', { has: page.locator(`input[value=${to}]`) }).locator('button').click();
      await page.waitForURL(roundUrl);
    }
    await page.fill('input[name=fuel]', '20');
    await page.fill('input[name=driver]', '10');
    await page.fill('input[name=tolls]', '3');
    await page.click('form[action$="/cost"] button[type=submit]');
    await page.waitForURL(roundUrl);
    assert.match(await page.locator('[data-testid=fen-per-kg]').innerText(), /¥6\.00/);
    await photograph('r4-round-done');

    await page.goto(`${hub}/console/rounds/costs`);
    assert.equal(await page.locator('[data-testid=cost-chart] svg polyline').count(), 2, 'every round, and the village');
    await photograph('r5-costs');
    await page.goto(`${hub}/console/rounds`);
    await photograph('r6-rounds');

    // The seller's device hears the truck left and what was loaded.
    device('sync');
    const after = JSON.parse(device('round', 'list', '--json'));
    assert.equal(after[0].state, 'done');
    assert.equal(after[0].orders[0].loaded_weight_g, 5500);
  } finally {
    await close();
  }
});
