// The 寄附者名簿 printed from Debian's Chromium: /print/donors against GET /api/reports/donors
// (the same register), then printed to PDF on A4 with nothing wider than the page; and the
// year's 受領証明書 (/print/receipts) against GET /api/certificates, one per A4 page. Both
// refused to an auditor. tests/tests/browser.rs passes SPIRAL_URL, SPIRAL_REPORTER, SPIRAL_AUDITOR,
// SPIRAL_FY, SPIRAL_LONG_NAME and SPIRAL_ARTIFACTS.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';

const url = process.env.SPIRAL_URL;
const fy = process.env.SPIRAL_FY;
const artifacts = process.env.SPIRAL_ARTIFACTS;
mkdirSync(artifacts, { recursive: true });
const step = (name) => console.log(`ok - ${name}`);
const yen = (n) => `¥${Number(n).toLocaleString('en-US')}`;

const response = await fetch(`${url}/api/reports/donors?fiscal_year=${fy}`, {
  headers: { cookie: process.env.SPIRAL_REPORTER },
});
const body = await response.text();
assert.ok(response.ok, body);
const register = JSON.parse(body);
assert.ok(register.lines.length > 0, 'the year has gifts');

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const errors = [];
const open = async (cookie, watch = true) => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const [name, value] = cookie.split(';')[0].split('=');
  await context.addCookies([{ name, value, url }]);
  const page = await context.newPage();
  if (watch) {
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  }
  return page;
};

try {
  const page = await open(process.env.SPIRAL_REPORTER);
  const shown = await page.goto(`${url}/print/donors?fiscal_year=${fy}`);
  assert.equal(shown.status(), 200);
  const rows = page.locator('#register tbody tr');
  assert.equal(await rows.count(), register.lines.length, 'a row per gift');
  assert.equal(await page.locator('#register-total').innerText(), yen(register.total));
  const named = register.lines.filter((l) => l.giver.kind === 'donor' && l.giver.listed.status === 'known');
  assert.ok(named.length > 0, 'some donors are listed by name');
  const first = named[0];
  const row = rows.nth(register.lines.indexOf(first));
  assert.equal(await row.locator('td').nth(2).innerText(), first.giver.listed.name);
  assert.equal(await row.locator('td').nth(3).innerText(), first.giver.listed.address);
  assert.equal(await row.locator('td').nth(4).innerText(), yen(first.amount));
  await page.screenshot({ path: `${artifacts}/register.png`, fullPage: false });
  assert.ok((await page.locator('#organisation').innerText()).includes(process.env.SPIRAL_NPO), 'the NPO heads the register');
  step(`the register of ${fy}年度 lists ${register.lines.length} gifts, ${yen(register.total)}, as the API does`);

  // Printed on A4: nothing wider than the page, the longest name and address wrapped inside it.
  await page.emulateMedia({ media: 'print' });
  await page.setViewportSize({ width: 718, height: 1000 });
  assert.equal(await page.locator('.hint').isVisible(), false, 'the hint is not printed');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the print view is ${overflow}px wider than A4`);
  const long = page.locator('#register td', { hasText: process.env.SPIRAL_LONG_NAME });
  const box = await long.first().boundingBox();
  assert.ok(box && box.x + box.width <= 718, `the long name runs off the page: ${JSON.stringify(box)}`);
  await page.screenshot({ path: `${artifacts}/register-print.png`, fullPage: false });
  const pdf = `${artifacts}/register-a4.pdf`;
  await page.pdf({ path: pdf, format: 'A4', printBackground: true, preferCSSPageSize: true });
  const bytes = readFileSync(pdf).toString('latin1');
  const pages = (bytes.match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.ok(pages >= 1, 'the PDF has pages');
  const [w, h] = (bytes.match(/\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/) || []).slice(1).map(Number);
  assert.ok(Math.abs(w - 595.92) < 2 && Math.abs(h - 842.88) < 2, `A4 portrait pages (${w} × ${h} pt)`);
  step(`printed to PDF: ${pages} A4 pages, nothing wider than the page (register-a4.pdf)`);

  // The desk: calendar 2024's 受領証明書 issued from the browser by the reporter (the example's
  // own donors have no details to address one to: skipped, and said so).
  const desk = await open(process.env.SPIRAL_REPORTER);
  assert.equal((await desk.goto(`${url}/receipts?calendar_year=2024`)).status(), 200);
  await Promise.all([desk.waitForNavigation(), desk.locator('#issue-year').click()]);
  const issuedText = await desk.locator('#message').innerText();
  assert.ok(issuedText.includes('2件発行') && issuedText.includes('発行できない寄附者'), issuedText);
  assert.equal(await desk.locator('#certificates tbody tr').count(), 2, 'two certificates listed');
  await Promise.all([desk.waitForNavigation(), desk.locator('#issue-year').click()]);
  assert.ok((await desk.locator('#message').innerText()).includes('すべて発行済み'), 'issued once only');
  await desk.screenshot({ path: `${artifacts}/receipts-desk.png`, fullPage: false });
  step('the reporter issued the year\'s receipts from the desk, once');

  // The 受領証明書 of calendar 2024, as GET /api/certificates lists them: one per A4 page.
  const listed = await fetch(`${url}/api/certificates?calendar_year=2024`, {
    headers: { cookie: process.env.SPIRAL_REPORTER },
  });
  assert.ok(listed.ok, await listed.clone().text());
  const standing = (await listed.json()).filter((i) => i.voided === null);
  assert.ok(standing.length >= 2, `certificates were issued: ${standing.length}`);
  const receipts = await open(process.env.SPIRAL_REPORTER);
  assert.equal((await receipts.goto(`${url}/print/receipts?calendar_year=2024`)).status(), 200);
  assert.equal(await receipts.locator('.sheet').count(), standing.length, 'a sheet per certificate');
  for (const issued of standing) {
    const sheet = receipts.locator(`#certificate-${issued.certificate.number}`);
    assert.equal(await sheet.locator('.total').innerText(), yen(issued.certificate.total));
    assert.ok((await sheet.innerText()).includes(process.env.SPIRAL_NPO), 'the NPO issues it');
  }
  await receipts.screenshot({ path: `${artifacts}/receipt.png`, fullPage: false });
  await receipts.emulateMedia({ media: 'print' });
  await receipts.setViewportSize({ width: 718, height: 1000 });
  const wider = await receipts.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wider <= 0, `the certificates are ${wider}px wider than A4`);
  const longOne = receipts.locator('.sheet .addressee', { hasText: process.env.SPIRAL_LONG_NAME });
  const longBox = await longOne.first().boundingBox();
  assert.ok(longBox && longBox.x + longBox.width <= 718, `the long name runs off the page: ${JSON.stringify(longBox)}`);
  const receiptsPdf = `${artifacts}/receipts-a4.pdf`;
  await receipts.pdf({ path: receiptsPdf, format: 'A4', printBackground: true, preferCSSPageSize: true });
  const printed = readFileSync(receiptsPdf).toString('latin1');
  const sheets = (printed.match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.equal(sheets, standing.length, 'one A4 page per certificate');
  step(`the receipts of 2024: ${standing.length} certificates on ${sheets} A4 pages (receipts-a4.pdf)`);

  // Voided from the desk, with its reason: the list says so.
  const voided = standing[0].certificate.number;
  await desk.goto(`${url}/receipts?calendar_year=2024`);
  const line = desk.locator(`#line-${voided}`);
  await line.locator('input[name=reason]').fill('住所の誤り');
  await Promise.all([desk.waitForNavigation(), line.locator('button[value=void]').click()]);
  assert.ok((await desk.locator('#message').innerText()).includes(`${voided} を無効にしました`));
  assert.ok((await desk.locator(`#line-${voided}`).innerText()).includes('住所の誤り'));
  step(`${voided} voided from the desk`);
  const other = standing[1].certificate;
  await desk.goto(`${url}/receipts?calendar_year=2024&donor=${other.donor}`);
  assert.equal(await desk.locator('#certificates tbody tr').count(), 1, 'narrowed to one donor');
  assert.equal(await desk.locator(`#line-${other.number}`).count(), 1);

  // An auditor sees pseudonyms only: the register is refused.
  // (The browser logs the 403 of the page load itself: not an error of the page.)
  const auditor = await open(process.env.SPIRAL_AUDITOR, false);
  const refused = await auditor.goto(`${url}/print/donors?fiscal_year=${fy}`);
  assert.equal(refused.status(), 403);
  assert.ok((await auditor.content()).includes('報告担当とスタッフ'));
  assert.equal((await auditor.goto(`${url}/print/receipts?calendar_year=2024`)).status(), 403);
  assert.equal((await auditor.goto(`${url}/receipts?calendar_year=2024`)).status(), 403);
  step('an auditor is refused the register and the receipts');

  assert.deepEqual(errors, [], 'no page errors');
} finally {
  await browser.close();
}
