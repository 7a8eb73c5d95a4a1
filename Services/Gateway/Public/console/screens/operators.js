// Operators (admins): everyone with their role, availability and load, and a form for a new one.

import { api } from '../session.js';
import { h } from '../../shared/dom.js';
import { colleagues } from './helpers.js';

export function operators({ main }) {
  const list = h('table', { class: 'operators' });
  const name = h('input', { id: 'new-name', required: true });
  const email = h('input', { id: 'new-email', type: 'email', required: true });
  const password = h('input', { id: 'new-password', type: 'password', required: true, minlength: '8' });
  const role = h('select', { id: 'new-role' }, h('option', { value: 'operator' }, 'Operator'), h('option', { value: 'admin' }, 'Admin'));
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', {
    class: 'new-operator', onsubmit: async (event) => {
      event.preventDefault();
      try {
        await api('POST', '/operators', { name: name.value, email: email.value, password: password.value, role: role.value });
        form.reset();
        error.textContent = '';
        refresh();
      } catch (failure) { error.textContent = failure.details?.field ? `${failure.details.field}: ${failure.message}` : failure.message; }
    },
  }, h('h3', {}, 'New operator'),
  h('label', { for: 'new-name' }, 'Name'), name, h('label', { for: 'new-email' }, 'E-mail'), email,
  h('label', { for: 'new-password' }, 'Password'), password, h('label', { for: 'new-role' }, 'Role'), role, error,
  h('button', { type: 'submit' }, 'Create'));
  main.replaceChildren(h('h2', {}, 'Operators'), list, form);
  const refresh = async () => {
    const all = await colleagues();
    list.replaceChildren(h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'E-mail'), h('th', {}, 'Role'), h('th', {}, 'Available'), h('th', {}, 'Open chats'))),
      h('tbody', {}, all.map((one) => h('tr', {}, h('td', {}, one.name), h('td', {}, one.email), h('td', {}, one.role),
        h('td', {}, one.available ? 'yes' : 'no'), h('td', {}, String(one.load))))));
  };
  return { refresh };
}
