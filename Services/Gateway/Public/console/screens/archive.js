// Archive: closed conversations, searched by message text, names and e-mail; each operator
// hides what they no longer want to see, and "Show hidden" brings it back.

import { api } from '../session.js';
import { h, when } from '../../shared/dom.js';
import { debounce, kind, pagedList } from './helpers.js';
import { preview } from '../../shared/attachments.js';

export function archive({ main }) {
  const query = h('input', { type: 'search', id: 'archive-search', placeholder: 'Search messages, names, e-mail', 'aria-label': 'Search the Archive' });
  const hidden = h('input', { type: 'checkbox', id: 'archive-hidden' });
  const list = h('ul', { class: 'items', id: 'archive-items' });
  const form = h('form', { class: 'filters', onsubmit: (event) => { event.preventDefault(); refresh(); } },
    query, h('label', {}, hidden, ' Show hidden'), h('button', { type: 'submit' }, 'Search'));
  hidden.addEventListener('change', () => refresh());
  const row = (entry) => h('li', { class: `item${entry.hidden ? ' hidden' : ''}`, 'data-id': entry.id },
    h('a', { href: `#/conversations/${entry.id}` },
      h('div', { class: 'what' }, kind(entry), h('strong', {}, entry.customer.name), h('time', {}, when(entry.closed_at)),
        entry.closed_by ? h('span', { class: 'by' }, `closed by ${entry.closed_by.name}`) : null,
        entry.rating ? h('span', { class: 'rating', title: entry.rating.comment ?? '', 'aria-label': `rated ${entry.rating.score} of 5` },
          '★'.repeat(entry.rating.score) + '☆'.repeat(5 - entry.rating.score)) : null),
      h('p', { class: 'preview' }, preview(entry.last_message))),
    h('button', {
      class: 'hide', onclick: async () => {
        await api(entry.hidden ? 'DELETE' : 'POST', `/archive/${entry.id}/hide`);
        refresh();
      },
    }, entry.hidden ? 'Show' : 'Hide'));
  const path = () => {
    const parameters = new URLSearchParams();
    if (query.value.trim()) parameters.set('q', query.value.trim());
    if (hidden.checked) parameters.set('include_hidden', 'true');
    return `/archive?${parameters}`;
  };
  const pages = pagedList(list, path, row, () => h('li', { class: 'empty' }, 'Nothing here.'));
  main.replaceChildren(h('h2', {}, 'Archive'), form, list, pages.more);
  const refresh = () => pages.load();
  const later = debounce(refresh);
  return { refresh, handle: (frame) => { if (frame.type === 'conversation.closed' || frame.type === 'conversation.rated') later(); } };
}
