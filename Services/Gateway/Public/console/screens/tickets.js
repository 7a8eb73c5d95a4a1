// Tickets: number, customer, subject, holder and status; unassigned / mine / all; assign one to
// an available colleague.

import { api } from '../session.js';
import { h, toast } from '../../shared/dom.js';
import { colleagues, debounce, pagedList } from './helpers.js';

export function tickets({ me, main }) {
  const filter = h('select', { id: 'ticket-filter', 'aria-label': 'Which tickets' },
    h('option', { value: 'unassigned' }, 'Unassigned'), h('option', { value: 'mine' }, 'Mine'), h('option', { value: 'all' }, 'All'));
  filter.value = sessionStorage.getItem('switchboard.ticket-filter') ?? 'unassigned';
  filter.addEventListener('change', () => { sessionStorage.setItem('switchboard.ticket-filter', filter.value); refresh(); });
  const table = h('table', { class: 'tickets', id: 'tickets' });
  const body = h('tbody');
  table.append(h('thead', {}, h('tr', {}, ['Number', 'Customer', 'Subject', 'Holder', 'Status', 'Assign to'].map((title) => h('th', {}, title)))), body);
  let available = [];
  const row = (line) => {
    const pick = h('select', { 'aria-label': `Assign ticket ${line.number} to` }, h('option', { value: '' }, 'Choose…'),
      available.map((one) => h('option', { value: one.id }, one.id === me.id ? `${one.name} (me)` : one.name)));
    return h('tr', { 'data-id': line.id },
      h('td', {}, h('a', { href: `#/conversations/${line.id}` }, `#${line.number}`)),
      h('td', {}, line.customer.name, h('br'), h('small', {}, line.customer.email)),
      h('td', {}, line.subject),
      h('td', {}, line.holder?.name ?? '—'),
      h('td', {}, line.status),
      h('td', {}, line.status === 'closed' ? '' : h('span', { class: 'assign' }, pick, h('button', {
        onclick: async () => {
          if (!pick.value) return;
          try { await api('POST', `/tickets/${line.id}/assign`, { operator_id: pick.value }); toast(`#${line.number} assigned`); refresh(); }
          catch (failure) { toast(failure.message, 'error'); }
        },
      }, 'Assign'))));
  };
  const pages = pagedList(body, () => `/tickets?filter=${filter.value}`, row,
    () => h('tr', {}, h('td', { colspan: '6', class: 'empty' }, 'No tickets here.')));
  main.replaceChildren(h('h2', {}, 'Tickets'), h('div', { class: 'filters' }, filter), table, pages.more);
  const refresh = async () => {
    available = (await colleagues()).filter((one) => one.available);
    await pages.load();
  };
  const later = debounce(refresh);
  return { refresh, handle: (frame) => { if (['pool.changed', 'conversation.assigned', 'conversation.closed'].includes(frame.type)) later(); } };
}
