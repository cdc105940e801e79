// The donors' desk (/donors) in Debian's Chromium, as staff use it: register a donor from the
// form, find them again by the half-width kana a bank prints, open the record, change the
// address (the earlier revision stays, dated), and switch to English. Keyboard only: every
// step is typed and submitted with Enter. Then the public support test from the reports page. tests/tests/browser.rs passes SPIRAL_URL,
// SPIRAL_COOKIE (staff) and SPIRAL_ARTIFACTS.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';

const url = process.env.SPIRAL_URL;
const artifacts = process.env.SPIRAL_ARTIFACTS;
mkdirSync(artifacts, { recursive: true });
const step = (name) => console.log(`ok - ${name}`);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const errors = [];
try {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const [name, value] = process.env.SPIRAL_COOKIE.split(';')[0].split('=');
  await context.addCookies([{ name, value, url }]);
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

  assert.equal((await page.goto(`${url}/donors`)).status(), 200);
  assert.equal(await page.locator('#hits').count(), 0, 'no one is shown before a search');
  const form = page.locator('#register');
  await form.locator('input[name=id]').fill('d-browser-1');
  await form.locator('input[name=name]').fill('浜松 次郎');
  await form.locator('input[name=kana]').fill('ハママツ ジロウ');
  await form.locator('input[name=postal_code]').fill('4300929');
  await form.locator('input[name=address]').fill('浜松市中央区中央1-2-1');
  await form.locator('input[name=officer]').check();
  await form.locator('input[name=address]').press('Enter');
  await page.waitForURL(`${url}/donors`);
  assert.match(await page.locator('#message').innerText(), /d-browser-1/);
  assert.equal(await page.locator('#name').innerText(), '浜松 次郎');
  step('a donor is registered from the form');

  await page.goto(`${url}/donors`);
  await page.locator('input[name=q]').fill('ﾊﾏﾏﾂ ｼﾞﾛｳ');
  await page.locator('input[name=q]').press('Enter');
  await page.waitForSelector('#hits');
  const hit = page.locator('#hits tr[data-donor="d-browser-1"]');
  assert.equal(await hit.count(), 1, 'found by half-width kana');
  assert.match(await hit.innerText(), /430-0929/);
  await page.screenshot({ path: `${artifacts}/donors-search.png` });
  await hit.locator('a').focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(`${url}/donors/d-browser-1`);
  step('found by ﾊﾏﾏﾂ ｼﾞﾛｳ and opened with the keyboard');

  const edit = page.locator('#edit-details');
  assert.equal(await edit.locator('input[name=name]').inputValue(), '浜松 次郎', 'the form holds the details now');
  await edit.locator('input[name=address]').fill('浜松市中央区元城町103-2');
  await edit.locator('input[name=address]').press('Enter');
  await page.waitForSelector('#message.done');
  assert.equal(await page.locator('#revisions tbody tr').count(), 2);
  assert.match(await page.locator('#revisions tr[data-revision="1"]').innerText(), /中央1-2-1/);
  assert.match(await page.locator('#revisions tr[data-revision="2"]').innerText(), /元城町103-2/);
  await page.screenshot({ path: `${artifacts}/donor-record.png`, fullPage: true });
  step('a change of address is revision 2; revision 1 stays');

  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 1100, `nothing wider than the window: ${width}`);
  await context.addCookies([{ name: 'spiral_lang', value: 'en', url }]);
  await page.reload();
  assert.equal(await page.locator('h2').first().innerText(), 'Changes');
  step('the record reads in English');

  // The reports page links to the public support test, a page of its own printed on A4.
  await page.goto(`${url}/reports`);
  await page.waitForSelector('#app[data-hydrated="true"]');
  await page.locator('#report-pst').click();
  await page.waitForURL(/\/reports\/pst$/);
  await page.waitForSelector('#relative-verdict');
  assert.match(await page.locator('#absolute-verdict').innerText(), /Absolute criterion/);
  await page.emulateMedia({ media: 'print' });
  const printed = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(printed <= 1100, `the PST prints within the page: ${printed}`);
  await page.emulateMedia({ media: 'screen' });
  await page.screenshot({ path: `${artifacts}/pst.png` });
  await page.screenshot({ path: `${artifacts}/pst-whole.png`, fullPage: true });
  step('the public support test opens from the reports page');

  // The table reports, printed: nothing wider than the page.
  // A foundation of the example ledger, which gives restricted grants.
  const partner = 'aozora-fdn';
  for (const [file, path] of [
    ['activity', '/reports/activity?fiscal_year=2023'],
    ['track-record', '/reports/track-record'],
    ['funder', `/reports/funder?partner=${partner}`],
  ]) {
    assert.equal((await page.goto(`${url}${path}`)).status(), 200, path);
    assert.ok(await page.locator('#table-1 tbody tr').count() > 0, `${path} has rows`);
    await page.emulateMedia({ media: 'print' });
    const wide = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(wide[0] <= wide[1], `${path} prints within the page: ${wide}`);
    await page.emulateMedia({ media: 'screen' });
    await page.screenshot({ path: `${artifacts}/${file}.png` });
  }
  step('the 活動計算書, the track record and a funder statement print within the page');
  assert.deepEqual(errors, []);
} finally {
  await browser.close();
}
