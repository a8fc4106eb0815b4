// Forms: values in, the server's field messages next to their fields, one request at a time.

import { api, sessionOver, toLogin } from './api.js';

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

/** Hides every field message of `form` and unmarks the fields (an error's id ends in -error). */
export function clearErrors(form) {
  const alert = form.querySelector('.form-error');
  if (alert) {
    alert.hidden = true;
    alert.textContent = '';
  }
  for (const error of form.querySelectorAll('.error')) {
    error.hidden = true;
    error.textContent = '';
  }
  for (const control of form.querySelectorAll('[aria-invalid]')) {
    control.removeAttribute('aria-invalid');
    const described = (control.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && !id.endsWith('-error'));
    if (described.length) {
      control.setAttribute('aria-describedby', described.join(' '));
    } else {
      control.removeAttribute('aria-describedby');
    }
  }
}

/**
 * Shows `message` in `error` and marks each of `controls` (one field, or a group's radios) as
 * invalid and described by it, so a screen reader reads the message with the field.
 */
export function markInvalid(controls, error, message) {
  for (const control of controls) {
    control.setAttribute('aria-invalid', 'true');
    if (error) {
      const described = (control.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && id !== error.id);
      control.setAttribute('aria-describedby', [...described, error.id].join(' '));
    }
  }
  if (error) {
    error.textContent = message;
    error.hidden = false;
  }
}

/** The form's message on top: the server's, with the wait of a 429 when it gives one. */
export function showAlert(form, result) {
  const alert = form.querySelector('.form-error');
  if (!alert) {
    return null;
  }
  let message = result.message || '';
  if (result.retryAfter && result.status === 429) {
    message += `（あと約${Math.max(1, Math.ceil(result.retryAfter / 60))}分）`;
  }
  alert.textContent = message;
  alert.hidden = !message;
  return alert;
}

/** Moves focus to an element that is not focusable by itself, such as a message. */
export function focusMessage(element) {
  element.setAttribute('tabindex', '-1');
  element.focus();
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
    markInvalid([input], errorElement(input), message);
    first ??= input;
  }
  const alert = showAlert(form, result);
  if (first) {
    first.focus();
  } else if (alert) {
    focusMessage(alert);
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

/**
 * Fills `address` from the 7-digit postal code typed in `postal` (GET /api/postal/{code}) when
 * the person has not typed another address yet, and says what it did in `status`.
 */
export function bindPostalAutofill(postal, address, status) {
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
