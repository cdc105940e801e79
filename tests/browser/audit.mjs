// The auditor's log view in Debian's Chromium: filters against the API's log, corrections with
// their reasons arriving live, and the page closed to other roles. tests/tests/browser.rs passes
// SPIRAL_URL, SPIRAL_STAFF, SPIRAL_AUDITOR and SPIRAL_REPORTER.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

const url = process.env.SPIRAL_URL;
const cookies = { staff: process.env.SPIRAL_STAFF, auditor: process.env.SPIRAL_AUDITOR, reporter: process.env.SPIRAL_REPORTER };
const step = (name) => console.log(`ok - ${name}`);
const api = async (path, who, body = null) => {
  const response = await fetch(url + path, {
    method: body ? 'POST' : 'GET',
    headers: { cookie: cookies[who], 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json();
  assert.ok(response.ok, `${path}: ${JSON.stringify(json)}`);
  return json;
};

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const errors = [];
async function open(who, path) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 1000 } });
  const [name, value] = cookies[who].split('=');
  await context.addCookies([{ name, value, url }]);
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`${who}: ${e.message}`));
  await page.goto(url + path);
  await page.waitForSelector('#app[data-hydrated="true"]', { timeout: 60_000 });
  return page;
}

try {
  const log = await api('/api/events?limit=100000', 'auditor');
  const page = await open('auditor', '/audit');
  assert.equal(await page.locator('nav a[href="/audit"]').count(), 1);
  assert.equal(await page.locator('#audit-log tbody tr').count(), Math.min(log.length, 500));
  assert.ok((await page.locator('#audit-count').innerText()).startsWith(`${log.length}件`));
  step(`the audit log lists all ${log.length} events`);

  const contracts = log.filter((e) => e.type === 'ContractAwarded');
  await page.selectOption('#audit-kind', 'ContractAwarded');
  await page.waitForFunction((n) => document.querySelectorAll('#audit-log tbody tr').length === n, contracts.length);
  const stream = contracts[0].stream;
  await page.fill('#audit-subject', stream);
  await page.locator('#audit-subject').dispatchEvent('change');
  const inStream = contracts.filter((e) => e.stream === stream).length;
  await page.waitForFunction((n) => document.querySelectorAll('#audit-log tbody tr').length === n, inStream);
  await page.fill('#audit-recorded-from', '2999-01-01');
  await page.locator('#audit-recorded-from').dispatchEvent('change');
  await page.waitForFunction(() => document.querySelectorAll('#audit-log tbody tr').length === 0);
  step(`filters by type (${contracts.length} ContractAwarded), subject (${inStream} in ${stream}) and recorded date`);

  // A correction recorded by staff shows, with its reason beside what it corrected, without a reload.
  const target = contracts[0];
  const fact = target.payload.fact;
  fact.ContractAwarded.contract.scheme = '訂正後の制度';
  await api('/api/commands', 'staff', { command: { Correct: {
    stream: target.stream, target: target.sequence, on: target.payload.on, fact, reason: '委託契約書との照合で制度名を訂正' } } });
  await page.waitForSelector('#amendments tbody tr', { timeout: 15_000 });
  const row = await page.locator('#amendments tbody tr').last().innerText();
  assert.ok(row.includes('委託契約書との照合で制度名を訂正') && row.includes(`${target.stream} #${target.sequence}`), row);
  assert.ok(row.includes('hanako'), row);
  step('a correction appears live with its reason beside the record it corrected');

  const reporter = await open('reporter', '/audit');
  assert.equal(await reporter.locator('#audit-log').count(), 0);
  assert.equal(await reporter.locator('nav a[href="/audit"]').count(), 0);
  step('other roles get no audit page');

  assert.deepEqual(errors, [], 'no script errors');
} finally {
  await browser.close();
}
