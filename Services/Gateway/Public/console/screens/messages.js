// Messages: the operator's own open chats and tickets, with unread counts, as the workspace's
// list pane; on a wide screen the conversation's place beside it waits for a pick.

import { h } from '../../shared/dom.js';
import { inbox, workspace } from './inbox.js';

export function messages({ main }) {
  const list = inbox();
  const placeholder = h('section', { class: 'pane conversation-main empty-pane' },
    h('div', { class: 'empty-state' }, h('h3', {}, 'No conversation open'), h('p', { class: 'hint' }, 'Pick one from your Messages, or take someone from the Pool.')));
  main.replaceChildren(workspace({ list: list.element, middle: placeholder, pane: 'list' }));
  return { refresh: () => list.load(), handle: (frame) => list.handle(frame) };
}
