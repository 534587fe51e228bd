// The staff console in a real browser: headless Chromium (Debian's) driven
// by playwright-core, with no JavaScript of the console's own to wait for.
// A member of staff signs in, filters listings by village, places an order;
// the seller's device (the real `highland` binary) syncs, accepts it and
// syncs again; staff see it accepted, record the hand-over and the receipt,
// and see it received. Every page is photographed in Chinese and English.
//
// Run by scripts/browser-tests.sh, which starts the hub and sets:
//   HUB_URL, STAFF_NAME, STAFF_TOKEN, VILLAGE, LISTING_TITLE,
//   HIGHLAND_BIN, DEVICE_DIR, ARTIFACTS, CHROMIUM (default /usr/bin/chromium)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openChromium } from './chromium.mjs';
import { device, need, photographer, signIn } from './console-session.mjs';

const hub = need('HUB_URL');
const staffName = need('STAFF_NAME');
const staffToken = need('STAFF_TOKEN');
const village = need('VILLAGE');
const listingTitle = need('LISTING_TITLE');
const artifacts = need('ARTIFACTS');

test('staff sign in, order, see it accepted, and record its receipt', async () => {
  mkdirSync(artifacts, { recursive: true });
  const { context, close } = await openChromium({ locale: 'en-US', viewport: { width: 1100, height: 800 } });
  try {
    const page = context.pages()[0] ?? (await context.newPage());

    const photograph = photographer(page, artifacts);

    // Sign in.
    await signIn(page, hub, { name: staffName, token: staffToken }, photograph);
    assert.ok(
      (await context.cookies()).some((c) => c.name.endsWith('highland_session')),
      'the browser kept the session cookie',
    );

    // Filter listings by village.
    await page.fill('input[name=village]', village);
    await page.click('form[action="/console/listings"] button[type=submit]');
    await page.waitForURL(/village=/);
    const listing = page.locator('table a', { hasText: listingTitle });
    assert.equal(await listing.count(), 1);
    await photograph('02-listings');

    // Open the listing and place an order.
    await page.locator('table a', { hasText: listingTitle }).click();
    await page.waitForURL(/\/console\/listings\/[0-9a-f-]+$/);
    await photograph('03-listing');
    await page.fill('input[name=quantity]', '2');
    await page.fill('input[name=hand_over_by]', '2030-06-02');
    await page.fill('textarea[name=note]', 'For the school kitchen');
    await page.click('form[action$="/orders"] button[type=submit]');
    await page.waitForURL(/\/console\/orders\/[0-9a-f-]+$/);
    const orderId = new URL(page.url()).pathname.split('/').pop();
    assert.equal(await page.locator('[data-state=placed]').count(), 1);
    await photograph('04-order-placed');

    // The seller's device pulls the order, accepts it, pushes the acceptance.
    device('sync');
    device('order', 'accept', orderId);
    device('sync');

    // Staff see it accepted, among the accepted orders.
    await page.goto(`${hub}/console/orders?state=accepted`);
    const row = page.locator(`#order-${orderId}`);
    assert.equal(await row.locator('[data-state=accepted]').count(), 1);
    await photograph('05-orders-accepted');

    // Record the hand-over, then the receipt of a little less than ordered.
    await page.locator(`#order-${orderId} form[action$="/hand-over"] button`).click();
    await page.waitForURL(new RegExp(`/console/orders/${orderId}$`));
    assert.equal(await page.locator('[data-state=handed-over]').count(), 1);
    await page.fill('form[action$="/receive"] input[name=quantity]', '1.8');
    await page.click('form[action$="/receive"] button');
    await page.waitForURL(new RegExp(`/console/orders/${orderId}$`));
    assert.equal(await page.locator('[data-state=received]').count(), 1);
    assert.match(await page.locator('main').innerText(), /1\.8 kg/);
    // Payment is prefilled with the price of what was received: 1.8 kg at ¥68.50.
    assert.equal(await page.inputValue('form[action$="/pay"] input[name=amount]'), '123.30');
    await photograph('06-order-received');

    await page.goto(`${hub}/console/sellers`);
    await photograph('07-sellers');

    // A lost tablet: the seller's devices, and revoking one (last: the
    // device syncs no more after this).
    await page.locator('a[href$="/devices"]').first().click();
    await page.waitForURL(/\/console\/sellers\/[^/]+\/devices$/);
    await photograph('08-devices');
    await page.locator('form[action$="/revoke"] button').first().click();
    await page.waitForURL(/\/devices$/);
    assert.equal(await page.locator('form[action$="/revoke"]').count(), 0);
    assert.match(await page.locator('main').innerText(), /revoked|已停用/);

    // A narrow screen: the tables become cards.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${hub}/console/orders`);
    await page.screenshot({ path: join(artifacts, '09-orders-phone-en.png'), fullPage: true });
  } finally {
    await close();
  }
});
