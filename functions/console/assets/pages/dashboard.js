// The campaign's progress (GET /api/admin/campaign): counts by status, registrations, the days
// left, submissions per day as a chart, each office's share answered, and the persons whose
// address no longer receives mail (for the call center to phone).

import { allows, staffApi, whoAmI } from '../api.js';
import { drawDailyChart } from '../chart.js';
import { cell, link, longDate, longDateTime, say } from '../format.js';

const GROUPED = new Intl.NumberFormat('ja-JP');
const DAY_MS = 86_400_000;

export async function start(section) {
  // Side by side: the progress does not wait on who is signed in (refused, and unused, for a
  // role that may not see it).
  const [me, progress] = await Promise.all([whoAmI(), staffApi('GET', '/api/admin/campaign')]);
  if (!me) {
    return;
  }
  const message = section.querySelector('#dashboard-message');
  if (!me.ok) {
    say(message, me.message, { warn: true });
    return;
  }
  if (!allows(me, 'viewProgress')) {
    location.replace(allows(me, 'lookUpPeople') ? '/admin/people' : '/admin/targets');
    return;
  }
  if (!progress) {
    return;
  }
  if (progress.status === 404) {
    say(message, '今年度の調査はまだ公開されていません。');
    return;
  }
  if (!progress.ok) {
    say(message, progress.message, { warn: true });
    return;
  }
  show(section, progress, allows(me, 'viewTargets'));
  showUndeliverable(section, progress.undeliverable || [], allows(me, 'lookUpPeople'));
}

/** `lists`: the role may open the lists of targets the counts link to. */
function show(section, progress, lists) {
  const { campaign } = progress;
  section.querySelector('#dashboard-title').textContent = `${campaign.title}の進捗`;
  section.querySelector('#dashboard-campaign').textContent = `回答期限 ${longDate(campaign.dueDate)}（${daysLeft(progress.daysLeft)}）`;
  const next = progress.nextReminder;
  section.querySelector('#dashboard-reminder').textContent = next
    ? `次のリマインダー ${longDateTime(next.at)}（${next.label}）：未提出・差し戻しの調査票 ${GROUPED.format(next.openTargets)}件の方へ`
    : '予定のリマインダーはありません。';

  const counts = section.querySelector('#dashboard-counts');
  const registration = progress.registration || {};
  const registered = registration.rosterPersons
    ? `${GROUPED.format(registration.registered)}人 / ${GROUPED.format(registration.rosterPersons)}人`
    : `${GROUPED.format(registration.registered ?? 0)}人`;
  counts.replaceChildren(
    countItem('対象者', `${GROUPED.format(progress.total)}人`, lists && '/admin/targets'),
    ...progress.byStatus.map((entry) =>
      countItem(
        entry.statusLabel,
        `${GROUPED.format(entry.count)}人`,
        lists && `/admin/targets?status=${encodeURIComponent(entry.status)}`,
      ),
    ),
    countItem('ユーザー登録済みの被保険者', registered),
  );

  drawDailyChart(section.querySelector('#dashboard-chart'), everyDay(progress.responsesPerDay || []));

  const table = section.querySelector('#dashboard-offices');
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const title of ['事業所', '対象者', '回答済み', '回答率']) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = title;
    head.append(th);
  }
  const body = table.createTBody();
  for (const office of progress.byOffice || []) {
    const row = body.insertRow();
    const share = office.targets ? Math.round((office.answered / office.targets) * 100) : 0;
    const name = lists ? link(`/admin/targets?office=${encodeURIComponent(office.office)}`, office.office) : office.office;
    row.append(
      cell(name, { header: true }),
      cell(GROUPED.format(office.targets)),
      cell(GROUPED.format(office.answered)),
      cell(`${share}%`),
    );
  }
  section.querySelector('#dashboard-body').hidden = false;
}

/** Each person whose mail stopped, with a link to the call center's page of the person. */
function showUndeliverable(section, people, lookUp) {
  section.querySelector('#dashboard-undeliverable-none').hidden = people.length > 0;
  section.querySelector('#dashboard-undeliverable-wrap').hidden = people.length === 0;
  const table = section.querySelector('#dashboard-undeliverable');
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const title of ['記号-番号', '氏名', '理由', '日時']) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = title;
    head.append(th);
  }
  const body = table.createTBody();
  for (const person of people) {
    const card = `${person.symbol}-${person.number}`;
    const when = document.createElement('time');
    when.dateTime = person.at;
    when.textContent = longDateTime(person.at);
    body.insertRow().append(
      cell(lookUp ? link(`/admin/people?card=${encodeURIComponent(card)}`, card) : card, { header: true }),
      cell(person.name),
      cell(person.kindLabel),
      cell(when),
    );
  }
}

function daysLeft(days) {
  if (days > 0) return `あと${days}日`;
  if (days === 0) return '今日が期限です';
  return `期限を${-days}日過ぎています`;
}

function countItem(label, value, href) {
  const item = document.createElement('li');
  const name = document.createElement('span');
  name.className = 'count-label';
  name.textContent = label;
  const number = document.createElement('strong');
  number.className = 'count-value';
  number.textContent = value;
  item.append(name, number);
  if (href) {
    const more = link(href, '一覧');
    more.setAttribute('aria-label', `${label}の一覧`);
    item.append(more);
  }
  return item;
}

/** The days from the first to the last with submissions, the days without any as 0. */
function everyDay(days) {
  if (!days.length) {
    return [];
  }
  const counts = new Map(days.map((day) => [day.day, day.submitted]));
  const first = Date.parse(`${days[0].day}T00:00:00Z`);
  const last = Date.parse(`${days[days.length - 1].day}T00:00:00Z`);
  const filled = [];
  for (let at = first; at <= last; at += DAY_MS) {
    const date = new Date(at).toISOString().slice(0, 10);
    filled.push({ date, count: counts.get(date) ?? 0 });
  }
  return filled;
}
