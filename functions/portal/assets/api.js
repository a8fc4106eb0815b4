// The one way the pages talk to the API: same origin, JSON both ways, every outcome as data.

const NETWORK_MESSAGE = '通信できませんでした。電波の良いところで、もう一度お試しください。';

/**
 * The answer's JSON with `ok`, the HTTP `status` and `retryAfter` on top; `data` is the JSON as
 * sent, for answers that have a `status` of their own (a survey target's).
 * @returns {Promise<{ok: boolean, status: number, code?: string, message?: string,
 *   fields?: Record<string, string>, retryAfter?: number, data: object, [key: string]: unknown}>}
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

/** Sends the person to the login page with a note saying why. */
export function toLogin(reason) {
  location.assign(`/portal/?reason=${encodeURIComponent(reason)}`);
}

/** Answers that mean the session is over, whatever page the person was on. */
export function sessionOver(result) {
  return result.status === 401;
}

/**
 * The logged-in person, or a redirect: to login when there is no session; while first login is
 * unfinished, to the page of the step the API names as `next` (the API alone knows the order of
 * the steps; once it answers `home`, every page is open).
 */
export async function whoAmI() {
  const me = await api('GET', '/api/me');
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
