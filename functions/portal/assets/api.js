// The portal's calls to the API (request.js), and where a person goes when the session is over.

import { request, sessionOver } from './request.js';

export { sessionOver };

const NETWORK_MESSAGE = '通信できませんでした。電波の良いところで、もう一度お試しください。';

/** One call to the API (request.js), with the client's words for a lost network. */
export function api(method, path, body) {
  return request(method, path, body, NETWORK_MESSAGE);
}

/** Sends the person to the login page with a note saying why. */
export function toLogin(reason) {
  location.assign(`/portal/?reason=${encodeURIComponent(reason)}`);
}

/**
 * The logged-in person, or a redirect: to login when there is no session; while first login is
 * unfinished, to the page of the step the API names as `next` (the API alone knows the order of
 * the steps; once it answers `home`, every page is open). `include: 'survey'` brings the survey
 * in the same call (the top page's one request).
 */
export async function whoAmI({ include } = {}) {
  const me = await api('GET', include ? `/api/me?include=${encodeURIComponent(include)}` : '/api/me');
  if (sessionOver(me)) {
    toLogin(me.code === 'session_expired' ? 'session_expired' : 'login_required');
    return null;
  }
  if (!me.ok) {
    return me;
  }
  const stepPage = `/portal/${me.next}`;
  if (me.next !== 'home' && location.pathname !== stepPage) {
    location.assign(stepPage);
    return null;
  }
  const user = document.getElementById('site-user');
  user.textContent = `${me.name} 様（${me.insurer.name}）`;
  user.hidden = false;
  const logout = document.getElementById('site-logout');
  logout.hidden = false;
  logout.addEventListener('click', async () => {
    logout.disabled = true;
    await api('DELETE', '/api/session');
    toLogin('logged_out');
  });
  return me;
}
