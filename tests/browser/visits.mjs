// Visits as a person makes them, in Debian's Chromium with a profile kept on disk between runs
// (SPIRAL_PROFILE), so the browser's HTTP cache lives on as it would between two days' work.
// tests/tests/browser.rs runs this script three times against a server whose log is cut into
// chunks of 50 events:
//
//   PHASE=first     first visit; moving between pages without the log again; a reload after a new
//                   event fetches only the tail; two tabs stay consistent; sign-out clears the copy
//   PHASE=again     the browser reopened on the same ledger: the chunks come from disk
//   PHASE=replaced  the server now holds another ledger at the same address: nothing cached is
//                   used, and the page shows the new ledger
//
// Every expectation is computed from the server's JSON API.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';

const url = process.env.SPIRAL_URL;
const user = process.env.SPIRAL_USER;
const password = process.env.SPIRAL_PASSWORD;
const phase = process.env.PHASE;
const artifacts = process.env.SPIRAL_ARTIFACTS;
mkdirSync(artifacts, { recursive: true });
const step = (name) => console.log(`ok - ${phase}: ${name}`);

const context = await chromium.launchPersistentContext(process.env.SPIRAL_PROFILE, {
  executablePath: '/usr/bin/chromium',
  viewport: { width: 1280, height: 900 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const errors = [];

// The API as the signed-in browser profile (its cookies).
const api = async (path, init = {}) => {
  const cookies = await context.cookies(url);
  const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const response = await fetch(url + path, {
    ...init,
    headers: { cookie, origin: url, 'content-type': 'application/json', ...(init.headers || {}) },
  });
  const body = await response.text();
  assert.ok(response.ok, `${path}: ${response.status} ${body}`);
  return JSON.parse(body);
};

// Every request a page makes, with whether the browser's cache answered it (CDP).
async function watch(page) {
  const client = await context.newCDPSession(page);
  await client.send('Network.enable');
  const seen = new Map();
  client.on('Network.requestWillBeSent', (e) => seen.set(e.requestId, { url: e.request.url, cached: false }));
  client.on('Network.requestServedFromCache', (e) => { if (seen.has(e.requestId)) seen.get(e.requestId).cached = true; });
  client.on('Network.responseReceived', (e) => {
    if (seen.has(e.requestId) && e.response.fromDiskCache) seen.get(e.requestId).cached = true;
  });
  return {
    all: () => [...seen.values()],
    chunks: () => [...seen.values()].filter((r) => r.url.includes('/api/log/chunks/')),
    log: () => [...seen.values()].filter((r) => /\/api\/(log\/|events(\?|$))/.test(r.url)),
    clear: () => seen.clear(),
  };
}

async function page() {
  const p = context.pages()[0] || await context.newPage();
  p.on('pageerror', (e) => errors.push(`${phase}: ${e.message}`));
  p.on('console', (m) => { if (m.type() === 'error') errors.push(`${phase}: console: ${m.text()}`); });
  return p;
}

// The app's pages (not its API) the browser asked the server for.
const pagesFetched = (net) => net.all().map((r) => new URL(r.url).pathname).filter((path) => !path.startsWith('/api/'));

const hydrated = (p, name) =>
  p.waitForSelector(`#app[data-page="${name}"][data-hydrated="true"]`, { timeout: 60_000 });

// Opens the spiral, signing in through the form when the server asks.
async function signIn(p) {
  await p.goto(url + '/');
  if (p.url().includes('/login')) {
    await p.fill('input[name="name"]', user);
    await p.fill('input[name="password"]', password);
    await p.click('form[action="/login"] button[type="submit"]');
  }
  await hydrated(p, 'spiral');
}

async function expectLedgerShown(p) {
  const [timeline, manifest] = [await api('/api/timeline'), await api('/api/log/manifest')];
  await p.waitForSelector(`#app[data-head="${manifest.head}"]`, { timeout: 30_000 });
  assert.equal(await p.locator('#spiral .mark').count(), timeline.length);
  return manifest;
}

try {
  const tab = await page();
  const net = await watch(tab);

  if (phase === 'first') {
    await signIn(tab);
    let manifest = await expectLedgerShown(tab);
    assert.ok(manifest.chunks.length >= 2, `the test needs full chunks: ${JSON.stringify(manifest)}`);
    assert.equal(net.chunks().length, manifest.chunks.length);
    assert.ok(net.chunks().every((r) => !r.cached), 'a first visit downloads every chunk');
    step(`a first visit downloads ${manifest.chunks.length} chunks and the tail after ${manifest.chunks.at(-1).last}`);
    // The bundle is asked for from the page's head (preload) and that answer is the one used.
    const bundles = net.all().filter((r) => new URL(r.url).pathname === '/pkg/frontend_bg.wasm');
    assert.equal(bundles.length, 1, `the bundle is requested once: ${JSON.stringify(bundles)}`);
    step('the bundle is preloaded once and used');

    // --- between pages: no log, no reload ---
    await tab.evaluate(() => { window.__sameDocument = true; });
    net.clear();
    const programs = await api('/api/programs');
    await tab.click('header nav a[href="/programs"]');
    await hydrated(tab, 'programs');
    assert.equal(new URL(tab.url()).pathname, '/programs');
    assert.equal(await tab.locator('#program-table tbody tr[data-program]').count(), Object.keys(programs).length);
    const first = tab.locator('#program-table tbody tr[data-program] a').first();
    const id = await tab.locator('#program-table tbody tr[data-program]').first().getAttribute('data-program');
    await first.click();
    await hydrated(tab, 'program');
    assert.equal(await tab.getAttribute('#app', 'data-id'), id);
    await tab.click('header nav a[href="/partners"]');
    await hydrated(tab, 'partners');
    net.clear();
    await tab.goBack();
    await hydrated(tab, 'program');
    assert.equal(await tab.getAttribute('#app', 'data-id'), id);
    assert.deepEqual(pagesFetched(net), [], 'back to a page left: it was kept, nothing fetched');
    await tab.goBack();
    await hydrated(tab, 'programs');
    await tab.goForward();
    await hydrated(tab, 'program');
    // Back to the spiral by its menu link: live, with every mark.
    await tab.click('header nav a[href="/"]');
    await hydrated(tab, 'spiral');
    assert.equal(await tab.locator('#spiral .mark').count(), (await api('/api/timeline')).length);
    await tab.waitForSelector('#live-status.live');
    assert.equal(await tab.evaluate(() => window.__sameDocument), true, 'no page was reloaded');
    assert.deepEqual(net.log(), [], 'moving between pages fetched no log');
    step(`spiral → programs → ${id} → partners → back → back → forward → spiral, in one document, no log fetched`);

    // --- back to a page left: as it was left, and up to date ---
    await tab.click('.zoom button >> nth=0');
    const zoomed = await tab.getAttribute('#spiral', 'viewBox');
    assert.notEqual(zoomed, '0.0 0.0 1000.0 1000.0', 'the zoom-in button zooms in');
    await tab.click('header nav a[href="/programs"]');
    await hydrated(tab, 'programs');
    const meanwhile = await api('/api/commands', {
      method: 'POST',
      body: JSON.stringify({ command: { Record: { on: '2026-04-01', fact: { ProgramLaunched: {
        program: 'kept-page-test', name: '戻る前の記録', pillar: 'Collaboration',
        beneficiaries: ['Children'], stage: 5 } } } } }),
    });
    await tab.waitForSelector(`#app[data-head="${meanwhile.positions[0]}"]`);
    net.clear();
    await tab.goBack();
    await hydrated(tab, 'spiral');
    assert.equal(await tab.getAttribute('#spiral', 'viewBox'), zoomed, 'the spiral is as it was left');
    await tab.waitForSelector(`#spiral .mark[data-position="${meanwhile.positions[0]}"]`, { state: 'attached' });
    assert.deepEqual(pagesFetched(net), [], 'the spiral was kept, not fetched again');
    await tab.goForward();
    await hydrated(tab, 'programs');
    assert.ok(await tab.locator('#program-table tr[data-program="kept-page-test"]').count() === 1,
      'the programs page kept meanwhile shows the program recorded');
    step('back and forward show the pages left as they were (zoom kept), with what was recorded meanwhile');

    // --- a reload after a new event: the chunks from the cache, only the tail from the network ---
    const recorded = await api('/api/commands', {
      method: 'POST',
      body: JSON.stringify({ command: { Record: { on: '2026-04-01', fact: { ProgramLaunched: {
        program: 'visits-test', name: '再訪テスト', pillar: 'SelfInitiated',
        beneficiaries: ['Children'], stage: 3 } } } } }),
    });
    const position = recorded.positions[0];
    await tab.goto(url + '/');
    await hydrated(tab, 'spiral');
    net.clear();
    await tab.reload();
    await hydrated(tab, 'spiral');
    manifest = await expectLedgerShown(tab);
    await tab.waitForSelector(`#spiral .mark[data-position="${position}"]`);
    const chunks = net.chunks();
    assert.equal(chunks.length, manifest.chunks.length);
    assert.ok(chunks.every((r) => r.cached), `every chunk from the cache: ${JSON.stringify(chunks)}`);
    const fromNetwork = net.log().filter((r) => !r.cached).map((r) => new URL(r.url));
    assert.deepEqual(fromNetwork.map((u) => u.pathname).sort(), ['/api/events', '/api/log/manifest']);
    const tail = fromNetwork.find((u) => u.pathname === '/api/events');
    assert.equal(tail.searchParams.get('after'), String(manifest.chunks.at(-1).last));
    step(`a reload after event ${position} takes ${chunks.length} chunks from the cache and fetches only the tail`);

    // --- two tabs at once ---
    const other = await context.newPage();
    await other.goto(url + '/programs');
    await hydrated(other, 'programs');
    const again = await api('/api/commands', {
      method: 'POST',
      body: JSON.stringify({ command: { Record: { on: '2026-05-01', fact: { ProgramLaunched: {
        program: 'visits-test-2', name: '二つ目のタブ', pillar: 'Collaboration',
        beneficiaries: ['Elderly'], stage: 4 } } } } }),
    });
    for (const p of [tab, other]) {
      await p.waitForSelector(`#app[data-head="${again.positions[0]}"]`, { timeout: 15_000 });
    }
    await other.waitForSelector('#program-table tbody tr[data-program="visits-test-2"]');
    await other.reload();
    await hydrated(other, 'programs');
    assert.equal(await other.locator('#program-table tbody tr[data-program="visits-test-2"]').count(), 1);
    await other.close();
    step('two tabs follow the same ledger and share the cached chunks');

    // --- sign-out clears the copy ---
    await tab.click('form[action="/logout"] button');
    await tab.waitForURL(/\/login/);
    net.clear();
    await signIn(tab);
    await expectLedgerShown(tab);
    assert.ok(net.chunks().length > 0 && net.chunks().every((r) => !r.cached),
      `after sign-out nothing is taken from the cache: ${JSON.stringify(net.chunks())}`);
    await tab.screenshot({ path: `${artifacts}/visits-first.png` });
    step('signing out cleared the cached log: the next sign-in downloads it again');
  } else if (phase === 'again') {
    await signIn(tab);
    const manifest = await expectLedgerShown(tab);
    assert.equal(net.chunks().length, manifest.chunks.length);
    assert.ok(net.chunks().every((r) => r.cached), `reopened, every chunk from disk: ${JSON.stringify(net.chunks())}`);
    step(`the browser reopened reads ${manifest.chunks.length} chunks from disk`);
  } else if (phase === 'replaced') {
    await signIn(tab);
    const manifest = await expectLedgerShown(tab);
    assert.equal(net.chunks().length, manifest.chunks.length);
    assert.ok(net.chunks().every((r) => !r.cached), `another ledger, nothing from the cache: ${JSON.stringify(net.chunks())}`);
    const programs = await api('/api/programs');
    await tab.click('header nav a[href="/programs"]');
    await hydrated(tab, 'programs');
    assert.equal(await tab.locator('#program-table tbody tr[data-program]').count(), Object.keys(programs).length);
    await tab.screenshot({ path: `${artifacts}/visits-replaced.png` });
    step(`a ledger replaced behind the same address is downloaded afresh (${manifest.head} events) and shown`);
  } else {
    throw new Error(`unknown PHASE ${phase}`);
  }
  assert.deepEqual(errors, []);
  step('no script errors');
} catch (e) {
  console.log(`page errors: ${JSON.stringify(errors)}`);
  throw e;
} finally {
  await context.close();
}
