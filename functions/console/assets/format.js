// What several console pages show the same way: messages, statuses, dates, table cells, paging.

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

/** An <img> or an <iframe> showing a document through its short-lived URL. */
export function documentView(url, contentType, title) {
  if (contentType && contentType.startsWith('image/')) {
    const image = document.createElement('img');
    image.src = url;
    image.alt = title;
    image.className = 'document-image';
    return image;
  }
  const frame = document.createElement('iframe');
  frame.src = url;
  frame.title = title;
  frame.className = 'document-frame';
  return frame;
}
