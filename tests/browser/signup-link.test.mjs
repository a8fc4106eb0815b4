// A union's leaflet links to the signup page with its code (/portal/signup?insurer=0904): the
// 保険者指定コード field starts with it, and a code that is not one is refused beside the field on
// 認証, as a typed one is.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertNoProblems, baseUrl, launch, newPage } from './harness.mjs';

const BASE = baseUrl();
// The refused 認証 is a 400; Chromium logs it as a console error.
const EXPECTED = [/status of 4\d\d/];

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function identityStep(page, query) {
  await page.goto(`${BASE}/portal/signup${query}`);
  const step = page.locator('[data-signup-step="identity"]');
  await step.getByRole('heading', { name: '① ご本人の確認' }).waitFor();
  return step;
}

test("the leaflet's address fills in the union's code", async () => {
  const page = await newPage(browser);
  let step = await identityStep(page, '?insurer=0904');
  assert.equal(await step.getByLabel('保険者指定コード', { exact: true }).inputValue(), '0904');
  step = await identityStep(page, '');
  assert.equal(await step.getByLabel('保険者指定コード', { exact: true }).inputValue(), '', 'nothing without it');
  assertNoProblems(page);
  await page.context().close();
});

test('a code in the address that is not one is refused beside the field on 認証', async () => {
  const page = await newPage(browser);
  const step = await identityStep(page, `?insurer=${encodeURIComponent('09x4')}`);
  const field = step.getByLabel('保険者指定コード', { exact: true });
  assert.equal(await field.inputValue(), '09x4');
  await step.getByLabel('記号', { exact: true }).fill('2002');
  await step.getByLabel('番号', { exact: true }).fill('11');
  await step.getByLabel('生年月日（西暦）').fill('1969/07/20');
  await step.getByLabel('氏名（カナ）').fill('ヤマダ ジロウ');
  await step.getByRole('button', { name: '認証' }).click();
  const error = page.locator('#identity-insurerCode-error');
  await error.waitFor();
  assert.equal(await error.textContent(), '保険者指定コードは4桁の数字で入力してください。');
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  assertNoProblems(page, { ignore: EXPECTED });
  await page.context().close();
});
