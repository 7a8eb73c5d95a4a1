// Pool: customers and tickets waiting, oldest first, each with "Take it on me" and, for a
// chat, "Dismiss as spam" (optionally blocking the visitor). A taken item leaves every open
// console at once (`pool.changed`); a new message in a waiting chat redraws its preview.

import { api } from '../session.js';
import { h, when, toast } from '../../shared/dom.js';
import { debounce, kind, pagedList, takeError } from './helpers.js';

export function pool({ main, go }) {
  const list = h('ul', { class: 'items', id: 'pool-items' });
  const count = h('span', { id: 'pool-count', class: 'count' });
  const row = (item) => h('li', { class: 'item', 'data-id': item.id },
    h('div', { class: 'what' }, kind(item), h('strong', {}, item.customer?.name ?? ''), h('time', {}, when(item.waiting_since))),
    h('p', { class: 'preview' }, item.preview ?? ''),
    h('button', {
      class: 'take', onclick: async (event) => {
        event.target.disabled = true;
        try {
          await api('POST', `/pool/${item.id}/take`);
          go(`#/conversations/${item.id}`);
        } catch (failure) {
          toast(takeError(failure), 'error');
          refresh();
        }
      },
    }, 'Take it on me'),
    item.kind === 'chat' ? dismiss(item) : null);
  const dismiss = (item) => {
    const block = h('input', { type: 'checkbox', class: 'block-visitor', 'aria-label': 'Block this visitor' });
    return h('span', { class: 'dismiss' },
      h('button', {
        class: 'dismiss-spam', onclick: async (event) => {
          if (!confirm(block.checked ? 'Dismiss as spam and block this visitor?' : 'Dismiss this chat as spam?')) return;
          event.target.disabled = true;
          try {
            await api('POST', `/pool/${item.id}/dismiss`, { block: block.checked });
            toast(block.checked ? 'Dismissed; the visitor is blocked' : 'Dismissed as spam');
          } catch (failure) {
            toast(takeError(failure), 'error');
          }
          refresh();
        },
      }, 'Dismiss as spam'),
      h('label', {}, block, 'block this visitor'));
  };
  const pages = pagedList(list, () => '/pool', row, () => h('li', { class: 'empty' }, 'Nobody is waiting.'));
  main.replaceChildren(h('h2', {}, 'Pool ', count), h('p', { class: 'hint' }, 'Customers and tickets waiting, oldest first.'), list, pages.more);
  const refresh = async () => {
    await pages.load();
    count.textContent = pages.total ? `(${pages.total} waiting)` : '';
  };
  const later = debounce(refresh);
  return {
    refresh,
    handle: (frame) => {
      if (frame.type === 'pool.changed') later();
      // A waiting customer wrote again: their preview changes.
      else if (frame.type === 'message.created' && list.querySelector(`[data-id="${frame.data.conversation_id}"]`)) later();
    },
  };
}
