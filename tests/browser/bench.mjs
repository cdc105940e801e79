// Browser benchmarks (not tests), run by `cargo bench -p server --bench browser`, which starts
// the server and passes SPIRAL_URL, SPIRAL_COOKIE and SPIRAL_BENCH_MODE:
//   demo   — time to first render (first contentful paint) and to interactive (hydrated, after
//            downloading and replaying the log) for the spiral page, each run in a fresh context;
//   replay — the domain's replay of the whole log in WASM, timed inside the page.
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
