// The audit page's verify button in Debian's Chromium: the ledger checked in the browser (WASM,
// the domain's own code) against the server's current checkpoint. tests/tests/browser.rs passes
// SPIRAL_URL, SPIRAL_AUDITOR and SPIRAL_EXPECT (the start of the verdict: "valid" or
// "invalid at N"); with SPIRAL_KEY, that public key is pinned first and SPIRAL_EXPECT_ALSO must
// appear in the verdict too (what the signature check said).
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

const url = process.env.SPIRAL_URL;
const expect = process.env.SPIRAL_EXPECT;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext();
  const [name, value] = process.env.SPIRAL_AUDITOR.split('=');
  await context.addCookies([{ name, value, url }]);
  const page = await context.newPage();
  await page.goto(url + '/audit');
  await page.waitForSelector('#app[data-hydrated="true"]', { timeout: 60_000 });
  // The current checkpoint shows before anything is clicked.
  await page.waitForFunction(() => document.querySelector('#checkpoint-text').textContent.startsWith('Spiral ledger checkpoint'),
    null, { timeout: 15_000 });
  if (process.env.SPIRAL_KEY !== undefined) {
    await page.fill('#pinned-key', process.env.SPIRAL_KEY);
  }
  await page.click('#verify-button');
  await page.waitForFunction(() => document.querySelector('#verify-result').textContent.length > 0, null, { timeout: 30_000 });
  const verdict = await page.locator('#verify-result').innerText();
  assert.ok(verdict.startsWith(expect), `expected "${expect}…", got "${verdict}"`);
  if (process.env.SPIRAL_EXPECT_ALSO) {
    assert.ok(verdict.includes(process.env.SPIRAL_EXPECT_ALSO), `expected "${process.env.SPIRAL_EXPECT_ALSO}" in "${verdict}"`);
  }
  if (process.env.SPIRAL_KEY) {
    // Pinned once, kept: a reload finds it.
    await page.reload();
    await page.waitForSelector('#app[data-hydrated="true"]', { timeout: 60_000 });
    assert.equal(await page.inputValue('#pinned-key'), process.env.SPIRAL_KEY);
  }
  // The checkpoint is fetched once the page is alive: wait for it, as on the first load.
  await page.waitForFunction(() => document.querySelector('#checkpoint-text').textContent.startsWith('Spiral ledger checkpoint'),
    null, { timeout: 15_000 }).catch(async () => {
    assert.fail(`the checkpoint did not show: "${await page.locator('#checkpoint-text').innerText()}"`);
  });
  console.log(`ok - the verify button says: ${verdict}`);
} finally {
  await browser.close();
}
