// The browser app in Debian's Chromium, driven by playwright-core against a real `spiral serve`
// (started by tests/tests/browser.rs, which passes SPIRAL_URL, SPIRAL_COOKIE and
// SPIRAL_ARTIFACTS). Every expectation is computed from the server's JSON API, not written in:
// the page must agree with the same domain projection run on the server.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';

const url = process.env.SPIRAL_URL;
const cookie = process.env.SPIRAL_COOKIE; // "spiral_session=…"
const artifacts = process.env.SPIRAL_ARTIFACTS;
mkdirSync(artifacts, { recursive: true });

const api = async (path, init = {}) => {
  const response = await fetch(url + path, {
    ...init,
    headers: { cookie, 'content-type': 'application/json', ...(init.headers || {}) },
  });
  const body = await response.text();
  assert.ok(response.ok, `${path}: ${response.status} ${body}`);
  return JSON.parse(body);
};

const step = (name) => console.log(`ok - ${name}`);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const errors = [];

async function open(path, viewport = { width: 1280, height: 1000 }, lang = null) {
  const context = await browser.newContext({ viewport });
  const [name, value] = cookie.split('=');
  const cookies = [{ name, value, url }];
  if (lang) cookies.push({ name: 'spiral_lang', value: lang, url });
  await context.addCookies(cookies);
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`${path}: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${path}: console: ${m.text()}`); });
  await page.goto(url + path);
  await page.waitForSelector('#app[data-hydrated="true"]', { timeout: 60_000 });
  return page;
}

const programIds = (page) =>
  page.$$eval('#programs li[data-program]', (items) => items.map((li) => li.dataset.program).sort());

try {
  // --- the spiral: one mark per activity, as the server's timeline has them ---
  const timeline = await api('/api/timeline');
  const page = await open('/');
  assert.equal(await page.locator('#spiral .mark').count(), timeline.length);
  const positions = await page.$$eval('#spiral .mark', (ms) => ms.map((m) => Number(m.dataset.position)));
  assert.deepEqual(positions, timeline.map((t) => t.position));
  step(`the spiral shows one mark per activity (${timeline.length})`);
  await page.waitForSelector('#live-status.live', { timeout: 15_000 });
  step('the page says it is following the live stream');

  await page.screenshot({ path: `${artifacts}/spiral-desktop.png`, fullPage: false });
  const phone = await open('/', { width: 390, height: 844 });
  assert.equal(await phone.locator('#spiral .mark').count(), timeline.length);
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone`);
  await phone.screenshot({ path: `${artifacts}/spiral-phone.png`, fullPage: false });
  step('screenshots at desktop and phone width');

  // Focus shows what a mark is.
  await page.locator('#spiral .mark').first().focus();
  const kind = await page.locator('#mark-detail strong').innerText();
  assert.ok(kind.length > 0, 'focusing a mark shows what it is');
  step('a focused mark is described');

  // The play button runs through history to today.
  await page.click('#play');
  await page.waitForSelector('#play[aria-pressed="true"]');
  await page.waitForSelector('#play[aria-pressed="false"]', { timeout: 30_000 });
  assert.equal(await page.locator('#spiral .mark').count(), timeline.length);
  await page.click('#playback-now');
  step('the play button plays history through to today');

  // Enter on a focused mark opens its program.
  const markProgram = await page.$eval('#spiral .mark[data-program]', (m) => m.dataset.program);
  const opened = await open('/');
  await opened.locator(`#spiral .mark[data-program="${markProgram}"]`).first().focus();
  await opened.keyboard.press('Enter');
  await opened.waitForURL(`${url}/programs/${encodeURIComponent(markProgram)}`);
  await opened.waitForSelector('#program-name');
  step('Enter on a mark opens its program');

  // The pointer over a mark describes it; a click opens its program (the spiral listens once for
  // all its marks).
  const pointed = await open('/');
  assert.equal(await pointed.locator('#mark-detail strong').count(), 0, 'nothing described yet');
  const mark = pointed.locator(`#spiral .mark[data-program="${markProgram}"]`).first();
  await mark.hover();
  await pointed.waitForSelector('#mark-detail strong');
  await mark.click();
  await pointed.waitForURL(`${url}/programs/${encodeURIComponent(markProgram)}`);
  await pointed.waitForSelector('#program-name');
  step('the pointer over a mark describes it, and a click opens its program');

  // --- live: a command through the API appears without a reload, named as text ---
  const before = Number(await page.getAttribute('#app', 'data-head'));
  const hostile = '<script>window.__pwned=1</script><b>太字</b> & "引用"';
  const recorded = await api('/api/commands', {
    method: 'POST',
    body: JSON.stringify({ command: { Record: { on: '2026-04-01', fact: { ProgramLaunched: {
      program: 'browser-test', name: hostile, pillar: 'SelfInitiated',
      beneficiaries: ['Children'], stage: 2 } } } } }),
  });
  const position = recorded.positions[0];
  assert.ok(position > before);
  await page.waitForSelector(`#spiral .mark[data-position="${position}"]`, { timeout: 15_000 });
  assert.equal(await page.locator(`#spiral .mark[data-position="${position}"].new`).count(), 1);
  assert.equal(await page.getAttribute('#app', 'data-head'), String(position));
  const listed = await page.locator('#programs li[data-program="browser-test"] a').innerText();
  assert.equal(listed, hostile);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator('#programs li[data-program="browser-test"] b').count(), 0);
  step('an event committed through the API appears in the open page, its name as text');

  // --- playback by effective date: 2005年度 hides what began later ---
  const asOf = '2006-03-31';
  const then = await api(`/api/state?as_of=${asOf}`);
  await page.fill('#playback-date', asOf);
  await page.locator('#playback-date').dispatchEvent('change');
  await page.waitForFunction((n) => document.querySelectorAll('#programs li').length === n,
    Object.keys(then.programs).length, { timeout: 10_000 });
  assert.deepEqual(await programIds(page), Object.keys(then.programs).sort());
  const later = Object.values((await api('/api/state')).programs).filter((p) => p.launched_on > asOf);
  assert.ok(later.length > 0, 'the demo has programs that began after 2005年度');
  for (const p of later) assert.ok(!(await programIds(page)).includes(p.id));
  assert.equal(await page.locator('#spiral .mark').count(), then.timeline.length);
  step(`playback to ${asOf} shows ${Object.keys(then.programs).length} programs and hides ${later.length} later ones`);

  // --- playback as recorded by a time: the hostile program was recorded after `before` ---
  await page.click('input[name="playback-mode"][value="recorded"]');
  await page.waitForSelector('#playback-recorded');
  await page.$eval('#playback-recorded', (el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, before);
  await page.waitForFunction(() => !document.querySelector('#programs li[data-program="browser-test"]'),
    null, { timeout: 10_000 });
  const status = await page.locator('#playback-status').innerText();
  assert.ok(status.includes(`#${before}`), status);
  await page.click('#playback-now');
  await page.waitForSelector('#programs li[data-program="browser-test"]');
  step('"as recorded by" an earlier time hides what was recorded after it');

  // --- a program page: commissioners under the names of that year ---
  const partners = await api('/api/partners');
  const byId = new Map(partners.map((p) => [p.id, p]));
  const nameOn = (p, date) => {
    let name = p.names[0].name;
    for (const span of p.names) if (span.from <= date) name = span.name;
    return name;
  };
  const programs = await api('/api/programs');
  let checked = null;
  for (const program of programs) {
    for (const c of program.contracts) {
      for (const id of c.commissioners) {
        const partner = byId.get(id);
        const then = nameOn(partner, `${c.fiscal_year}-04-01`);
        if (then !== partner.names[partner.names.length - 1].name) checked ??= { program, c, then, partner };
      }
    }
  }
  assert.ok(checked, 'the demo has a contract with a department renamed since');
  const programPage = await open(`/programs/${encodeURIComponent(checked.program.id)}`);
  const row = programPage.locator(`#contracts tr[data-fiscal-year="${checked.c.fiscal_year}"]`).first();
  const names = await row.locator('.commissioners').innerText();
  assert.ok(names.includes(checked.then), `${names} should name ${checked.then}`);
  const history = await programPage.locator('#history tbody tr').count();
  assert.ok(history >= 1, 'the program page shows its history');
  step(`a program page names ${checked.partner.id} as "${checked.then}" in ${checked.c.fiscal_year}年度`);

  const partnerPage = await open(`/partners/${encodeURIComponent(checked.partner.id)}`);
  assert.equal(await partnerPage.locator('#names li').count(), checked.partner.names.length);
  assert.ok((await partnerPage.locator('#names').innerText()).includes(checked.then));
  assert.ok(await partnerPage.locator('#commissioned tbody tr').count() >= 1);
  step(`the partner page lists ${checked.partner.id}'s ${checked.partner.names.length} names and what it commissioned`);

  // --- the programs list and its filters ---
  const list = await open('/programs');
  assert.equal(await list.locator('#program-table tbody tr').count(), programs.length);
  const pillar = programs[0].pillar;
  await list.selectOption('#filter-pillar', pillar);
  const expected = programs.filter((p) => p.pillar === pillar).length;
  await list.waitForFunction((n) => document.querySelectorAll('#program-table tbody tr').length === n, expected);
  await list.selectOption('#filter-status', 'ended');
  const ended = programs.filter((p) => p.pillar === pillar && p.concluded_on).length;
  await list.waitForFunction((n) => document.querySelectorAll('#program-table tbody tr[data-program]').length === n, ended);
  step(`the programs list filters by pillar (${expected} of ${programs.length}) and status (${ended} ended)`);

  const hostilePage = await open('/programs/browser-test');
  assert.equal(await hostilePage.locator('#program-name').innerText(), hostile);
  assert.equal(await hostilePage.evaluate(() => window.__pwned), undefined);
  step('a program page shows a name with markup as text');

  // --- the English switch ---
  await page.click('#lang-switch');
  await page.waitForURL(url + '/');
  await page.waitForSelector('#app[data-hydrated="true"][data-lang="en"]', { timeout: 60_000 });
  assert.equal(await page.locator('nav a[href="/programs"]').innerText(), 'Programs');
  assert.equal(await page.locator('h1').innerText(), 'The spiral of activities');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  step('the English switch changes the labels');

  assert.deepEqual(errors, [], 'no script errors (hydration included)');
  step('no script errors');
} finally {
  await browser.close();
}
