// Level of detail on the spiral (tests/tests/browser.rs, a demo ledger): sixty programs launched
// in the first fiscal year at one stage are more than that year's ninth shows side by side, so
// the spiral drawn whole shows them as one group mark with their count; pressing it zooms in on
// the cell, where each is a mark of its own. Expectations come from the server's JSON API.
import { launch, openHydrated } from './signed-in.mjs';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';

const url = process.env.SPIRAL_URL;
const cookie = process.env.SPIRAL_COOKIE;
const artifacts = process.env.SPIRAL_ARTIFACTS;
mkdirSync(artifacts, { recursive: true });
const api = async (path, init = {}) => {
  const response = await fetch(url + path, {
    ...init, headers: { cookie, origin: url, 'content-type': 'application/json' },
  });
  const body = await response.text();
  assert.ok(response.ok, `${path}: ${response.status} ${body}`);
  return JSON.parse(body);
};

const before = await api('/api/timeline');
const first = before.map((t) => t.on).sort()[0];
const fy = Number(first.slice(0, 4)) - (Number(first.slice(5, 7)) < 4 ? 1 : 0);
const on = `${fy}-06-01`;
const crowd = 60;
for (let i = 0; i < crowd; i++) {
  await api('/api/commands', {
    method: 'POST',
    body: JSON.stringify({ command: { Record: { on, fact: { ProgramLaunched: {
      program: `crowd-${i}`, name: `群れ ${i}`, pillar: 'CivicSupport',
      beneficiaries: ['CitizenGroups'], stage: 9 } } } } }),
  });
}
const timeline = await api('/api/timeline');
assert.equal(timeline.length, before.length + crowd);

const browser = await launch();
try {
  const { page, errors } = await openHydrated(browser, url, cookie, '/');
  const group = page.locator(`#spiral .group[data-year="${fy}"][data-stage="9"]`);
  assert.equal(await group.count(), 1, 'one group mark for the crowded cell');
  const count = Number(await group.getAttribute('data-count'));
  assert.ok(count >= crowd, `the group counts its marks: ${count}`);
  const counts = await page.$$eval('#spiral .group', (gs) => gs.reduce((n, g) => n + Number(g.dataset.count), 0));
  assert.equal(await page.locator('#spiral .mark').count() + counts, timeline.length,
    'marks and groups together stand for every activity');
  assert.match(await group.getAttribute('aria-label'), new RegExp(`${count}件`));
  await page.screenshot({ path: `${artifacts}/spiral-grouped.png` });
  await group.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction((n) => document.querySelectorAll('#spiral .mark').length === n, timeline.length);
  assert.equal(await page.locator('#spiral .group').count(), 0);
  await page.screenshot({ path: `${artifacts}/spiral-zoomed.png` });
  await page.click('.zoom button:nth-child(3)');
  await page.waitForSelector(`#spiral .group[data-year="${fy}"]`);
  assert.deepEqual(errors, []);
  console.log(`ok - ${count} marks of ${fy} stage 9 drawn as one group, each drawn when zoomed in`);
} finally {
  await browser.close();
}
