import { api, toLogin, whoAmI } from '../api.js';
import { renderNotices } from '../forms.js';

export async function start(section) {
  const me = await whoAmI();
  if (!me) {
    return;
  }
  if (!me.ok) {
    section.querySelector('#home-greeting').textContent = me.message;
    return;
  }
  section.querySelector('#home-greeting').textContent =
    `${me.name} 様、${me.insurer.name}の${me.surveyYear}年度 被扶養者資格調査のページです。`;
  renderNotices(section.querySelector('#union-notices'), me.notices || []);
  section.querySelector('#logout-button').addEventListener('click', async (event) => {
    event.currentTarget.disabled = true;
    await api('DELETE', '/api/session');
    toLogin('logged_out');
  });
}
