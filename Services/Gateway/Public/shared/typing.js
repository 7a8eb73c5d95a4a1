// "… is typing": told while the person types, at most once every two seconds, and shown on the
// other side until the typist stops (a few seconds without a frame) or their message arrives.
// The frames go out on the page's live stream and are never stored.

import { h } from './dom.js';

/** How often a typist's frame goes out, and how long an indicator stays without one. */
export const sendEvery = 2000;
export const quietAfter = 5000;

/**
 * Tells the other side while `input` is typed in. `send(frame)` puts a frame on the stream (or,
 * without it, the page's `switchboard:typing` event does). `sent()` is called once a message
 * went: the next keystroke tells again at once.
 */
export function typingSender(input, conversationId, send = (frame) => window.dispatchEvent(new CustomEvent('switchboard:typing', { detail: frame }))) {
  let last = 0;
  const typed = () => {
    const now = Date.now();
    if (!input.value.trim() || now - last < sendEvery) return;
    last = now;
    send({ type: 'typing', conversation_id: conversationId });
  };
  input.addEventListener('input', typed);
  return { sent() { last = 0; }, stop() { input.removeEventListener('input', typed); } };
}

/**
 * The line that says who is typing. `show(author)` for each typing frame of the other side;
 * `clear(kind)` when a message of that side arrives (any side without `kind`).
 */
export function typingIndicator(id) {
  const element = h('p', { class: 'typing', id, 'aria-live': 'polite', hidden: true });
  let timer = null;
  let shownKind = null;
  function clear(kind) {
    if (kind && shownKind && kind !== shownKind) return;
    clearTimeout(timer);
    timer = null;
    shownKind = null;
    element.hidden = true;
    element.textContent = '';
  }
  function show(author) {
    shownKind = author?.kind ?? null;
    element.replaceChildren(h('span', { class: 'dots', 'aria-hidden': 'true' }, h('i'), h('i'), h('i')),
      ` ${author?.name || 'Someone'} is typing…`);
    element.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(() => clear(), quietAfter);
  }
  return { element, show, clear };
}
