// The one way the console talks to the API: same origin, JSON both ways, every outcome as data.
// The portal's forms.js and survey.js import it too, by the same names as the portal's api.js.

const NETWORK_MESSAGE = '通信できませんでした。ネットワークの接続を確かめて、もう一度お試しください。';

/**
 * The answer's JSON with `ok`, the HTTP `status` and `retryAfter` on top; `data` is the JSON as
 * sent, for answers that have a `status` of their own (a target's).
 */
export async function api(method, path, body) {
  const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    return { ok: false, status: 0, code: 'network', message: NETWORK_MESSAGE };
  }
  let data = {};
  if (response.status !== 204) {
    data = await response.json().catch(() => ({}));
  }
  const retryAfter = Number(response.headers.get('Retry-After')) || undefined;
  if (!response.ok && !data.message) {
    data.message = 'ただいま処理できません。しばらくしてからもう一度お試しください。';
  }
  return { ...data, ok: response.ok, status: response.status, retryAfter, data };
}

/** Sends the member to the sign-in page with a note saying why. */
export function toLogin(reason) {
  location.assign(`/admin/login?reason=${encodeURIComponent(reason)}`);
}

/** Answers that mean the session is over (idle for too long, or signed out elsewhere). */
export function sessionOver(result) {
  return result.status === 401;
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
