// What the single-page browser scripts share: Debian's Chromium as every script launches it, and
// the spiral opened and hydrated in a context that carries a session cookie ("name=value").
import { chromium } from 'playwright-core';

export const launch = () => chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// Opens `path` signed in with `cookie`; returns the page, hydrated, and the script errors it
// collects from then on.
export async function openHydrated(browser, url, cookie, path, timeout = 30_000) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const [name, value] = cookie.split('=');
  await context.addCookies([{ name, value, url }]);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url + path);
  await page.waitForSelector('#app[data-hydrated="true"]', { timeout });
  return { page, errors };
}
