import { api } from '../api.js';
import { bindForm, bindReveal, clearErrors, showErrors } from '../forms.js';

const STEPS = ['identity', 'account', 'code'];
let state = {};
let timer = null;

function timeOf(iso) {
  return new Date(iso).toLocaleTimeString('ja-JP', { hour: '2-digit', minute: '2-digit' });
}

function show(section, step, { focus = true } = {}) {
  for (const part of section.querySelectorAll('[data-signup-step]')) {
    part.hidden = part.dataset.signupStep !== step;
  }
  const current = STEPS.indexOf(step);
  for (const item of section.querySelectorAll('.steps li')) {
    const index = STEPS.indexOf(item.dataset.step);
    item.classList.toggle('done', index < current);
    if (index === current) {
      item.setAttribute('aria-current', 'step');
    } else {
      item.removeAttribute('aria-current');
    }
  }
  if (step === 'code') {
    section.querySelector('#code-address').textContent = state.maskedEmail || '';
    tick(section);
  }
  if (focus) {
    section.querySelector(`[data-signup-step="${step}"] input`)?.focus();
  }
}

/** Keeps the time left and the resend countdown current. */
function tick(section) {
  clearInterval(timer);
  const expiry = section.querySelector('#code-expiry');
  const resend = section.querySelector('#resend-button');
  const status = section.querySelector('#resend-status');
  const update = () => {
    const now = Date.now();
    const left = Math.ceil((Date.parse(state.codeExpiresAt) - now) / 60000);
    expiry.textContent = left > 0
      ? `認証番号の有効期限は ${timeOf(state.codeExpiresAt)} までです（残り約${left}分）。`
      : '認証番号の有効期限が切れました。「認証番号を再送信」を押してください。';
    const wait = Math.ceil((Date.parse(state.resendAvailableAt) - now) / 1000);
    resend.disabled = wait > 0;
    status.textContent = wait > 0 ? `再送信は${wait}秒後からできます。` : '';
  };
  update();
  timer = setInterval(update, 1000);
}

export async function start(section) {
  bindReveal(section);
  const resumed = await api('GET', '/api/signup');
  state = resumed.ok ? resumed : { step: 'identity' };
  // On arrival the page is read from the top; focus moves only when the step changes.
  show(section, state.step === 'done' ? 'identity' : state.step, { focus: false });
  // A union's leaflet links here with its code (?insurer=0904): the field starts with it, and
  // the server checks it on 認証 exactly as it checks a typed one.
  const insurer = new URLSearchParams(location.search).get('insurer');
  if (insurer) {
    section.querySelector('#identity-insurerCode').value = insurer;
  }

  bindForm(section.querySelector('#identity-form'), async (values) => {
    const result = await api('POST', '/api/signup/identity', values);
    if (result.ok) {
      state = result;
      show(section, 'account');
    }
    return result;
  });

  bindForm(section.querySelector('#account-form'), async (values) => {
    const result = await api('POST', '/api/signup/account', values);
    if (result.ok) {
      state = result;
      show(section, 'code');
    } else if (result.status === 410) {
      show(section, 'identity');
      showErrors(section.querySelector('#identity-form'), result);
      return { ok: true };
    }
    return result;
  });

  bindForm(section.querySelector('#code-form'), async (values) => {
    const result = await api('POST', '/api/signup/code', values);
    if (result.ok) {
      clearInterval(timer);
      location.assign('/portal/?reason=registered');
    }
    return result;
  });

  section.querySelector('#resend-button').addEventListener('click', async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    const form = section.querySelector('#code-form');
    const result = await api('POST', '/api/signup/code/resend', {});
    if (result.ok) {
      state = { ...state, ...result };
      clearErrors(form);
      section.querySelector('#resend-status').textContent = '新しい認証番号を送信しました。前の認証番号は使えません。';
      tick(section);
    } else {
      showErrors(form, result);
      button.disabled = false;
    }
  });

  section.querySelector('#code-edit').addEventListener('click', () => {
    clearInterval(timer);
    show(section, 'account');
  });
}
