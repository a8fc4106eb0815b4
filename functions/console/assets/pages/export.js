// CSV exports (admin): plain links to GET /api/admin/export, which answers the file itself; the
// page only checks that the member may and that the session holds.

import { whoAmI } from '../api.js';
import { say } from '../format.js';

export async function start(section) {
  const me = await whoAmI();
  if (me && !me.ok) {
    const message = document.createElement('p');
    section.prepend(message);
    say(message, me.message, { warn: true });
  }
}
