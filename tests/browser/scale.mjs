// The spiral of a realistic ledger at size (tests/tests/browser.rs records `spiral demo --example
// --events N`, mostly receipts): marks for the work only (programs, contracts, activities), the
// money summed per fiscal year as bands, never one mark per receipt. Expectations come from the
// server's JSON API. Leaves a screenshot in SPIRAL_ARTIFACTS.
import { launch, openHydrated } from './signed-in.mjs';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';

const url = process.env.SPIRAL_URL;
const cookie = process.env.SPIRAL_COOKIE;
const artifacts = process.env.SPIRAL_ARTIFACTS;
mkdirSync(artifacts, { recursive: true });
const api = async (path) => {
  const response = await fetch(url + path, { headers: { cookie } });
  assert.ok(response.ok, `${path}: ${response.status}`);
  return response.json();
};

const browser = await launch();
try {
  const { page, errors } = await openHydrated(browser, url, cookie, '/', 300_000);
  const [timeline, manifest] = [await api('/api/timeline'), await api('/api/log/manifest')];
  const marks = await page.locator('#spiral .mark').count();
  assert.equal(marks, timeline.length);
  assert.ok(manifest.head >= 100_000, `a ledger at size: ${manifest.head} events`);
  assert.ok(marks * 20 < manifest.head, `${marks} marks for ${manifest.head} events: the work, not the cash book`);
  const kinds = await page.$$eval('#spiral .mark', (ms) => [...new Set(ms.map((m) => m.dataset.kind))]);
  assert.ok(!kinds.includes('FundsReceived'), `no mark per receipt: ${kinds}`);
  const years = await page.$$eval('#spiral .year-money', (gs) => gs.map((g) => g.querySelector('title').textContent));
  assert.ok(years.length >= 20, `money as one band per fiscal year: ${years.length}`);
  assert.ok(years.every((t) => t.includes('¥')), years.join('\n'));
  await page.screenshot({ path: `${artifacts}/spiral-at-size.png` });
  assert.deepEqual(errors, []);
  console.log(`ok - ${manifest.head} events: ${marks} marks, ${years.length} years of money as bands`);
} finally {
  await browser.close();
}
