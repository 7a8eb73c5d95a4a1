// Canned responses under Customizations: the desk's (admins add, change and delete them; every
// operator uses them) and my own. One form adds or edits; the placeholders it knows are listed
// beside it, and the server names an unknown one.

import { api } from '../session.js';
import { h, toast } from '../../shared/dom.js';
import { pagedList } from './helpers.js';

const placeholders = ['customer.name', 'customer.first_name', 'customer.email', 'operator.name', 'operator.first_name'];

/** `{element, load}` for `me`. */
export function cannedSection(me) {
  const admin = me.role === 'admin';
  const rows = h('tbody', { id: 'canned-rows' });
  const shortcut = h('input', { id: 'canned-shortcut', placeholder: 'thanks', maxlength: '32', pattern: '[a-z0-9_-]{1,32}', required: true });
  const title = h('input', { id: 'canned-title', placeholder: 'Thanks for waiting', maxlength: '100', required: true });
  const body = h('textarea', { id: 'canned-body', rows: '4', maxlength: '5000', required: true, placeholder: 'Hi {{customer.first_name}}, thanks for waiting!' });
  const scope = h('select', { id: 'canned-scope', 'aria-label': 'For' },
    h('option', { value: 'personal' }, 'Only me'), admin ? h('option', { value: 'desk' }, 'The whole desk') : null);
  const error = h('p', { class: 'error', role: 'alert' });
  const save = h('button', { type: 'submit', id: 'canned-save' }, 'Add');
  const cancel = h('button', { type: 'button', id: 'canned-cancel', hidden: true, onclick: () => edit(null) }, 'Cancel');
  let editing = null;

  function edit(item) {
    editing = item;
    shortcut.value = item?.shortcut ?? '';
    title.value = item?.title ?? '';
    body.value = item?.body ?? '';
    scope.value = item?.scope ?? 'personal';
    scope.disabled = !!item;
    save.textContent = item ? 'Save' : 'Add';
    cancel.hidden = !item;
    error.textContent = '';
    if (item) shortcut.focus();
  }

  const form = h('form', {
    class: 'canned-form', id: 'canned-form', onsubmit: async (event) => {
      event.preventDefault();
      error.textContent = '';
      const draft = { shortcut: shortcut.value.trim(), title: title.value, body: body.value, scope: scope.value };
      try {
        if (editing) await api('PUT', `/canned-responses/${editing.id}`, draft);
        else await api('POST', '/canned-responses', draft);
        toast(editing ? 'Canned response saved' : 'Canned response added');
        edit(null);
        await pages.load();
      } catch (failure) {
        const field = failure.details?.field?.replace(/^draft\./, '');
        error.textContent = failure.code === 'shortcut_taken' ? `/${draft.shortcut} is taken already`
          : field ? `${field}: ${failure.message}` : failure.message;
      }
    },
  },
  h('div', { class: 'row' },
    h('div', { class: 'field' }, h('label', { for: 'canned-shortcut' }, 'Shortcut'), shortcut),
    h('div', { class: 'field' }, h('label', { for: 'canned-title' }, 'Title'), title),
    h('div', { class: 'field' }, h('label', { for: 'canned-scope' }, 'For'), scope)),
  h('div', { class: 'field' }, h('label', { for: 'canned-body' }, 'Text'), body),
  h('p', { class: 'hint placeholders' }, 'Filled in when used: ', placeholders.flatMap((name) => [h('code', {}, `{{${name}}}`), ' '])),
  error,
  h('div', { class: 'actions' }, save, cancel));

  const row = (item) => {
    const mayEdit = item.scope === 'personal' || admin;
    return h('tr', { 'data-shortcut': item.shortcut },
      h('td', {}, h('code', {}, `/${item.shortcut}`)),
      h('td', {}, item.title, ' ', h('span', { class: `badge ${item.scope}` }, item.scope === 'desk' ? 'desk' : 'mine')),
      h('td', { class: 'body' }, item.body.length > 140 ? `${item.body.slice(0, 139)}…` : item.body),
      h('td', { class: 'actions' }, mayEdit ? [
        h('button', { type: 'button', class: 'link', onclick: () => edit(item) }, 'Edit'),
        h('button', {
          type: 'button', class: 'link', onclick: async () => {
            if (!confirm(`Delete /${item.shortcut}?`)) return;
            try { await api('DELETE', `/canned-responses/${item.id}`); toast('Deleted'); await pages.load(); } catch (failure) { toast(failure.message, 'error'); }
          },
        }, 'Delete')] : h('span', { class: 'hint' }, 'an admin\'s')));
  };
  const pages = pagedList(rows, () => '/canned-responses', row,
    () => h('tr', {}, h('td', { colspan: '4', class: 'empty' }, 'No canned responses yet.')));
  const element = h('section', { class: 'canned-section', id: 'canned-responses' },
    h('h3', {}, 'Canned responses'),
    h('p', { class: 'hint' }, 'Type / in a conversation\'s composer to insert one. ',
      admin ? 'Desk ones are there for every operator; yours only for you.' : 'The desk\'s are managed by admins; yours are for you alone.'),
    form,
    h('table', { class: 'canned-table' }, h('thead', {}, h('tr', {}, h('th', {}, 'Shortcut'), h('th', {}, 'Title'), h('th', {}, 'Text'), h('th', {}, ''))), rows),
    pages.more);
  return { element, load: () => pages.load() };
}
