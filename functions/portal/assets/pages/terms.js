import { api, whoAmI } from '../api.js';
import { bindForm } from '../forms.js';

export async function start(section) {
  // Side by side: the terms do not wait on who is logged in (a round trip saved on a slow phone).
  const [me, terms] = await Promise.all([whoAmI(), api('GET', '/api/terms')]);
  if (!me) {
    return;
  }
  if (!terms.ok) {
    section.querySelector('#terms-text').textContent = terms.message;
    return;
  }
  section.querySelector('#terms-title').textContent = terms.title;
  section.querySelector('#terms-text').textContent = terms.text;
  const agree = section.querySelector('#terms-agree');
  const next = section.querySelector('#terms-next');
  agree.addEventListener('change', () => {
    next.disabled = !agree.checked;
  });
  bindForm(
    section.querySelector('#terms-form'),
    async () => {
      if (!agree.checked) {
        return { ok: false, message: '「利用規約に同意する」にチェックを入れてください。' };
      }
      const result = await api('POST', '/api/me/terms', { version: terms.version });
      if (result.ok) {
        location.assign(`/portal/${result.next}`);
      } else if (result.code === 'terms_outdated') {
        location.reload();
      }
      return result;
    },
    { loggedIn: true },
  );
  // bindForm re-enables the button after each try; it stays tied to the checkbox.
  section.querySelector('#terms-form').addEventListener('submit', () => queueMicrotask(() => {
    next.disabled = !agree.checked;
  }));
}
