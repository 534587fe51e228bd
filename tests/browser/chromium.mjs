// Debian's headless Chromium, as the console's and the workshop's browser
// tests open it: a fresh profile of its own (so cookies start empty), no
// network of Chromium's own, and nothing that needs a GPU or a sandbox.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

/**
 * A browser context in `locale` with a window of `viewport`, and `close`,
 * which also removes its profile.
 */
export async function openChromium({ locale, viewport }) {
  const profile = mkdtempSync(join(tmpdir(), 'highland-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    locale,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}
