// The invitation's three steps: a password, the authenticator app (QR code or the key typed by
// hand) confirmed by one code, then the recovery codes, shown once. The token is the address's
// fragment, which the browser never sends to any server.

import { api } from '../api.js';
import { bindForm, bindReveal } from '../forms.js';

const STEPS = ['password', 'totp', 'recovery'];

export async function start(section) {
  const token = location.hash.slice(1);
  const message = section.querySelector('#invitation-message');
  if (!token) {
    message.textContent = '招待のリンクが正しくありません。メールに記載のリンクをもう一度開いてください。';
    message.hidden = false;
    return;
  }
  bindReveal(section);
  const step = (name) => show(section, name);
  step('password');

  bindForm(section.querySelector('#invitation-password-form'), async ({ password }) => {
    const result = await api('POST', '/api/admin/invitation/accept', { token, password });
    if (result.ok) {
      showAuthenticator(section, result);
      step('totp');
    }
    return result;
  });

  bindForm(section.querySelector('#invitation-totp-form'), async ({ code }) => {
    const result = await api('POST', '/api/admin/invitation/totp', { token, code: code.normalize('NFKC').trim() });
    if (result.ok) {
      showRecoveryCodes(section, result.recoveryCodes || []);
      step('recovery');
    }
    return result;
  });
}

function show(section, name) {
  const at = STEPS.indexOf(name);
  for (const part of section.querySelectorAll('[data-invitation-step]')) {
    part.hidden = part.dataset.invitationStep !== name;
  }
  section.querySelectorAll('.steps li').forEach((item, index) => {
    item.classList.toggle('done', index < at);
    if (index === at) {
      item.setAttribute('aria-current', 'step');
    } else {
      item.removeAttribute('aria-current');
    }
  });
  if (name !== 'password') {
    section.querySelector(`[data-invitation-step="${name}"] h2`).focus();
  }
}

/**
 * The QR code as an image of the server's SVG (a data: URL, so nothing in it can run or reach
 * the page) and the key for typing in by hand, grouped by four as the apps show it.
 */
function showAuthenticator(section, result) {
  const image = section.querySelector('#invitation-qr');
  if (result.qrSvg) {
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(result.qrSvg)}`;
  } else {
    image.closest('.qr').hidden = true;
  }
  let secret = '';
  try {
    secret = new URL(result.otpauthUri).searchParams.get('secret') || '';
  } catch {
    secret = '';
  }
  section.querySelector('#invitation-secret').textContent = secret.replace(/(.{4})(?=.)/g, '$1 ');
}

function showRecoveryCodes(section, codes) {
  const list = section.querySelector('#invitation-recovery-codes');
  list.replaceChildren(
    ...codes.map((code) => {
      const item = document.createElement('li');
      item.textContent = code;
      return item;
    }),
  );
  const status = section.querySelector('#invitation-copied');
  section.querySelector('#invitation-copy').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      status.textContent = '回復コードをコピーしました。安全な場所に貼り付けて保存してください。';
    } catch {
      status.textContent = 'コピーできませんでした。表示されている回復コードを書き写すか、印刷してください。';
    }
    status.hidden = false;
  });
  section.querySelector('#invitation-print').addEventListener('click', () => window.print());
}
