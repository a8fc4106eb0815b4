// Shared helpers for kennin's browser tests (run by scripts/browser-tests.sh, which starts a fresh
// kennin-local and exports its address as KENNIN_BASE_URL).
//
//   import { launch, newPage, problems, assertNoProblems, checkA11y, screenshot,
//            latestCode, uniqueUserId, baseUrl } from './harness.mjs';
//
// The browser is Debian's Chromium (/usr/bin/chromium, or KENNIN_CHROMIUM) driven by
// playwright-core. The page's Content-Security-Policy stays enforced: nothing here bypasses it,
// and axe-core is evaluated through the DevTools protocol rather than added as a <script>.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The repository's root (tests/browser/../..). */
export const REPO_ROOT = path.resolve(HERE, '..', '..');

/** The viewports every screenshot is taken at: a phone and a laptop. */
export const VIEWPORTS = Object.freeze([
  Object.freeze({ width: 390, height: 844 }),
  Object.freeze({ width: 1280, height: 800 }),
]);

export const CHROMIUM_ARGS = Object.freeze([
  // Playwright adds --headless itself (headless: true) and its own fresh, empty
  // --user-data-dir, deleted when the browser closes.
  '--no-sandbox', // we run as root, where Chromium's sandbox cannot start
  '--disable-gpu',
  '--disable-dev-shm-usage', // containers often have a tiny /dev/shm
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]);

/**
 * The running kennin's address without a trailing slash, e.g. `http://127.0.0.1:41234`.
 * @returns {string}
 */
export function baseUrl() {
  const url = process.env.KENNIN_BASE_URL;
  if (!url) {
    throw new Error('KENNIN_BASE_URL is not set: run the browser tests with scripts/browser-tests.sh');
  }
  return url.replace(/\/+$/, '');
}

/**
 * Starts headless Chromium. Close it with `await browser.close()` (e.g. in `after`).
 * @param {import('playwright-core').LaunchOptions} [options] merged over the defaults;
 *   `args` are added to CHROMIUM_ARGS.
 * @returns {Promise<import('playwright-core').Browser>}
 */
export async function launch(options = {}) {
  const { args = [], ...rest } = options;
  return chromium.launch({
    executablePath: process.env.KENNIN_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...args],
    timeout: 60_000,
    ...rest,
  });
}

// page -> the problems seen on it
const seen = new WeakMap();

// Resource types whose failure is the page's own fault. fetch/xhr are left out: the API
// answering 4xx is part of the journeys, and the tests check what the page shows for it.
const ASSET_TYPES = new Set(['document', 'stylesheet', 'script', 'image', 'font', 'media', 'manifest']);

/**
 * A new page in its own browser context (own cookies and storage), in Japanese and Japan time,
 * with `baseURL` set to KENNIN_BASE_URL (so `page.goto('/portal/')` works).
 *
 * From the start it records the page's problems, read with `problems(page)` and checked with
 * `assertNoProblems(page)`:
 *   - `csp`:       a Content-Security-Policy violation (the `securitypolicyviolation` event, and
 *                  Chromium's console message about it: `Refused to …` / `… violates the
 *                  following Content Security Policy directive …`)
 *   - `pageerror`: an uncaught exception or unhandled rejection in the page
 *   - `console`:   any other `console.error` (Chromium's own "Failed to load resource: … status
 *                  of 4xx" lines are left out: see `http`)
 *   - `http`:      a document, stylesheet, script, image or font answered 4xx/5xx or not loaded
 *                  (API calls by fetch are not counted: a 401 or 409 is often the point)
 *   - `crash`:     the page crashed
 *
 * Close it with `await page.context().close()`, or let `browser.close()` do it.
 * @param {import('playwright-core').Browser} browser
 * @param {{width?: number, height?: number} & import('playwright-core').BrowserContextOptions} [options]
 *   viewport size (default 390×844) and any other context options
 * @returns {Promise<import('playwright-core').Page>}
 */
export async function newPage(browser, options = {}) {
  const { width = 390, height = 844, ...contextOptions } = options;
  const context = await browser.newContext({
    viewport: { width, height },
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
    baseURL: process.env.KENNIN_BASE_URL ? baseUrl() : undefined,
    ...contextOptions,
  });
  const found = [];
  const page = await context.newPage();
  seen.set(page, found);

  // The binding and the listener are installed over the DevTools protocol, not as page script,
  // so the page's CSP does not block them (and is not loosened for them).
  await page.exposeBinding('__kenninSecurityPolicyViolation', ({ frame }, v) => {
    found.push({
      type: 'csp',
      text: `${v.disposition === 'report' ? '[report-only] ' : ''}${v.effectiveDirective} blocked ${v.blockedURI || '(inline)'}` +
        `${v.sourceFile ? ` at ${v.sourceFile}:${v.lineNumber}:${v.columnNumber}` : ''}` +
        `${v.sample ? ` (sample: ${v.sample})` : ''}`,
      url: frame.url(),
    });
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      // eslint-disable-next-line no-undef
      globalThis.__kenninSecurityPolicyViolation({
        effectiveDirective: e.effectiveDirective,
        blockedURI: e.blockedURI,
        sourceFile: e.sourceFile,
        lineNumber: e.lineNumber,
        columnNumber: e.columnNumber,
        sample: e.sample,
        disposition: e.disposition,
      });
    });
  });

  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    const { url, lineNumber } = message.location();
    const where = url ? ` (${url}${lineNumber ? `:${lineNumber}` : ''})` : '';
    // Chromium words these `Refused to …` or, lately, `… violates the following Content
    // Security Policy directive …`.
    if (/^(\[Report Only\] )?Refused to |Content Security Policy/.test(text)) {
      found.push({ type: 'csp', text: text + where, url: page.url() });
    } else if (!/^Failed to load resource: the server responded with a status of /.test(text)) {
      found.push({ type: 'console', text: text + where, url: page.url() });
    }
  });
  page.on('pageerror', (error) => {
    found.push({ type: 'pageerror', text: error.stack || String(error), url: page.url() });
  });
  page.on('crash', () => found.push({ type: 'crash', text: 'the page crashed', url: page.url() }));
  page.on('response', (response) => {
    const request = response.request();
    if (response.status() >= 400 && ASSET_TYPES.has(request.resourceType()) && request.resourceType() !== 'document') {
      found.push({ type: 'http', text: `${response.status()} ${request.method()} ${response.url()}`, url: page.url() });
    }
  });
  page.on('requestfailed', (request) => {
    if (ASSET_TYPES.has(request.resourceType())) {
      const failure = request.failure()?.errorText ?? 'failed';
      // Leaving a page while it still loads aborts its requests: not a fault.
      if (failure !== 'net::ERR_ABORTED') {
        found.push({ type: 'http', text: `${failure} ${request.method()} ${request.url()}`, url: page.url() });
      }
    }
  });
  return page;
}

/**
 * What went wrong on the page so far (see `newPage`), oldest first: `{type, text, url}` each.
 * The array is live; `clearProblems(page)` empties it.
 * @param {import('playwright-core').Page} page
 * @returns {{type: 'csp'|'pageerror'|'console'|'http'|'crash', text: string, url: string}[]}
 */
export function problems(page) {
  const found = seen.get(page);
  if (!found) throw new Error('problems(page): the page was not made by newPage()');
  return found;
}

/** Forgets the problems recorded so far (e.g. after a step that is meant to fail loudly). */
export function clearProblems(page) {
  problems(page).length = 0;
}

/**
 * Fails, listing them, if the page had any problem (see `newPage`).
 * @param {import('playwright-core').Page} page
 * @param {{ignore?: RegExp[]}} [options] problems whose text matches one of these are allowed
 */
export function assertNoProblems(page, { ignore = [] } = {}) {
  const left = problems(page).filter((p) => !ignore.some((re) => re.test(p.text)));
  if (left.length > 0) {
    const list = left.map((p) => `  - [${p.type}] ${p.text}\n    on ${p.url}`).join('\n');
    assert.fail(`${left.length} problem(s) on the page:\n${list}`);
  }
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Runs axe-core on the page as it is now, with the WCAG 2.0/2.1 level A and AA rules only, and
 * fails with a readable list of the violations (rule, impact, elements, help). axe is evaluated
 * through the DevTools protocol, so the page's CSP stays as strict as it is.
 * @param {import('playwright-core').Page} page
 * @param {string} name what the page is, for the message (e.g. 'login')
 * @param {{include?: string[], exclude?: string[], disableRules?: string[]}} [options]
 *   CSS selectors to check only / to leave out, and rule ids to turn off (say why in the test)
 * @returns {Promise<object>} axe's results (violations empty), e.g. to look at `incomplete`
 */
export async function checkA11y(page, name, { include, exclude, disableRules = [] } = {}) {
  if (!(await page.evaluate(() => typeof globalThis.axe === 'object'))) {
    await page.evaluate(AXE_SOURCE);
  }
  const results = await page.evaluate(
    async ({ context, options }) => (context ? globalThis.axe.run(context, options) : globalThis.axe.run(options)),
    {
      context: include || exclude ? { include: include ?? ['html'], exclude: exclude ?? [] } : null,
      options: {
        runOnly: { type: 'tag', values: WCAG_21_AA },
        rules: Object.fromEntries(disableRules.map((id) => [id, { enabled: false }])),
        resultTypes: ['violations', 'incomplete'],
      },
    },
  );
  if (results.violations.length > 0) {
    const list = results.violations
      .map((v) => {
        const nodes = v.nodes
          .map((n) => `      ${n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' ')}` +
            (n.failureSummary ? `\n        ${n.failureSummary.replace(/\n\s*/g, '; ')}` : ''))
          .join('\n');
        return `  - ${v.id} (${v.impact}): ${v.help}\n    ${v.helpUrl}\n${nodes}`;
      })
      .join('\n');
    assert.fail(`axe found ${results.violations.length} WCAG 2.1 A/AA violation(s) on "${name}" (${page.url()}):\n${list}`);
  }
  return results;
}

/** Where screenshots go: docs/screenshots/ in the repository, or KENNIN_SCREENSHOT_DIR. */
export const SCREENSHOT_DIR = process.env.KENNIN_SCREENSHOT_DIR
  ? path.resolve(process.env.KENNIN_SCREENSHOT_DIR)
  : path.join(REPO_ROOT, 'docs', 'screenshots');

/**
 * Full-page PNGs of the page at each of VIEWPORTS: `docs/screenshots/<name>-390x844.png` and
 * `<name>-1280x800.png`. The viewport is set back to what it was afterwards.
 * @param {import('playwright-core').Page} page
 * @param {string} name lower-case letters, digits and hyphens, e.g. 'signup-identity'
 * @returns {Promise<string[]>} the files written (absolute paths)
 */
export async function screenshot(page, name) {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) {
    throw new Error(`screenshot name ${JSON.stringify(name)}: use lower-case letters, digits and hyphens`);
  }
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const before = page.viewportSize();
  const written = [];
  try {
    for (const { width, height } of VIEWPORTS) {
      await page.setViewportSize({ width, height });
      await page.evaluate(() => document.fonts.ready.then(() => undefined));
      const file = path.join(SCREENSHOT_DIR, `${name}-${width}x${height}.png`);
      // caret 'initial': Playwright hides the caret by adding a <style>, which a strict CSP
      // refuses (and would report as a violation).
      await page.screenshot({ path: file, fullPage: true, caret: 'initial' });
      written.push(file);
    }
  } finally {
    if (before) await page.setViewportSize(before);
  }
  return written;
}

/**
 * The mail the local runner wrote to `to`, newest first (GET /_local/mail).
 * @param {string} base KENNIN_BASE_URL
 * @param {string} [to] only mail to this address (case-insensitive); all mail if left out
 * @returns {Promise<{to: string, subject: string, text: string, date: string, file: string}[]>}
 */
export async function mailTo(base, to) {
  const response = await fetch(`${base.replace(/\/+$/, '')}/_local/mail`);
  if (!response.ok) throw new Error(`GET /_local/mail answered ${response.status}`);
  const { messages } = await response.json();
  return to ? messages.filter((m) => m.to.toLowerCase() === to.toLowerCase()) : messages;
}

/**
 * The 6-digit code (`認証番号：123456`) in the newest mail to `to` that has one. Waits for such
 * a mail up to `timeoutMs`.
 * @param {string} base KENNIN_BASE_URL
 * @param {string} to the address the code was sent to
 * @param {{timeoutMs?: number, not?: string, subject?: RegExp}} [options] `not`: wait for a code
 *   other than this one (after a resend); `subject`: only mail whose subject matches
 * @returns {Promise<string>} e.g. '042917'
 */
export async function latestCode(base, to, { timeoutMs = 5_000, not, subject } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const message of await mailTo(base, to)) {
      if (subject && !subject.test(message.subject)) continue;
      const match = /認証番号：\s*(\d{6})(?!\d)/.exec(message.text);
      if (match) {
        if (match[1] !== not) return match[1];
        break; // the newest code is still the old one: wait for the new mail
      }
    }
    if (Date.now() >= deadline) {
      throw new Error(`no ${not ? 'new ' : ''}verification code in the mail to ${to} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let counter = 0;

/**
 * A user ID no other test (nor an earlier run) has used: `<prefix>_<time><counter><random>`,
 * within the UserId rules (6–50 of A-Z a-z 0-9 @ - _ , +).
 * @param {string} [prefix='web'] letters and digits
 * @returns {string} e.g. 'web_m3x9k2a1b7q'
 */
export function uniqueUserId(prefix = 'web') {
  counter += 1;
  const random = Math.random().toString(36).slice(2, 6).padEnd(4, '0');
  return `${prefix}_${Date.now().toString(36)}${counter.toString(36)}${random}`;
}

/** Calls the API from the page, with its cookies. */
export function call(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const response = await fetch(path, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: response.status, body: await response.json().catch(() => null) };
    },
    { method, path, body },
  );
}

/**
 * Signs a roster person (`card`: insurerCode, symbol, number, birthDate, nameKana) up and logs
 * them in through the API, in `page`'s context, then finishes first login ⑤ (terms and
 * contact): the page's context then holds a session at home.
 */
export async function registeredThroughApi(page, card, { userId, password, email }) {
  const base = baseUrl();
  await page.goto(`${base}/_local/mail`);
  const ok = async (reply) => {
    const { status, body } = await reply;
    assert.equal(status, 200, JSON.stringify(body));
    return body;
  };
  await ok(call(page, 'POST', '/api/signup/identity', card));
  await ok(call(page, 'POST', '/api/signup/account', { userId, password, email }));
  await ok(call(page, 'POST', '/api/signup/code', { code: await latestCode(base, email) }));
  await ok(call(page, 'POST', '/api/session', { userId, password }));
  const terms = await ok(call(page, 'GET', '/api/terms'));
  await ok(call(page, 'POST', '/api/me/terms', { version: terms.version }));
  const contact = await ok(call(page, 'PUT', '/api/me/contact', { postalCode: '1000001', address: '東京都千代田区千代田1-1', phone: '0312345678' }));
  assert.equal(contact.next, 'home', JSON.stringify(contact));
}

/** A request's kind and route, as the bill prices it: IDs in addresses stand as `{id}`. */
function routeOf(method, url) {
  const { pathname, search } = new URL(url);
  const route = pathname
    .replace(/^\/portal\/survey\/[A-Za-z0-9]+$/, '/portal/survey/{id}')
    .replace(/^\/api\/survey\/targets\/[A-Za-z0-9]+/, '/api/survey/targets/{id}')
    .replace(/\/documents\/[A-Za-z0-9]+/, '/documents/{docId}')
    .replace(/^\/api\/postal\/[0-9]+$/, '/api/postal/{code}');
  // The query stays: `GET /api/me?include=survey` is the top page, a step of its own.
  if (pathname.startsWith('/api/')) return { kind: 'api', route: `${method} ${route}${search}` };
  if (pathname.startsWith('/_local/blobs/')) return { kind: 'upload', route: `${method} (the documents bucket)` };
  if (pathname.startsWith('/_local/')) return { kind: 'local', route: `${method} ${pathname}` };
  if (/^\/(portal|admin)\/assets\//.test(pathname)) return { kind: 'asset', route: pathname.replace(/\/assets\/[0-9a-f]+\//, '/assets/') };
  return { kind: 'page', route: `${method} ${route}` };
}

/**
 * Counts the requests `page` sends over the network (not those its cache answers), under the
 * label set last: what a person's browser costs the server, step by step.
 * @returns {Promise<{label: (name: string) => void, counts: () => {label: string, kind: string, route: string, count: number}[]}>}
 */
export async function requestCounter(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  let label = '';
  const sent = new Map(); // requestId → {label, kind, route}
  cdp.on('Network.requestWillBeSent', ({ requestId, request, redirectResponse }) => {
    // A redirect reuses the request's ID: each hop is a request of its own.
    const key = redirectResponse ? `${requestId}:${request.url}` : requestId;
    sent.set(key, { label, ...routeOf(request.method, request.url) });
  });
  cdp.on('Network.requestServedFromCache', ({ requestId }) => sent.delete(requestId));
  return {
    label(name) {
      label = name;
    },
    counts() {
      const tally = new Map();
      for (const { label: at, kind, route } of sent.values()) {
        const key = JSON.stringify([at, kind, route]);
        tally.set(key, (tally.get(key) ?? 0) + 1);
      }
      return [...tally].map(([key, count]) => {
        const [at, kind, route] = JSON.parse(key);
        return { label: at, kind, route, count };
      });
    },
  };
}
