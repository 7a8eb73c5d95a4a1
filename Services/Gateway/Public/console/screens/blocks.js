// Blocked visitors (admins): who was dismissed as spam with "block this visitor", by whom and
// when, each with "Lift". Shown as a section of Customizations.

import { api } from '../session.js';
import { h, when, toast } from '../../shared/dom.js';
import { pagedList } from './helpers.js';

export function blocksSection() {
  const list = h('tbody', { id: 'blocks' });
  const row = (block) => h('tr', { 'data-id': block.id },
    h('td', {}, block.customer.name), h('td', {}, block.blocked_by.name), h('td', {}, when(block.blocked_at)),
    h('td', {}, h('button', {
      class: 'lift', onclick: async () => {
        try { await api('DELETE', `/blocks/${block.id}`); toast(`${block.customer.name} may chat again`); } catch (failure) { toast(failure.message, 'error'); }
        pages.load();
      },
    }, 'Lift')));
  const pages = pagedList(list, () => '/blocks', row, () => h('tr', {}, h('td', { colspan: '4', class: 'empty' }, 'Nobody is blocked.')));
  const element = h('section', { class: 'blocks', id: 'blocks-section' },
    h('h3', {}, 'Blocked visitors'),
    h('p', { class: 'hint' }, 'Visitors dismissed as spam with "block this visitor" can neither start a chat nor write.'),
    h('table', { class: 'blocks' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Customer'), h('th', {}, 'Blocked by'), h('th', {}, 'When'), h('th', {}, ''))), list),
    pages.more);
  return { element, load: () => pages.load().catch(() => {}) };
}
