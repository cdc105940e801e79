// Browser benchmarks (not tests), run by `cargo bench -p server --bench browser`, which starts
// the server and passes SPIRAL_URL, SPIRAL_COOKIE and SPIRAL_BENCH_MODE:
//   demo   — time to first render (first contentful paint) and to interactive (hydrated, after
//            downloading and replaying the log) for the spiral page, each run in a fresh context;
//   replay — the domain's replay of the whole log in WASM, timed inside the page;
//   visits — on one browser profile: a first visit (interactive), a second visit (a reload:
//            interactive, bytes on the wire), moving to the programs page and back (ms, log
//            bytes), the spiral's zoom buttons (frames per second) and the JS heap.
// Prints one JSON document.
import { chromium } from 'playwright-core';

const url = process.env.SPIRAL_URL;
const [name, value] = process.env.SPIRAL_COOKIE.split('=');
const mode = process.env.SPIRAL_BENCH_MODE;
const runs = Number(process.env.SPIRAL_BENCH_RUNS || 5);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

async function page(path) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  await context.addCookies([{ name, value, url }]);
  const p = await context.newPage();
  await p.goto(url + path);
  await p.waitForSelector('#app[data-hydrated="true"]', { timeout: 300_000 });
  return [context, p];
}

const results = [];
try {
  if (mode === 'demo') {
    for (let i = 0; i < runs; i++) {
      const [context, p] = await page('/');
      results.push(await p.evaluate(() => ({
        first_render_ms: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
        interactive_ms: performance.getEntriesByName('spiral-hydrated')[0]?.startTime,
      })));
      await context.close();
    }
  } else if (mode === 'visits') {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    await context.addCookies([{ name, value, url }]);
    const p = await context.newPage();
    const client = await context.newCDPSession(p);
    await client.send('Network.enable');
    await client.send('Performance.enable');
    let wire = 0;
    let logWire = 0;
    const urls = new Map();
    client.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
    client.on('Network.loadingFinished', (e) => {
      wire += e.encodedDataLength;
      if (/\/api\/(log\/|events(\?|$))/.test(urls.get(e.requestId) || '')) logWire += e.encodedDataLength;
    });
    const interactive = () => p.evaluate(() => performance.getEntriesByName('spiral-hydrated')[0]?.startTime);
    // Where a visit's time goes: the page's HTML received, the bundle started, the log
    // downloaded and decoded, replayed.
    const stages = () => p.evaluate(() => ({
      html_ms: performance.getEntriesByType('navigation')[0]?.responseEnd,
      start_ms: performance.getEntriesByName('spiral-start')[0]?.startTime,
      log_ms: performance.getEntriesByName('spiral-log')[0]?.startTime,
      replayed_ms: performance.getEntriesByName('spiral-replayed')[0]?.startTime,
    }));
    // The latest move between pages as the page saw it: from the click (or the back button)
    // to the new page's HTML received, parsed into place, and hydrated (frontend::navigation).
    const navStages = () => p.evaluate(async () => {
      // The page marks its paint a frame after it is hydrated: wait for this move's.
      const began = () => performance.getEntriesByName('spiral-nav').at(-1)?.startTime;
      const painted = () => performance.getEntriesByName('spiral-nav-painted').at(-1)?.startTime;
      for (let i = 0; i < 100 && !(painted() > began()); i++) await new Promise((r) => setTimeout(r, 10));
      const at = (name) => performance.getEntriesByName(name).at(-1)?.startTime;
      const start = at('spiral-nav');
      return { html_ms: at('spiral-nav-html') - start, parsed_ms: at('spiral-nav-parsed') - start,
        hydrated_ms: at('spiral-nav-hydrated') - start, painted_ms: at('spiral-nav-painted') - start };
    });
    // The JS heap after a collection, and the WASM module's linear memory (where the ledger is).
    const heap = async () => {
      await client.send('HeapProfiler.collectGarbage');
      return (await client.send('Runtime.getHeapUsage')).usedSize;
    };
    const wasm = () => p.evaluate(async () => (await import('/pkg/frontend.js')).wasm_memory_bytes());
    await p.goto(url + '/');
    await p.waitForSelector('#app[data-hydrated="true"]', { timeout: 600_000 });
    const first = { interactive_ms: await interactive(), stages: await stages(), wire_bytes: wire, log_bytes: logWire, heap_bytes: await heap(), wasm_bytes: await wasm() };
    for (let i = 0; i < runs; i++) {
      wire = 0; logWire = 0;
      await p.reload();
      await p.waitForSelector('#app[data-hydrated="true"]', { timeout: 600_000 });
      const again = { interactive_ms: await interactive(), stages: await stages(), wire_bytes: wire, log_bytes: logWire };
      wire = 0; logWire = 0;
      const t0 = await p.evaluate(() => performance.now());
      await p.click('header nav a[href="/programs"]');
      await p.waitForSelector('#app[data-page="programs"][data-hydrated="true"]');
      const t1 = await p.evaluate(() => performance.now());
      const toPrograms = await navStages();
      await p.goBack();
      await p.waitForSelector('#app[data-page="spiral"][data-hydrated="true"]');
      const t2 = await p.evaluate(() => performance.now());
      // What the driver itself costs for a click and a wait, with nothing to do in the page
      // (a click on the ledger's size line): the floor under the two figures above.
      await p.click('#ledger-size');
      await p.waitForSelector('#app[data-page="spiral"][data-hydrated="true"]');
      const t3 = await p.evaluate(() => performance.now());
      const navigation = { to_programs_ms: t1 - t0, back_ms: t2 - t1, log_bytes: logWire,
        to_programs: toPrograms, back: await navStages(), driver_ms: t3 - t2 };
      // Frames while the zoom buttons are pressed in turn for a second.
      const fps = await p.evaluate(async () => {
        const buttons = [...document.querySelectorAll('.zoom button')];
        let frames = 0;
        const start = performance.now();
        let i = 0;
        await new Promise((done) => {
          const frame = () => {
            frames++;
            if (buttons.length) buttons[i++ % buttons.length].click();
            if (performance.now() - start < 1000) requestAnimationFrame(frame); else done();
          };
          requestAnimationFrame(frame);
        });
        return frames / ((performance.now() - start) / 1000);
      });
      results.push({ first, again, navigation, fps, heap_bytes: await heap(), wasm_bytes: await wasm() });
    }
    await context.close();
  } else {
    const [context, p] = await page('/partners');
    for (let i = 0; i < runs; i++) {
      const [events, ms] = await p.evaluate(async () => {
        const bundle = await import('/pkg/frontend.js');
        return Array.from(await bundle.bench_replay());
      });
      results.push({ events, ms });
    }
    await context.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(results));
