// One call to the API, as the portal and the console both make it: same origin, JSON both ways,
// every outcome as data. Each client's api.js names it with its own words for a lost network.

/**
 * The answer's JSON with `ok`, the HTTP `status` and `retryAfter` on top; `data` is the JSON as
 * sent, for answers that have a `status` of their own (a survey target's).
 * @returns {Promise<{ok: boolean, status: number, code?: string, message?: string,
 *   fields?: Record<string, string>, retryAfter?: number, data: object, [key: string]: unknown}>}
 */
export async function request(method, path, body, networkMessage) {
  const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    return { ok: false, status: 0, code: 'network', message: networkMessage };
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

/** Answers that mean the session is over (idle for too long, or signed out elsewhere). */
export function sessionOver(result) {
  return result.status === 401;
}
