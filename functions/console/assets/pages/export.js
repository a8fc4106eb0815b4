// CSV exports (admin): POST /api/admin/exports writes the file and answers a link valid for a
// minute; the page then starts the download from it (the file is sent as an attachment, so the
// page stays).

import { staffApi, whoAmI } from '../api.js';
import { bindForm } from '../forms.js';
import { say } from '../format.js';

/** `1.2 MB`, `35 KB`: the size as people read it. */
function readableSize(bytes) {
  if (bytes >= 1024 * 1024) {
    return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  }
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

export async function start(section) {
  const me = await whoAmI();
  const message = section.querySelector('#export-message');
  if (!me) {
    return;
  }
  if (!me.ok) {
    say(message, me.message, { warn: true });
    return;
  }
  const form = section.querySelector('#export-form');
  bindForm(
    form,
    async () => {
      say(message, 'ファイルを作成しています。件数が多いと数十秒かかります。');
      const choice = (name) => form.elements.namedItem(name).value;
      const result = await staffApi('POST', '/api/admin/exports', { kind: choice('kind'), encoding: choice('encoding') });
      if (!result) {
        return result;
      }
      if (!result.ok) {
        say(message, '');
        return result;
      }
      say(message, `${result.fileName}（${readableSize(result.size)}）のダウンロードを始めました。`);
      location.assign(result.url);
      return result;
    },
    { loggedIn: true },
  );
}
