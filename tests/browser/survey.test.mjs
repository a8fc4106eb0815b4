// The survey on the top page and on a dependent's page, in each state a campaign can be in. As
// the demo roster's 1001-2 佐倉 花子, who has no target dependent: her real answer is "nothing
// is asked of you"; for the other states the test answers the survey of GET /api/me?include=survey
// and GET /api/survey/targets/{id} itself, with the contract's shapes (the journey and
// survey-form.test.mjs use the real ones).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertNoProblems, baseUrl, checkA11y, launch, newPage, registeredThroughApi, screenshot, uniqueUserId } from './harness.mjs';

const BASE = baseUrl();
const USER_ID = uniqueUserId('hanako');
const EMAIL = `${USER_ID}@example.com`;
const PASSWORD = 'Kaede#2031qx';
// 4xx answers are part of these checks; Chromium logs each as a console error.
const EXPECTED = [/status of 4\d\d/];

const CONTACT = {
  name: 'けんにん健康保険組合 適用グループ',
  phone: '03-1234-5678',
  hours: '平日 9:00〜17:00',
  email: 'tekiyo@kenpo.example.jp',
};
const SPOUSE = {
  id: '01JSPOUSE0000000000000000A',
  name: '佐倉 一郎',
  nameKana: 'サクラ イチロウ',
  relationship: '配偶者',
  birthDate: '1983-11-03',
  sex: '男',
  living: '同居',
  status: 'submitted',
  statusLabel: '提出済み',
  updatedAt: '2026-12-10T10:00:00+09:00',
};
const MOTHER = {
  id: '01JMOTHER0000000000000000B',
  name: '佐倉 春子',
  nameKana: 'サクラ ハルコ',
  relationship: '母',
  birthDate: '1958-03-21',
  sex: '女',
  living: '別居',
  status: 'returned',
  statusLabel: '差し戻し',
  updatedAt: '2026-12-12T15:30:00+09:00',
};

/** A campaign of the contract; `opensAt` in UTC, to see it written in Japan time. */
function campaign(state, pastDue = false) {
  return {
    title: '2026年度 被扶養者資格調査',
    opensAt: '2026-12-06T00:30:00Z',
    dueAt: '2027-01-05T23:59:59+09:00',
    dueDate: '2027-01-05',
    state,
    pastDue,
  };
}

let browser;
let context;

before(async () => {
  browser = await launch();
  // The device is in London: the times shown must still be Japan's.
  const page = await newPage(browser, { timezoneId: 'Europe/London' });
  context = page.context();
  await registeredAndLoggedIn(page);
  await page.close();
});

after(async () => {
  await browser?.close();
});

/** Signs 佐倉 花子 up and logs in through the API, then finishes first login ⑤. */
async function registeredAndLoggedIn(page) {
  await registeredThroughApi(page, { insurerCode: '0904', symbol: '1001', number: '2', birthDate: '1985/04/15', nameKana: 'サクラ ハナコ' }, { userId: USER_ID, password: PASSWORD, email: EMAIL });
}

/**
 * A page of the logged-in context; with `survey`, the top page's GET /api/me?include=survey
 * carries that survey instead of the server's, and GET /api/survey/targets/{id} answers the form
 * of each of `forms` (by id).
 */
async function pageWith(survey, forms = []) {
  const page = await newPage(browser, { timezoneId: 'Europe/London', storageState: await context.storageState() });
  if (survey) {
    await page.route('**/api/me?include=survey', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, json: { ...(await response.json()), survey } });
    });
  }
  for (const form of forms) {
    await page.route(`**/api/survey/targets/${form.id}`, (route) => route.fulfill({ json: form }));
  }
  return page;
}

/** A dependent's 調査票 as GET /api/survey/targets/{id} gives it; `extra` replaces parts. */
function formOf(target, survey, extra = {}) {
  const { updatedAt, ...recorded } = target;
  return {
    ...recorded,
    answers: {},
    version: 0,
    editable: survey.campaign.state === 'open',
    requiredDocuments: [],
    checks: [],
    submittedAt: null,
    returnReason: null,
    campaign: survey.campaign,
    contact: survey.contact,
    ...extra,
  };
}

function home(page) {
  return page.locator('section[data-page="home"]');
}

/** Fails if the page is wider than a 360 px phone: nothing may need sideways scrolling. */
async function assertFitsSmallPhone(page, name) {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 360, height: 740 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.setViewportSize(before);
  assert.ok(width <= 360, `${name} is ${width} px wide at 360 px`);
}

/** The top page's list: each dependent's name, 続柄, status and deadline as shown. */
async function listed(page) {
  return home(page).locator('#home-targets li').evaluateAll((items) =>
    items.map((item) => ({
      name: item.querySelector('h3 a').textContent,
      href: item.querySelector('h3 a').getAttribute('href'),
      facts: item.querySelector('.target-facts').textContent,
      due: item.querySelector('.target-due').textContent,
    })),
  );
}

test('a person with no target dependent is told nothing is asked of them', async () => {
  const page = await pageWith();
  await page.goto(`${BASE}/portal/home`);
  const status = home(page).locator('#home-survey-status');
  await status.getByText('今年度、ご回答いただく被扶養者の方はいません。').waitFor();
  assert.equal(await home(page).locator('#home-targets').isVisible(), false);
  // She is sent to the union, whose contact the demo seeds.
  assert.match(await status.textContent(), /下記のお問い合わせ先/);
  const contact = home(page).locator('#home-contact');
  await contact.getByText('けんにん健康保険組合 適用グループ').waitFor();
  assert.equal(await contact.getByRole('link', { name: '03-1234-5678' }).getAttribute('href'), 'tel:0312345678');
  await checkA11y(page, 'home (no target)');
  assertNoProblems(page, { ignore: EXPECTED });
  await page.close();
});

test('open: each dependent with 続柄, a status badge and the deadline', async () => {
  const page = await pageWith({ campaign: campaign('open'), contact: CONTACT, targets: [SPOUSE, MOTHER] });
  await page.goto(`${BASE}/portal/home`);
  await home(page).locator('#home-targets li').nth(1).waitFor();
  assert.equal(await home(page).locator('#home-campaign-title').textContent(), '2026年度 被扶養者資格調査');
  assert.match(await home(page).locator('#home-survey-status').textContent(), /2027年1月5日までに/);
  assert.deepEqual(await listed(page), [
    { name: '佐倉 一郎', href: `/portal/survey/${SPOUSE.id}`, facts: '続柄：配偶者回答状況：提出済み', due: '回答期限 2027年1月5日' },
    { name: '佐倉 春子', href: `/portal/survey/${MOTHER.id}`, facts: '続柄：母回答状況：差し戻し', due: '回答期限 2027年1月5日' },
  ]);
  // The status is a visible label, not a colour: the badge shows the words themselves.
  const badge = home(page).locator('#home-targets .badge').first();
  assert.equal(await badge.isVisible(), true);
  assert.equal(await badge.innerText(), '提出済み');
  assert.equal(await home(page).locator('#home-contact').isVisible(), false, 'nobody is told to call the union');
  await checkA11y(page, 'home (open)');
  assertNoProblems(page, { ignore: EXPECTED });
  await page.close();
});

test('open, every dependent submitted: the top page says so', async () => {
  const page = await pageWith({ campaign: campaign('open'), contact: CONTACT, targets: [SPOUSE] });
  await page.goto(`${BASE}/portal/home`);
  await home(page).locator('#home-survey-status').getByText('すべての被扶養者の方の調査票を提出しました。', { exact: false }).waitFor();
  assert.deepEqual((await listed(page)).map((t) => t.facts), ['続柄：配偶者回答状況：提出済み']);
  assertNoProblems(page, { ignore: EXPECTED });
  await page.close();
});

test('upcoming: when answers open, in Japan time', async () => {
  const survey = { campaign: campaign('upcoming'), contact: CONTACT, targets: [SPOUSE] };
  const page = await pageWith(survey, [formOf(SPOUSE, survey, { status: 'not_started', statusLabel: '未回答' })]);
  await page.goto(`${BASE}/portal/home`);
  const status = home(page).locator('#home-survey-status');
  await status.getByText('回答の受付は2026年12月6日 9時30分に始まります。回答期限は2027年1月5日です。').waitFor();
  await checkA11y(page, 'home (upcoming)');

  await home(page).getByRole('link', { name: '佐倉 一郎' }).click();
  await page.waitForURL(`**/portal/survey/${SPOUSE.id}`);
  const dependent = page.locator('section[data-page="survey"]');
  await dependent.locator('#survey-message').getByText('回答の受付は2026年12月6日 9時30分に始まります。').waitFor();
  // Nothing to fill in yet: the record, and no answers.
  assert.equal(await dependent.locator('#answers-form').isVisible(), false);
  await dependent.locator('#answered-recorded').getByText('佐倉 一郎').waitFor();
  await dependent.locator('#answered-summary').getByText('まだ回答していません').waitFor();
  await checkA11y(page, 'survey dependent (upcoming)');
  assertNoProblems(page, { ignore: EXPECTED });
  await page.close();
});

test('past due: the deadline has passed, answer at once, the union\'s contact', async () => {
  const page = await pageWith({ campaign: campaign('open', true), contact: { ...CONTACT, email: null }, targets: [MOTHER] });
  await page.goto(`${BASE}/portal/home`);
  const status = home(page).locator('#home-survey-status');
  await status.getByText('回答期限の2027年1月5日を過ぎています。できるだけ早く回答し、提出してください。').waitFor();
  assert.match(await status.textContent(), /下記のお問い合わせ先/);
  const contact = home(page).locator('#home-contact');
  await contact.getByRole('heading', { name: 'お問い合わせ先' }).waitFor();
  assert.equal(await contact.getByRole('link', { name: '03-1234-5678' }).getAttribute('href'), 'tel:0312345678');
  await contact.getByText('平日 9:00〜17:00').waitFor();
  assert.equal(await contact.getByText('メールアドレス').count(), 0, 'a detail the union did not give is left out');
  assert.deepEqual((await listed(page)).map((t) => t.due), ['回答期限 2027年1月5日（期限を過ぎています）']);
  await checkA11y(page, 'home (past due)');
  assertNoProblems(page, { ignore: EXPECTED });
  await page.close();
});

test('closed: the survey has closed, with the union\'s contact', async () => {
  const survey = { campaign: campaign('closed'), contact: CONTACT, targets: [SPOUSE, MOTHER] };
  const mother = formOf(MOTHER, survey, {
    status: 'in_progress',
    statusLabel: '回答中',
    answers: { living: 'apart', apartReason: 'separate_household', incomes: [{ kind: 'pension_old_age', amount: 80000, per: 'month' }] },
  });
  const page = await pageWith(survey, [mother]);
  await page.goto(`${BASE}/portal/home`);
  await home(page).locator('#home-survey-status').getByText('今年度の被扶養者資格調査の受付は終了しました。', { exact: false }).waitFor();
  const contact = home(page).locator('#home-contact');
  await contact.getByText(CONTACT.name).waitFor();
  assert.equal(await contact.getByRole('link', { name: CONTACT.email }).getAttribute('href'), `mailto:${CONTACT.email}`);
  await checkA11y(page, 'home (closed)');
  await assertFitsSmallPhone(page, 'the top page');
  await screenshot(page, 'home-survey-closed');

  await page.goto(`${BASE}/portal/survey/${MOTHER.id}`);
  const dependent = page.locator('section[data-page="survey"]');
  await dependent.locator('#survey-message').getByText('受付は終了しました', { exact: false }).waitFor();
  await dependent.locator('#survey-contact').getByText(CONTACT.phone).waitFor();
  // The answers as they were left, which can no longer change.
  assert.equal(await dependent.locator('#answers-form').isVisible(), false, 'no form once closed');
  await dependent.getByRole('heading', { name: '回答内容', level: 2 }).waitFor();
  await dependent.locator('#answered-summary').getByText('老齢年金 80,000円（月額）').waitFor();
  await dependent.locator('#answered-summary').getByText('別世帯').waitFor();
  await checkA11y(page, 'survey dependent (closed)');
  await assertFitsSmallPhone(page, 'the dependent\'s page');
  assertNoProblems(page, { ignore: EXPECTED });
  await page.close();
});

test('returned (差し戻し): the union\'s reason above the form, to answer again', async () => {
  const survey = { campaign: campaign('open'), contact: CONTACT, targets: [MOTHER] };
  const mother = formOf(MOTHER, survey, {
    answers: { living: 'apart', apartReason: 'work' },
    version: 4,
    returnReason: '仕送りの送金証明が3か月分そろっていません。',
    checks: [{ rule: 'relationship_apart', level: 'info', message: '別居の確認のお知らせ', figures: {} }],
  });
  const page = await pageWith(survey, [mother]);
  await page.goto(`${BASE}/portal/survey/${MOTHER.id}#living`);
  const dependent = page.locator('section[data-page="survey"]');
  await dependent.locator('#survey-returned').getByText('（理由：仕送りの送金証明が3か月分そろっていません。）', { exact: false }).waitFor();
  assert.equal(await dependent.locator('.badge').innerText(), '差し戻し');
  // The address's section is shown, with the saved answers and the check beside them.
  await dependent.getByRole('heading', { name: '同居・別居', level: 2 }).waitFor();
  assert.equal(await dependent.getByRole('radio', { name: '別居', exact: true }).isChecked(), true);
  assert.equal(await dependent.getByRole('radio', { name: '被保険者の単身赴任', exact: true }).isChecked(), true);
  await dependent.locator('[data-form-section="living"] .check-result').getByText('別居の確認のお知らせ').waitFor();
  // 単身赴任: the family is not kept by a remittance, so 仕送り is not asked.
  assert.equal(await dependent.locator('#survey-progress').textContent(), '全7ページ中 2ページ目');
  await checkA11y(page, 'survey dependent (returned)');
  await assertFitsSmallPhone(page, 'the returned form');
  assertNoProblems(page, { ignore: EXPECTED });
  await page.close();
});

test('a dependent who is not in the list is not found, whoever they are', async () => {
  const page = await pageWith();
  await page.goto(`${BASE}/portal/survey/01JNOTAMONGMYTARGETS000000`);
  const dependent = page.locator('section[data-page="survey"]');
  await dependent.getByRole('heading', { name: '被扶養者の方が見つかりません' }).waitFor();
  await dependent.getByText('お探しの被扶養者の方は見つかりません。').waitFor();
  assert.equal(await dependent.locator('#survey-target').isVisible(), false);
  await dependent.getByRole('link', { name: 'トップページに戻る' }).click();
  await page.waitForURL(/\/portal\/home$/);
  await checkA11y(page, 'home after not found');
  assertNoProblems(page, { ignore: EXPECTED });
  await page.close();
});

test('an address with a malformed id is the not-found screen', async () => {
  const page = await pageWith();
  const response = await page.goto(`${BASE}/portal/survey/not-an-id`);
  assert.equal(response.status(), 404);
  await page.locator('section[data-page="not-found"]').getByRole('heading', { name: 'ページが見つかりません' }).waitFor();
  await page.close();
});
