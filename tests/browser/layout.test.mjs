// The pages hold still while they load on a slow phone: the shell paints first, the modules
// arrive later and fill the screen in, and nothing visible may jump when they do (cumulative
// layout shift, as Lighthouse counts it, at most 0.05). The network and CPU are slowed as
// Lighthouse's mobile run slows them, so the shell is painted before the modules run.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { baseUrl, launch, newPage } from './harness.mjs';

const BASE = baseUrl();
/** The most a page may shift while it loads (Lighthouse's "good"). */
const MOST_LAYOUT_SHIFT = 0.05;
const SLOW_PHONE = { offline: false, latency: 400, downloadThroughput: 400_000 / 8, uploadThroughput: 400_000 / 8 };

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** The page's layout shifts up to its screen showing, from the browser's own record of them. */
async function layoutShift(path, screenName) {
  const page = await newPage(browser, { width: 412, height: 823, isMobile: true, deviceScaleFactor: 1.75 });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', SLOW_PHONE);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await page.goto(`${BASE}${path}`);
  await page.locator(`section[data-page="${screenName}"]:not([hidden])`).waitFor();
  const shifts = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const shifts = [];
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) {
            if (!entry.hadRecentInput) {
              shifts.push({ value: entry.value, moved: entry.sources.map((source) => source.node?.nodeName ?? '?') });
            }
          }
        }).observe({ type: 'layout-shift', buffered: true });
        // The buffered entries come in a task of their own: give it time to run.
        setTimeout(() => resolve(shifts), 500);
      }),
  );
  await page.context().close();
  return shifts;
}

for (const [path, screenName] of [
  ['/portal/', 'login'],
  ['/portal/signup', 'signup'],
]) {
  test(`${path} holds still while it loads on a slow phone`, async () => {
    const shifts = await layoutShift(path, screenName);
    const total = shifts.reduce((sum, shift) => sum + shift.value, 0);
    assert.ok(total <= MOST_LAYOUT_SHIFT, `${path}: layout shift ${total.toFixed(3)}: ${JSON.stringify(shifts)}`);
  });
}
