// The audit log (admin, GET /api/admin/audit): a month's entries, newest first, a page at a
// time; the subject is named by its ids only, as the log keeps it.

import { staffApi, whoAmI } from '../api.js';
import { cell, link, longDateTime, say, showPager } from '../format.js';

const ACTIONS = {
  signed_in: 'ログイン',
  sign_in_failed: 'ログイン失敗',
  signed_out: 'ログアウト',
  invitation_accepted: '招待の受諾',
  second_factor_enrolled: '認証アプリの登録',
  recovery_code_used: '回復コードの使用',
  staff_invited: '職員の招待',
  staff_role_changed: '役割の変更',
  staff_disabled: '職員の停止',
  staff_enabled: '職員の再開',
  viewed_progress: '進捗の閲覧',
  viewed_targets: '一覧の閲覧',
  viewed_target: '対象者の閲覧',
  viewed_document: '書類の閲覧',
  looked_up_people: '被保険者の検索',
  returned: '差し戻し',
  decided: '判定',
  document_refused: '書類の不備',
  answers_entered_by_proxy: '代行入力',
  person_unlocked: 'ロック解除',
  password_reset_sent: '再設定メールの送信',
  exported: 'CSV出力',
  viewed_audit: '操作記録の閲覧',
};

/** A target named as the console's addresses name it ({symbol}-{number}-{id}). */
const TARGET_REF = /^\d+-\d+-[0-9a-f]{32}$/;

const ROLES = { admin: '管理者', reviewer: '審査担当', callcenter: 'コールセンター', viewer: '閲覧のみ' };

export async function start(section) {
  const me = await whoAmI();
  if (!me) {
    return;
  }
  const message = section.querySelector('#audit-message');
  if (!me.ok) {
    say(message, me.message, { warn: true });
    return;
  }
  const asked = new URLSearchParams(location.search);
  const query = new URLSearchParams();
  for (const name of ['month', 'cursor']) {
    if (asked.get(name)) query.set(name, asked.get(name));
  }
  const page = await staffApi('GET', `/api/admin/audit${query.size ? `?${query}` : ''}`);
  if (!page) {
    return;
  }
  if (!page.ok) {
    say(message, page.message, { warn: true });
    return;
  }
  const entries = page.entries || [];
  if (!entries.length) {
    say(message, `${page.month}の操作記録はありません。`);
  }
  section.querySelector('#audit-rows').replaceChildren(...entries.map(row));
  showPager(section.querySelector('#audit-first'), section.querySelector('#audit-next'), page.cursor);
}

function row(entry) {
  const tr = document.createElement('tr');
  const when = document.createElement('time');
  when.dateTime = new Date(entry.at * 1000).toISOString();
  when.textContent = longDateTime(when.dateTime);
  tr.append(
    cell(when, { header: true }),
    cell(entry.staff?.name || entry.staff?.id || ''),
    cell(ROLES[entry.role] || entry.role),
    cell(ACTIONS[entry.action] || entry.action),
    cell(subject(entry.subject)),
    cell(entry.ip),
  );
  return tr;
}

function subject(about) {
  if (!about) return '—';
  switch (about.kind) {
    case 'target':
      return TARGET_REF.test(about.id) ? link(`/admin/targets/${about.id}`, `対象者 ${about.id}`) : `対象者 ${about.id}`;
    case 'document':
      return `書類 ${about.id}（対象者 ${about.target}）`;
    case 'person':
      return `被保険者 ${about.id}`;
    case 'staff':
      return `職員 ${about.id}`;
    default:
      return about.what ? `一覧・出力（${about.what}）` : '一覧・出力';
  }
}
