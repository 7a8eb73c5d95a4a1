// A conversation's messages on screen, as the console and the widget both show them: in seq
// order however each arrives (live, just sent, or read back), the latest page first, earlier
// pages on scrolling up or with "Earlier messages".

import { h } from './dom.js';

/**
 * `list`: the <ol> the messages go in. `path`: the messages' API path. `api`: the page's API
 * call. `render(message)`: its <li>. `replaces(message)`: whether a message already shown is
 * drawn again (the console redraws a mailed reply whose delivery changed).
 * Returns {earlier, add, catchUp, latest}: `earlier` is the button to put above the list.
 */
export function thread({ list, path, api, render, replaces = () => false }) {
  // seq → its item, kept in seq order on screen whichever way a message arrives.
  const shown = new Map();
  let latest = 0;
  // Where the next earlier page starts (the API's cursor), while there is one.
  let older = null;
  const earlier = h('button', { class: 'link', id: 'earlier', hidden: true, onclick: () => loadEarlier() }, 'Earlier messages');
  list.addEventListener('scroll', () => { if (list.scrollTop === 0 && older) loadEarlier(); });

  function add(message, scroll = true) {
    if (shown.has(message.seq)) {
      if (replaces(message)) {
        const item = render(message);
        shown.get(message.seq).replaceWith(item);
        shown.set(message.seq, item);
      }
      return;
    }
    const item = render(message);
    const after = [...shown.keys()].filter((seq) => seq > message.seq).sort((a, b) => a - b)[0];
    if (after !== undefined) list.insertBefore(item, shown.get(after)); else list.append(item);
    shown.set(message.seq, item);
    latest = Math.max(latest, message.seq);
    if (scroll) item.scrollIntoView({ block: 'nearest' });
  }

  function setOlder(cursor) {
    older = cursor ?? null;
    earlier.hidden = !older;
  }

  async function loadEarlier() {
    const cursor = older;
    if (!cursor) return;
    setOlder(null);
    let page;
    try {
      page = await api('GET', `${path}?cursor=${encodeURIComponent(cursor)}`);
    } catch (failure) {
      setOlder(cursor);
      throw failure;
    }
    const first = list.firstChild;
    page.items.forEach((message) => add(message, false));
    first?.scrollIntoView({ block: 'start' });
    setOlder(page.next_cursor);
  }

  /**
   * The first time, the latest page (up to `lastSeq`, the conversation's last message); then
   * whatever came after what is shown, page by page (after a reconnect, say).
   */
  async function catchUp(lastSeq) {
    let after = shown.size ? latest : null;
    if (after === null) {
      const page = await api('GET', `${path}?before_seq=${(lastSeq ?? 0) + 1}`);
      page.items.forEach((message) => add(message));
      setOlder(page.next_cursor);
      after = latest;
    }
    for (;;) {
      const page = await api('GET', `${path}?after_seq=${after}`);
      page.items.forEach((message) => add(message));
      if (!page.next_cursor || !page.items.length) break;
      after = page.items[page.items.length - 1].seq;
    }
  }

  return { earlier, add, catchUp, get latest() { return latest; } };
}
