// The conversation workspace: on a wide screen three panes side by side — my conversations
// (live, with unread counts), the conversation, the customer panel; in between two (the list
// and the conversation, the customer panel in place of the list on request); on a phone one at
// a time, with a way back. Which pane a phone shows is the workspace's `data-pane`.

import { avatar } from '../../shared/avatars.js';
import { h } from '../../shared/dom.js';
import { debounce, kind, pagedList } from './helpers.js';
import { preview } from '../../shared/attachments.js';
import { quietAfter } from '../../shared/typing.js';

/** Frames that change what my list shows. */
const listFrames = ['message.created', 'conversation.assigned', 'conversation.returned', 'conversation.closed'];

/** The list of my open conversations, `current` highlighted: {element, load, handle}. */
export function inbox({ current = null } = {}) {
  const list = h('ul', { class: 'items inbox-items', id: 'my-messages' });
  // Customers typing now, by conversation: a row drawn again keeps saying so until they stop
  // (a few seconds without a frame) or their message arrives.
  const typists = new Map();
  const row = (conversation) => h('li', {
    class: `item inbox-item${conversation.id === current ? ' current' : ''}${conversation.unread ? ' has-unread' : ''}${typists.has(conversation.id) ? ' typing-now' : ''}`,
    'data-id': conversation.id,
  },
  h('a', { href: `#/conversations/${conversation.id}`, class: 'open', 'aria-current': conversation.id === current ? 'page' : null },
    avatar(conversation.customer.name, 'medium'),
    h('span', { class: 'inbox-text' },
      h('span', { class: 'what' }, h('strong', {}, conversation.customer.name),
        conversation.ticket ? h('span', { class: 'number' }, `#${conversation.ticket.number}`) : null,
        h('span', { class: 'spacer' }), kind(conversation),
        conversation.unread ? h('span', { class: 'unread', 'aria-label': `${conversation.unread} unread` }, String(conversation.unread)) : null),
      h('span', { class: 'preview' }, preview(conversation.last_message)),
      h('span', { class: 'preview typing-preview' }, 'typing…'))));
  const pages = pagedList(list, () => '/messages', row, () => h('li', { class: 'empty' }, 'Nothing in your Messages. Take someone from the Pool.'));
  const element = h('section', { class: 'pane inbox', id: 'inbox', 'aria-label': 'My conversations' },
    h('header', { class: 'pane-head' }, h('h2', {}, 'Messages'), h('span', { class: 'hint' }, 'Your open chats and tickets')),
    list, pages.more);
  const later = debounce(() => pages.load().catch(() => {}));
  const rowOf = (id) => [...list.children].find((child) => child.dataset.id === id);
  const typing = (id, now) => {
    clearTimeout(typists.get(id));
    if (now) typists.set(id, setTimeout(() => typing(id, false), quietAfter)); else typists.delete(id);
    rowOf(id)?.classList.toggle('typing-now', now);
  };
  return {
    element,
    load: () => pages.load(),
    handle(frame) {
      if (listFrames.includes(frame.type)) later();
      if (frame.type === 'typing' && frame.data.author?.kind === 'customer') typing(frame.data.conversation_id, true);
      if (frame.type === 'message.created' && frame.data.author?.kind === 'customer') typing(frame.data.conversation_id, false);
    },
  };
}

/** The workspace element around the three panes; `pane` is what a phone shows first. */
export function workspace({ list, middle, side, pane }) {
  return h('div', { class: 'workspace', id: 'workspace', 'data-pane': pane }, list, middle, side ?? null);
}


