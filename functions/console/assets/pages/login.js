import { api } from '../api.js';
import { bindForm, showStatus } from '../forms.js';

const REASONS = {
  enrolled: '登録が終わりました。メールアドレス、パスワードと認証アプリの確認コードでログインしてください。',
  session_expired: '一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。',
  login_required: 'ログインしてください。',
  logged_out: 'ログアウトしました。',
};

export async function start(section) {
  const reason = new URLSearchParams(location.search).get('reason');
  if (REASONS[reason]) {
    showStatus(section.querySelector('#login-info'), REASONS[reason]);
  }
  bindForm(section.querySelector('#login-form'), async (values) => {
    const result = await api('POST', '/api/admin/session', values);
    if (result.ok) {
      location.assign('/admin/');
    }
    return result;
  });
}
