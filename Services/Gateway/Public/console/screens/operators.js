// Operators (admins): everyone with their role, availability and load; edit, set a password,
// deactivate and reactivate (after a confirm), and a form for a new one. Deactivated
// operators stay listed, marked, so they can be let back in.

import { api } from '../session.js';
import { h, toast } from '../../shared/dom.js';
import { describe, field, formDialog } from '../dialogs.js';
import { colleagues } from './helpers.js';

export function operators({ me, main }) {
  const list = h('table', { class: 'operators' });
  const name = h('input', { id: 'new-name', required: true });
  const email = h('input', { id: 'new-email', type: 'email', required: true });
  const password = h('input', { id: 'new-password', type: 'password', required: true, minlength: '8' });
  const role = roleSelect('new-role', 'operator');
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', {
    class: 'new-operator', onsubmit: async (event) => {
      event.preventDefault();
      try {
        await api('POST', '/operators', { name: name.value, email: email.value, password: password.value, role: role.value });
        form.reset();
        error.textContent = '';
        refresh();
      } catch (failure) { error.textContent = describe(failure); }
    },
  }, h('h3', {}, 'New operator'),
  h('label', { for: 'new-name' }, 'Name'), name, h('label', { for: 'new-email' }, 'E-mail'), email,
  h('label', { for: 'new-password' }, 'Password'), password, h('label', { for: 'new-role' }, 'Role'), role, error,
  h('button', { type: 'submit' }, 'Create'));
  main.replaceChildren(h('h2', {}, 'Operators'), list, form);

  const refresh = async () => {
    const all = await colleagues();
    list.replaceChildren(
      h('thead', {}, h('tr', {}, ['Name', 'E-mail', 'Role', 'Status', 'Available', 'Open chats', ''].map((title) => h('th', {}, title)))),
      h('tbody', {}, all.map(row)));
  };

  function row(one) {
    const active = one.active !== false;
    return h('tr', { class: active ? 'operator' : 'operator inactive', 'data-email': one.email, id: `operator-${one.id}` },
      h('td', {}, one.name, one.id === me.id ? ' (you)' : ''), h('td', {}, one.email), h('td', {}, one.role),
      h('td', { class: 'status' }, active ? 'active' : 'deactivated'),
      h('td', {}, one.available ? 'yes' : 'no'), h('td', {}, String(one.load)),
      h('td', { class: 'actions' },
        h('button', { type: 'button', class: 'edit', onclick: () => edit(one) }, 'Edit'),
        h('button', { type: 'button', class: 'set-password', onclick: () => setPassword(one) }, 'Set password'),
        active
          ? h('button', { type: 'button', class: 'deactivate', onclick: () => setActive(one, false) }, 'Deactivate')
          : h('button', { type: 'button', class: 'reactivate', onclick: () => setActive(one, true) }, 'Reactivate')));
  }

  async function edit(one) {
    const newName = h('input', { id: 'edit-name', required: true, value: one.name });
    const newEmail = h('input', { id: 'edit-email', type: 'email', required: true, value: one.email });
    const newRole = roleSelect('edit-role', one.role);
    const saved = await formDialog({
      id: 'edit-dialog', title: `Edit ${one.name}`, submitLabel: 'Save',
      fields: [field('Name', newName), field('E-mail', newEmail), field('Role', newRole)],
      submit: () => api('PATCH', `/operators/${one.id}`, { name: newName.value, email: newEmail.value, role: newRole.value }),
    });
    if (saved) { toast(`${newName.value} is saved`); refresh(); }
  }

  async function setPassword(one) {
    const secret = h('input', { id: 'set-password', type: 'password', autocomplete: 'new-password', required: true, minlength: '8' });
    const saved = await formDialog({
      id: 'password-set-dialog', title: `New password for ${one.name}`, submitLabel: 'Set password',
      text: 'Their sessions end; they log in with the new password.',
      fields: [field('New password (8 to 72 bytes)', secret)],
      submit: () => api('POST', `/operators/${one.id}/password`, { password: secret.value }),
    });
    if (saved) toast(`${one.name} has a new password`);
  }

  async function setActive(one, active) {
    const done = await formDialog({
      id: 'active-dialog', title: active ? `Reactivate ${one.name}?` : `Deactivate ${one.name}?`,
      submitLabel: active ? 'Reactivate' : 'Deactivate',
      text: active
        ? 'They can log in again with their password.'
        : 'Every session of theirs ends at once, they can no longer log in, and their open chats and tickets go back to the Pool.',
      submit: () => api('PATCH', `/operators/${one.id}`, { active }),
    });
    if (done) { toast(active ? `${one.name} is active again` : `${one.name} is deactivated`); refresh(); }
  }

  return { refresh };
}

function roleSelect(id, selected) {
  return h('select', { id },
    h('option', { value: 'operator', selected: selected === 'operator' }, 'Operator'),
    h('option', { value: 'admin', selected: selected === 'admin' }, 'Admin'));
}
