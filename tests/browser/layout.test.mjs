// The pages hold still while they load on a slow phone: the shell paints first, the modules
// arrive later and fill the screen in, and nothing visible may jump when they do (cumulative
// layout shift, as Lighthouse counts it, at most 0.05). The network and CPU are slowed as
// Lighthouse's mobile run slows them, so the shell is painted before the modules run. The
// logged-in pages are a person's of a union of this test's own (0916), past first login, with two
// dependents to answer for.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { baseUrl, call, launch, newPage, registeredThroughApi, uniqueUserId } from './harness.mjs';
import { unionWithCampaign } from './union.mjs';

const BASE = baseUrl();
/** The most a page may shift while it loads (Lighthouse's "good"). */
const MOST_LAYOUT_SHIFT = 0.05;
const SLOW_PHONE = { offline: false, latency: 400, downloadThroughput: 400_000 / 8, uploadThroughput: 400_000 / 8 };

const UNION = '0916';
const CARD = { symbol: '6006', number: '1', birthDate: '1979/06/06', nameKana: 'レイアウト タロウ' };

let browser;
/** The person's session cookie, at home. */
let session;
/** A dependent's ID, to answer for. */
let targetId;

before(async () => {
  browser = await launch();
  await unionWithCampaign({
    code: UNION,
    name: 'レイアウト健康保険組合',
    roster: [`${CARD.symbol},${CARD.number},${CARD.birthDate},${CARD.nameKana},配置 太郎`],
    dependents: [
      `${CARD.symbol},${CARD.number},1,ハイチ ハナコ,配置 花子,1981/02/02,女,配偶者,2008/04/01,同居`,
      `${CARD.symbol},${CARD.number},2,ハイチ ジロウ,配置 次郎,2006/07/07,男,子,2006/07/20,同居`,
    ],
  });
  const page = await newPage(browser);
  const userId = uniqueUserId('layout');
  await registeredThroughApi(page, { insurerCode: UNION, ...CARD }, { userId, password: 'Kaede#2031zq', email: `${userId}@example.com` });
  const survey = await call(page, 'GET', '/api/survey');
  assert.equal(survey.body.targets?.length, 2, JSON.stringify(survey.body));
  targetId = survey.body.targets[0].id;
  session = await page.context().cookies();
  await page.context().close();
});

after(async () => {
  await browser?.close();
});

/** The page's layout shifts up to its screen showing, from the browser's own record of them. */
async function layoutShift(path, screenName, cookies = []) {
  const page = await newPage(browser, { width: 412, height: 823, isMobile: true, deviceScaleFactor: 1.75 });
  await page.context().addCookies(cookies);
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

for (const [path, screenName, loggedIn] of [
  ['/portal/', 'login', false],
  ['/portal/signup', 'signup', false],
  ['/portal/home', 'home', true],
  ['/portal/survey/{id}', 'survey', true],
  ['/portal/terms', 'terms', true],
  ['/portal/contact', 'contact', true],
  ['/portal/settings', 'settings', true],
]) {
  test(`${path}${loggedIn ? ', logged in,' : ''} holds still while it loads on a slow phone`, async () => {
    const shifts = await layoutShift(path.replace('{id}', targetId), screenName, loggedIn ? session : []);
    const total = shifts.reduce((sum, shift) => sum + shift.value, 0);
    assert.ok(total <= MOST_LAYOUT_SHIFT, `${path}: layout shift ${total.toFixed(3)}: ${JSON.stringify(shifts)}`);
  });
}
