// Forms: values in, the server's field messages next to their fields, one request at a time.

import { sessionOver, toLogin } from './api.js';

export function values(form) {
  const data = {};
  for (const element of form.elements) {
    if (element.name && element.type !== 'checkbox') {
      data[element.name] = element.value;
    }
  }
  return data;
}

function errorElement(input) {
  return document.getElementById(`${input.id}-error`);
}

export function clearErrors(form) {
  const alert = form.querySelector('.form-error');
  if (alert) {
    alert.hidden = true;
    alert.textContent = '';
  }
  for (const input of form.querySelectorAll('input[aria-invalid]')) {
    input.removeAttribute('aria-invalid');
    const error = errorElement(input);
    if (error) {
      error.hidden = true;
      error.textContent = '';
    }
    const described = (input.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && id !== `${input.id}-error`);
    if (described.length) {
      input.setAttribute('aria-describedby', described.join(' '));
    } else {
      input.removeAttribute('aria-describedby');
    }
  }
}

/** Shows the server's answer: each field's message beside its field, the message on top. */
export function showErrors(form, result) {
  clearErrors(form);
  let first = null;
  for (const [name, message] of Object.entries(result.fields || {})) {
    const input = form.elements.namedItem(name);
    if (!(input instanceof HTMLInputElement)) {
      continue;
    }
    const error = errorElement(input);
    input.setAttribute('aria-invalid', 'true');
    if (error) {
      error.textContent = message;
      error.hidden = false;
      const described = (input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
      input.setAttribute('aria-describedby', [...described, error.id].join(' '));
    }
    first ??= input;
  }
  const alert = form.querySelector('.form-error');
  if (alert) {
    let message = result.message || '';
    if (result.retryAfter && result.status === 429) {
      message += `（あと約${Math.max(1, Math.ceil(result.retryAfter / 60))}分）`;
    }
    alert.textContent = message;
    alert.hidden = !message;
  }
  (first || alert)?.focus?.();
  if (!first && alert) {
    alert.setAttribute('tabindex', '-1');
    alert.focus();
  }
}

/**
 * Runs `submit(values)` on submit with the button disabled meanwhile (no double submit). A
 * failed result is shown on the form; an ended session goes back to login.
 */
export function bindForm(form, submit, { loggedIn = false } = {}) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    if (button.disabled) {
      return;
    }
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      const result = await submit(values(form));
      if (result && !result.ok) {
        if (loggedIn && sessionOver(result)) {
          toLogin(result.code === 'session_expired' ? 'session_expired' : 'login_required');
          return;
        }
        showErrors(form, result);
      } else {
        clearErrors(form);
      }
    } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  });
}

/** Lets a "パスワードを表示する" checkbox reveal its password field. */
export function bindReveal(root) {
  for (const box of root.querySelectorAll('input[data-reveal]')) {
    const target = document.getElementById(box.dataset.reveal);
    box.addEventListener('change', () => {
      target.type = box.checked ? 'text' : 'password';
    });
  }
}

export function showStatus(element, message) {
  element.textContent = message;
  element.hidden = false;
}

/** 2026-04-01 → 2026.04.01, as the manual's notice list shows dates. */
export function displayDate(iso) {
  return iso.replaceAll('-', '.');
}

/** Renders notices as text: whatever a notice contains, nothing of it becomes markup. */
export function renderNotices(list, notices) {
  list.replaceChildren();
  if (!notices.length) {
    const empty = document.createElement('li');
    empty.className = 'empty';
    empty.textContent = '現在お知らせはありません。';
    list.append(empty);
    return;
  }
  for (const notice of notices) {
    const item = document.createElement('li');
    const time = document.createElement('time');
    time.dateTime = notice.date;
    time.textContent = displayDate(notice.date);
    const title = document.createElement('p');
    title.className = 'title';
    if (notice.link) {
      const link = document.createElement('a');
      link.href = notice.link;
      link.textContent = notice.title;
      link.rel = 'noopener noreferrer';
      title.append(link);
    } else {
      title.textContent = notice.title;
    }
    item.append(time, title);
    if (notice.text) {
      const text = document.createElement('p');
      text.className = 'text';
      text.textContent = notice.text;
      item.append(text);
    }
    list.append(item);
  }
}
