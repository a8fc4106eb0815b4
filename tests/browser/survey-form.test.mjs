// The 調査票 against the real API, where a journey would not show it: an amount refused at its
// field, a benefit asked per day, a reload in the middle of the form, two tabs saving from the
// same version, 提出する with an answer missing, and the documents: photos and PDFs sent, scaled,
// refused, retried, deleted, and more sent after submitting. As the demo roster's 2002-10 田中 美咲, whose spouse 田中 健太 is a target.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT, assertNoProblems, baseUrl, call, checkA11y, launch, newPage, registeredThroughApi, screenshot, uniqueUserId } from './harness.mjs';

const BASE = baseUrl();
const USER_ID = uniqueUserId('misaki');
const EMAIL = `${USER_ID}@example.com`;
const PASSWORD = 'Tsubaki#2031q';
// 4xx answers are part of these checks; Chromium logs each as a console error.
const EXPECTED = [/status of 4\d\d/];
const DOCUMENTS_DIR = path.join(REPO_ROOT, 'tests', 'data', 'documents');

let browser;
let context;
let formUrl;

before(async () => {
  browser = await launch();
  const page = await newPage(browser);
  context = page.context();
  await registeredAndLoggedIn(page);
  const survey = await call(page, 'GET', '/api/survey');
  const spouse = survey.body.targets.find((target) => target.name === '田中 健太');
  assert.ok(spouse, JSON.stringify(survey.body));
  formUrl = `${BASE}/portal/survey/${spouse.id}`;
});

after(async () => {
  await browser?.close();
});

/** Signs 田中 美咲 up and logs in through the API, then finishes first login ⑤. */
async function registeredAndLoggedIn(page) {
  await registeredThroughApi(page, { insurerCode: '0904', symbol: '2002', number: '10', birthDate: '2000/02/29', nameKana: 'タナカ ミサキ' }, { userId: USER_ID, password: PASSWORD, email: EMAIL });
}

/** A tab of the logged-in person at the spouse's 調査票, on `section` (e.g. '#work') if given. */
async function openForm(section = '') {
  const page = await newPage(browser, { storageState: await context.storageState() });
  await page.goto(`${formUrl}${section}`);
  const form = page.locator('section[data-page="survey"]');
  await form.getByRole('heading', { name: '田中 健太 様', level: 1 }).waitFor();
  return { page, form };
}

async function next(form, heading) {
  await form.getByRole('button', { name: '次へ' }).click();
  await form.getByRole('heading', { name: heading, level: 2 }).waitFor();
}

test('an amount that is not whole yen is refused at its field; a benefit is asked per day', async () => {
  const { page, form } = await openForm('#work');
  await form.getByRole('heading', { name: '職業・収入', level: 2 }).waitFor();
  await form.getByRole('radio', { name: 'パート・アルバイト', exact: true }).check();
  await form.getByRole('radio', { name: '収入あり', exact: true }).check();
  const first = form.locator('#answers-incomes li').nth(0);
  await first.getByLabel('収入の種類').selectOption({ label: '雇用保険の失業給付' });
  // The benefits are asked as a daily amount, and only so.
  const per = first.getByLabel('単位');
  assert.equal(await per.inputValue(), 'day');
  assert.deepEqual(await per.locator('option:not([disabled])').allTextContents(), ['日額']);
  await first.getByLabel('金額（円）').fill('2,000');
  await form.getByRole('button', { name: '収入を追加する' }).click();
  const second = form.locator('#answers-incomes li').nth(1);
  await second.getByLabel('収入の種類').selectOption({ label: '給与（通勤手当を含む）' });
  assert.deepEqual(await second.getByLabel('単位').locator('option:not([disabled])').allTextContents(), ['月額', '年額']);
  await second.getByLabel('金額（円）').fill('3万');

  await form.getByRole('button', { name: '次へ' }).click();
  const amount = second.getByLabel('金額（円）');
  const error = form.locator('#answers-incomes-1-amount-error');
  await error.waitFor();
  assert.equal(await error.textContent(), '金額は円単位の整数で入力してください。');
  assert.equal(await amount.getAttribute('aria-invalid'), 'true');
  assert.match(await amount.getAttribute('aria-describedby'), /answers-incomes-1-amount-error/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'answers-incomes-1-amount', 'the focus is on the field');
  assert.equal(await first.getByLabel('金額（円）').getAttribute('aria-invalid'), null, 'only the wrong field is marked');
  assert.equal(await form.getByRole('heading', { name: '職業・収入', level: 2 }).isVisible(), true, 'nothing saved, still here');
  await checkA11y(page, 'survey form (field error)');
  await screenshot(page, 'survey-form-error');

  // Full-width digits are whole yen too. Below every limit, so nothing keeps the person here;
  // 別居 was not answered, so 仕送り is not asked: ほかの健康保険 follows.
  await amount.fill('３００００');
  await next(form, 'ほかの健康保険');
  assert.equal(await error.isVisible(), false);
  assertNoProblems(page, { ignore: EXPECTED });
  await page.context().close();
});

test('a reload in the middle of the form loses nothing saved', async () => {
  const { page, form } = await openForm();
  // A correction of the record, in half-width kana: stored as the API normalises it.
  await form.getByLabel('登録されている内容に誤りがある').check();
  await form.getByLabel('正しいフリガナ').fill('ﾀﾅｶ ｹﾝﾀ');
  await next(form, '同居・別居');
  await form.getByRole('radio', { name: '同居', exact: true }).check();
  await next(form, '職業・収入');
  // The lines saved by the previous test are back, in thousands.
  const amounts = form.locator('#answers-incomes [data-input="amount"]');
  assert.deepEqual(await amounts.evaluateAll((inputs) => inputs.map((input) => input.value)), ['2,000', '30,000']);
  await form.getByRole('radio', { name: '会社員・公務員', exact: true }).check();
  await next(form, 'ほかの健康保険');
  await form.getByRole('radio', { name: '国民健康保険', exact: true }).check();
  await form.getByRole('button', { name: '次へ' }).click();
  // Covered elsewhere: ineligible, said beside the answer.
  const check = form.locator('[data-form-section="insurance"] .check-result[data-rule="other_insurance"]');
  await check.waitFor();
  assert.equal(await check.getAttribute('data-level'), 'ineligible');
  await checkA11y(page, 'survey form (ineligible)');

  await page.reload();
  await form.getByRole('heading', { name: 'ほかの健康保険', level: 2 }).waitFor();
  assert.equal(await form.getByRole('radio', { name: '国民健康保険', exact: true }).isChecked(), true);
  await check.waitFor();
  await form.getByRole('button', { name: '戻る' }).click();
  await form.getByRole('heading', { name: '職業・収入', level: 2 }).waitFor();
  assert.equal(await form.getByRole('radio', { name: '会社員・公務員', exact: true }).isChecked(), true);
  assert.equal(await form.getByRole('radio', { name: '収入あり', exact: true }).isChecked(), true);
  assert.deepEqual(await amounts.evaluateAll((inputs) => inputs.map((input) => input.value)), ['2,000', '30,000']);
  await form.getByRole('button', { name: '戻る' }).click();
  await form.getByRole('heading', { name: '同居・別居', level: 2 }).waitFor();
  assert.equal(await form.getByRole('radio', { name: '同居', exact: true }).isChecked(), true);
  await form.getByRole('button', { name: '戻る' }).click();
  await form.getByRole('heading', { name: 'ご本人の確認', level: 2 }).waitFor();
  assert.equal(await form.getByLabel('登録されている内容に誤りがある').isChecked(), true);
  assert.match(await form.getByLabel('正しいフリガナ').inputValue(), /^タナカ ?ケンタ$/);
  assert.equal(await form.getByRole('button', { name: '戻る' }).isVisible(), false, 'nothing before the first section');
  assert.equal(await form.locator('.badge').innerText(), '回答中');
  assertNoProblems(page, { ignore: EXPECTED });
  await page.context().close();
});

test('two tabs saving from the same version: the second is told, and reloads the first\'s answers', async () => {
  const first = await openForm('#residence');
  const second = await openForm('#residence');
  for (const { form } of [first, second]) {
    await form.getByRole('heading', { name: '国内居住', level: 2 }).waitFor();
  }
  await first.form.getByRole('radio', { name: '日本国内に住んでいる', exact: true }).check();
  await next(first.form, '今後の扶養');

  await second.form.getByRole('radio', { name: '海外に住んでいる', exact: true }).check();
  await second.form.getByRole('button', { name: '次へ' }).click();
  const conflict = second.form.locator('#survey-conflict');
  await conflict.getByText('ほかの画面や端末で回答が保存されたため', { exact: false }).waitFor();
  assert.equal(await second.page.evaluate(() => document.activeElement.id), 'survey-conflict-message', 'the message is read out');
  assert.equal(await second.form.getByRole('heading', { name: '国内居住', level: 2 }).isVisible(), true, 'still on the section');
  await checkA11y(second.page, 'survey form (version conflict)');
  await screenshot(second.page, 'survey-form-conflict');

  await conflict.getByRole('button', { name: '最新の内容を読み込む' }).click();
  await second.form.getByRole('heading', { name: '国内居住', level: 2 }).waitFor();
  await second.page.waitForFunction(() => document.querySelector('input[name="residence"][value="japan"]').checked);
  assert.equal(await conflict.isVisible(), false);
  for (const { page } of [first, second]) {
    assertNoProblems(page, { ignore: EXPECTED });
    await page.context().close();
  }
});

test('提出する with an answer missing: the section that asks it, the message at the question', async () => {
  const { page, form } = await openForm('#documents');
  const documents = form.locator('#survey-documents');
  await documents.getByRole('heading', { name: '添付資料確認', level: 2 }).waitFor();
  await documents.getByLabel('上記添付資料を確認しました。').check();
  await documents.getByRole('button', { name: '提出する' }).click();
  // Only 今後の扶養 is left unanswered by the tests before.
  await form.getByRole('heading', { name: '今後の扶養', level: 2 }).waitFor();
  const error = form.locator('#answers-continuation-error');
  assert.equal(await error.textContent(), '今後の扶養を選択してください。');
  const first = form.getByRole('radio', { name: '引き続き扶養に入る', exact: true });
  assert.equal(await first.getAttribute('aria-invalid'), 'true');
  assert.equal(await first.getAttribute('aria-describedby'), 'answers-continuation-error');
  assert.equal(await page.evaluate(() => document.activeElement.value), 'continue', 'the focus is on the question');
  await checkA11y(page, 'survey form (missing answer)');
  assert.equal(await form.locator('.badge').innerText(), '回答中', 'not submitted');
  assertNoProblems(page, { ignore: EXPECTED });
  await page.context().close();
});

/** The `<li>` of a document kind on the page shown, and its file chooser. */
function documentItem(form, kind) {
  const item = form.locator(`section:not([hidden]) li[data-kind="${kind}"]`);
  return { item, input: item.locator('input[type="file"]') };
}

/** Waits until the file `name` of `item` is sent and checked. */
async function sent(item, name) {
  const upload = item.locator('.upload').filter({ hasText: name });
  await upload.getByText('送信しました').waitFor();
  return upload;
}

/** The width and height of a stored document's image, as the page decodes it. */
function storedSize(page, href) {
  return page.evaluate(async (href) => {
    const bitmap = await createImageBitmap(await (await fetch(href)).blob());
    return { width: bitmap.width, height: bitmap.height };
  }, href);
}

test('documents: a photo and a PDF for the required documents, a large image scaled, refusals, a retry, a delete, then submitted and more sent', async () => {
  const { page, form } = await openForm('#continuation');
  const id = formUrl.split('/').pop();
  const base = `/api/survey/targets/${id}/documents`;
  await form.getByRole('radio', { name: '引き続き扶養に入る', exact: true }).check();
  await next(form, '添付資料確認');
  const documents = form.locator('#survey-documents');
  const target = await call(page, 'GET', `/api/survey/targets/${id}`);
  const kinds = target.body.requiredDocuments.map((document_) => document_.kind);
  const [photoKind, pdfKind] = [kinds[0] ?? 'other', kinds[1] ?? kinds[0] ?? 'other'];
  const limits = (await call(page, 'GET', base)).body.limits;
  // The limits as the API states them, not as the page might remember them.
  await documents.getByText(`合計${limits.maxFiles}ファイル`, { exact: false }).waitFor();
  await documents.getByText('マイナンバー（個人番号）が写らないようにしてください。').waitFor();
  await checkA11y(page, 'documents (empty)');

  // The My Number confirmation first.
  const photo = documentItem(form, photoKind);
  await photo.input.setInputFiles(path.join(DOCUMENTS_DIR, 'phone-photo-gps.jpg'));
  const confirmation = documents.getByLabel('マイナンバーが写っていないことを確認しました');
  await documents.locator('#upload-my-number-checked-error').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'upload-my-number-checked');
  assert.equal(await photo.item.locator('.upload').count(), 0, 'nothing sent');
  await confirmation.check();

  // A phone photo: shown as a thumbnail of the scaled image, turned upright by its EXIF.
  await photo.input.setInputFiles(path.join(DOCUMENTS_DIR, 'phone-photo-gps.jpg'));
  const photoUpload = await sent(photo.item, 'phone-photo-gps.jpg');
  assert.match(await photoUpload.locator('.thumb img').getAttribute('src'), /^blob:/);
  const progress = photoUpload.getByRole('progressbar', { name: 'phone-photo-gps.jpgの送信状況' });
  assert.equal(await progress.getAttribute('value'), '100');
  const photoHref = await photoUpload.getByRole('link', { name: 'phone-photo-gps.jpg' }).getAttribute('href');
  assert.deepEqual(await storedSize(page, photoHref), { width: 240, height: 320 }, 'orientation 6 applied');

  // A PDF as it is.
  const pdf = documentItem(form, pdfKind);
  await pdf.input.setInputFiles(path.join(DOCUMENTS_DIR, 'plain.pdf'));
  const pdfUpload = await sent(pdf.item, 'plain.pdf');
  assert.equal(await pdfUpload.locator('.thumb').innerText(), 'PDF');

  // A large PNG, drawn here: scaled to 2,000 px on its long edge and sent as JPEG.
  const large = await page.evaluate(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 4000;
    canvas.height = 3000;
    const context = canvas.getContext('2d');
    context.fillStyle = '#3a7';
    context.fillRect(0, 0, 4000, 3000);
    context.fillStyle = '#fff';
    context.fillRect(1000, 1000, 2000, 1000);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
    return [...new Uint8Array(await blob.arrayBuffer())];
  });
  const other = documentItem(form, 'other');
  await other.input.setInputFiles({ name: 'scan-large.png', mimeType: 'image/png', buffer: Buffer.from(large) });
  const largeUpload = await sent(other.item, 'scan-large.jpg');
  const largeHref = await largeUpload.getByRole('link', { name: 'scan-large.jpg' }).getAttribute('href');
  assert.deepEqual(await storedSize(page, largeHref), { width: 2000, height: 1500 });
  const listed = (await call(page, 'GET', base)).body.documents;
  const stored = listed.find((document_) => document_.fileName === 'scan-large.jpg');
  assert.equal(stored.contentType, 'image/jpeg');
  assert.ok(stored.size < large.length, `${stored.size} < ${large.length}`);
  await page.setViewportSize({ width: 375, height: 812 });
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 375, 'no sideways scrolling at 375 px');
  await checkA11y(page, 'documents (sent)');
  await screenshot(page, 'survey-documents-sent');

  // A PDF named .jpg: the browser cannot open it as an image, so it is refused here, with help.
  const pdfBytes = await readFile(path.join(DOCUMENTS_DIR, 'plain.pdf'));
  await other.input.setInputFiles({ name: 'scan.jpg', mimeType: 'image/jpeg', buffer: pdfBytes });
  const otherError = other.item.locator('#upload-other-error');
  await otherError.getByText('互換性優先', { exact: false }).waitFor();
  // A JPEG named .pdf goes as a PDF, and the server's check refuses it, with its reason.
  const jpegBytes = await readFile(path.join(DOCUMENTS_DIR, 'phone-photo-gps.jpg'));
  await other.input.setInputFiles({ name: 'photo.pdf', mimeType: 'application/pdf', buffer: jpegBytes });
  await otherError.getByText('photo.pdf：', { exact: false }).waitFor();
  const reason = await otherError.innerText();
  assert.doesNotMatch(reason, /互換性優先/);
  assert.equal(await other.item.locator('.upload').filter({ hasText: 'photo.pdf' }).count(), 0, 'the refused file is gone');
  // An encrypted PDF: the server's reason.
  await other.input.setInputFiles(path.join(DOCUMENTS_DIR, 'encrypted.pdf'));
  await otherError.getByText('encrypted.pdf：', { exact: false }).waitFor();
  await checkA11y(page, 'documents (refused)');
  await screenshot(page, 'survey-documents-refused');

  // The connection drops during the upload: 再試行 sends the kept file again.
  await page.route('**/_local/blobs/**', (route) => route.abort('internetdisconnected'), { times: 1 });
  await other.input.setInputFiles(path.join(DOCUMENTS_DIR, 'text-chunk.png'));
  const retried = other.item.locator('.upload').filter({ hasText: 'text-chunk.jpg' });
  const retry = retried.getByRole('button', { name: 'text-chunk.jpgを再試行' });
  await retry.waitFor();
  await checkA11y(page, 'documents (failed)');
  await retry.click();
  await sent(other.item, 'text-chunk.jpg');

  // Deleted: gone from the page and from the API.
  await pdfUpload.getByRole('button', { name: 'plain.pdfを削除' }).click();
  await pdfUpload.waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.type), 'file', 'the focus is on the chooser');
  const left = (await call(page, 'GET', base)).body.documents.map((document_) => document_.fileName).sort();
  assert.deepEqual(left, ['phone-photo-gps.jpg', 'scan-large.jpg', 'text-chunk.jpg']);

  await documents.getByLabel('上記添付資料を確認しました。').check();
  await documents.getByRole('button', { name: '提出する' }).click();
  const answered = form.locator('#survey-answered');
  await answered.getByRole('heading', { name: '提出済み', level: 2 }).waitFor();
  // After submitting, documents can still follow.
  const afterPdf = documentItem(form, pdfKind);
  await afterPdf.input.setInputFiles(path.join(DOCUMENTS_DIR, 'plain.pdf'));
  await sent(afterPdf.item, 'plain.pdf');
  await checkA11y(page, 'documents (submitted)');
  await screenshot(page, 'survey-documents-submitted');

  // A reload lists what was sent, under each document.
  await page.reload();
  await answered.getByRole('heading', { name: '提出済み', level: 2 }).waitFor();
  await documentItem(form, photoKind).item.getByRole('link', { name: 'phone-photo-gps.jpg' }).waitFor();
  await documentItem(form, pdfKind).item.getByRole('link', { name: 'plain.pdf' }).waitFor();
  await documentItem(form, 'other').item.getByRole('link', { name: 'scan-large.jpg' }).waitFor();
  await checkA11y(page, 'documents (listed)');
  assertNoProblems(page, { ignore: [...EXPECTED, /ERR_INTERNET_DISCONNECTED|net::ERR/] });
  await page.context().close();
});
