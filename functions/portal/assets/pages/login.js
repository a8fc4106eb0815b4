import { api } from '../api.js';
import { bindForm, renderNotices, showStatus } from '../forms.js';

const REASONS = {
  registered: 'ユーザーIDを作成しました。設定したユーザーIDとパスワードでログインしてください。',
  session_expired: '一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。',
  login_required: 'ログインしてください。',
  logged_out: 'ログアウトしました。',
  password_reset: 'パスワードを再設定しました。新しいパスワードでログインしてください。',
};

export async function start(section) {
  const reason = new URLSearchParams(location.search).get('reason');
  if (REASONS[reason]) {
    showStatus(section.querySelector('#login-info'), REASONS[reason]);
  }
  bindForm(section.querySelector('#login-form'), async (values) => {
    const result = await api('POST', '/api/session', values);
    if (result.ok) {
      location.assign(`/portal/${result.next}`);
    }
    return result;
  });
  const notices = await api('GET', '/api/notices');
  renderNotices(section.querySelector('#site-notices'), notices.ok ? notices.notices : []);
}
