import { api, whoAmI } from '../api.js';
import { bindForm, showStatus } from '../forms.js';

export async function start(section) {
  // Side by side: the sessions and the contact do not wait on who is logged in.
  const [me, sessions, contact] = await Promise.all([
    whoAmI(),
    api('GET', '/api/me/sessions'),
    api('GET', '/api/me/contact'),
  ]);
  if (!me) {
    return;
  }
  const passwordForm = section.querySelector('#password-form');
  bindForm(
    passwordForm,
    async (values) => {
      const result = await api('PUT', '/api/me/password', values);
      if (result.ok) {
        passwordForm.reset();
        showStatus(passwordForm.querySelector('[role="status"]'), 'パスワードを変更しました。ほかの端末でのログインは終了しました。');
      }
      return result;
    },
    { loggedIn: true },
  );

  const emailForm = section.querySelector('#email-form');
  const codeForm = section.querySelector('#email-code-form');
  bindForm(
    emailForm,
    async (values) => {
      const result = await api('PUT', '/api/me/email', values);
      if (result.ok) {
        codeForm.hidden = false;
        showStatus(codeForm.querySelector('[role="status"]'), `${result.maskedEmail} 宛に認証番号をお送りしました。メールに記載の6桁の数字を入力してください。`);
        codeForm.querySelector('input').focus();
      }
      return result;
    },
    { loggedIn: true },
  );
  bindForm(
    codeForm,
    async (values) => {
      const result = await api('POST', '/api/me/email/verify', values);
      if (result.ok) {
        codeForm.reset();
        codeForm.hidden = true;
        emailForm.reset();
        showStatus(codeForm.querySelector('[role="status"]'), '');
        const done = passwordForm.querySelector('[role="status"]');
        showStatus(done, `メールアドレスを ${result.maskedEmail} に変更しました。`);
      }
      return result;
    },
    { loggedIn: true },
  );

  const sessionsForm = section.querySelector('#sessions-form');
  const sessionsList = section.querySelector('#sessions-list');
  listSessions(sessionsList, sessions);
  bindForm(
    sessionsForm,
    async () => {
      const result = await api('DELETE', '/api/me/sessions');
      if (result.ok) {
        showStatus(sessionsForm.querySelector('[role="status"]'), 'ほかの端末でのログインをすべて終了しました。');
        listSessions(sessionsList, await api('GET', '/api/me/sessions'));
      }
      return result;
    },
    { loggedIn: true },
  );

  const current = section.querySelector('#settings-contact-current');
  if (contact.ok && contact.contact) {
    current.textContent = `現在の連絡先: 〒${contact.contact.postalCode} ${contact.contact.address}（電話 ${contact.contact.phone}）`;
  }
  if (new URLSearchParams(location.search).get('saved') === 'contact') {
    showStatus(passwordForm.querySelector('[role="status"]'), '連絡先を保存しました。');
  }
}

/** The top page's link when mail to the address stopped: the screen was hidden when the browser
 * looked for the fragment. */
export function shown(section) {
  if (location.hash === '#settings-email') {
    section.querySelector('#settings-email').scrollIntoView();
    section.querySelector('#email-email').focus();
  }
}

const SHOWN_AT = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** Fills the list of running sessions: when each started and was last used, this one marked. */
function listSessions(list, result) {
  if (!result.ok) {
    return;
  }
  list.replaceChildren(
    ...result.sessions.map((session) => {
      const item = document.createElement('li');
      const started = SHOWN_AT.format(new Date(session.startedAt));
      const active = SHOWN_AT.format(new Date(session.lastActiveAt));
      item.textContent = `${session.current ? 'この端末' : 'ほかの端末'}：${started} にログイン、最終利用 ${active}`;
      return item;
    }),
  );
}
