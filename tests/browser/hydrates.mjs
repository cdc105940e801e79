// A page comes alive in Debian's Chromium: signed in, the spiral page hydrates, draws its marks,
// and no script error occurs. tests/tests/browser.rs passes SPIRAL_URL and SPIRAL_COOKIE; it
// runs this against a server whose bundle is only the one embedded in its binary.
import assert from 'node:assert/strict';
import { launch, openHydrated } from './signed-in.mjs';

const browser = await launch();
try {
  const { page, errors } = await openHydrated(browser, process.env.SPIRAL_URL, process.env.SPIRAL_COOKIE, '/');
  await page.waitForFunction(() => document.querySelectorAll('#spiral .mark').length > 0, null, { timeout: 30_000 });
  const marks = await page.locator('#spiral .mark').count();
  assert.deepEqual(errors, [], 'no script errors');
  console.log(`ok - hydrated, ${marks} marks drawn`);
} finally {
  await browser.close();
}
