// The staff console in a real Chromium, on a laptop: a reviewer invited by kennin-admin sets a
// password, enrols the authenticator (the test computes the codes from the key on the page) and
// keeps the recovery codes; signs in (one message for any wrong part); reads the progress, filters
// the list to 提出済み, opens a submission with its document shown in the page, and sends it back
// (差し戻し). A viewer sees no action button; an ended session goes back to sign-in. A call-center
// operator finds a locked-out person by card, unlocks them and sends a password reset; an admin invites, re-roles and
// stops a member, reads the audit log and downloads the results as Shift_JIS CSV. Every screen
// is checked with axe-core (WCAG 2.1 A/AA) and photographed for docs/screenshots/.
//
// The test runs in a union of its own (0915), made with kennin-admin, whose one insured person
// signs up, answers and submits with a photo first: the demo union's people belong to the other
// tests.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  REPO_ROOT, assertNoProblems, baseUrl, call, checkA11y, launch, mailTo, newPage, registeredThroughApi, screenshot,
  uniqueUserId,
} from './harness.mjs';
import {
  admin, currentStep, freshCode, invitationLink, japanDay, memberSignedIn as signedInStaff, totp, unionWithCampaign,
} from './union.mjs';

const BASE = baseUrl();
const UNION = '0915';
const CARD = { symbol: '5005', number: '1', birthDate: '1980/05/05', nameKana: 'コンソール タロウ' };
const DEPENDENT = '管理 花子';
const PERSON_ID = uniqueUserId('console');
const PERSON_EMAIL = `${PERSON_ID}@example.com`;
const PERSON_PASSWORD = 'Kaede#2031zq';
const REVIEWER_EMAIL = `${uniqueUserId('reviewer')}@example.com`;
const STAFF_PASSWORD = 'Hidamari#Kouen2031';
const RETURN_REASON = '給与明細の金額が読み取れません。鮮明な写真をもう一度提出してください。';
// 4xx answers are part of these journeys; Chromium logs each as a console error.
const EXPECTED = [/status of 4\d\d/];
const LAPTOP = { width: 1280, height: 800 };

let browser;
let page;
let person; // the insured person's page, signed in
let form; // /api/survey/targets/{id} of the spouse
let enrolment; // {secret, lastStep}
let recoveryCodes;
let boss; // the union's admin's page, signed in
let operator; // a call-center operator's page, signed in

/** The union, its roster of one insured person with a spouse, and its open campaign. */
function unionWithItsCampaign() {
  return unionWithCampaign({
    code: UNION,
    name: 'コンソール健康保険組合',
    roster: [`${CARD.symbol},${CARD.number},${CARD.birthDate},${CARD.nameKana},管理 太郎`],
    dependents: [`${CARD.symbol},${CARD.number},1,カンリ ハナコ,${DEPENDENT},1982/03/03,女,配偶者,2010/04/01,同居`],
  });
}

/** The insured person signs up, answers for the spouse, sends a photo and submits. */
async function submittedWithAPhoto() {
  person = await newPage(browser);
  await registeredThroughApi(person, { insurerCode: UNION, ...CARD }, { userId: PERSON_ID, password: PERSON_PASSWORD, email: PERSON_EMAIL });
  const survey = await call(person, 'GET', '/api/survey');
  const [target] = survey.body.targets;
  assert.equal(target?.name, DEPENDENT, JSON.stringify(survey.body));
  form = `/api/survey/targets/${target.id}`;
  const saved = await call(person, 'PUT', `${form}/answers`, {
    version: (await call(person, 'GET', form)).body.version,
    answers: {
      living: 'together',
      occupation: 'part_time',
      incomes: [{ kind: 'wages', amount: 80_000, per: 'month' }],
      otherInsurance: 'none',
      residence: 'japan',
      continuation: 'continue',
    },
  });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));

  // The photo goes through the portal's own page, as a person sends it.
  await person.goto(`${BASE}/portal/survey/${target.id}#documents`);
  const documents = person.locator('#survey-documents');
  await documents.getByLabel('マイナンバーが写っていないことを確認しました').check();
  const kind = saved.body.requiredDocuments[0]?.kind ?? 'other';
  const item = person.locator(`section:not([hidden]) li[data-kind="${kind}"]`);
  await item.locator('input[type="file"]').setInputFiles(path.join(REPO_ROOT, 'tests', 'data', 'documents', 'phone-photo-gps.jpg'));
  await item.locator('.upload').getByText('送信しました').waitFor();
  const version = (await call(person, 'GET', form)).body.version;
  const submitted = await call(person, 'POST', `${form}/submit`, { version, documentsConfirmed: true });
  assert.equal(submitted.status, 200, JSON.stringify(submitted.body));
}

/** A member of the union's staff with `role`, signed in: their page, at sign-in. */
function memberSignedIn(role, name) {
  return signedInStaff(browser, { union: UNION, role, name, password: STAFF_PASSWORD, viewport: LAPTOP });
}

// ---------------------------------------------------------------- the journey

before(async () => {
  browser = await launch();
  await unionWithItsCampaign();
  await submittedWithAPhoto();
  await admin('staff', 'add', '--insurer', UNION, '--email', REVIEWER_EMAIL, '--name', '審査 一郎', '--role', 'reviewer');
  page = await newPage(browser, LAPTOP);
});

after(async () => {
  await browser?.close();
});

function screen(name) {
  return page.locator(`section[data-page="${name}"]`);
}

async function look(name) {
  await checkA11y(page, name);
  await screenshot(page, name);
}

test('the invitation: a password, the authenticator by QR code, the recovery codes once', async () => {
  await page.goto(await invitationLink(REVIEWER_EMAIL));
  const invitation = screen('invitation');
  await invitation.getByRole('heading', { name: '① パスワードの設定' }).waitFor();
  assert.equal(await page.title(), '利用登録 | 被扶養者資格調査 管理画面');
  await invitation.getByText('12文字以上64文字以内', { exact: false }).waitFor();
  await look('console-invitation-password');

  const password = invitation.getByLabel('パスワード', { exact: true });
  await password.fill('short#1A');
  await invitation.getByRole('button', { name: '設定する' }).click();
  await invitation.locator('#invitation-password-error').waitFor();
  assert.equal(await password.getAttribute('aria-invalid'), 'true');

  await password.fill(STAFF_PASSWORD);
  await invitation.getByRole('button', { name: '設定する' }).click();
  await invitation.getByRole('heading', { name: '② 認証アプリの登録' }).waitFor();
  const qr = invitation.getByRole('img', { name: '認証アプリに登録するためのQRコード' });
  await page.waitForFunction(() => document.getElementById('invitation-qr').naturalWidth > 0);
  assert.match(await qr.getAttribute('src'), /^data:image\/svg\+xml/);
  await invitation.getByText('QRコードを読み取れないときは').click();
  const secret = (await invitation.locator('#invitation-secret').textContent()).replace(/\s/g, '');
  assert.match(secret, /^[A-Z2-7]{16,}$/);
  await look('console-invitation-totp');

  enrolment = { secret, lastStep: currentStep() - 1 };
  await invitation.getByLabel('確認コード').fill(await freshCode(enrolment));
  await invitation.getByRole('button', { name: '登録する' }).click();
  await invitation.getByRole('heading', { name: '③ 回復コードの控え' }).waitFor();
  recoveryCodes = await invitation.locator('#invitation-recovery-codes li').allTextContents();
  assert.equal(recoveryCodes.length, 10);
  assert.equal(new Set(recoveryCodes).size, 10);
  await look('console-invitation-recovery');
  assertNoProblems(page, { ignore: EXPECTED });
});

test('sign-in: one message for any wrong part, then the progress', async () => {
  await screen('invitation').getByRole('link', { name: '控えたので、ログインへ進む' }).click();
  await page.waitForURL(/\/admin\/login\?reason=enrolled$/);
  const login = screen('login');
  await login.locator('#login-info').getByText('登録が終わりました', { exact: false }).waitFor();
  await look('console-login');

  await login.getByLabel('メールアドレス').fill(REVIEWER_EMAIL);
  await login.getByLabel('パスワード').fill(STAFF_PASSWORD);
  await login.getByLabel('確認コード').fill('000000' === totp(enrolment.secret, currentStep()) ? '111111' : '000000');
  await login.getByRole('button', { name: 'ログイン' }).click();
  const alert = login.locator('.form-error');
  await alert.waitFor();
  const wrongCode = await alert.textContent();
  await login.getByLabel('パスワード').fill('Wrong#Password2031');
  await login.getByLabel('確認コード').fill(await freshCode(enrolment));
  await login.getByRole('button', { name: 'ログイン' }).click();
  await page.waitForFunction(() => !document.querySelector('#login-form button[type="submit"]').disabled);
  assert.equal(await alert.textContent(), wrongCode, 'the same words whichever part was wrong');

  await login.getByLabel('パスワード').fill(STAFF_PASSWORD);
  await login.getByLabel('確認コード').fill(await freshCode(enrolment));
  await login.getByRole('button', { name: 'ログイン' }).click();
  await page.waitForURL(/\/admin\/$/);
  const dashboard = screen('dashboard');
  await dashboard.locator('#dashboard-body').waitFor();
  await dashboard.locator('#dashboard-counts li').first().waitFor();
  assert.match(await dashboard.locator('#dashboard-campaign').textContent(), /^回答期限 \d{4}年\d{1,2}月\d{1,2}日（あと\d+日）$/);
  assert.match(
    await dashboard.locator('#dashboard-reminder').textContent(),
    /^次のリマインダー \d{4}年\d{1,2}月\d{1,2}日 \d{1,2}時00分（回答期限の7日前）：未提出・差し戻しの調査票 \d+件の方へ$/,
  );
  assert.match(await page.locator('#site-user').textContent(), /審査 一郎（審査担当・コンソール健康保険組合）/);
  const menu = await page.locator('#site-nav li:not([hidden])').allTextContents();
  assert.deepEqual(menu, ['進捗', '対象者一覧'], 'a reviewer is offered what the role allows');
  await dashboard.locator('#dashboard-chart svg[role="img"]').waitFor();
  await look('console-dashboard');
  assertNoProblems(page, { ignore: EXPECTED });
});

test('the leaflet opens in a new tab, styled under its own policy, ready to print', async () => {
  const link = screen('dashboard').getByRole('link', { name: /案内チラシ/ });
  assert.equal(await link.getAttribute('target'), '_blank');
  const [leaflet] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
  const blocked = [];
  leaflet.on('console', (message) => {
    if (message.type() === 'error') {
      blocked.push(message.text());
    }
  });
  await leaflet.waitForLoadState('load');
  assert.equal(leaflet.url(), `${BASE}/api/admin/leaflet`);
  assert.equal(await leaflet.locator('.union').textContent(), 'コンソール健康保険組合');
  assert.equal(await leaflet.locator('.url').textContent(), `${BASE}/portal/signup?insurer=${UNION}`);
  await leaflet.getByRole('img', { name: '初回ログイン用ページの二次元コード' }).waitFor();
  // The inline stylesheet applies (its hash is in the policy), and printing hides the hint.
  assert.equal(await leaflet.evaluate(() => getComputedStyle(document.querySelector('.access')).display), 'flex');
  assert.equal(await leaflet.locator('p.screen').isVisible(), true);
  await leaflet.emulateMedia({ media: 'print' });
  assert.equal(await leaflet.locator('p.screen').isVisible(), false);
  // One sheet: A4's 297 mm less the page's top and bottom margins (12 mm each).
  const sheetMm = await leaflet.evaluate(() => {
    const ruler = document.createElement('div');
    ruler.style.height = '100mm';
    document.body.append(ruler);
    const perMm = ruler.getBoundingClientRect().height / 100;
    ruler.remove();
    return document.querySelector('.sheet').getBoundingClientRect().height / perMm;
  });
  assert.ok(sheetMm <= 297 - 2 * 12, `${sheetMm} mm`);
  await leaflet.emulateMedia({ media: 'screen' });
  await checkA11y(leaflet, 'leaflet');
  assert.deepEqual(blocked, [], 'no CSP violation or error');
  await leaflet.close();
});

test('the list filtered to 提出済み, then the submission with its photo, sent back', async () => {
  await page.locator('#site-nav').getByRole('link', { name: '対象者一覧' }).click();
  const list = screen('targets');
  await list.getByLabel('回答状況').selectOption({ label: '提出済み' });
  await list.getByRole('button', { name: '絞り込む' }).click();
  await page.waitForURL(/\/admin\/targets\?.*status=submitted/);
  const row = list.locator('#targets-rows tr', { hasText: DEPENDENT });
  await row.waitFor();
  assert.equal(await row.locator('.badge').textContent(), '提出済み');
  assert.equal(await list.getByLabel('回答状況').inputValue(), 'submitted', 'the filter stays shown');
  await look('console-targets');

  await row.getByRole('link', { name: DEPENDENT }).click();
  await page.waitForURL(/\/admin\/targets\/\d+-\d+-[0-9a-f]{32}$/);
  const review = screen('target');
  await review.getByRole('heading', { name: `${DEPENDENT}（${CARD.symbol}-${CARD.number}）`, level: 1 }).waitFor();
  const answers = review.locator('#target-answers');
  await answers.getByText('パート・アルバイト').waitFor();
  await answers.getByText('給与（通勤手当を含む） 80,000円（月額）').waitFor();

  const document_ = review.locator('#target-documents li').first();
  await document_.getByRole('button', { name: /を表示する$/ }).click();
  const photo = document_.locator('img.document-image');
  await photo.waitFor();
  await page.waitForFunction(() => document.querySelector('img.document-image')?.naturalWidth > 0);
  await look('console-review');

  await review.getByRole('button', { name: '差し戻し' }).click();
  const dialog = page.getByRole('dialog', { name: '差し戻し' });
  await dialog.getByLabel('差し戻しの理由').fill(RETURN_REASON);
  await checkA11y(page, 'console-return-dialog');
  await dialog.getByRole('button', { name: '差し戻す' }).click();
  await review.locator('#target-done').getByText('差し戻しました。', { exact: false }).waitFor();
  assert.equal(await review.locator('.badge').first().textContent(), '差し戻し');
  await review.locator('#target-return-reason').getByText(RETURN_REASON, { exact: false }).waitFor();
  assert.equal(await review.getByRole('button', { name: '差し戻し' }).isVisible(), false, 'only a submitted form is sent back');
  await review.locator('#target-history').getByText(RETURN_REASON).waitFor();
  // The receipt went out at the submit, the return mail now: both in the person's mails.
  const mails = review.locator('#target-mails li');
  await mails.filter({ hasText: '調査票が差し戻されました（送信済み）' }).waitFor();
  assert.match(await mails.first().textContent(), /提出を受け付けました（送信済み）$/);
  await look('console-review-returned');
  assertNoProblems(page, { ignore: EXPECTED });
});

test('the person submits again; the reviewer decides 継続', async () => {
  const returned = await call(person, 'GET', form);
  assert.equal(returned.body.status, 'returned', JSON.stringify(returned.body));
  const again = await call(person, 'POST', `${form}/submit`, { version: returned.body.version, documentsConfirmed: true });
  assert.equal(again.status, 200, JSON.stringify(again.body));

  await page.reload();
  const review = screen('target');
  await review.locator('#target-body').waitFor();
  assert.equal(await review.locator('.badge').first().textContent(), '提出済み');
  await review.getByRole('button', { name: '継続・削除・保留を決める' }).click();
  const dialog = page.getByRole('dialog', { name: '継続・削除・保留' });
  await dialog.getByRole('radio', { name: '継続（扶養を続ける）' }).check();
  await dialog.getByLabel('適用日').fill(japanDay());
  await dialog.getByLabel('理由・メモ').fill('収入は限度額の範囲内');
  await checkA11y(page, 'console-decision-dialog');
  await dialog.getByRole('button', { name: '決定する' }).click();
  await review.locator('#target-done').getByText('継続と決定しました。').waitFor();
  assert.equal(await review.locator('.badge').first().textContent(), '確認完了');
  await review.locator('#target-decision').getByText('判定：継続', { exact: false }).waitFor();
  assert.equal(await review.getByRole('button', { name: '継続・削除・保留を決める' }).isVisible(), false);
  await look('console-review-decided');
  assertNoProblems(page, { ignore: EXPECTED });
  await person.context().close();
});

test('an ended session goes back to sign-in with a message', async () => {
  await page.route('**/api/admin/campaign', (route) =>
    route.fulfill({
      status: 401,
      json: { code: 'session_expired', message: '一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。' },
    }),
  );
  await page.goto(`${BASE}/admin/`);
  await page.waitForURL(/\/admin\/login\?reason=session_expired$/);
  await screen('login').locator('#login-info').getByText('一定時間操作がなかったため', { exact: false }).waitFor();
  await page.unroute('**/api/admin/campaign');
});

test('a viewer reads the list and sees no action', async () => {
  // The admin and the operator of the tests below sign in meanwhile: each waits for fresh codes.
  const others = Promise.all([memberSignedIn('admin', '管理 一郎'), memberSignedIn('callcenter', '窓口 花子')]);
  const viewer = await memberSignedIn('viewer', '閲覧 花子');
  await viewer.goto(`${BASE}/admin/targets`);
  const row = viewer.locator('#targets-rows tr', { hasText: DEPENDENT });
  await row.waitFor();
  await checkA11y(viewer, 'console-targets (viewer)');
  await row.getByRole('link', { name: DEPENDENT }).click();
  await viewer.waitForURL(/\/admin\/targets\/\d+-\d+-[0-9a-f]{32}$/);
  const review = viewer.locator('section[data-page="target"]');
  await review.locator('#target-message, #target-body').first().waitFor();
  for (const name of ['差し戻し', '継続・削除・保留を決める', '代行入力']) {
    assert.equal(await review.getByRole('button', { name }).count(), 0, `${name} is not offered to a viewer`);
  }
  assert.equal(await review.getByRole('button', { name: /を不備にする$/ }).count(), 0);
  await checkA11y(viewer, 'console-review (viewer)');
  assertNoProblems(viewer, { ignore: EXPECTED });
  await viewer.context().close();
  [boss, operator] = await others;
});

test('the call center finds the person by card, unlocks them and sends a password reset', async () => {
  // The person mistypes the password until the login locks.
  const stranger = await newPage(browser);
  await stranger.goto(`${BASE}/portal/`);
  for (let attempt = 0; attempt < 5; attempt += 1) {
    await call(stranger, 'POST', '/api/session', { userId: PERSON_ID, password: 'Wrong#Password2031' });
  }
  assert.equal((await call(stranger, 'POST', '/api/session', { userId: PERSON_ID, password: PERSON_PASSWORD })).status, 429, 'locked');

  await operator.goto(`${BASE}/admin/people`);
  const people = operator.locator('section[data-page="people"]');
  await operator.locator('#site-nav').waitFor();
  const menu = await operator.locator('#site-nav li:not([hidden])').allTextContents();
  assert.ok(menu.includes('問い合わせ対応') && !menu.includes('職員'), `the operator's menu: ${menu}`);

  // A birth date that is no date: the message beside the field, nothing searched.
  await people.getByLabel('氏名（カナ）').fill('カンリ タロウ');
  await people.getByLabel('生年月日（西暦）').fill('1980/13/45');
  await people.locator('#people-kana-form').getByRole('button', { name: '探す' }).click();
  await people.locator('#people-birthDate-error').waitFor();
  assert.equal(await people.getByLabel('生年月日（西暦）').getAttribute('aria-invalid'), 'true');

  await people.getByLabel('記号-番号').fill(`${CARD.symbol}-${CARD.number}`);
  await people.locator('#people-card-form').getByRole('button', { name: '探す' }).click();
  const card = people.locator('article.person');
  await card.getByRole('heading', { name: /^管理 太郎（/ }).waitFor();
  await card.getByText('登録済み・ロック中').waitFor();
  await card.getByRole('link', { name: `${DEPENDENT}（配偶者）` }).waitFor();
  await card.locator('.person-mails li').filter({ hasText: '提出を受け付けました（送信済み）' }).first().waitFor();
  await checkA11y(operator, 'console-people');
  await screenshot(operator, 'console-people');

  await card.getByRole('button', { name: 'ロックを解除する' }).click();
  await card.getByRole('status').getByText('ロックを解除しました。すぐにログインできます。').waitFor();
  assert.equal((await call(stranger, 'POST', '/api/session', { userId: PERSON_ID, password: PERSON_PASSWORD })).status, 200, 'unlocked');
  await stranger.context().close();

  const mailsBefore = (await mailTo(BASE, PERSON_EMAIL)).length;
  await card.getByRole('button', { name: 'パスワード再設定のメールを送る' }).click();
  await card.getByRole('status').getByText('宛てにパスワード再設定用の認証番号を送信しました。', { exact: false }).waitFor();
  assert.equal((await mailTo(BASE, PERSON_EMAIL)).length, mailsBefore + 1, 'the person is mailed');
  assertNoProblems(operator, { ignore: EXPECTED });
  await operator.context().close();
});

test('an admin invites a member, changes the role and stops them', async () => {
  await boss.goto(`${BASE}/admin/staff`);
  const staff = boss.locator('section[data-page="staff"]');
  await staff.locator('#staff-rows tr', { hasText: '審査 一郎' }).waitFor();
  await boss.locator('#site-nav').waitFor();
  const menu = await boss.locator('#site-nav li:not([hidden])').allTextContents();
  assert.deepEqual(menu, ['進捗', '対象者一覧', '問い合わせ対応', '職員', '操作記録', '出力'], 'an admin is offered everything');

  const invitee = `${uniqueUserId('invitee')}@example.com`;
  await staff.getByLabel('氏名').fill('新人 三郎');
  await staff.getByLabel('メールアドレス').fill('not-an-address');
  await staff.getByRole('button', { name: '招待メールを送る' }).click();
  await staff.locator('#staff-email-error').waitFor();
  assert.equal(await staff.getByLabel('メールアドレス').getAttribute('aria-invalid'), 'true');

  await staff.getByLabel('メールアドレス').fill(invitee);
  await staff.getByLabel('役割', { exact: true }).selectOption({ label: '審査担当' });
  await staff.getByRole('button', { name: '招待メールを送る' }).click();
  await staff.locator('#staff-message').getByText(`${invitee} に招待メールを送りました。`, { exact: false }).waitFor();
  const row = staff.locator('#staff-rows tr', { hasText: invitee });
  await row.getByText('招待中').waitFor();
  await invitationLink(invitee);
  await checkA11y(boss, 'console-staff');
  await screenshot(boss, 'console-staff');

  await row.getByLabel('新人 三郎の役割').selectOption({ label: 'コールセンター' });
  await staff.locator('#staff-message').getByText('新人 三郎の役割を変更しました。').waitFor();
  await row.getByRole('button', { name: '新人 三郎を停止する' }).click();
  await staff.locator('#staff-message').getByText('新人 三郎の利用を停止しました。').waitFor();
  await row.getByText('停止中').waitFor();
  assert.equal(await row.getByLabel('新人 三郎の役割').inputValue(), 'callcenter');
  assertNoProblems(boss, { ignore: EXPECTED });
});

test('the audit log names who did what, newest first', async () => {
  await boss.goto(`${BASE}/admin/audit`);
  const audit = boss.locator('section[data-page="audit"]');
  const rows = audit.locator('#audit-rows tr');
  await rows.first().waitFor();
  await checkA11y(boss, 'console-audit');
  await screenshot(boss, 'console-audit');
  // Every page of the month, through the page's own 次のページへ link.
  const entries = [];
  for (;;) {
    const times = await rows.locator('time').evaluateAll((elements) => elements.map((e) => e.dateTime));
    assert.deepEqual(times, [...times].sort().reverse(), 'newest first');
    entries.push(...(await rows.allTextContents()));
    const next = audit.locator('#audit-next');
    if (await next.isHidden()) break;
    const href = await next.getAttribute('href');
    await next.click();
    await boss.waitForURL((url) => `${url.pathname}${url.search}` === href);
    await rows.first().waitFor();
  }
  const find = (action, who) => entries.filter((text) => text.includes(action) && text.includes(who));
  assert.equal(find('差し戻し', '審査 一郎').length, 1, 'the reviewer sent one back');
  assert.equal(find('判定', '審査 一郎').length, 1);
  assert.equal(find('再設定メールの送信', '窓口 花子').length, 1);
  assert.equal(find('ロック解除', '窓口 花子').length, 1);
  assert.equal(find('職員の停止', '管理 一郎').length, 1);
  assert.ok(find('ログイン失敗', '').length >= 1, 'failed sign-ins are kept');
  assert.equal(entries.some((text) => text.includes(PERSON_EMAIL) || text.includes(DEPENDENT)), false, 'no personal value in the log');
  assertNoProblems(boss, { ignore: EXPECTED });
});

test('the results download as Shift_JIS CSV', async () => {
  await boss.goto(`${BASE}/admin/export`);
  const exporting = boss.locator('section[data-page="export"]');
  await exporting.getByRole('radio', { name: '調査結果（対象者ごとに1行）' }).check();
  await exporting.getByRole('radio', { name: 'Shift_JIS' }).check();
  await checkA11y(boss, 'console-export');
  await screenshot(boss, 'console-export');
  const [download] = await Promise.all([
    boss.waitForEvent('download'),
    exporting.getByRole('button', { name: '作成してダウンロード' }).click(),
  ]);
  assert.match(download.suggestedFilename(), new RegExp(`^kennin-results-${UNION}-\\d{4}-\\d{8}\\.csv$`));
  const text = new TextDecoder('shift_jis').decode(await readFile(await download.path()));
  const [heading, ...lines] = text.trimEnd().split('\r\n');
  assert.equal(heading, '記号,番号,被扶養者番号,氏名,氏名カナ,生年月日,続柄,事業所,状況,提出日時,名簿から削除');
  assert.equal(lines.length, 1, text);
  assert.match(lines[0], new RegExp(`^${CARD.symbol},${CARD.number},01,${DEPENDENT},カンリハナコ,1982/03/03,配偶者,,確認完了,\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2},$`));
  await exporting.locator('#export-message').getByText('のダウンロードを始めました', { exact: false }).waitFor();
  assertNoProblems(boss, { ignore: EXPECTED });
  await boss.context().close();
});
