import { api } from '../api.js';
import { bindForm, showStatus } from '../forms.js';

export async function start(section) {
  const requestForm = section.querySelector('#forgot-password-form');
  const resetForm = section.querySelector('#reset-form');
  bindForm(requestForm, async (values) => {
    const result = await api('POST', '/api/password/forgot', values);
    if (result.ok) {
      requestForm.hidden = true;
      resetForm.hidden = false;
      resetForm.elements.namedItem('userId').value = values.userId;
      showStatus(resetForm.querySelector('[role="status"]'), result.message);
      resetForm.elements.namedItem('code').focus();
    }
    return result;
  });
  bindForm(resetForm, async (values) => {
    const result = await api('POST', '/api/password/reset', values);
    if (result.ok) {
      location.assign('/portal/?reason=password_reset');
    }
    return result;
  });
}
