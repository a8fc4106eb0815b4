// Account hardening in a real Chromium: every password field is type=password and takes a
// paste; a notice full of markup stays text; the settings page changes the email with the
// current password and ends the other devices' sessions; an address that bounced is told on the
// top page until it is changed. As the demo roster's 1001-3 鈴木 一郎.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertNoProblems, baseUrl, call, checkA11y, latestCode, launch, newPage, uniqueUserId } from './harness.mjs';
import { admin } from './union.mjs';

const BASE = baseUrl();
const USER_ID = uniqueUserId('ichiro');
const EMAIL = `${USER_ID}@example.com`;
const NEW_EMAIL = `${USER_ID}.new@example.com`;
const THIRD_EMAIL = `${USER_ID}.third@example.com`;
const PASSWORD = 'Momiji#2031zx';
// 4xx answers are part of these checks; Chromium logs each as a console error.
const EXPECTED = [/status of 4\d\d/];

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** Signs 鈴木 一郎 up and logs in through the API, then finishes first login ⑤, in `page`'s context. */
async function registeredAndLoggedIn(page) {
  await page.goto(`${BASE}/_local/mail`);
  const identity = await call(page, 'POST', '/api/signup/identity', {
    insurerCode: '0904', symbol: '1001', number: '3', birthDate: '1978/12/31', nameKana: 'スズキ イチロウ',
  });
  assert.equal(identity.status, 200, JSON.stringify(identity.body));
  const account = await call(page, 'POST', '/api/signup/account', { userId: USER_ID, password: PASSWORD, email: EMAIL });
  assert.equal(account.status, 200, JSON.stringify(account.body));
  const code = await call(page, 'POST', '/api/signup/code', { code: await latestCode(BASE, EMAIL) });
  assert.equal(code.status, 200, JSON.stringify(code.body));
  await logIn(page);
  const terms = await call(page, 'GET', '/api/terms');
  await call(page, 'POST', '/api/me/terms', { version: terms.body.version });
  const contact = await call(page, 'PUT', '/api/me/contact', { postalCode: '1000001', address: '東京都千代田区千代田1-1', phone: '0312345678' });
  assert.equal(contact.body.next, 'home', JSON.stringify(contact.body));
}

async function logIn(page) {
  await page.goto(`${BASE}/_local/mail`);
  const login = await call(page, 'POST', '/api/session', { userId: USER_ID, password: PASSWORD });
  assert.equal(login.status, 200, JSON.stringify(login.body));
}

test('every password field is type=password, and none is a plain text field', async () => {
  const page = await newPage(browser);
  await page.goto(`${BASE}/portal/`);
  // The portal is one shell: every screen's fields are in it, shown or not.
  const fields = await page.evaluate(() =>
    [...document.querySelectorAll('input[name="password"], input[name="currentPassword"], input[autocomplete$="-password"]')]
      .map((input) => ({ id: input.id, type: input.getAttribute('type'), autocomplete: input.autocomplete })),
  );
  // login, ② account, settings (current and new), email change (current), reset (new)
  assert.equal(fields.length, 6, JSON.stringify(fields));
  for (const field of fields) {
    assert.equal(field.type, 'password', field.id);
    assert.match(field.autocomplete, /^(current|new)-password$/, field.id);
  }
  assertNoProblems(page);
  await page.context().close();
});

test('a password can be pasted into the login form', async () => {
  const page = await newPage(browser, { permissions: ['clipboard-read', 'clipboard-write'] });
  await page.goto(`${BASE}/portal/`);
  const password = page.locator('section[data-page="login"]').getByLabel('パスワード');
  await password.waitFor();
  // A script that blocked paste would cancel this event.
  const allowed = await password.evaluate((input) => {
    const data = new DataTransfer();
    data.setData('text/plain', 'x');
    return input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  assert.equal(allowed, true, 'the paste event is not cancelled');
  // And a real paste from the clipboard, as a password manager's copy would be.
  await page.evaluate((text) => navigator.clipboard.writeText(text), 'Pasted#2031zq');
  await password.focus();
  await page.keyboard.press('ControlOrMeta+V');
  assert.equal(await password.inputValue(), 'Pasted#2031zq');
  assertNoProblems(page);
  await page.context().close();
});

test('a notice containing markup is shown as text', async () => {
  const title = '<img src=x onerror="document.title=\'pwned\'">お知らせ';
  const text = '<script>document.title="pwned"</script><b>太字ではありません</b>';
  const added = await admin('notice', 'add', '--site', '--date', '2100-12-31', '--title', title, '--text', text);
  const id = /: ([0-9a-f]+)（/.exec(added)?.[1];
  assert.ok(id, added);
  try {
    const page = await newPage(browser);
    await page.goto(`${BASE}/portal/`);
    const notices = page.locator('#site-notices');
    await notices.getByText(title, { exact: true }).waitFor();
    await notices.getByText(text, { exact: true }).waitFor();
    assert.equal(await notices.locator('img, script, b').count(), 0, 'no element came from the notice');
    assert.notEqual(await page.title(), 'pwned');
    assertNoProblems(page);
    await page.context().close();
  } finally {
    // The other tests photograph the login page: it must look as usual.
    await admin('notice', 'remove', '--site', '--id', id);
  }
});

test('settings: the email changes with the current password; other devices log out', async () => {
  const page = await newPage(browser);
  await registeredAndLoggedIn(page);
  const otherDevice = await newPage(browser);
  await logIn(otherDevice);

  await page.goto(`${BASE}/portal/settings`);
  const listed = page.locator('#sessions-list li');
  await listed.first().waitFor();
  assert.equal(await listed.count(), 2, 'this device and the other one are listed');
  assert.match(await listed.first().textContent(), /^この端末：.*にログイン、最終利用/);
  assert.match(await listed.nth(1).textContent(), /^ほかの端末：/);
  const form = page.locator('#email-form');
  await form.getByLabel('新しいメールアドレス').fill(NEW_EMAIL);
  await form.getByLabel('現在のパスワード').fill('Wrong#pass1');
  await form.getByRole('button', { name: '認証番号を送る' }).click();
  await page.locator('#email-currentPassword-error').getByText('現在のパスワードが正しくありません。').waitFor();

  await form.getByLabel('現在のパスワード').fill(PASSWORD);
  await form.getByRole('button', { name: '認証番号を送る' }).click();
  const codeForm = page.locator('#email-code-form');
  await codeForm.getByLabel('認証番号').waitFor();
  await codeForm.getByLabel('認証番号').fill(await latestCode(BASE, NEW_EMAIL));
  await codeForm.getByRole('button', { name: '変更する' }).click();
  await page.locator('#password-form [role="status"]').getByText(/メールアドレスを .* に変更しました。/).waitFor();

  assert.equal((await call(otherDevice, 'GET', '/api/me')).status, 200);
  const sessions = page.locator('#sessions-form');
  await sessions.getByRole('button', { name: '他の端末からログアウト' }).click();
  await sessions.getByText('ほかの端末でのログインをすべて終了しました。').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('#sessions-list li').length === 1);
  assert.equal((await call(otherDevice, 'GET', '/api/me')).status, 401, 'the other device is logged out');
  await page.goto(`${BASE}/portal/home`);
  await page.locator('#home-greeting').getByText('鈴木 一郎 様').waitFor();
  assertNoProblems(page, { ignore: EXPECTED });
  await page.context().close();
  await otherDevice.context().close();
});

// After the test above: the account's address is NEW_EMAIL.
test('a bounced address: the top page says so and links to the change, which lifts it', async () => {
  const page = await newPage(browser);
  await logIn(page);
  await page.goto(`${BASE}/portal/home`);
  await page.locator('#home-greeting').getByText('鈴木 一郎 様').waitFor();
  assert.equal(await page.locator('#home-undeliverable').isVisible(), false, 'nothing while mail goes out');

  const said = await admin('mail', 'bounce', '--email', NEW_EMAIL, '--insurer', '0904');
  assert.match(said, /1件/);
  await page.reload();
  const warning = page.locator('#home-undeliverable');
  await warning.getByText(/ご登録のメールアドレスにメールをお届けできませんでした。/).waitFor();
  await checkA11y(page, 'top page with an address that bounced');
  await warning.getByRole('link', { name: 'メールアドレスを変更する' }).click();
  await page.waitForURL(`${BASE}/portal/settings#settings-email`);
  const form = page.locator('#email-form');
  await page.waitForFunction(() => document.activeElement?.id === 'email-email');
  await form.getByLabel('新しいメールアドレス').fill(THIRD_EMAIL);
  await form.getByLabel('現在のパスワード').fill(PASSWORD);
  await form.getByRole('button', { name: '認証番号を送る' }).click();
  const codeForm = page.locator('#email-code-form');
  await codeForm.getByLabel('認証番号').fill(await latestCode(BASE, THIRD_EMAIL));
  await codeForm.getByRole('button', { name: '変更する' }).click();
  await page.locator('#password-form [role="status"]').getByText(/メールアドレスを .* に変更しました。/).waitFor();

  await page.goto(`${BASE}/portal/home`);
  await page.locator('#home-greeting').getByText('鈴木 一郎 様').waitFor();
  assert.equal(await page.locator('#home-undeliverable').isVisible(), false, 'lifted by the change');
  assertNoProblems(page, { ignore: EXPECTED });
  await page.context().close();
});
