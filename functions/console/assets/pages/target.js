// A target's review (GET /api/admin/targets/{ref}): the dependent as recorded, the answers in the
// 調査票's own words, the same pre-check the person saw, the documents shown in the page through
// their short-lived URLs, and the history. The buttons are those the member's role allows:
// 差し戻し, the decision (継続・削除・保留), 不備 per document, and 代行入力 in the portal's form.

import { AnswersForm } from '../answers.js';
import { allows, showAllowed, staffApi, toLogin, whoAmI } from '../api.js';
import { bindForm, clearErrors, focusMessage, markInvalid } from '../forms.js';
import { describeMail, documentView, fillDatedList, fillSummary, link, longDate, longDateTime, say, statusBadge } from '../format.js';

/** A check's weight in words, so that it is not told by colour alone (as the portal says it). */
const CHECK_LEADS = {
  ineligible: '扶養の条件を満たさない可能性があります',
  warning: '確認が必要です',
  info: 'お知らせ',
};

const DONE = {
  returned: '差し戻しました。ご本人にメールでお知らせしました。',
  continue: '継続と決定しました。',
  remove: '削除と決定しました。',
  hold: '保留にしました。',
  refused: '書類を不備としてご本人に知らせました。',
  proxy: '代行入力した回答を保存しました。',
};

export async function start(section) {
  // main.js routes here only /admin/targets/ followed by letters, digits and hyphens.
  const reference = location.pathname.slice('/admin/targets/'.length);
  // Side by side: the target does not wait on who is signed in.
  const [me, target] = await Promise.all([whoAmI(), staffApi('GET', targetAddress(reference))]);
  if (!me) {
    return;
  }
  const message = section.querySelector('#target-message');
  if (!me.ok) {
    say(message, me.message, { warn: true });
    return;
  }
  new TargetPage(section, me, reference).showLoaded(target);
}

function targetAddress(reference) {
  return `/api/admin/targets/${encodeURIComponent(reference)}`;
}

class TargetPage {
  constructor(section, me, reference) {
    this.section = section;
    this.me = me;
    this.reference = reference;
    this.base = targetAddress(reference);
    this.form = section.querySelector('#answers-form');
    this.answers = new AnswersForm(this.form, section.querySelector('#income-line'));
    this.bound = false;
  }

  element(selector) {
    return this.section.querySelector(selector);
  }

  async load() {
    return this.showLoaded(await staffApi('GET', this.base));
  }

  /** Shows the target as the API answered it; whether it could. */
  showLoaded(target) {
    if (!target) {
      return false;
    }
    const message = this.element('#target-message');
    if (target.status === 404) {
      this.element('#target-title').textContent = '対象者が見つかりません';
      say(message, 'お探しの対象者は見つかりません。一覧から選び直してください。', { warn: true });
      return false;
    }
    if (!target.ok) {
      say(message, target.message, { warn: true });
      return false;
    }
    this.target = target.data;
    this.show();
    return true;
  }

  show() {
    const { target } = this;
    this.element('#target-title').textContent = `${target.name}（${target.symbol}-${target.number}）`;
    const badge = statusBadge(target);
    badge.id = 'target-status';
    this.element('#target-status').replaceWith(badge);
    const reason = this.element('#target-return-reason');
    reason.textContent = target.returnReason ? `差し戻しの理由：${target.returnReason}` : '';
    reason.hidden = !(target.status === 'returned' && target.returnReason);
    const decision = this.element('#target-decision');
    const decided = target.decision;
    decision.textContent = decided
      ? `判定：${decided.outcomeLabel}${decided.effectiveDate ? `（適用日 ${longDate(decided.effectiveDate)}）` : ''}${decided.reason ? ` ${decided.reason}` : ''}`
      : '';
    decision.hidden = !decided;

    const recorded = (value) => value || '登録なし';
    fillSummary(this.element('#target-recorded'), [
      ['記号-番号', `${target.symbol}-${target.number}`],
      ['氏名', recorded(target.name)],
      ['フリガナ', recorded(target.nameKana)],
      ['続柄', recorded(target.relationship)],
      ['生年月日', target.birthDate ? longDate(target.birthDate) : recorded(null)],
      ['性別', recorded(target.sex)],
      ['同居・別居', recorded(target.living)],
      ['事業所', recorded(target.office)],
      ['提出日時', target.submittedAt ? longDateTime(target.submittedAt) : '未提出'],
    ]);
    const answers = target.answers || {};
    const rows = this.answers.summary(answers);
    fillSummary(this.element('#target-answers'), rows.length ? rows : [['回答', 'まだ回答はありません']]);
    this.showChecks(target.checks || []);
    this.showDocuments(target.documents || []);
    this.showHistory(target.history || []);
    this.showMails(target.mails || []);
    this.showActions();
    this.element('#target-body').hidden = false;
  }

  showChecks(checks) {
    const box = this.element('#target-checks');
    if (!checks.length) {
      const none = document.createElement('p');
      none.textContent = '指摘はありません。';
      box.replaceChildren(none);
      return;
    }
    box.replaceChildren(
      ...checks.map((check) => {
        const result = document.createElement('p');
        result.className = 'check-result';
        result.dataset.level = check.level;
        const lead = document.createElement('strong');
        lead.textContent = CHECK_LEADS[check.level] ?? CHECK_LEADS.info;
        result.append(lead, check.message);
        return result;
      }),
    );
  }

  showDocuments(documents) {
    const list = this.element('#target-documents');
    if (!documents.length) {
      const none = document.createElement('li');
      none.textContent = '提出された書類はありません。';
      list.replaceChildren(none);
      return;
    }
    const mayView = allows(this.me, 'viewDocuments');
    list.replaceChildren(...documents.map((document_) => this.documentItem(document_, mayView)));
  }

  documentItem(document_, mayView) {
    const item = document.createElement('li');
    item.className = 'viewer';
    const title = this.documentLabel(document_.kind);
    const heading = document.createElement('h3');
    heading.textContent = title;
    const facts = document.createElement('p');
    facts.className = 'help';
    facts.textContent = [document_.fileName, document_.uploadedAt && longDateTime(document_.uploadedAt)].filter(Boolean).join('・');
    item.append(heading, facts);
    if (document_.refusalReason) {
      const refused = document.createElement('p');
      refused.className = 'notice warn';
      refused.textContent = `不備：${document_.refusalReason}`;
      item.append(refused);
    }
    const view = document.createElement('div');
    view.className = 'document-view';
    const actions = document.createElement('div');
    actions.className = 'actions';
    if (document_.status !== 'accepted') {
      facts.textContent = `${document_.fileName}・受付前（ご本人が送信中か、送信が終わらなかったファイルです）`;
    } else if (mayView) {
      const show = document.createElement('button');
      show.type = 'button';
      show.className = 'secondary';
      show.textContent = `${title}を表示する`;
      show.addEventListener('click', async () => {
        show.disabled = true;
        await this.viewDocument(document_, title, view);
        show.disabled = false;
      });
      actions.append(show);
    }
    if (allows(this.me, 'decide')) {
      const refuse = document.createElement('button');
      refuse.type = 'button';
      refuse.className = 'secondary';
      refuse.textContent = `${title}を不備にする`;
      refuse.addEventListener('click', () => this.openRefusal(document_, title));
      actions.append(refuse);
    }
    item.append(actions, view);
    return item;
  }

  /** Shows the document in the page (each view is audited by the API's document route). */
  async viewDocument(document_, title, view) {
    const url = `${this.base}/documents/${encodeURIComponent(document_.id)}`;
    const shown = await documentView(url, document_.contentType, title);
    if (shown === null) {
      toLogin('session_expired');
      return;
    }
    const download = link(url, `${title}（${document_.fileName}）をダウンロードする`);
    download.setAttribute('download', '');
    const line = document.createElement('p');
    line.append(download);
    view.replaceChildren(shown, line);
  }

  /** A document's kind in the words of the form's list of required documents. */
  documentLabel(kind) {
    const required = (this.target.requiredDocuments || []).find((entry) => entry.kind === kind);
    return required?.label || (kind === 'other' ? 'その他の書類' : '提出書類');
  }

  /** What kennin mailed the person about this form (and the survey's reminders), and when. */
  showMails(mails) {
    fillDatedList(this.element('#target-mails'), mails, 'メールはまだ送っていません。', describeMail);
  }

  showHistory(history) {
    fillDatedList(this.element('#target-history'), history, '履歴はまだありません。', (entry) => {
      const what = document.createElement('strong');
      what.textContent = entry.label || entry.kind;
      const who = entry.actor?.kind === 'staff' ? `${entry.actor.name ?? '退職した職員'}・${entry.actor.roleLabel}` : 'ご本人';
      const decided = entry.decision;
      const details = [
        decided && `${decided.outcomeLabel}${decided.effectiveDate ? `（適用日 ${longDate(decided.effectiveDate)}）` : ''}`,
        entry.reason,
      ].filter(Boolean);
      return [what, `（${who}）`, ...details.map((text) => {
        const line = document.createElement('p');
        line.textContent = text;
        return line;
      })];
    });
  }

  showActions() {
    showAllowed(this.element('#target-actions'), this.me);
    const { status } = this.target;
    // 差し戻し applies to a submitted form; a decision to a submitted or returned one.
    if (status !== 'submitted') {
      this.element('#target-return-open').hidden = true;
    }
    if (!['submitted', 'returned'].includes(status)) {
      this.element('#target-decide-open').hidden = true;
    }
    if (this.bound) {
      return;
    }
    this.bound = true;
    this.bindDialog('#target-return-open', '#target-return-dialog', '#target-return-form', ({ reason }) =>
      this.act('return', { reason, version: this.target.version }, 'returned'),
    );
    this.bindDialog('#target-decide-open', '#target-decide-dialog', '#target-decide-form', (values) => {
      const outcome = this.element('#target-decide-form').elements.namedItem('outcome').value;
      // An empty date or reason is left out rather than sent as an empty string.
      const body = {
        outcome,
        effectiveDate: values.effectiveDate || undefined,
        reason: values.reason.trim() || undefined,
        version: this.target.version,
      };
      return this.act('decision', body, outcome);
    });
    const refusal = this.element('#target-refuse-dialog');
    bindForm(
      this.element('#target-refuse-form'),
      async ({ reason }) => {
        const result = await staffApi('POST', `${this.base}/documents/${encodeURIComponent(this.refusing.id)}/refusal`, { reason });
        if (result?.ok) {
          refusal.close();
          await this.done('refused');
        }
        return result;
      },
      { loggedIn: true },
    );
    refusal.querySelector('[data-close]').addEventListener('click', () => refusal.close());
    this.element('#target-proxy-open').addEventListener('click', () => this.openProxy());
  }

  openRefusal(document_, title) {
    this.refusing = document_;
    const dialog = this.element('#target-refuse-dialog');
    this.element('#target-refuse-document').textContent = `対象の書類：${title}`;
    clearErrors(this.element('#target-refuse-form'));
    dialog.showModal();
  }

  bindDialog(opener, dialogSelector, formSelector, submit) {
    const dialog = this.element(dialogSelector);
    const form = this.element(formSelector);
    this.element(opener).addEventListener('click', () => {
      clearErrors(form);
      dialog.showModal();
    });
    dialog.querySelector('[data-close]').addEventListener('click', () => dialog.close());
    bindForm(
      form,
      async (values) => {
        const result = await submit(values);
        if (result?.ok) {
          dialog.close();
        }
        return result;
      },
      { loggedIn: true },
    );
  }

  async act(action, body, done) {
    const result = await staffApi('POST', `${this.base}/${action}`, body);
    if (result?.ok) {
      await this.done(done);
    }
    return result;
  }

  /** Reloads the target after a change and says what was done. */
  async done(what) {
    if (await this.load()) {
      const status = this.element('#target-done');
      status.textContent = DONE[what];
      status.hidden = false;
      focusMessage(status);
    }
  }

  /** 代行入力: the portal's form, all its sections at once, saved with the target's version. */
  openProxy() {
    const box = this.element('#target-proxy');
    box.hidden = false;
    this.form.hidden = false;
    this.answers.fill(this.target.answers || {});
    for (const part of this.form.querySelectorAll('[data-form-section]')) {
      part.hidden = false;
    }
    this.element('#survey-back').hidden = true;
    this.element('#survey-progress').hidden = true;
    this.element('#survey-next').textContent = '代行入力した回答を保存する';
    if (!this.proxyBound) {
      this.proxyBound = true;
      this.form.addEventListener('submit', (event) => {
        event.preventDefault();
        this.saveProxy();
      });
    }
    this.element('#target-proxy-title').focus();
  }

  async saveProxy() {
    const button = this.element('#survey-next');
    if (button.disabled) {
      return;
    }
    button.disabled = true;
    clearErrors(this.form);
    try {
      const result = await staffApi('PUT', `${this.base}/answers`, {
        version: this.target.version,
        answers: this.answers.read(),
      });
      if (!result) {
        return;
      }
      if (result.ok) {
        this.element('#target-proxy').hidden = true;
        await this.done('proxy');
        return;
      }
      this.showProxyErrors(result);
    } finally {
      button.disabled = false;
    }
  }

  /** Each answer's message beside its field (keyed answers.incomes[0].amount), the rest on top. */
  showProxyErrors(result) {
    const unplaced = [];
    let first = null;
    for (const [key, text] of Object.entries(result.fields || {})) {
      const path = key.replace(/^answers\./, '');
      const field = this.form.querySelector(`[data-path="${CSS.escape(path)}"]`);
      const error = field?.querySelector(':scope > .error');
      if (!error) {
        unplaced.push(text);
        continue;
      }
      const controls = [...field.querySelectorAll('input, select')];
      markInvalid(controls, error, text);
      first ??= controls[0];
    }
    const alert = this.form.querySelector('.form-error');
    const top = [unplaced.length || !first ? result.message : '', ...unplaced].filter(Boolean).join(' ');
    alert.textContent = top;
    alert.hidden = !top;
    if (first) {
      first.focus();
    } else {
      focusMessage(alert);
    }
  }
}
