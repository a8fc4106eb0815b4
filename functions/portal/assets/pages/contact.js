import { api, whoAmI } from '../api.js';
import { bindForm, values } from '../forms.js';

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

/** Fills the address from the postal code when the person has not typed one yet. */
function bindAutofill(section) {
  const postal = section.querySelector('#contact-postalCode');
  const address = section.querySelector('#contact-address');
  const status = section.querySelector('#contact-postal-status');
  let last = '';
  postal.addEventListener('input', async () => {
    const digits = postal.value.normalize('NFKC').replace(/\D/g, '');
    if (digits.length !== 7 || digits === last) {
      return;
    }
    last = digits;
    const found = await api('GET', `/api/postal/${digits}`);
    if (found.ok) {
      const prefix = `${found.prefecture}${found.city}${found.town}`;
      if (!address.value.trim() || !address.value.startsWith(prefix)) {
        address.value = prefix;
      }
      status.textContent = `住所の一部を入力しました: ${prefix}。続けて番地などを入力してください。`;
    } else {
      status.textContent = found.message;
    }
  });
}

export async function start(section) {
  const me = await whoAmI();
  if (!me) {
    return;
  }
  const form = section.querySelector('#contact-form');
  const intro = section.querySelector('#contact-intro');
  const editing = new URLSearchParams(location.search).has('edit');
  const current = await api('GET', '/api/me/contact');
  if (current.ok && current.contact) {
    for (const [name, value] of Object.entries(current.contact)) {
      form.elements.namedItem(name).value = value;
    }
  }
  const openForm = () => {
    intro.hidden = true;
    form.hidden = false;
    form.querySelector('input').focus();
  };
  if (editing) {
    openForm();
  }
  section.querySelector('#contact-intro-ok').addEventListener('click', openForm);
  bindAutofill(section);
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
