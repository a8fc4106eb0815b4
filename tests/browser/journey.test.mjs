// The first-login manual's whole journey in a real Chromium, as a person on a phone goes through
// it: ① with half-width kana and no space, a refused ② password shown next to its field, ③ with
// the code from the mail and a reload in between, login, terms, contact with the address filled
// from the postal code, the top page with the demo person's dependents to answer for; the
// 調査票 of two of them (the spouse 同居 with no income; the mother 別居 with a pension and a
// remittance, whose warnings show beside those answers), each submitted; settings and logout;
// then the two recovery links. Every screen is checked with axe-core (WCAG 2.1 A/AA) and
// photographed for docs/screenshots/. With KENNIN_REQUESTS_OUT set, every request the person's
// browser sends over the network is counted per test and written there as JSON (the bench's
// count of requests per person, for the bill).

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, beforeEach, test } from 'node:test';
import {
  assertNoProblems, baseUrl, checkA11y, latestCode, launch, mailTo, newPage, requestCounter, screenshot, uniqueUserId,
} from './harness.mjs';

const BASE = baseUrl();
const USER_ID = uniqueUserId('taro');
const EMAIL = `${USER_ID}@example.com`;
const PASSWORD = 'Sakura#2024go';
const NEW_PASSWORD = 'Nagoya#2031x';
// 4xx answers are part of these journeys; Chromium logs each as a console error.
const EXPECTED = [/status of 4\d\d/];

let browser;
let page;
let counter;

before(async () => {
  browser = await launch();
  page = await newPage(browser);
  counter = await requestCounter(page);
});

beforeEach((t) => counter.label(t.name));

/** Tests that are not every person's way (the bench's count of a person leaves them out). */
const detours = [];
function detour(name, fn) {
  detours.push(name);
  return test(name, fn);
}

/** Tests that each answer one dependent's form, from the top page to its submission. */
const dependents = [];
function dependent(name, fn) {
  dependents.push(name);
  return test(name, fn);
}

after(async () => {
  const out = process.env.KENNIN_REQUESTS_OUT;
  if (out) {
    await writeFile(out, `${JSON.stringify({ requests: counter.counts(), detours, dependents }, null, 2)}\n`);
  }
  await browser?.close();
});

/** The screen now showing. */
function screen(name) {
  return page.locator(`section[data-page="${name}"]`);
}

async function look(name) {
  await checkA11y(page, name);
  await screenshot(page, name);
}

test('① identity with half-width kana and no space', async () => {
  await page.goto(`${BASE}/portal/signup`);
  const step = page.locator('[data-signup-step="identity"]');
  await step.getByRole('heading', { name: '① ご本人の確認' }).waitFor();
  assert.equal(await page.title(), '初回ログイン | 被扶養者資格調査');
  assert.equal(await screen('signup').locator('.steps li[aria-current="step"]').textContent(), '本人確認');
  for (const [label, mode] of [['保険者指定コード', 'numeric'], ['記号', 'numeric'], ['番号', 'numeric'], ['生年月日（西暦）', 'numeric']]) {
    assert.equal(await step.getByLabel(label, { exact: true }).getAttribute('inputmode'), mode, label);
  }
  await step.getByText('記号・番号はどこに書いてありますか？').click();
  await step.getByText('資格情報のお知らせ').waitFor();
  await look('signup-identity');

  await step.getByLabel('保険者指定コード', { exact: true }).fill('0904');
  await step.getByLabel('記号', { exact: true }).fill('1001');
  await step.getByLabel('番号', { exact: true }).fill('1');
  await step.getByLabel('生年月日（西暦）').fill('1990/01/01');
  await step.getByLabel('氏名（カナ）').fill('ｹﾝﾎﾟﾀﾛｳ');
  await step.getByRole('button', { name: '認証' }).click();
  await page.locator('[data-signup-step="account"]').getByRole('heading', { name: '② ユーザーIDの作成' }).waitFor();
});

test('② a refused password is shown next to its field', async () => {
  const step = page.locator('[data-signup-step="account"]');
  assert.equal(await step.getByLabel('パスワード', { exact: true }).getAttribute('autocomplete'), 'new-password');
  await step.getByLabel('ユーザーID').fill(USER_ID);
  await step.getByLabel('パスワード', { exact: true }).fill('Password1!');
  await step.getByLabel('メールアドレス').fill(EMAIL);
  await step.getByRole('button', { name: '作成する' }).click();

  const password = step.getByLabel('パスワード', { exact: true });
  const error = step.locator('#account-password-error');
  await error.waitFor();
  assert.match(await error.textContent(), /推測されやすい/);
  assert.equal(await password.getAttribute('aria-invalid'), 'true');
  assert.match(await password.getAttribute('aria-describedby'), /account-password-error/, 'announced with the field');
  assert.equal(await step.locator('#account-userId-error').isVisible(), false, 'only the wrong field is marked');
  await look('signup-account-error');

  await password.fill(PASSWORD);
  await step.getByRole('button', { name: '作成する' }).click();
  await page.locator('[data-signup-step="code"]').getByRole('heading', { name: '③ メールの認証' }).waitFor();
});

test('③ the code from the mail, after a reload', async () => {
  const step = page.locator('[data-signup-step="code"]');
  assert.match(await step.locator('#code-address').textContent(), /^w\*\*\*@example\.com$|^t\*\*\*@example\.com$/);
  assert.equal(await step.getByLabel('認証番号').getAttribute('autocomplete'), 'one-time-code');
  assert.equal(await step.getByRole('button', { name: '認証番号を再送信' }).isDisabled(), true, 'resend waits a minute');
  await look('signup-code');

  // Coming back from the mail app reloads the page: it resumes at ③.
  await page.reload();
  await step.getByRole('heading', { name: '③ メールの認証' }).waitFor();
  assert.match(await step.locator('#code-expiry').textContent(), /残り約\d+分/);

  const code = await latestCode(BASE, EMAIL);
  await step.getByLabel('認証番号').fill(code);
  await step.getByRole('button', { name: 'OK' }).click();
  await page.waitForURL(/\/portal\/\?reason=registered$/);
  await screen('login').locator('#login-info').getByText('ユーザーIDを作成しました').waitFor();
  assertNoProblems(page, { ignore: EXPECTED });
});

test('④ login, with the site notices', async () => {
  const login = screen('login');
  await login.getByRole('heading', { name: 'サイトからのお知らせ' }).waitFor();
  await login.locator('#site-notices time').first().waitFor();
  assert.match(await login.locator('#site-notices time').first().textContent(), /^\d{4}\.\d{2}\.\d{2}$/);
  for (const link of ['パスワードを忘れた方はこちら', 'ユーザーIDを忘れた方はこちら', 'ユーザーIDの作成がまだの方はこちら']) {
    await login.getByRole('link', { name: link }).waitFor();
  }
  await look('login');

  await login.getByLabel('ユーザーID').fill(USER_ID);
  await login.getByLabel('パスワード').fill('Wrong#pass1');
  await login.getByRole('button', { name: 'ログイン' }).click();
  await login.locator('.form-error').getByText('ユーザーIDまたはパスワードが正しくありません。').waitFor();
  await login.getByLabel('パスワード').fill(PASSWORD);
  await login.getByRole('button', { name: 'ログイン' }).click();
  await page.waitForURL(/\/portal\/terms$/);
});

test('⑤ terms: 次へ only once agreed', async () => {
  const terms = screen('terms');
  await terms.locator('#terms-text').getByText('第1条（適用）').waitFor();
  const next = terms.getByRole('button', { name: '次へ' });
  assert.equal(await next.isDisabled(), true);
  await page.locator('header').getByRole('button', { name: 'ログアウト' }).waitFor();
  await look('terms');
  await terms.getByLabel('利用規約に同意する').check();
  assert.equal(await next.isDisabled(), false);
  await next.click();
  await page.waitForURL(/\/portal\/contact$/);
});

test('⑤ contact: OK first, the address from the postal code, a confirmation', async () => {
  const contact = screen('contact');
  await contact.getByRole('button', { name: 'OK' }).waitFor();
  await look('contact-intro');
  await contact.getByRole('button', { name: 'OK' }).click();

  await contact.getByLabel('郵便番号').fill('100-0001');
  const address = contact.getByLabel('住所');
  await page.waitForFunction(() => document.getElementById('contact-address').value.startsWith('東京都千代田区千代田'));
  await address.fill(`${await address.inputValue()}1-1 けんにんビル101`);
  await contact.getByLabel('電話番号（ハイフンなし）').fill('09012345678');
  assert.equal(await contact.getByLabel('電話番号（ハイフンなし）').getAttribute('type'), 'tel');
  await look('contact-form');

  await contact.getByRole('button', { name: '保存する' }).click();
  const dialog = page.getByRole('dialog', { name: 'この内容で保存してよろしいですか？' });
  await dialog.waitFor();
  await dialog.getByText('東京都千代田区千代田1-1 けんにんビル101').waitFor();
  await look('contact-confirm');
  await dialog.getByRole('button', { name: 'OK' }).click();
  await page.waitForURL(/\/portal\/home$/);
});

/** A day (a Date at midnight UTC) as the portal writes it: YYYY年M月D日. */
function longDate(day) {
  return `${day.getUTCFullYear()}年${day.getUTCMonth() + 1}月${day.getUTCDate()}日`;
}

test('⑥ the survey: each dependent to answer for, with status and deadline', async () => {
  const home = screen('home');
  const targets = home.locator('#home-targets li');
  await targets.nth(2).waitFor();
  // kennin-local seeded the demo union on its first start, the day its survey notice is dated;
  // the demo campaign is due 30 days later.
  const seeded = new Date(`${await home.locator('#union-notices li', { hasText: '被扶養者資格調査のご案内' }).locator('time').getAttribute('datetime')}T00:00:00Z`);
  const due = `回答期限 ${longDate(new Date(seeded.getTime() + 30 * 86_400_000))}`;
  const shown = await targets.evaluateAll((items) => items.map((item) => ({
    name: item.querySelector('h3 a').textContent,
    link: /^\/portal\/survey\/[A-Za-z0-9]+$/.test(item.querySelector('h3 a').getAttribute('href')),
    facts: item.querySelector('.target-facts').textContent,
    due: item.querySelector('.target-due').textContent,
  })));
  // By 枝番; 健保 さくら, 8 on the reference date, is not asked about.
  assert.deepEqual(shown, [
    { name: '健保 花子', link: true, facts: '続柄：配偶者回答状況：未回答', due },
    { name: '健保 一郎', link: true, facts: '続柄：子回答状況：未回答', due },
    { name: '健保 和子', link: true, facts: '続柄：母回答状況：未回答', due },
  ]);
  assert.match(await home.locator('#home-survey-status').textContent(), /までに調査票への回答と書類の提出をお願いします/);

  await home.getByRole('link', { name: '健保 和子' }).click();
  await page.waitForURL(/\/portal\/survey\/[A-Za-z0-9]+$/);
  const dependent = screen('survey');
  await dependent.getByRole('heading', { name: '健保 和子 様', level: 1 }).waitFor();
  const recorded = await dependent.locator('#survey-recorded').evaluate((list) =>
    Object.fromEntries([...list.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
  // Ages are counted on 4月1日 of the fiscal year of the seeding: the mother is 63 on it.
  const fiscalYear = seeded.getUTCMonth() >= 3 ? seeded.getUTCFullYear() : seeded.getUTCFullYear() - 1;
  assert.deepEqual(recorded, {
    氏名: '健保 和子',
    // The API gives the kana as the roster's matching keeps it, without the space.
    フリガナ: 'ケンポカズコ',
    続柄: '母',
    生年月日: `${fiscalYear - 63}年2月20日`,
    性別: '女',
    '同居・別居': '別居',
  });
  assert.equal(await dependent.locator('.badge').innerText(), '未回答');
  assert.equal(await dependent.locator('#survey-due').textContent(), due);
  // The 調査票 opens at its first section, the record as the union has it.
  await dependent.getByRole('heading', { name: 'ご本人の確認', level: 2 }).waitFor();
  await look('survey-dependent');
  await dependent.getByRole('link', { name: 'トップページに戻る' }).click();
  await page.waitForURL(/\/portal\/home$/);
});

/** Opens the 調査票 of `name` from the top page. */
async function openForm(name) {
  await page.goto(`${BASE}/portal/home`);
  await screen('home').getByRole('link', { name }).click();
  await page.waitForURL(/\/portal\/survey\/[A-Za-z0-9]+/);
  const form = screen('survey');
  await form.getByRole('heading', { name: `${name} 様`, level: 1 }).waitFor();
  await form.getByRole('heading', { name: 'ご本人の確認', level: 2 }).waitFor();
  return form;
}

/**
 * Leaves the section with 次へ: it is saved (保存しました), and the section `heading` follows,
 * with the focus on its heading. Checks it with axe, and photographs it as `shot` when given.
 */
async function next(form, heading, shot) {
  await form.getByRole('button', { name: '次へ' }).click();
  await form.getByRole('heading', { name: heading, level: 2 }).waitFor();
  await form.locator('#survey-saved').getByText('保存しました。').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.textContent), heading, 'the focus is on the new section');
  await assertFitsPhone(heading);
  if (shot) {
    await look(shot);
  } else {
    await checkA11y(page, heading);
  }
}

/** Fails if the page needs sideways scrolling on a 375 px phone. */
async function assertFitsPhone(name) {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 375, height: 740 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.setViewportSize(before);
  assert.ok(width <= 375, `${name} is ${width} px wide at 375 px`);
}

/** The (term, description) pairs of a <dl>. */
function summaryOf(list) {
  return list.evaluate((dl) => Object.fromEntries([...dl.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
}

/** 添付資料確認: confirms the documents and submits; 提出済み follows with what was submitted. */
async function submit(form, shot) {
  const documents = form.locator('#survey-documents');
  const confirm = documents.getByLabel('上記添付資料を確認しました。');
  await confirm.waitFor();
  // Submitting without the tick is refused at the checkbox.
  await documents.getByRole('button', { name: '提出する' }).click();
  await documents.locator('#submit-documentsConfirmed-error').waitFor();
  assert.equal(await confirm.getAttribute('aria-invalid'), 'true');
  await confirm.check();
  await documents.getByRole('button', { name: '提出する' }).click();
  const answered = form.locator('#survey-answered');
  await answered.getByRole('heading', { name: '提出済み', level: 2 }).waitFor();
  assert.equal(await form.locator('.badge').innerText(), '提出済み');
  assert.match(await answered.locator('#answered-when').textContent(), /^\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}時\d{2}分に提出しました。/);
  await look(shot);
  return answered;
}

dependent('⑦ the spouse: 同居, no income, the documents, submitted once', async () => {
  const form = await openForm('健保 花子');
  assert.equal(await form.locator('#survey-progress').textContent(), '全7ページ中 1ページ目');
  await look('survey-form-identity');
  await next(form, '同居・別居');
  await form.getByRole('radio', { name: '同居', exact: true }).check();
  assert.equal(await form.getByLabel('別居の理由').isVisible(), false, 'the questions for 別居 are not asked');
  await next(form, '職業・収入');
  await form.getByRole('radio', { name: '無職', exact: true }).check();
  await form.getByRole('radio', { name: '収入なし', exact: true }).check();
  assert.equal(await form.locator('#answers-incomes').isVisible(), false);
  // Living together, there is no 仕送り to ask about.
  await next(form, 'ほかの健康保険');
  await form.getByRole('radio', { name: '加入していない', exact: true }).check();
  await next(form, '国内居住');
  await form.getByRole('radio', { name: '日本国内に住んでいる', exact: true }).check();
  await next(form, '今後の扶養');
  await form.getByRole('radio', { name: '引き続き扶養に入る', exact: true }).check();
  await next(form, '添付資料確認');
  const documents = await form.locator('#survey-documents-list > li').evaluateAll((items) => items.map((item) => item.querySelector('.document-label').textContent));
  // The required one, then その他の書類 for anything the person adds.
  assert.deepEqual(documents, ['所得証明書または課税（非課税）証明書', 'その他の書類']);
  assert.match(await form.locator('#survey-documents-list').textContent(), /マイナンバー/);

  const answered = await submit(form, 'survey-submitted-spouse');
  const summary = await summaryOf(answered.locator('#answered-summary'));
  assert.equal(summary['同居・別居'], '同居');
  assert.equal(summary['収入の見込み'], '収入なし');
  assert.equal(summary['今後の扶養'], '引き続き扶養に入る');
  assert.equal(summary['仕送りの月額'], undefined);

  // A reload shows the submitted answers, which cannot be changed any more.
  await page.reload();
  await answered.getByRole('heading', { name: '提出済み', level: 2 }).waitFor();
  assert.equal(await form.locator('#answers-form').isVisible(), false);
  assert.equal((await summaryOf(answered.locator('#answered-summary')))['ほかの健康保険'], '加入していない');
  assertNoProblems(page, { ignore: EXPECTED });
});

dependent('⑦ the mother: 別居, a pension and a remittance, the warnings beside them, submitted', async () => {
  const form = await openForm('健保 和子');
  await next(form, '同居・別居');
  await form.getByRole('radio', { name: '別居', exact: true }).check();
  await form.getByRole('radio', { name: '別世帯', exact: true }).check();
  await form.getByLabel('別居先の郵便番号').fill('1000001');
  const address = form.getByLabel('別居先の住所');
  await page.waitForFunction(() => document.getElementById('answers-apartAddress-address').value.startsWith('東京都千代田区千代田'));
  await address.fill(`${await address.inputValue()}2-2`);
  await look('survey-form-living');

  // 職業・収入: an old-age pension of 150,000円 a month is 1,800,000円 a year, not below the
  // limit for 60 and over; the warning stays beside the income until the person goes on.
  await next(form, '職業・収入');
  assert.equal(await form.locator('#survey-progress').textContent(), '全8ページ中 3ページ目', '仕送り is asked');
  await form.getByRole('radio', { name: '年金受給者', exact: true }).check();
  await form.getByRole('radio', { name: '収入あり', exact: true }).check();
  const line = form.locator('#answers-incomes li').first();
  await line.getByLabel('収入の種類').selectOption({ label: '老齢年金' });
  assert.equal(await line.getByLabel('単位').inputValue(), 'month');
  const amount = line.getByLabel('金額（円）');
  assert.equal(await amount.getAttribute('inputmode'), 'numeric');
  await amount.fill('150000');
  await form.getByRole('button', { name: '次へ' }).click();
  const income = form.locator('[data-form-section="work"] .check-result[data-rule="yearly_income"]');
  await income.waitFor();
  assert.equal(await income.getAttribute('data-level'), 'warning');
  assert.match(await income.textContent(), /1,800,000円/);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.rule), 'yearly_income', 'the warning is read out');
  assert.equal(await amount.inputValue(), '150,000', 'the amount in thousands');
  await look('survey-form-work-warning');

  await next(form, '仕送り');
  await form.getByLabel('仕送りの月額（円）').fill('100000');
  await form.getByRole('radio', { name: '銀行振込', exact: true }).check();
  await form.getByLabel('仕送りを始めた年月').fill('2020-04');
  await form.getByRole('button', { name: '次へ' }).click();
  const remittance = form.locator('[data-form-section="remittance"] .check-result[data-rule="remittance_below_income"]');
  await remittance.waitFor();
  assert.equal(await remittance.getAttribute('data-level'), 'warning');
  await look('survey-form-remittance-warning');

  await next(form, 'ほかの健康保険', 'survey-form-insurance');
  await form.getByRole('radio', { name: '加入していない', exact: true }).check();
  await next(form, '国内居住', 'survey-form-residence');
  await form.getByRole('radio', { name: '日本国内に住んでいる', exact: true }).check();
  await next(form, '今後の扶養', 'survey-form-continuation');
  await form.getByRole('radio', { name: '引き続き扶養に入る', exact: true }).check();
  await next(form, '添付資料確認');
  const documents = form.locator('#survey-documents');
  const labels = await documents.locator('#survey-documents-list .document-label').allTextContents();
  assert.deepEqual(labels.map((label) => label.replace(/（.*$/, '')), ['所得証明書または課税', '年金額改定通知書または年金振込通知書', '仕送りの送金証明', 'その他の書類']);
  // The warnings again, before submitting.
  assert.deepEqual(await documents.locator('#survey-checks-all .check-result').evaluateAll((all) => all.map((c) => c.dataset.rule)).then((rules) => rules.sort()), ['remittance_below_income', 'yearly_income']);
  await look('survey-documents');

  const answered = await submit(form, 'survey-submitted');
  const summary = await summaryOf(answered.locator('#answered-summary'));
  assert.equal(summary['同居・別居'], '別居');
  assert.equal(summary['別居の理由'], '別世帯');
  assert.equal(summary['収入の見込み'], '老齢年金 150,000円（月額）');
  assert.equal(summary['仕送りの月額'], '100,000円');
  assert.equal(summary['仕送りの方法'], '銀行振込');
  assert.equal(summary['仕送りを始めた年月'], '2020年4月');
  assert.equal(await answered.locator('#answered-documents > li:not([data-kind="other"])').count(), 3);
  assertNoProblems(page, { ignore: EXPECTED });
});

test('⑦ the top page: 提出済み for both, the child still to answer', async () => {
  await page.goto(`${BASE}/portal/home`);
  const targets = screen('home').locator('#home-targets li');
  await targets.nth(2).waitFor();
  const facts = await targets.locator('.target-facts').allTextContents();
  assert.deepEqual(facts, ['続柄：配偶者回答状況：提出済み', '続柄：子回答状況：未回答', '続柄：母回答状況：提出済み']);
});

test('a returning top page: its files from the cache, the page gzipped, one API call', async () => {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const apiCalls = [];
  cdp.on('Network.requestWillBeSent', ({ request }) => {
    const { pathname, search } = new URL(request.url);
    if (pathname.startsWith('/api/')) {
      apiCalls.push(`${request.method} ${pathname}${search}`);
    }
  });
  const fromNetwork = [];
  const fromCache = new Set();
  const caching = [];
  let shellEncoding;
  cdp.on('Network.requestServedFromCache', ({ requestId }) => fromCache.add(requestId));
  cdp.on('Network.responseReceived', ({ requestId, response }) => {
    const { pathname } = new URL(response.url);
    if (pathname === '/portal/home') {
      shellEncoding = response.headers['content-encoding'];
    }
    if (pathname.startsWith('/portal/assets/')) {
      caching.push(response.headers['cache-control']);
      if (!response.fromDiskCache) {
        fromNetwork.push({ requestId, pathname });
      }
    }
  });
  await page.goto(`${BASE}/portal/home`);
  await screen('home').locator('#home-targets li').nth(2).waitFor();
  await cdp.detach();
  const asked = fromNetwork.filter(({ requestId }) => !fromCache.has(requestId)).map(({ pathname }) => pathname);
  assert.deepEqual(asked, [], 'every stylesheet and module comes from the cache');
  assert.ok(caching.length > 0, 'the page has its files');
  for (const header of caching) {
    assert.equal(header, 'public, max-age=31536000, immutable', 'kept a year, never asked again');
  }
  assert.equal(shellEncoding, 'gzip', 'the page itself is sent gzipped');
  assert.deepEqual(apiCalls, ['GET /api/me?include=survey'], 'who is logged in, the notices and the survey in one call');
});

test('⑥ the top page, settings and logout', async () => {
  const home = screen('home');
  await home.locator('#home-greeting').getByText('健保 太郎 様').waitFor();
  await home.locator('#home-targets li').first().waitFor();
  await home.getByRole('heading', { name: '被扶養者資格調査' }).waitFor();
  await home.getByRole('heading', { name: '組合からのお知らせ' }).waitFor();
  await home.locator('#union-notices').getByText('被扶養者資格調査のご案内').waitFor();
  assert.equal(await page.evaluate(() => localStorage.length + sessionStorage.length), 0, 'nothing kept in browser storage');
  await look('home');

  await home.getByRole('link', { name: 'アカウント設定' }).click();
  await page.waitForURL(/\/portal\/settings$/);
  await screen('settings').locator('#settings-contact-current').getByText('東京都千代田区千代田1-1').waitFor();
  await look('settings');

  await page.goto(`${BASE}/portal/home`);
  await home.getByRole('button', { name: 'ログアウト' }).click();
  await page.waitForURL(/\/portal\/\?reason=logged_out$/);
  // The session is gone: the top page sends the person back to login.
  await page.goto(`${BASE}/portal/home`);
  await page.waitForURL(/\/portal\/\?reason=login_required$/);
  await screen('login').locator('#login-info').getByText('ログインしてください。').waitFor();
  assertNoProblems(page, { ignore: EXPECTED });
});

detour('パスワードを忘れた方: a code by mail, a new password', async () => {
  await page.goto(`${BASE}/portal/`);
  await screen('login').getByRole('link', { name: 'パスワードを忘れた方はこちら' }).click();
  await page.waitForURL(/\/portal\/forgot-password$/);
  const forgot = screen('forgot-password');
  await look('forgot-password');
  await forgot.getByLabel('ユーザーID').first().fill(USER_ID);
  await forgot.getByLabel('メールアドレス').fill(EMAIL);
  await forgot.getByRole('button', { name: '認証番号を送る' }).click();

  const reset = forgot.locator('#reset-form');
  await reset.getByText('登録されているメールアドレスにメールを送信しました').waitFor();
  assert.equal(await reset.getByLabel('ユーザーID').inputValue(), USER_ID);
  const code = await latestCode(BASE, EMAIL, { subject: /パスワード再設定/ });
  await reset.getByLabel('認証番号').fill(code);
  await reset.getByLabel('新しいパスワード').fill(NEW_PASSWORD);
  await look('forgot-password-reset');
  await reset.getByRole('button', { name: 'パスワードを再設定する' }).click();
  await page.waitForURL(/\/portal\/\?reason=password_reset$/);

  const login = screen('login');
  await login.getByLabel('ユーザーID').fill(USER_ID);
  await login.getByLabel('パスワード').fill(NEW_PASSWORD);
  await login.getByRole('button', { name: 'ログイン' }).click();
  await page.waitForURL(/\/portal\/home$/);
  await page.goto(`${BASE}/portal/home`);
  await screen('home').getByRole('button', { name: 'ログアウト' }).click();
  await page.waitForURL(/reason=logged_out$/);
});

detour('ユーザーIDを忘れた方: the ID by mail, nothing on the screen', async () => {
  await page.goto(`${BASE}/portal/forgot-id`);
  const forgot = screen('forgot-id');
  await forgot.getByRole('heading', { name: 'ユーザーIDの確認' }).waitFor();
  await forgot.getByLabel('保険者指定コード').fill('０９０４');
  await forgot.getByLabel('記号', { exact: true }).fill('1001');
  await forgot.getByLabel('番号', { exact: true }).fill('1');
  await forgot.getByLabel('生年月日（西暦）').fill('1990/1/1');
  await forgot.getByLabel('メールアドレス').fill(EMAIL);
  // While the request is in flight the button cannot be pressed again.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/api/user-id/forgot', async (route) => {
    await held;
    await route.continue();
  });
  const button = forgot.getByRole('button', { name: 'ユーザーIDを送る' });
  await button.click();
  assert.equal(await button.isDisabled(), true, 'disabled while sending');
  assert.equal(await button.getAttribute('aria-busy'), 'true');
  release();
  await forgot.getByText('登録されているメールアドレスにメールを送信しました').waitFor();
  await page.unroute('**/api/user-id/forgot');
  assert.equal(await button.isDisabled(), false);
  assert.equal(await page.getByText(USER_ID).count(), 0, 'the ID is not shown on the screen');
  await look('forgot-id');
  const mails = await mailTo(BASE, EMAIL);
  assert.ok(mails.some((m) => m.subject === '【ユーザーIDのお知らせ】' && m.text.includes(`ユーザーID：${USER_ID}`)));
  assertNoProblems(page, { ignore: EXPECTED });
});

detour('an unknown address shows the not-found screen', async () => {
  const response = await page.goto(`${BASE}/portal/no-such-page`);
  assert.equal(response.status(), 404);
  await screen('not-found').getByRole('heading', { name: 'ページが見つかりません' }).waitFor();
  await checkA11y(page, 'not-found');
});
