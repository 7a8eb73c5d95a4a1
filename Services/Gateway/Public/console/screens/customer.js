// The customer panel beside a conversation: who the customer is, their earlier conversations
// (chats and tickets alike, each one click away, more on request) and other customers who gave
// the same e-mail — possibly the same person, never proven, so never merged. On a phone it
// collapses under the conversation.

import { api } from '../session.js';
import { h, when } from '../../shared/dom.js';
import { kind } from './helpers.js';
import { preview } from '../../shared/attachments.js';

const wide = window.matchMedia('(min-width: 1100px)');

const reasons = { customer: 'ended by the customer', idle: 'closed when idle', dismissed: 'dismissed as spam', operator: 'closed' };

/** The state of a conversation in a few words. */
export function statusText(conversation) {
  if (conversation.status !== 'closed') return conversation.status === 'assigned' ? `with ${conversation.assignee?.name ?? '?'}` : 'waiting';
  return reasons[conversation.closed_reason] ?? 'closed';
}

/** `{element, show(customerId, conversationId)}`: the panel, and what draws it for a customer. */
export function customerPanel() {
  const body = h('div', { class: 'customer-body' });
  const element = h('details', { class: 'customer-panel', id: 'customer-panel', open: wide.matches },
    h('summary', {}, 'Customer'), body);
  let shown = null;

  const item = (conversation, current) => h('li', { class: conversation.id === current ? 'current' : '' },
    h('a', { href: `#/conversations/${conversation.id}`, class: 'earlier-conversation', 'data-id': conversation.id },
      kind(conversation), conversation.ticket ? h('span', { class: 'number' }, ` #${conversation.ticket.number}`) : null,
      h('time', {}, ` ${when(conversation.created_at)}`),
      h('span', { class: 'state' }, ` · ${statusText(conversation)}`),
      h('span', { class: 'preview' }, preview(conversation.last_message).slice(0, 80))));

  async function show(customerId, current) {
    shown = customerId;
    let panel;
    try {
      panel = await api('GET', `/customers/${customerId}`);
    } catch (failure) {
      body.replaceChildren(h('p', { class: 'error' }, failure.message));
      return;
    }
    if (shown !== customerId) return;
    const list = h('ul', { class: 'customer-conversations', id: 'customer-conversations' },
      panel.conversations.map((conversation) => item(conversation, current)));
    let cursor = panel.next_cursor;
    const more = h('button', {
      class: 'link more', hidden: !cursor, onclick: async () => {
        const page = await api('GET', `/customers/${customerId}/conversations?cursor=${encodeURIComponent(cursor)}`);
        list.append(...page.items.map((conversation) => item(conversation, current)));
        cursor = page.next_cursor;
        more.hidden = !cursor;
      },
    }, 'Earlier conversations');
    body.replaceChildren(
      h('h3', { id: 'customer-name' }, panel.name),
      h('p', { class: 'meta' }, panel.email ?? 'no e-mail given'),
      h('h4', {}, 'Conversations'), list, more,
      panel.same_email.length ? h('section', { class: 'same-email', id: 'same-email' },
        h('h4', {}, 'Possibly the same person'),
        h('p', { class: 'hint' }, 'Unverified: these customers gave the same e-mail, which anyone can type. Not merged.'),
        h('ul', {}, panel.same_email.map((other) => h('li', {},
          h('button', { class: 'link', onclick: () => show(other.id, current) }, other.name),
          h('span', { class: 'badge unverified' }, 'unverified'))))) : '');
  }

  return { element, show };
}
