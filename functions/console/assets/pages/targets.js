// The campaign's targets (GET /api/admin/targets), newest submission first, a page at a time.
// The filters are the address's query (a plain GET form), so a list can be reloaded, bookmarked
// and gone back to; 次のページ carries the API's cursor.

import { staffApi, whoAmI } from '../api.js';
import { showErrors } from '../forms.js';
import { cell, link, longDateTime, say, showPager, statusBadge } from '../format.js';

const FILTERS = ['q', 'status', 'office', 'check', 'missingDocuments', 'cursor'];

export async function start(section) {
  const form = section.querySelector('#targets-filter');
  const asked = new URLSearchParams(location.search);
  const query = new URLSearchParams();
  for (const name of FILTERS) {
    const value = asked.get(name);
    if (value) {
      query.set(name, value);
    }
    const control = form.elements.namedItem(name);
    if (control instanceof HTMLInputElement && control.type === 'checkbox') {
      control.checked = value === 'true';
    } else if (control && value) {
      control.value = value;
    }
  }
  section.querySelector('#targets-table').setAttribute('aria-busy', 'true');
  // Side by side: the list does not wait on who is signed in.
  const [me, page] = await Promise.all([
    whoAmI(),
    staffApi('GET', `/api/admin/targets${query.size ? `?${query}` : ''}`),
  ]);
  if (!me) {
    return;
  }
  const message = section.querySelector('#targets-message');
  if (!me.ok) {
    say(message, me.message, { warn: true });
    return;
  }
  if (!page) {
    return;
  }
  section.querySelector('#targets-table').removeAttribute('aria-busy');
  if (!page.ok) {
    if (page.fields) {
      showErrors(form, page);
    } else {
      say(message, page.status === 404 ? '今年度の調査はまだ公開されていません。' : page.message, { warn: page.status !== 404 });
    }
    return;
  }
  const targets = page.targets || [];
  if (!targets.length) {
    say(message, query.size ? '条件に合う対象者はいません。' : '対象者はいません。');
  }
  const rows = section.querySelector('#targets-rows');
  rows.replaceChildren(...targets.map(row));
  section.querySelector('#targets-table').hidden = !targets.length;
  showPager(section.querySelector('#targets-first'), section.querySelector('#targets-next'), page.cursor);
}

function row(target) {
  const tr = document.createElement('tr');
  // A reference is {symbol}-{number}-{id}: the card is its first two parts.
  const card = target.ref.split('-').slice(0, 2).join('-');
  tr.append(
    cell(card),
    cell(link(`/admin/targets/${encodeURIComponent(target.ref)}`, target.name), { header: true }),
    cell(target.relationship),
    cell(target.office || '—'),
    cell(statusBadge(target)),
    cell(target.checks?.resultLabel ?? '—'),
    cell(target.missingDocuments ? '不足あり' : '—'),
    cell(target.submittedAt ? longDateTime(target.submittedAt) : '—'),
  );
  return tr;
}
