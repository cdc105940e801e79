// Recording through the browser's forms, in Debian's Chromium (tests/tests/browser.rs starts the
// server and passes SPIRAL_URL and a session cookie per role: SPIRAL_STAFF, SPIRAL_AUDITOR,
// SPIRAL_REPORTER). Prints "EVENTS=N" at the end: the ledger's size, which the Rust side checks
// against `spiral export`.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

const url = process.env.SPIRAL_URL;
const cookies = { staff: process.env.SPIRAL_STAFF, auditor: process.env.SPIRAL_AUDITOR, reporter: process.env.SPIRAL_REPORTER };
const step = (name) => console.log(`ok - ${name}`);

const api = async (path, who = 'staff', init = {}) => {
  const response = await fetch(url + path, {
    ...init,
    headers: { cookie: cookies[who], 'content-type': 'application/json', ...(init.headers || {}) },
  });
  return { status: response.status, body: await response.json().catch(() => null) };
};
const size = async () => (await api('/api/health')).body.events;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const errors = [];

async function open(who, path) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 1000 } });
  const [name, value] = cookies[who].split('=');
  await context.addCookies([{ name, value, url }]);
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`${who} ${path}: ${e.message}`));
  await page.goto(url + path);
  await page.waitForSelector('#app[data-hydrated="true"]', { timeout: 60_000 });
  return page;
}

try {
  // A program still running, a fiscal year it has no contract for yet, a department not merged away.
  const programs = (await api('/api/programs')).body;
  const partners = (await api('/api/partners')).body;
  const program = programs.find((p) => !p.concluded_on && p.contracts.length > 0);
  assert.ok(program, 'the demo has a running program with contracts');
  const department = partners.find((p) => p.kind === 'Department' && !p.merged_into);
  const year = Math.max(...program.contracts.map((c) => c.fiscal_year)) + 1;

  // --- roles: an auditor and a reporter see no record forms, and their POST is refused ---
  for (const who of ['auditor', 'reporter']) {
    const page = await open(who, '/');
    assert.equal(await page.locator('nav a[href="/record"]').count(), 0, `${who} has no record menu`);
    const record = await open(who, '/record');
    assert.equal(await record.locator('#record-form').count(), 0, `${who} sees no form`);
    const refused = await api('/api/commands', who, { method: 'POST', body: JSON.stringify({ command: { Record: {
      on: '2026-04-01', fact: { ProgramConcluded: { program: program.id } } } } }) });
    assert.equal(refused.status, 403, `${who}'s POST is refused`);
  }
  step('an auditor and a reporter see no record forms and their direct POST is refused');

  // --- a staff member records a contract with the keyboard alone; an open auditor page shows it ---
  const watcher = await open('auditor', '/');
  const before = await size();
  const staff = await open('staff', '/record');
  assert.equal(await staff.locator('nav a[href="/record"]').count(), 1);
  // Tab (and nothing else) moves from control to control; type into the ones to fill.
  const tabTo = async (id) => {
    for (let i = 0; i < 12 && await staff.evaluate(() => document.activeElement.id) !== id; i++) {
      await staff.keyboard.press('Tab');
    }
    assert.equal(await staff.evaluate(() => document.activeElement.id), id);
  };
  await staff.focus('#f-event-kind');               // the kind: 受託 (ContractAwarded) is first
  await tabTo('f-program');                   // past the effective date: today, as filled in
  await staff.keyboard.type(program.id);
  await tabTo('f-fiscal_year');
  await staff.keyboard.type(String(year));
  await tabTo('f-commissioners-1');
  await staff.keyboard.type(department.id);
  await tabTo('f-scheme');
  await staff.keyboard.type('委託');
  await tabTo('f-amount');
  await staff.keyboard.type('1,200,000');
  await staff.keyboard.press('Enter');        // submits the form
  await staff.waitForSelector('#record-status.success', { timeout: 15_000 }).catch(async (e) => {
    console.log(await staff.locator('main').innerText());
    console.log(JSON.stringify(await staff.$$eval('#record-form input, #record-form select',
      (xs) => xs.map((x) => [x.id, x.value]))));
    throw e;
  });
  const status = await staff.locator('#record-status').innerText();
  const position = Number(/#(\d+)/.exec(status)[1]);
  assert.equal(position, before + 1);
  await watcher.waitForSelector(`#spiral .mark[data-position="${position}"]`, { timeout: 15_000 });
  step(`a contract recorded with the keyboard (#${position}) appears in an open auditor page`);

  // --- the same contract again breaks a rule: the error shows by the field, nothing is recorded ---
  await staff.fill('#f-fiscal_year', String(year));
  await staff.fill('#f-commissioners-1', department.id);
  await staff.locator('#f-fiscal_year').dispatchEvent('input');
  await staff.waitForSelector('#err-fiscal_year:not(:empty)', { timeout: 10_000 });
  const message = await staff.locator('#err-fiscal_year').innerText();
  assert.ok(message.includes(String(year)), message);
  await staff.click('#record-submit');
  await staff.waitForTimeout(500);
  assert.equal(await size(), before + 1, 'nothing more was recorded');
  step(`a duplicate contract shows "${message}" next to the fiscal year and records nothing`);

  // --- correct the contract from the program's history, with a reason ---
  const programPage = await open('staff', `/programs/${encodeURIComponent(program.id)}`);
  await programPage.locator(`#history tr[data-position="${position}"] a.amend`).first().click();
  await programPage.waitForSelector('#app[data-hydrated="true"][data-page="record"]', { timeout: 60_000 });
  assert.equal(await programPage.inputValue('#f-fiscal_year'), String(year), 'the form starts from the fact');
  await programPage.fill('#f-amount', '1300000');
  await programPage.click('#record-submit');
  await programPage.waitForSelector('#err-reason:not(:empty)');
  await programPage.fill('#f-reason', '契約書の金額の転記誤り');
  await programPage.click('#record-submit');
  await programPage.waitForSelector('#record-status.success', { timeout: 15_000 });
  const history = await open('auditor', `/programs/${encodeURIComponent(program.id)}`);
  const last = history.locator('#history tbody tr').last();
  const text = await last.innerText();
  assert.ok(text.includes('契約書の金額の転記誤り') && text.includes('訂正'), text);
  const row = history.locator(`#contracts tr[data-fiscal-year="${year}"]`);
  assert.ok((await row.innerText()).includes('¥1,300,000'));
  step('a correction with its reason shows in the program history, and the contract shows the new amount');

  // --- a new partner registered from inside the contract form, then picked there ---
  const inline = await open('staff', '/record');
  await inline.click('[data-field="commissioners"] .new-partner summary');
  await inline.fill('#np-commissioners-partner', 'browser-new-dept');
  await inline.fill('#np-commissioners-name', '新設推進課');
  await inline.selectOption('#np-commissioners-kind', 'Department');
  await inline.click('[data-field="commissioners"] .new-partner .register');
  await inline.waitForFunction(() => document.querySelector('#f-commissioners-1').value === 'browser-new-dept',
    null, { timeout: 15_000 });
  const registered = (await api('/api/partners')).body.find((p) => p.id === 'browser-new-dept');
  assert.equal(registered?.names[0].name, '新設推進課');
  step('a partner registered from inside a form is recorded and picked in the form');

  // --- every form can be reached and filled with the keyboard: native controls, none skipped ---
  const kinds = await inline.$$eval('#f-event-kind option', (os) => os.map((o) => o.value));
  for (const kind of kinds) {
    await inline.selectOption('#f-event-kind', kind);
    const unreachable = await inline.$$eval('#record-form input, #record-form select, #record-form textarea, #record-form button, #record-form summary',
      (xs) => xs.filter((x) => x.tabIndex < 0 || x.disabled).map((x) => x.id || x.name || x.tagName));
    assert.deepEqual(unreachable, [], `${kind}: controls out of the keyboard's reach`);
    const unlabelled = await inline.$$eval('#record-form input:not([type=hidden]), #record-form select',
      (xs) => xs.filter((x) => !(x.labels && x.labels.length) && !x.getAttribute('aria-label')).map((x) => x.id || x.name));
    assert.deepEqual(unlabelled, [], `${kind}: controls without a label`);
  }
  step(`all ${kinds.length} kinds of form have only keyboard-reachable, labelled controls`);

  // --- two pages edit the same program: the second gets the conflict and keeps its input ---
  const first = await open('staff', '/record');
  const second = await open('staff', '/record');
  for (const [page, fy] of [[first, year + 1], [second, year + 2]]) {
    await page.fill('#f-program', program.id);
    await page.fill('#f-fiscal_year', String(fy));
    await page.fill('#f-commissioners-1', department.id);
    await page.locator('#f-commissioners-1').dispatchEvent('input');
  }
  await first.click('#record-submit');
  await first.waitForSelector('#record-status.success', { timeout: 15_000 });
  await second.click('#record-submit');
  await second.waitForSelector('#record-status.error #retry', { timeout: 15_000 });
  assert.equal(await second.inputValue('#f-fiscal_year'), String(year + 2), 'the input is kept');
  await second.click('#retry');
  await second.waitForSelector('#record-status.success', { timeout: 15_000 });
  step('the second of two pages gets the conflict, keeps its input, and records after retrying');

  // --- a draft survives a reload ---
  const drafting = await open('staff', '/record');
  await drafting.selectOption('#f-event-kind', 'RoundtableHeld');
  await drafting.fill('#f-title', '下書きの円卓会議');
  await drafting.locator('#f-title').dispatchEvent('input');
  await drafting.reload();
  await drafting.waitForSelector('#app[data-hydrated="true"]');
  await drafting.waitForFunction(() => document.querySelector('#f-title')?.value === '下書きの円卓会議');
  assert.equal(await drafting.inputValue('#f-event-kind'), 'RoundtableHeld');
  step('a half-filled form survives a reload');

  // --- a lost connection keeps the input and says so ---
  await drafting.fill('#f-activity', 'offline-roundtable');
  await drafting.fill('#f-participants-Npo', '4');
  await drafting.locator('#f-participants-Npo').dispatchEvent('input');
  const sizeBefore = await size();
  await drafting.context().setOffline(true);
  await drafting.click('#record-submit');
  await drafting.waitForSelector('#record-status.error', { timeout: 15_000 });
  assert.ok((await drafting.locator('#record-status').innerText()).includes('入力内容は保持されています'));
  assert.equal(await drafting.inputValue('#f-title'), '下書きの円卓会議');
  await drafting.context().setOffline(false);
  assert.equal(await size(), sizeBefore);
  await drafting.click('#record-submit');
  await drafting.waitForSelector('#record-status.success', { timeout: 15_000 });
  step('a submit without a connection says so and keeps the input; it records once the connection is back');

  // --- the reply is lost after the server stored the command: sending again stores it once ---
  const lost = await open('staff', '/record');
  await lost.selectOption('#f-event-kind', 'RoundtableHeld');
  await lost.fill('#f-activity', 'lost-reply-roundtable');
  await lost.fill('#f-title', '返信が届かなかった円卓会議');
  await lost.fill('#f-participants-Npo', '3');
  await lost.locator('#f-participants-Npo').dispatchEvent('input');
  const beforeLost = await size();
  await lost.route('**/api/commands', async (route) => {
    await route.fetch();
    await route.abort('connectionreset');
  }, { times: 1 });
  await lost.click('#record-submit');
  await lost.waitForSelector('#record-status.error', { timeout: 15_000 });
  assert.equal(await size(), beforeLost + 1, 'the server stored it; the page never heard');
  await lost.click('#record-submit');
  await lost.waitForSelector('#record-status.success', { timeout: 15_000 });
  assert.equal(await size(), beforeLost + 1, 'sent again under the same id, it is stored once');
  step('a command whose reply was lost, sent again, is stored exactly once (Idempotency-Key)');

  // --- drafts are per person and end with the session ---
  const mine = await open('staff', '/record');
  await mine.selectOption('#f-event-kind', 'RoundtableHeld');
  await mine.fill('#f-title', 'サインアウト前の下書き');
  await mine.locator('#f-title').dispatchEvent('input');
  const drafts = () => mine.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('spiral-draft:')));
  const kept = await drafts();
  assert.ok(kept.length > 0 && kept.every((k) => k.startsWith('spiral-draft:hanako:')), `drafts are the person's: ${kept}`);
  await mine.click('form[action="/logout"] button');
  await mine.waitForURL(/\/login/);
  assert.deepEqual(await drafts(), [], 'signing out leaves no draft behind');
  step('drafts are kept per person and removed at sign-out');

  assert.deepEqual(errors, [], 'no script errors');
  console.log(`EVENTS=${await size()}`);
} finally {
  await browser.close();
}
