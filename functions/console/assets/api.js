// The console's calls to the API (the portal's request.js). The portal's forms.js and survey.js
// import this module too, by the same names as the portal's api.js.

import { request, sessionOver } from './request.js';

export { sessionOver };

const NETWORK_MESSAGE = '通信できませんでした。ネットワークの接続を確かめて、もう一度お試しください。';

/** One call to the API (request.js), with the client's words for a lost network. */
export function api(method, path, body) {
  return request(method, path, body, NETWORK_MESSAGE);
}

/** Sends the member to the sign-in page with a note saying why. */
export function toLogin(reason) {
  location.assign(`/admin/login?reason=${encodeURIComponent(reason)}`);
}

/** Goes to sign-in when `result` says the session is over; whether it did. */
export function leftForLogin(result) {
  if (!sessionOver(result)) {
    return false;
  }
  toLogin(result.code === 'session_expired' ? 'session_expired' : 'login_required');
  return true;
}

let idleSeconds = 0;
let idleTimer;

/**
 * Goes to sign-in once the session's idle time has passed since the last call, as the server
 * will answer then anyway: a screen left open does not keep showing the union's data.
 */
function restartIdleTimer() {
  if (idleSeconds > 0) {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => toLogin('session_expired'), idleSeconds * 1000);
  }
}

/** Calls the API as the signed-in member: an ended session goes to sign-in (then null). */
export async function staffApi(method, path, body) {
  const result = await api(method, path, body);
  if (leftForLogin(result)) {
    return null;
  }
  restartIdleTimer();
  return result;
}

/** Whether the member's role allows `permission` (GET /api/admin/me's `permissions`). */
export function allows(me, permission) {
  return Array.isArray(me.permissions) && me.permissions.includes(permission);
}

/**
 * The signed-in member, or null after sending them to sign-in. Fills the header: who they are,
 * the menu of what their role allows, and the logout button.
 */
export async function whoAmI() {
  const me = await staffApi('GET', '/api/admin/me');
  if (!me || !me.ok) {
    return me;
  }
  idleSeconds = me.idleTimeoutSeconds || 0;
  restartIdleTimer();
  const user = document.getElementById('site-user');
  user.textContent = `${me.name}（${me.roleLabel}・${me.insurer.name}）`;
  user.hidden = false;
  const nav = document.getElementById('site-nav');
  for (const item of nav.querySelectorAll('[data-permission]')) {
    item.hidden = !allows(me, item.dataset.permission);
    const link = item.querySelector('a');
    if (link.pathname === location.pathname || (link.pathname !== '/admin/' && location.pathname.startsWith(`${link.pathname}/`))) {
      link.setAttribute('aria-current', 'page');
    }
  }
  nav.hidden = false;
  const logout = document.getElementById('site-logout');
  logout.hidden = false;
  logout.addEventListener('click', async () => {
    logout.disabled = true;
    await api('DELETE', '/api/admin/session');
    toLogin('logged_out');
  });
  return me;
}

/** Shows the elements marked `data-permission` inside `root` only when the role allows it. */
export function showAllowed(root, me) {
  for (const element of root.querySelectorAll('[data-permission]')) {
    element.hidden = !allows(me, element.dataset.permission);
  }
}
