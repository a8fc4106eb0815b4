import { api, toLogin, whoAmI } from '../api.js';
import { renderNotices } from '../forms.js';
import { askTheUnion, deadline, longDate, longDateTime, showContact, statusBadge } from '../survey.js';

export async function start(section) {
  const me = await whoAmI({ include: 'survey' });
  if (!me) {
    return;
  }
  if (!me.ok) {
    section.querySelector('#home-greeting').textContent = me.message;
    return;
  }
  section.querySelector('#home-greeting').textContent =
    `${me.name} 様、${me.insurer.name}の${me.surveyYear}年度 被扶養者資格調査のページです。`;
  showUndeliverable(section.querySelector('#home-undeliverable'), me.emailUndeliverable);
  renderNotices(section.querySelector('#union-notices'), me.notices || []);
  section.querySelector('#logout-button').addEventListener('click', async (event) => {
    event.currentTarget.disabled = true;
    await api('DELETE', '/api/session');
    toLogin('logged_out');
  });
  showSurvey(section.querySelector('#home-survey'), me.survey);
}

/** Mail to the registered address stopped (it bounced, or a mail was reported as spam). */
const UNDELIVERABLE = {
  bounce:
    'ご登録のメールアドレスにメールをお届けできませんでした。このままでは認証番号や組合からのお知らせが届きません。メールアドレスを変更してください。',
  complaint:
    'ご登録のメールアドレスあてのメールが迷惑メールとして報告されたため、メールの送信を停止しています。メールを受け取るには、メールアドレスを変更してください。',
};

function showUndeliverable(box, kind) {
  if (!UNDELIVERABLE[kind]) {
    return;
  }
  box.querySelector('#home-undeliverable-text').textContent =
    `${UNDELIVERABLE[kind]}同じメールアドレスを登録し直すこともできます（認証番号が届けば、メールの送信を再開します）。`;
  box.hidden = false;
}

/** What the campaign asks of this person now, and each target dependent with its status. */
function showSurvey(box, survey) {
  const status = box.querySelector('#home-survey-status');
  box.removeAttribute('aria-busy');
  const { campaign, contact } = survey;
  const targets = survey.targets || [];
  const showUnionContact = () =>
    askTheUnion(showContact(box.querySelector('#home-contact'), box.querySelector('#home-contact-list'), contact));
  if (!campaign || targets.length === 0) {
    status.textContent = `今年度、ご回答いただく被扶養者の方はいません。調査の対象は健康保険組合が決めています。${showUnionContact()}`;
    return;
  }
  const title = box.querySelector('#home-campaign-title');
  title.textContent = campaign.title;
  title.hidden = false;
  const due = longDate(campaign.dueDate);
  if (campaign.state === 'upcoming') {
    status.textContent = `回答の受付は${longDateTime(campaign.opensAt)}に始まります。回答期限は${due}です。`;
  } else if (campaign.state === 'closed') {
    status.className = 'notice warn';
    status.textContent = `今年度の被扶養者資格調査の受付は終了しました。${showUnionContact()}`;
  } else if (campaign.pastDue) {
    status.className = 'notice warn';
    status.textContent = `回答期限の${due}を過ぎています。できるだけ早く回答し、提出してください。${showUnionContact()}`;
  } else if (targets.every((target) => ['submitted', 'confirmed'].includes(target.status))) {
    status.textContent = 'すべての被扶養者の方の調査票を提出しました。お名前を押すと、提出した内容を確認できます。';
  } else {
    status.textContent = `次の被扶養者の方について、${due}までに調査票への回答と書類の提出をお願いします。お名前を押すと、その方のページに進みます。`;
  }
  const list = box.querySelector('#home-targets');
  list.replaceChildren(...targets.map((target) => targetItem(target, campaign)));
  list.hidden = false;
}

function targetItem(target, campaign) {
  const item = document.createElement('li');
  item.className = 'target';
  const name = document.createElement('h3');
  name.className = 'target-name';
  const link = document.createElement('a');
  link.href = `/portal/survey/${encodeURIComponent(target.id)}`;
  link.textContent = target.name;
  name.append(link);

  const facts = document.createElement('p');
  facts.className = 'target-facts';
  const relationship = document.createElement('span');
  relationship.textContent = `続柄：${target.relationship}`;
  const label = document.createElement('span');
  label.className = 'visually-hidden';
  label.textContent = '回答状況：';
  const state = document.createElement('span');
  state.append(label, statusBadge(target));
  facts.append(relationship, state);

  const due = document.createElement('p');
  due.className = campaign.pastDue ? 'target-due past' : 'target-due';
  due.textContent = deadline(campaign);
  item.append(name, facts, due);
  return item;
}
