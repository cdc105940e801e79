// Screenshots of the server-rendered desks on a ledger at size (not a test: it looks, so that a
// person can judge what staff see). scripts/screenshots-at-size.sh passes SPIRAL_URL,
// SPIRAL_COOKIE (staff), SPIRAL_ARTIFACTS, SPIRAL_QUERY (a vague word of many addresses),
// SPIRAL_DONOR (a donor with gifts) and SPIRAL_FY.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';

const url = process.env.SPIRAL_URL;
const artifacts = process.env.SPIRAL_ARTIFACTS;
mkdirSync(artifacts, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const [name, value] = process.env.SPIRAL_COOKIE.split(';')[0].split('=');
  await context.addCookies([{ name, value, url }]);
  const page = await context.newPage();
  const shots = [
    ['donors-search', `/donors?q=${encodeURIComponent(process.env.SPIRAL_QUERY)}`, false],
    ['donor-record', `/donors/${process.env.SPIRAL_DONOR}`, true],
    ['receipts-desk', `/receipts?calendar_year=${process.env.SPIRAL_FY}`, false],
    ['organisation', '/organisation', true],
    ['register', `/print/donors?fiscal_year=${process.env.SPIRAL_FY}`, false],
    // The reporter's desk: the PST with both choices about members' dues and names asked for,
    // its last register page, the 活動計算書, the track record and one commissioner's statement.
    ['pst', `/reports/pst?period=${process.env.SPIRAL_FY - 4}-${process.env.SPIRAL_FY}&supporting_dues_as_donations=true&add_member_dues=true&names=1`, true],
    ['pst-register-last', `/reports/pst?period=${process.env.SPIRAL_FY - 4}-${process.env.SPIRAL_FY}&register_page=99#register-block`, false],
    ['activity', `/reports/activity?fiscal_year=${process.env.SPIRAL_FY}`, true],
    ['track-record', '/reports/track-record', false],
    ['funder', '/reports/funder?partner=minato-civic', false],
  ];
  for (const [file, path, full] of shots) {
    const started = Date.now();
    const shown = await page.goto(`${url}${path}`);
    assert.equal(shown.status(), 200, path);
    const ms = Date.now() - started;
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    const bytes = (await shown.body()).length;
    await page.screenshot({ path: `${artifacts}/${file}.png`, fullPage: full });
    console.log(`${path}: ${ms} ms, ${bytes} bytes of HTML, ${width}px wide -> ${file}.png`);
  }
} finally {
  await browser.close();
}
