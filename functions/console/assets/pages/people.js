// The call center (GET /api/admin/people): a person found by their card, or by kana and birth
// date; whether they registered, are locked or disabled; unlocking, the reset mail (whose code
// the operator never sees), each of their targets and the mails kennin sent them.

import { allows, staffApi, whoAmI } from '../api.js';
import { bindForm } from '../forms.js';
import { describeMail, fillDatedList, fillSummary, link, say, statusBadge } from '../format.js';

export async function start(section) {
  const me = await whoAmI();
  if (!me) {
    return;
  }
  const message = section.querySelector('#people-message');
  if (!me.ok) {
    say(message, me.message, { warn: true });
    return;
  }
  const results = section.querySelector('#people-results');
  const search = async (query) => {
    say(message, '');
    const found = await staffApi('GET', `/api/admin/people?${new URLSearchParams(query)}`);
    if (found?.ok) {
      showPeople(results, message, me, found.people || []);
    }
    return found;
  };
  bindForm(section.querySelector('#people-card-form'), ({ card }) => search({ card }), { loggedIn: true });
  bindForm(
    section.querySelector('#people-kana-form'),
    ({ kana, birthDate }) => search({ kana, birthDate }),
    { loggedIn: true },
  );
  // From the progress page's list of persons whose mail stopped: the person at once.
  const card = new URLSearchParams(location.search).get('card');
  if (card) {
    section.querySelector('#people-card-form').elements.card.value = card;
    await search({ card });
  }
}

function showPeople(results, message, me, people) {
  results.replaceChildren();
  if (!people.length) {
    say(message, '該当する方は見つかりませんでした。');
    return;
  }
  say(message, `${people.length}人見つかりました。`);
  for (const person of people) {
    results.append(personCard(me, person));
  }
}

function personCard(me, person) {
  const card = document.createElement('article');
  card.className = 'person';
  const heading = document.createElement('h2');
  heading.textContent = `${person.name}（${person.id}）`;
  const facts = document.createElement('dl');
  facts.className = 'summary';
  const state = [person.registered ? '登録済み' : '未登録', person.locked && 'ロック中', person.disabled && '利用停止'].filter(Boolean).join('・');
  fillSummary(facts, [
    ['フリガナ', person.nameKana],
    ['生年月日', person.birthDate],
    ['ユーザー登録', state],
    ['メールアドレス', person.maskedEmail || '登録なし'],
  ]);
  const status = document.createElement('p');
  status.className = 'notice';
  status.setAttribute('role', 'status');
  status.hidden = true;
  const actions = document.createElement('div');
  actions.className = 'actions';
  const base = `/api/admin/people/${encodeURIComponent(person.id)}`;
  if (allows(me, 'unlockPeople') && person.locked) {
    actions.append(button('ロックを解除する', async () => {
      const result = await staffApi('POST', `${base}/unlock`, {});
      return result && (result.ok ? 'ロックを解除しました。すぐにログインできます。' : result);
    }, status));
  }
  if (allows(me, 'sendPasswordReset') && person.registered) {
    actions.append(button('パスワード再設定のメールを送る', async () => {
      const result = await staffApi('POST', `${base}/password-reset`, {});
      return result && (result.ok ? result.message || `${result.maskedEmail} に再設定のメールを送りました。` : result);
    }, status));
  }
  const targets = document.createElement('ul');
  targets.className = 'plain person-targets';
  for (const target of person.targets || []) {
    const item = document.createElement('li');
    item.append(link(`/admin/targets/${encodeURIComponent(target.ref)}`, `${target.name}（${target.relationship}）`), ' ', statusBadge(target));
    targets.append(item);
  }
  const targetsTitle = document.createElement('h3');
  targetsTitle.textContent = '調査の対象の被扶養者';
  // Whether the invitation or a reminder went out (or bounced): what the caller asks first.
  const mailsTitle = document.createElement('h3');
  mailsTitle.textContent = 'ご本人へのメール';
  const mails = document.createElement('ol');
  mails.className = 'history person-mails';
  fillDatedList(mails, person.mails || [], 'メールはまだ送っていません。', describeMail);
  card.append(heading, facts, actions, status, targetsTitle, targets, mailsTitle, mails);
  return card;
}

/** A button running `act`, whose text (or failed result) is shown in `status`. */
function button(text, act, status) {
  const element = document.createElement('button');
  element.type = 'button';
  element.className = 'secondary';
  element.textContent = text;
  element.addEventListener('click', async () => {
    element.disabled = true;
    const outcome = await act();
    element.disabled = false;
    if (!outcome) {
      return;
    }
    const failed = typeof outcome !== 'string';
    say(status, failed ? outcome.message : outcome, { warn: failed });
  });
  return element;
}
