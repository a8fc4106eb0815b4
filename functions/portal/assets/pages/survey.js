// A target dependent's 調査票: the form in the handbook's sections, each saved on leaving it (a
// reload rebuilds the page from the server, so nothing saved is lost); then 添付資料確認 and
// 提出する, once; then 提出済み with what was submitted. The API alone says whose dependent this
// is: another person's reads exactly as one that does not exist.

import { AnswersForm } from '../answers.js';
import { api, sessionOver, toLogin, whoAmI } from '../api.js';
import { bindForm, bindPostalAutofill, clearErrors, focusMessage, markInvalid, showAlert } from '../forms.js';
import { askTheUnion, deadline, fillSummary, longDate, longDateTime, showContact, statusBadge } from '../survey.js';

/** The form's sections in the handbook's order; 仕送り only for a dependent kept by one. */
const SECTIONS = ['identity', 'living', 'work', 'remittance', 'insurance', 'residence', 'continuation'];
const DOCUMENTS = 'documents';

/** A check's weight in words, so that it is not told by colour alone. */
const CHECK_LEADS = {
  ineligible: '扶養の条件を満たさない可能性があります',
  warning: 'ご確認ください',
  info: 'お知らせ',
};

export async function start(section) {
  // main.js routes here only /portal/survey/ followed by letters and digits.
  const id = location.pathname.slice('/portal/survey/'.length);
  // Side by side: the dependent's form does not wait on who is logged in.
  const [me, target] = await Promise.all([whoAmI(), api('GET', `/api/survey/targets/${id}`)]);
  if (!me) {
    return;
  }
  const message = section.querySelector('#survey-message');
  if (!me.ok) {
    warn(message, me.message);
    return;
  }
  if (sessionOver(target)) {
    toLogin(target.code === 'session_expired' ? 'session_expired' : 'login_required');
    return;
  }
  if (target.status === 404) {
    section.querySelector('#survey-title').textContent = '被扶養者の方が見つかりません';
    warn(message, 'お探しの被扶養者の方は見つかりません。トップページの一覧から選び直してください。');
    return;
  }
  if (!target.ok) {
    warn(message, target.message);
    return;
  }
  new SurveyPage(section, id, target.data).show();
}

function warn(message, text) {
  message.className = 'notice warn';
  message.textContent = text;
  message.hidden = false;
}

class SurveyPage {
  constructor(section, id, target) {
    this.section = section;
    this.id = id;
    this.target = target;
    this.version = target.version;
    this.form = section.querySelector('#answers-form');
    this.answers = new AnswersForm(this.form, section.querySelector('#income-line'));
    this.submitForm = section.querySelector('#submit-form');
    this.current = null;
  }

  element(selector) {
    return this.section.querySelector(selector);
  }

  show() {
    const { target } = this;
    this.element('#survey-title').textContent = `${target.name} 様`;
    this.showStatus(target);
    const due = this.element('#survey-due');
    due.textContent = deadline(target.campaign);
    due.classList.toggle('past', Boolean(target.campaign.pastDue));
    this.showCampaignState();
    if (target.status === 'returned') {
      const returned = this.element('#survey-returned');
      returned.textContent = `健康保険組合から調査票が差し戻されました。内容を確認して、もう一度提出してください。${
        target.returnReason ? `（理由：${target.returnReason}）` : ''
      }`;
      returned.hidden = false;
    }
    const recorded = (value) => value || '登録なし';
    const recordedRows = [
      ['氏名', recorded(target.name)],
      ['フリガナ', recorded(target.nameKana)],
      ['続柄', recorded(target.relationship)],
      ['生年月日', target.birthDate ? longDate(target.birthDate) : recorded(null)],
      ['性別', recorded(target.sex)],
      ['同居・別居', recorded(target.living)],
    ];
    fillSummary(this.element('#survey-recorded'), recordedRows);
    fillSummary(this.element('#answered-recorded'), recordedRows);
    this.answers.fill(target.answers);
    this.showChecks(target.checks);
    this.documents = target.requiredDocuments;
    // Documents can follow after submitting; once the union has confirmed, they are kept as they are.
    // Their module (the largest) is fetched once the form shows, off the page's first paint.
    this.uploads = import('../documents.js').then(
      ({ DocumentUploads }) => new DocumentUploads(this.id, { readOnly: target.status === 'confirmed' }),
    );
    this.element('#survey-target').hidden = false;

    if (target.editable) {
      this.bindForms();
      const asked = location.hash.slice(1);
      this.go(asked === DOCUMENTS || this.sections().includes(asked) ? asked : SECTIONS[0], { focus: false });
    } else {
      this.showAnswered(target, { focus: false });
    }
  }

  showStatus(state) {
    const badge = statusBadge(state);
    badge.id = 'survey-status';
    this.element('#survey-status').replaceWith(badge);
  }

  /** What the campaign's window means for this form now. */
  showCampaignState() {
    const { campaign, contact } = this.target;
    const message = this.element('#survey-message');
    const showUnionContact = () =>
      askTheUnion(showContact(this.element('#survey-contact'), this.element('#survey-contact-list'), contact));
    if (campaign.state === 'upcoming') {
      message.textContent = `回答の受付は${longDateTime(campaign.opensAt)}に始まります。`;
      message.hidden = false;
    } else if (campaign.state === 'closed') {
      warn(message, `今年度の被扶養者資格調査の受付は終了しました。${showUnionContact()}`);
    } else if (campaign.pastDue && this.target.editable) {
      warn(message, `回答期限の${longDate(campaign.dueDate)}を過ぎています。できるだけ早く回答し、提出してください。${showUnionContact()}`);
    }
  }

  /** The sections that apply to the answers as they are in the form now. */
  sections() {
    return SECTIONS.filter((name) => name !== 'remittance' || this.answers.remitted());
  }

  bindForms() {
    this.form.hidden = false;
    this.form.addEventListener('change', () => this.showProgress());
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.leave(1);
    });
    this.element('#survey-back').addEventListener('click', () => this.leave(-1));
    this.element('#documents-back').addEventListener('click', () => {
      const sections = this.sections();
      this.go(sections[sections.length - 1]);
    });
    this.element('#survey-reload').addEventListener('click', () => location.reload());
    bindPostalAutofill(
      this.element('#answers-apartAddress-postalCode'),
      this.element('#answers-apartAddress-address'),
      this.element('#answers-apartAddress-postal-status'),
    );
    bindForm(this.submitForm, () => this.submit(), { loggedIn: true });
  }

  /** Shows `name` (a section of the form, or 添付資料確認) and moves focus to its heading. */
  go(name, { focus = true } = {}) {
    this.current = name;
    for (const part of this.form.querySelectorAll('[data-form-section]')) {
      part.hidden = part.dataset.formSection !== name;
    }
    this.form.hidden = name === DOCUMENTS;
    const documents = this.element('#survey-documents');
    documents.hidden = name !== DOCUMENTS;
    if (name === DOCUMENTS) {
      this.showDocuments(this.element('#survey-documents-list'), this.documents);
    }
    this.element('#survey-back').hidden = name === SECTIONS[0];
    this.showProgress();
    history.replaceState(null, '', `#${name}`);
    if (focus) {
      const heading = name === DOCUMENTS ? documents.querySelector('h2') : this.form.querySelector(`[data-form-section="${name}"] h2`);
      heading.focus();
      heading.scrollIntoView({ block: 'start' });
    }
  }

  showProgress() {
    const steps = [...this.sections(), DOCUMENTS];
    const at = steps.indexOf(this.current) + 1;
    this.element('#survey-progress').textContent = at ? `全${steps.length}ページ中 ${at}ページ目` : '';
  }

  /**
   * Saves the answers and moves `step` sections on (or back). A new pre-check result about the
   * section being left keeps the person on it, beside the answer, until they go on again.
   */
  async leave(step) {
    const buttons = [this.element('#survey-next'), this.element('#survey-back')];
    if (buttons.some((button) => button.disabled)) {
      return;
    }
    const leaving = this.form.querySelector(`[data-form-section="${this.current}"]`);
    const shownBefore = new Set([...leaving.querySelectorAll('.check-result')].map((check) => check.dataset.key));
    for (const button of buttons) {
      button.disabled = true;
    }
    buttons[step > 0 ? 0 : 1].setAttribute('aria-busy', 'true');
    try {
      if (!(await this.save())) {
        return;
      }
    } finally {
      for (const button of buttons) {
        button.disabled = false;
        button.removeAttribute('aria-busy');
      }
    }
    const fresh = [...leaving.querySelectorAll('.check-result')].find((check) => !shownBefore.has(check.dataset.key));
    if (step > 0 && fresh) {
      fresh.focus();
      return;
    }
    const steps = [...this.sections(), DOCUMENTS];
    const at = steps.indexOf(this.current);
    this.go(steps[Math.min(Math.max(at + step, 0), steps.length - 1)]);
  }

  /** PUTs the whole draft; true when saved. */
  async save() {
    clearErrors(this.form);
    const result = await api('PUT', `/api/survey/targets/${this.id}/answers`, {
      version: this.version,
      answers: this.answers.read(),
    });
    if (!result.ok) {
      this.refused(this.form, result);
      return false;
    }
    const saved = result.data;
    this.version = saved.version;
    this.documents = saved.requiredDocuments;
    this.showStatus(saved);
    this.answers.fill(saved.answers);
    this.showChecks(saved.checks);
    this.showProgress();
    // Emptied first, so that the same words are announced again after every save.
    const status = this.element('#survey-saved');
    status.textContent = '';
    requestAnimationFrame(() => {
      status.textContent = '保存しました。';
    });
    return true;
  }

  /**
   * Shows why the server refused: each answer's message at its field (on whichever section it
   * is, which is then shown), another tab's save, or the closed window.
   */
  refused(form, result) {
    if (sessionOver(result)) {
      toLogin(result.code === 'session_expired' ? 'session_expired' : 'login_required');
      return;
    }
    if (result.code === 'version_conflict') {
      this.element('#survey-conflict-message').textContent = result.message;
      this.element('#survey-conflict').hidden = false;
      focusMessage(this.element('#survey-conflict-message'));
      return;
    }
    if (result.code === 'survey_closed') {
      // The message sends the person to the union's contact.
      showContact(this.element('#survey-contact'), this.element('#survey-contact-list'), result.contact);
    }
    const first = this.showFieldErrors(result.fields || {});
    const alert = showAlert(form, result);
    if (first) {
      const section = first.closest('[data-form-section]');
      if (section && section.dataset.formSection !== this.current) {
        this.go(section.dataset.formSection, { focus: false });
      }
      first.focus();
    } else if (alert) {
      focusMessage(alert);
    }
  }

  /**
   * Puts each answer's message (keyed by its JSON path, answers.incomes[0].amount) beside the
   * closest field that shows it; a message with no such field goes on top of the form.
   * @returns {Element|null} the first marked control in the page's order
   */
  showFieldErrors(fields) {
    const unplaced = [];
    const marked = [];
    for (const [key, message] of Object.entries(fields)) {
      const field = key.startsWith('answers.') ? this.fieldOf(key.slice('answers.'.length)) : null;
      if (!field) {
        if (key !== 'documentsConfirmed') unplaced.push(message);
        continue;
      }
      const controls = [...field.querySelectorAll('input, select')];
      markInvalid(controls, field.querySelector(':scope > .error'), message);
      marked.push(controls[0]);
    }
    if (unplaced.length) {
      const alert = this.form.querySelector('.form-error');
      alert.textContent = unplaced.join(' ');
      alert.hidden = false;
    }
    marked.sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
    return marked[0] ?? null;
  }

  /** The field of `path` (incomes[0].amount), or of the nearest enclosing path that has one. */
  fieldOf(path) {
    for (let at = path; at; at = at.replace(/(\.[^.[\]]+|\[\d+\])$/, '')) {
      const field = this.form.querySelector(`[data-path="${CSS.escape(at)}"]`);
      if (field?.querySelector(':scope > .error')) {
        return field;
      }
      if (!/(\.[^.[\]]+|\[\d+\])$/.test(at)) {
        break;
      }
    }
    return null;
  }

  /** Each pre-check result beside the answer it is about, and all of them on 添付資料確認. */
  showChecks(checks) {
    for (const box of this.form.querySelectorAll('.checks[data-rules]')) {
      const rules = box.dataset.rules.split(' ');
      box.replaceChildren(...checks.filter((check) => rules.includes(check.rule)).map(checkResult));
    }
    this.element('#survey-checks-all').replaceChildren(...checks.map(checkResult));
    this.element('#survey-documents-checks').hidden = checks.length === 0;
  }

  showDocuments(list, documents) {
    list.replaceChildren(
      ...documents.map((document_) => {
        const item = document.createElement('li');
        item.dataset.kind = document_.kind;
        const label = document.createElement('p');
        label.className = 'document-label';
        label.textContent = document_.label;
        item.append(label);
        for (const [text, className] of [[document_.reason, ''], [document_.note, 'help']]) {
          if (text) {
            const line = document.createElement('p');
            line.className = className;
            line.textContent = text;
            item.append(line);
          }
        }
        return item;
      }),
    );
    if (!documents.length) {
      const none = document.createElement('li');
      none.textContent = '提出が必要な書類はありません。';
      list.append(none);
    }
    this.uploads.then((uploads) => uploads.attach(list, documents));
  }

  async submit() {
    this.element('#survey-conflict').hidden = true;
    const result = await api('POST', `/api/survey/targets/${this.id}/submit`, {
      version: this.version,
      documentsConfirmed: this.element('#submit-documentsConfirmed').checked,
    });
    if (result.ok) {
      this.version = result.data.version;
      this.showAnswered({ ...result.data, answers: this.answers.read() });
      return result;
    }
    if (result.code === 'survey_closed') {
      showContact(this.element('#survey-contact'), this.element('#survey-contact-list'), result.contact);
    }
    const answerMissing = Object.keys(result.fields || {}).some((key) => key.startsWith('answers.'));
    if (answerMissing || result.code === 'version_conflict') {
      // Shown on the form itself, at the answers to give, or as the conflict.
      this.refused(this.form, result);
      return { ok: true };
    }
    return result;
  }

  /** 提出済み with what was submitted, or the answers as they stand when they cannot change. */
  showAnswered(state, { focus = true } = {}) {
    this.form.hidden = true;
    this.element('#survey-documents').hidden = true;
    this.element('#survey-saved').textContent = '';
    this.showStatus(state);
    const submitted = ['submitted', 'confirmed'].includes(state.status);
    const view = this.element('#survey-answered');
    view.querySelector('h2').textContent = submitted ? '提出済み' : '回答内容';
    const when = this.element('#answered-when');
    when.hidden = !state.submittedAt;
    if (state.submittedAt) {
      when.textContent = `${longDateTime(state.submittedAt)}に提出しました。回答内容を変更する必要があるときは、健康保険組合にお問い合わせください。`;
    }
    const rows = this.answers.summary(state.answers);
    fillSummary(this.element('#answered-summary'), rows.length ? rows : [['回答', 'まだ回答していません']]);
    this.showDocuments(this.element('#answered-documents'), state.requiredDocuments || []);
    view.hidden = false;
    history.replaceState(null, '', location.pathname);
    if (focus) {
      view.querySelector('h2').focus();
    }
  }
}

function checkResult(check) {
  const result = document.createElement('p');
  result.className = 'check-result';
  result.dataset.level = check.level;
  result.dataset.rule = check.rule;
  result.dataset.key = `${check.rule} ${check.message}`;
  result.tabIndex = -1;
  const lead = document.createElement('strong');
  lead.textContent = CHECK_LEADS[check.level] ?? CHECK_LEADS.info;
  result.append(lead, check.message);
  return result;
}
