// A target dependent's page: what the union has on record, the status and the deadline. The
// dependent is looked up in the person's own list, so an id that is not theirs reads exactly as
// one that does not exist.

import { whoAmI } from '../api.js';
import { askTheUnion, deadline, fillSummary, loadSurvey, longDate, longDateTime, showContact, statusBadge } from '../survey.js';

export async function start(section) {
  const me = await whoAmI();
  if (!me) {
    return;
  }
  const message = section.querySelector('#survey-message');
  const survey = me.ok ? await loadSurvey() : me;
  if (!survey) {
    return;
  }
  if (!survey.ok) {
    warn(message, survey.message);
    return;
  }
  // main.js routes here only /portal/survey/ followed by letters and digits.
  const id = location.pathname.slice('/portal/survey/'.length);
  const target = (survey.targets || []).find((t) => t.id === id);
  if (!survey.campaign || !target) {
    section.querySelector('#survey-title').textContent = '被扶養者の方が見つかりません';
    warn(message, 'お探しの被扶養者の方は見つかりません。トップページの一覧から選び直してください。');
    return;
  }
  showTarget(section, target, survey);
}

function warn(message, text) {
  message.className = 'notice warn';
  message.textContent = text;
  message.hidden = false;
}

function showTarget(section, target, { campaign, contact }) {
  section.querySelector('#survey-title').textContent = `${target.name} 様`;
  section.querySelector('#survey-status').replaceWith(statusBadge(target));
  const due = section.querySelector('#survey-due');
  due.textContent = deadline(campaign);
  due.classList.toggle('past', Boolean(campaign.pastDue));

  const showUnionContact = () =>
    askTheUnion(showContact(section.querySelector('#survey-contact'), section.querySelector('#survey-contact-list'), contact));
  const message = section.querySelector('#survey-message');
  if (campaign.state === 'upcoming') {
    message.textContent = `回答の受付は${longDateTime(campaign.opensAt)}に始まります。`;
    message.hidden = false;
  } else if (campaign.state === 'closed') {
    section.querySelector('#survey-form-later').hidden = true;
    warn(message, `今年度の被扶養者資格調査の受付は終了しました。${showUnionContact()}`);
  } else if (campaign.pastDue) {
    warn(message, `回答期限の${longDate(campaign.dueDate)}を過ぎています。できるだけ早く回答し、提出してください。${showUnionContact()}`);
  }

  const recorded = (value) => value || '登録なし';
  fillSummary(section.querySelector('#survey-recorded'), [
    ['氏名', recorded(target.name)],
    ['フリガナ', recorded(target.nameKana)],
    ['続柄', recorded(target.relationship)],
    ['生年月日', target.birthDate ? longDate(target.birthDate) : recorded(null)],
    ['性別', recorded(target.sex)],
    ['同居・別居', recorded(target.living)],
  ]);
  section.querySelector('#survey-target').hidden = false;
}
