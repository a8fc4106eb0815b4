// The benchmark of every portal and console page in Chromium (not a test: run by
// scripts/browser-tests.sh with KENNIN_PAGES_BENCH_OUT set, which starts kennin-local and installs
// Lighthouse). For each page:
// Lighthouse 12's mobile run (its default simulated slow 4G and 4× CPU) with its scores, and a
// second Lighthouse run on the slow phone applied to the browser itself (400 kb/s down
// and up, 400 ms round trip, 4× CPU): the page's largest contentful paint, the bytes and the
// requests it needed. The logged-in pages are measured as the demo roster's 健保 太郎 after
// first login, his session cookie sent with every request; the console's as an admin of the demo
// union invited by kennin-admin and signed in with the authenticator's code (the invitation's
// own page needs the mail's one-time token and is left out).
//
// Usage: node tests/browser/pages.bench.mjs OUT.json   (env KENNIN_BASE_URL, KENNIN_LIGHTHOUSE:
// Lighthouse's CLI, KENNIN_CHROMIUM: the browser; KENNIN_PAGES_ONLY: measure only the pages whose
// path starts with it, e.g. /portal/home, to try a change)

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { baseUrl, call, launch, newPage, registeredThroughApi } from './harness.mjs';
import { memberSignedIn } from './union.mjs';

const BASE = baseUrl();
const OUT = process.argv[2];
const LIGHTHOUSE = process.env.KENNIN_LIGHTHOUSE;
const CHROMIUM = process.env.KENNIN_CHROMIUM || '/usr/bin/chromium';
const USER_ID = 'pages_bench_taro';
const PASSWORD = 'Sakura#2024go';
const EMAIL = 'pages-bench@example.com';
/** The slow phone, as Lighthouse's DevTools throttling takes it. */
const SLOW_PHONE = [
  '--throttling-method=devtools',
  '--throttling.requestLatencyMs=400',
  '--throttling.downloadThroughputKbps=400',
  '--throttling.uploadThroughputKbps=400',
  '--throttling.cpuSlowdownMultiplier=4',
];

assert.ok(OUT, 'usage: node tests/browser/pages.bench.mjs OUT.json');
assert.ok(LIGHTHOUSE, 'KENNIN_LIGHTHOUSE is not set: run scripts/bench-pages.sh');

/** 健保 太郎 signed up, past first login, through the API: his session cookie and a target's ID. */
async function taroAtHome() {
  const browser = await launch();
  try {
    const page = await newPage(browser);
    await registeredThroughApi(
      page,
      { insurerCode: '0904', symbol: '1001', number: '1', birthDate: '1990/01/01', nameKana: 'ケンポ タロウ' },
      { userId: USER_ID, password: PASSWORD, email: EMAIL },
    );
    const me = await call(page, 'GET', '/api/me?include=survey');
    const target = me.body.survey.targets[0];
    assert.ok(target, 'the demo person has targets');
    const session = (await page.context().cookies()).find((cookie) => cookie.name.endsWith('session'));
    assert.ok(session, 'a session cookie');
    return { cookie: `${session.name}=${session.value}`, targetId: target.id };
  } finally {
    await browser.close();
  }
}

/** An admin of the demo union, signed in: their session cookie and a target's reference. */
async function adminSignedIn() {
  const browser = await launch();
  try {
    const page = await memberSignedIn(browser, {
      union: '0904', role: 'admin', name: '計測 一郎', password: 'Hidamari#Kouen2031',
    });
    const targets = await call(page, 'GET', '/api/admin/targets');
    const target = targets.body.targets?.[0];
    assert.ok(target, `the demo union has targets: ${JSON.stringify(targets.body)}`);
    const session = (await page.context().cookies()).find((cookie) => cookie.name.endsWith('staff'));
    assert.ok(session, 'a staff session cookie');
    return { cookie: `${session.name}=${session.value}`, targetRef: target.ref };
  } finally {
    await browser.close();
  }
}

/** One Lighthouse run of `url`: its report as JSON. Lighthouse sometimes loses the trace of a
 * load (NO_NAVSTART, NO_FCP); such a run is tried again, up to three times. */
async function lighthouse(url, cookie, extra) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await lighthouseOnce(url, cookie, extra);
    } catch (error) {
      if (attempt === 3) {
        throw error;
      }
      process.stderr.write(`pages: ${url}: ${String(error.stderr || error).trim()}; again\n`);
    }
  }
}

async function lighthouseOnce(url, cookie, extra) {
  const dir = await mkdtemp(path.join(tmpdir(), 'kennin-lighthouse-'));
  const report = path.join(dir, 'report.json');
  const args = [
    url,
    '--quiet',
    '--output=json',
    `--output-path=${report}`,
    '--form-factor=mobile',
    '--only-categories=performance,accessibility,best-practices',
    '--chrome-flags=--headless=new --no-sandbox --disable-dev-shm-usage',
    ...(cookie ? [`--extra-headers=${JSON.stringify({ Cookie: cookie })}`] : []),
    ...extra,
  ];
  try {
    await promisify(execFile)(LIGHTHOUSE, args, { env: { ...process.env, CHROME_PATH: CHROMIUM }, maxBuffer: 1 << 26 });
    return JSON.parse(await readFile(report, 'utf8'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const ONLY = process.env.KENNIN_PAGES_ONLY || '';

/** The figures kept of one page (none when KENNIN_PAGES_ONLY leaves it out). */
async function measure(name, pathname, cookie) {
  if (!pathname.startsWith(ONLY)) {
    return [];
  }
  const url = `${BASE}${pathname}`;
  const mobile = await lighthouse(url, cookie, []);
  const slow = await lighthouse(url, cookie, SLOW_PHONE);
  assert.equal(new URL(mobile.finalDisplayedUrl).pathname, pathname, `${name} was not redirected`);
  const audit = (report, id) => report.audits[id];
  const failing = Object.values(mobile.audits)
    .filter((a) => a.score !== null && a.score < 1 && ['binary', 'numeric', 'metricSavings'].includes(a.scoreDisplayMode))
    .map((a) => a.id);
  const figures = {
    page: name,
    path: pathname.replace(/\/survey\/[A-Za-z0-9]+$/, '/survey/{id}').replace(/\/admin\/targets\/[0-9A-Za-z-]+$/, '/admin/targets/{ref}'),
    performance: mobile.categories.performance.score,
    accessibility: mobile.categories.accessibility.score,
    bestPractices: mobile.categories['best-practices'].score,
    lighthouseLcpMs: audit(mobile, 'largest-contentful-paint').numericValue,
    layoutShift: audit(mobile, 'cumulative-layout-shift').numericValue,
    slowPhoneLcpMs: audit(slow, 'largest-contentful-paint').numericValue,
    slowPhoneLayoutShift: audit(slow, 'cumulative-layout-shift').numericValue,
    bytes: audit(slow, 'total-byte-weight').numericValue,
    requests: audit(slow, 'network-requests').details.items.length,
    apiRequests: audit(slow, 'network-requests').details.items.filter((item) => new URL(item.url).pathname.startsWith('/api/')).length,
    notFull: failing,
  };
  process.stderr.write(`pages: ${name} ${JSON.stringify(figures)}\n`);
  return [figures];
}

const { cookie, targetId } = await taroAtHome();
const pages = [];
for (const [name, pathname] of [
  ['ログイン', '/portal/'],
  ['初回ログイン ①', '/portal/signup'],
  ['パスワードを忘れた方', '/portal/forgot-password'],
  ['ユーザーIDを忘れた方', '/portal/forgot-id'],
  ['管理画面 サインイン', '/admin/login'],
]) {
  pages.push(...(await measure(name, pathname, null)));
}
for (const [name, pathname] of [
  ['トップ', '/portal/home'],
  ['調査票', `/portal/survey/${targetId}`],
  ['利用規約 ⑤', '/portal/terms'],
  ['連絡先 ⑤', '/portal/contact'],
  ['アカウント設定', '/portal/settings'],
]) {
  pages.push(...(await measure(name, pathname, cookie)));
}
// Signed in only now: the staff's session ends after 15 idle minutes, and the pages above take
// about as long.
const wanted = (pathname) => pathname.startsWith(ONLY) || ONLY.startsWith(pathname);
if (wanted('/admin/')) {
  const staff = await adminSignedIn();
  for (const [name, pathname] of [
    ['管理画面 進捗', '/admin/'],
    ['管理画面 対象者一覧', '/admin/targets'],
    ['管理画面 審査', `/admin/targets/${staff.targetRef}`],
    ['管理画面 問い合わせ対応', '/admin/people'],
    ['管理画面 職員', '/admin/staff'],
    ['管理画面 操作記録', '/admin/audit'],
    ['管理画面 出力', '/admin/export'],
  ]) {
    pages.push(...(await measure(name, pathname, staff.cookie)));
  }
}
const chromium = (await promisify(execFile)(CHROMIUM, ['--version'])).stdout.trim();
const lighthouseVersion = JSON.parse(
  await readFile(path.join(path.dirname(path.dirname(LIGHTHOUSE)), 'lighthouse', 'package.json'), 'utf8'),
).version;
await writeFile(OUT, `${JSON.stringify({ chromium, lighthouse: lighthouseVersion, pages }, null, 2)}\n`);
