// The funding report page in Debian's Chromium, checked against GET /api/reports/funding (the
// same domain computation on the server). tests/tests/browser.rs passes SPIRAL_URL,
// SPIRAL_STAFF, SPIRAL_REPORTER and SPIRAL_ARTIFACTS.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';

const url = process.env.SPIRAL_URL;
const cookies = { staff: process.env.SPIRAL_STAFF, reporter: process.env.SPIRAL_REPORTER };
const artifacts = process.env.SPIRAL_ARTIFACTS;
mkdirSync(artifacts, { recursive: true });
const step = (name) => console.log(`ok - ${name}`);
const yen = (n) => `¥${Number(n).toLocaleString('en-US')}`;

const api = async (path, who = 'staff', body = null) => {
  const response = await fetch(url + path, {
    method: body ? 'POST' : 'GET',
    headers: { cookie: cookies[who], 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json();
  assert.ok(response.ok, `${path}: ${JSON.stringify(json)}`);
  return json;
};
const record = (on, fact) => api('/api/commands', 'staff', { command: { Record: { on, fact } } });

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const errors = [];

try {
  // Money in 2015年度: a grant, a commission fee and an anonymous donation.
  const partners = await api('/api/partners');
  const department = partners.find((p) => p.kind === 'Department' && !p.merged_into);
  await record('2015-04-01', { PartnerRegistered: { partner: 'report-foundation', name: 'テスト財団', kind: 'Foundation', parent: null } });
  const money = [
    { receipt: 'r-grant', kind: 'Grant', payer: { Partner: 'report-foundation' }, amount: 500000 },
    { receipt: 'r-commission', kind: 'CommissionFee', payer: { Partner: department.id }, amount: 1200000 },
    { receipt: 'r-gift', kind: 'Donation', payer: 'Anonymous', amount: 30000 },
  ];
  for (const m of money) {
    await record('2015-06-01', { FundsReceived: { ...m, fiscal_year: 2015, program: null, restricted: false } });
  }
  const expected = await api('/api/reports/funding?from=2015&to=2015', 'reporter');

  const context = await browser.newContext({ viewport: { width: 1200, height: 1000 } });
  const [name, value] = cookies.reporter.split('=');
  await context.addCookies([{ name, value, url }]);
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  // Opened without years, the page starts on the last closed fiscal year with money (2015年度
  // here), and its address says so, for a bookmark.
  await page.goto(url + '/reports');
  await page.waitForSelector('#app[data-hydrated="true"]', { timeout: 60_000 });
  assert.equal(await page.inputValue('#report-from'), '2015');
  await page.waitForFunction(() => location.search === '?from=2015&to=2015');
  step('without years the page opens on the last closed year with money, and puts it in its address');
  await page.fill('#report-from', '2014');
  await page.locator('#report-from').dispatchEvent('change');
  await page.waitForFunction(() => location.search === '?from=2014&to=2015');
  await page.fill('#report-from', '2015');
  await page.locator('#report-from').dispatchEvent('change');
  await page.fill('#report-to', '2015');
  await page.locator('#report-to').dispatchEvent('change');
  await page.waitForFunction((t) => document.querySelector('#report-total')?.textContent === t, yen(expected.total));
  for (const line of expected.years[0].by_category) {
    const cell = await page.locator(`#by-category td[data-category="${line.key}"][data-year="2015"]`).innerText();
    assert.equal(cell, yen(line.amount), line.key);
  }
  assert.equal(await page.locator('#commissioners tbody tr').count(), expected.commissioners.length);
  step(`the report for 2015年度 shows the API's figures (total ${yen(expected.total)}, ${expected.commissioners.length} commissioners)`);

  // Drill-down from a figure to the events behind it.
  const grants = expected.years[0].by_category.find((l) => l.key === 'GrantsAndSubsidies');
  await page.click('#by-category td[data-category="GrantsAndSubsidies"] button');
  await page.waitForSelector('#drill-down');
  const shown = await page.$$eval('#drill-down tbody tr', (rows) => rows.map((r) => Number(r.dataset.position)));
  assert.deepEqual(shown, [...grants.positions].sort((a, b) => a - b));
  assert.equal(await page.locator('#charts, .charts svg').count() >= 2, true);
  step(`a figure opens the ${shown.length} event(s) behind it`);

  // The same report as an Excel workbook, from the page's button.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#report-xlsx')]);
  assert.equal(download.suggestedFilename(), 'funding-2015-2015.xlsx');
  const { readFileSync } = await import('node:fs');
  const bytes = readFileSync(await download.path());
  assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'an xlsx workbook is a zip file');
  step(`the Excel button downloads ${download.suggestedFilename()} (${bytes.length} bytes)`);

  // The print view fits A4: no menu, nothing wider than the page.
  await page.emulateMedia({ media: 'print' });
  await page.setViewportSize({ width: 718, height: 1000 });
  assert.equal(await page.locator('header.top').isVisible(), false);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the print view is ${overflow}px wider than A4`);
  await page.pdf({ path: `${artifacts}/report-a4.pdf`, format: 'A4', printBackground: true });
  await page.emulateMedia({ media: 'screen' });
  await page.setViewportSize({ width: 1200, height: 1000 });
  await page.screenshot({ path: `${artifacts}/report.png`, fullPage: true });
  step('the print view fits A4 (report-a4.pdf)');

  // A report's address opens the same report: years and grouping from the address, figures
  // rendered by the server before the page is live.
  const sent = await context.newPage();
  sent.on('pageerror', (e) => errors.push(e.message));
  await sent.goto(url + '/reports?from=2015&to=2015&successor=1');
  assert.equal(await sent.locator('#report-total').innerText(), yen(expected.total), 'server-rendered');
  await sent.waitForSelector('#app[data-hydrated="true"]', { timeout: 60_000 });
  assert.equal(await sent.inputValue('#report-to'), '2015');
  assert.equal(await sent.isChecked('#report-successor'), true);
  assert.equal(await sent.locator('#report-total').innerText(), yen(expected.total));
  step('an address with years and grouping opens that report, rendered by the server and live');

  // In English, every rule in English.
  await page.goto(url + '/lang/en?next=%2Freports%3Ffrom%3D2015%26to%3D2015');
  await page.waitForSelector('#app[data-hydrated="true"][data-lang="en"]');
  assert.equal(await page.locator('h1').innerText(), 'Funding reports by fiscal year');
  const rules = await page.$$eval('ul.rules li', (items) => items.map((li) => li.textContent));
  assert.equal(rules.length, 3, rules.join(' / '));
  for (const rule of rules) {
    assert.ok(!/^[\u3000-\u9fff]/.test(rule), `a rule in Japanese on the English page: ${rule}`);
  }
  step('the report page switches to English, its rules too');

  assert.deepEqual(errors, [], 'no script errors');
} finally {
  await browser.close();
}
