// Showing the survey as the API tells it (GET /api/me?include=survey, GET /api/survey/{id}): the
// campaign, the union's contact and this person's target dependents. Shared by the top page and
// each dependent's page.

/** YYYY-MM-DD → YYYY年M月D日 (a calendar date: no time zone to convert). */
export function longDate(isoDate) {
  const [year, month, day] = isoDate.split('-').map(Number);
  return `${year}年${month}月${day}日`;
}

const JAPAN_TIME = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** An instant written in Japan time, whatever the device's zone: YYYY年M月D日 H時MM分. */
export function longDateTime(rfc3339) {
  const part = Object.fromEntries(
    JAPAN_TIME.formatToParts(new Date(rfc3339)).map(({ type, value }) => [type, value]),
  );
  return `${part.year}年${part.month}月${part.day}日 ${part.hour}時${part.minute}分`;
}

/** The deadline line of a target; past the due date it says so, not by colour alone. */
export function deadline(campaign) {
  const text = `回答期限 ${longDate(campaign.dueDate)}`;
  return campaign.pastDue ? `${text}（期限を過ぎています）` : text;
}

/** The status as a badge: the label is the meaning, the colour only repeats it. */
export function statusBadge(target) {
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.dataset.status = target.status;
  badge.textContent = target.statusLabel;
  return badge;
}

/** Fills a <dl> with (term, description) pairs; a description may be a node or text. */
export function fillSummary(list, rows) {
  list.replaceChildren();
  for (const [term, description] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.append(description);
    list.append(dt, dd);
  }
}

function link(href, text) {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = text;
  return a;
}

/**
 * Shows the union's contact in `box` (its <dl> is `list`), with only the details the union gave.
 * @returns {boolean} whether there was anything to show
 */
export function showContact(box, list, contact) {
  const rows = [];
  if (contact?.name) rows.push(['窓口', contact.name]);
  if (contact?.phone) rows.push(['電話番号', link(`tel:${contact.phone.replace(/[^0-9+]/g, '')}`, contact.phone)]);
  if (contact?.hours) rows.push(['受付時間', contact.hours]);
  if (contact?.email) rows.push(['メールアドレス', link(`mailto:${contact.email}`, contact.email)]);
  fillSummary(list, rows);
  box.hidden = rows.length === 0;
  return rows.length > 0;
}

/** The sentence that sends the person to the union: to the contact shown, or to the union. */
export function askTheUnion(contactShown) {
  return contactShown
    ? 'ご不明な点は、下記のお問い合わせ先にご連絡ください。'
    : 'ご不明な点は、健康保険組合にお問い合わせください。';
}
