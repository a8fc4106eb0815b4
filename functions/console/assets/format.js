// What several console pages show the same way: messages, statuses, dates, table cells, paging.

import { longDateTime } from './survey.js';

export { fillSummary, longDate, longDateTime, statusBadge } from './survey.js';

/** A target's status in the union's words, for lists that have only the status. */
export const STATUS_LABELS = {
  not_started: '未回答',
  in_progress: '回答中',
  submitted: '提出済み',
  returned: '差し戻し',
  confirmed: '確認完了',
};

/** Shows `text` in a status line; `warn` marks it as a problem (in words, not only colour). */
export function say(element, text, { warn = false } = {}) {
  element.className = warn ? 'notice warn' : 'notice';
  element.textContent = text;
  element.hidden = !text;
}

/** A table cell of text, or of a node. */
export function cell(content, { header = false } = {}) {
  const element = document.createElement(header ? 'th' : 'td');
  if (header) {
    element.scope = 'row';
  }
  element.append(content ?? '');
  return element;
}

/**
 * Fills a list with one item per entry, its time first and then what `describe` gives (nodes or
 * text); `empty` is the list's only item when there are no entries.
 */
export function fillDatedList(list, entries, empty, describe) {
  if (!entries.length) {
    const none = document.createElement('li');
    none.textContent = empty;
    list.replaceChildren(none);
    return;
  }
  list.replaceChildren(
    ...entries.map((entry) => {
      const item = document.createElement('li');
      const time = document.createElement('time');
      time.dateTime = entry.at;
      time.textContent = longDateTime(entry.at);
      item.append(time, ' ', ...describe(entry));
      return item;
    }),
  );
}

/** A mail of the person's history: its subject, and whether it went out. */
export function describeMail(mail) {
  const subject = document.createElement('strong');
  subject.textContent = mail.subject || 'メール';
  return [subject, `（${mail.outcomeLabel}）`];
}

export function link(href, text) {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = text;
  return a;
}

/**
 * The paging links of a list whose page is the address's query: 次のページ carries the API's
 * cursor, 最初のページ drops it.
 */
export function showPager(first, next, cursor) {
  const params = new URLSearchParams(location.search);
  const paged = params.has('cursor');
  params.delete('cursor');
  first.href = `${location.pathname}${params.size ? `?${params}` : ''}`;
  first.hidden = !paged;
  if (cursor) {
    params.set('cursor', cursor);
    next.href = `${location.pathname}?${params}`;
  }
  next.hidden = !cursor;
}

/**
 * A document shown in the page from `url` (the API's route, which redirects to a short-lived
 * URL): an image as an <img>; a PDF fetched and shown from a blob: URL in an <iframe>, so that
 * the browser's viewer shows it whatever the download's Content-Disposition says. Anything else
 * is not shown (the documents are images and PDFs only). Resolves to the element, or to a
 * message when the file could not be read.
 */
export async function documentView(url, contentType, title) {
  if (contentType.startsWith('image/')) {
    const image = document.createElement('img');
    image.src = url;
    image.alt = title;
    image.className = 'document-image';
    return image;
  }
  if (contentType !== 'application/pdf') {
    return '表示できない形式の書類です。';
  }
  let blob;
  try {
    const response = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
    if (!response.ok) {
      return response.status === 401 ? null : '書類を読み込めませんでした。もう一度お試しください。';
    }
    // The type is fixed here: the viewer shows a PDF and nothing else the bucket might send.
    blob = new Blob([await response.arrayBuffer()], { type: 'application/pdf' });
  } catch {
    return '書類を読み込めませんでした。ネットワークの接続を確かめて、もう一度お試しください。';
  }
  const frame = document.createElement('iframe');
  frame.src = URL.createObjectURL(blob);
  frame.title = title;
  frame.className = 'document-frame';
  return frame;
}
