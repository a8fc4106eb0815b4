// The browser tests' first check: Chromium reaches the local runner, and the harness works.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertNoProblems, baseUrl, checkA11y, latestCode, launch, newPage, uniqueUserId } from './harness.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('the site notices are JSON', async () => {
  const page = await newPage(browser);
  const response = await page.goto(`${baseUrl()}/api/notices`);
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-type'], /^application\/json\b/);
  const body = JSON.parse(await response.text());
  assert.ok(Array.isArray(body.notices), 'notices is a list');
  assert.ok(body.notices.length > 0, 'the demo data has site notices');
  for (const notice of body.notices) {
    assert.equal(typeof notice.title, 'string');
  }
  await page.context().close();
});

test('the portal is HTML under a strict CSP, with the security headers', async () => {
  const page = await newPage(browser);
  const response = await page.goto(`${baseUrl()}/portal/`, { waitUntil: 'networkidle' });
  assert.equal(response.status(), 200);
  const headers = response.headers();
  assert.match(headers['content-type'], /^text\/html\b/);
  assert.match(headers['content-security-policy'], /script-src 'self'/);
  assert.doesNotMatch(headers['content-security-policy'], /unsafe-inline|unsafe-eval/);
  assert.match(headers['content-security-policy'], /frame-ancestors 'none'/);
  assert.equal(headers['x-content-type-options'], 'nosniff');
  assert.equal(headers['referrer-policy'], 'no-referrer');
  assert.equal(headers['cache-control'], 'no-store');
  assert.equal(await page.evaluate(() => document.querySelectorAll('script:not([src]), style, [style]').length), 0, 'no inline script or style');
  await checkA11y(page, 'portal');
  assertNoProblems(page);
  await page.context().close();
});

// What the journey tests rely on: Chromium keeps kennin's `__Host-` cookies (Secure) on
// http://127.0.0.1, sends them back, and the code mailed at ② can be read from the outbox.
// Goes only up to ② (nothing gets registered), as the demo roster's 2002-11 山田 次郎.
test('harness: the signup cookie survives in Chromium and latestCode reads the mailed code', async () => {
  const page = await newPage(browser);
  // /_local/mail is a same-origin document without a CSP, so the page may call the API.
  await page.goto(`${baseUrl()}/_local/mail`);
  const call = (method, path, body) =>
    page.evaluate(
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

  const identity = await call('POST', '/api/signup/identity', {
    insurerCode: '0904',
    symbol: '2002',
    number: '11',
    birthDate: '1969/07/20',
    nameKana: 'ヤマダ ジロウ',
  });
  assert.equal(identity.status, 200, JSON.stringify(identity.body));
  const cookies = await page.context().cookies();
  assert.ok(cookies.some((c) => c.name === '__Host-kennin_signup' && c.secure && c.httpOnly), 'the flow cookie is kept');

  const userId = uniqueUserId('smoke');
  const email = `${userId}@example.com`;
  const password = `Tk7#${Math.random().toString(36).slice(2, 10)}Qz`;
  const account = await call('POST', '/api/signup/account', { userId, password, email });
  assert.equal(account.status, 200, JSON.stringify(account.body));
  assert.equal(account.body.step, 'code');

  const state = await call('GET', '/api/signup');
  assert.equal(state.status, 200, JSON.stringify(state.body));
  assert.equal(state.body.step, 'code', 'the cookie went back with the request');

  assert.match(await latestCode(baseUrl(), email), /^\d{6}$/);
  assertNoProblems(page);
  await page.context().close();
});
