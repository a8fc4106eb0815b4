import { api } from '../api.js';
import { bindForm, showStatus } from '../forms.js';

export async function start(section) {
  const form = section.querySelector('#forgot-id-form');
  bindForm(form, async (values) => {
    const result = await api('POST', '/api/user-id/forgot', values);
    if (result.ok) {
      showStatus(form.querySelector('[role="status"]'), result.message);
    }
    return result;
  });
}
