import { api, whoAmI } from '../api.js';
import { bindForm, bindPostalAutofill, values } from '../forms.js';

/** Asks before saving, as the manual does: この内容で保存してよろしいですか？ */
function confirmSave(dialog, data) {
  const summary = dialog.querySelector('#contact-confirm-summary');
  summary.replaceChildren();
  for (const [label, value] of [['郵便番号', data.postalCode], ['住所', data.address], ['電話番号', data.phone]]) {
    const term = document.createElement('dt');
    term.textContent = label;
    const detail = document.createElement('dd');
    detail.textContent = value;
    summary.append(term, detail);
  }
  return new Promise((resolve) => {
    const ok = dialog.querySelector('#contact-confirm-ok');
    const cancel = dialog.querySelector('#contact-confirm-cancel');
    const done = (answer) => {
      ok.removeEventListener('click', yes);
      cancel.removeEventListener('click', no);
      dialog.removeEventListener('cancel', no);
      dialog.close();
      resolve(answer);
    };
    const yes = () => done(true);
    const no = () => done(false);
    ok.addEventListener('click', yes);
    cancel.addEventListener('click', no);
    dialog.addEventListener('cancel', no);
    dialog.showModal();
    ok.focus();
  });
}

/** Changing the contact from the settings (?edit=1) starts in its first field, once shown. */
export function shown(section) {
  if (new URLSearchParams(location.search).has('edit')) {
    section.querySelector('#contact-form input').focus();
  }
}

export async function start(section) {
  // Side by side: the contact does not wait on who is logged in.
  const [me, current] = await Promise.all([whoAmI(), api('GET', '/api/me/contact')]);
  if (!me) {
    return;
  }
  const form = section.querySelector('#contact-form');
  const intro = section.querySelector('#contact-intro');
  const editing = new URLSearchParams(location.search).has('edit');
  if (current.ok && current.contact) {
    for (const [name, value] of Object.entries(current.contact)) {
      form.elements.namedItem(name).value = value;
    }
  }
  const openForm = () => {
    intro.hidden = true;
    form.hidden = false;
  };
  if (editing) {
    openForm();
  }
  section.querySelector('#contact-intro-ok').addEventListener('click', () => {
    openForm();
    form.querySelector('input').focus();
  });
  bindPostalAutofill(
    section.querySelector('#contact-postalCode'),
    section.querySelector('#contact-address'),
    section.querySelector('#contact-postal-status'),
  );
  bindForm(
    form,
    async () => {
      const data = values(form);
      if (!(await confirmSave(section.querySelector('#contact-confirm'), data))) {
        return { ok: true };
      }
      const result = await api('PUT', '/api/me/contact', data);
      if (result.ok) {
        location.assign(result.next === 'home' && editing ? '/portal/settings?saved=contact' : `/portal/${result.next}`);
      }
      return result;
    },
    { loggedIn: true },
  );
}
