// The union's staff (admin): the list, an invitation, a role changed, a member disabled or
// enabled again (GET/POST /api/admin/staff, PUT /api/admin/staff/{id}).

import { staffApi, whoAmI } from '../api.js';
import { bindForm } from '../forms.js';
import { cell, say } from '../format.js';

const ROLES = [
  ['admin', '管理者'],
  ['reviewer', '審査担当'],
  ['callcenter', 'コールセンター'],
  ['viewer', '閲覧のみ'],
];

export async function start(section) {
  const me = await whoAmI();
  if (!me) {
    return;
  }
  const message = section.querySelector('#staff-message');
  if (!me.ok) {
    say(message, me.message, { warn: true });
    return;
  }
  const rows = section.querySelector('#staff-rows');
  const reload = async () => {
    const list = await staffApi('GET', '/api/admin/staff');
    if (!list) {
      return;
    }
    if (!list.ok) {
      say(message, list.message, { warn: true });
      return;
    }
    rows.replaceChildren(...(list.staff || []).map((member) => row(member, me, message, reload)));
  };
  await reload();
  const form = section.querySelector('#staff-invite-form');
  bindForm(
    form,
    async (values) => {
      const result = await staffApi('POST', '/api/admin/staff', values);
      if (result?.ok) {
        form.reset();
        say(message, `${values.email} に招待メールを送りました。リンクの有効期限は24時間です。`);
        await reload();
      }
      return result;
    },
    { loggedIn: true },
  );
}

function row(member, me, message, reload) {
  const tr = document.createElement('tr');
  const change = async (body, done) => {
    const result = await staffApi('PUT', `/api/admin/staff/${encodeURIComponent(member.id)}`, body);
    if (!result) {
      return;
    }
    say(message, result.ok ? done : result.message, { warn: !result.ok });
    await reload();
  };
  const role = document.createElement('select');
  role.setAttribute('aria-label', `${member.name}の役割`);
  for (const [value, label] of ROLES) {
    role.append(new Option(label, value, false, value === member.role));
  }
  const self = member.email === me.email;
  role.disabled = self;
  role.addEventListener('change', () => change({ role: role.value }, `${member.name}の役割を変更しました。`));
  const toggle = document.createElement('button');
  toggle.type = 'button';
  toggle.className = 'secondary';
  toggle.textContent = member.disabled ? `${member.name}を再開する` : `${member.name}を停止する`;
  toggle.disabled = self;
  toggle.addEventListener('click', () =>
    change({ disabled: !member.disabled }, member.disabled ? `${member.name}の利用を再開しました。` : `${member.name}の利用を停止しました。`),
  );
  const state = member.disabled ? '停止中' : member.enrolled ? '利用中' : '招待中';
  tr.append(cell(member.name, { header: true }), cell(member.email), cell(role), cell(state), cell(toggle));
  return tr;
}
