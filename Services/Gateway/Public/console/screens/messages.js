// Messages: the operator's own open chats and tickets, with unread counts.

import { h } from '../../shared/dom.js';
import { debounce, kind, pagedList } from './helpers.js';

export function messages({ main }) {
  const list = h('ul', { class: 'items', id: 'my-messages' });
  const row = (conversation) => h('li', { class: 'item' },
    h('a', { href: `#/conversations/${conversation.id}`, class: 'open' },
      h('div', { class: 'what' }, kind(conversation), h('strong', {}, conversation.customer.name),
        conversation.ticket ? h('span', { class: 'number' }, `#${conversation.ticket.number}`) : null,
        conversation.unread ? h('span', { class: 'unread', 'aria-label': `${conversation.unread} unread` }, String(conversation.unread)) : null),
      h('p', { class: 'preview' }, conversation.last_message?.body ?? '')));
  const pages = pagedList(list, () => '/messages', row, () => h('li', { class: 'empty' }, 'Nothing in your Messages. Take someone from the Pool.'));
  main.replaceChildren(h('h2', {}, 'Messages'), h('p', { class: 'hint' }, 'Your open chats and tickets.'), list, pages.more);
  const refresh = () => pages.load();
  const later = debounce(refresh);
  return { refresh, handle: (frame) => { if (['message.created', 'conversation.assigned', 'conversation.returned', 'conversation.closed'].includes(frame.type)) later(); } };
}
