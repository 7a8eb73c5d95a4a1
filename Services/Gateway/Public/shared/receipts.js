// Read receipts: "Seen" under the last of my side's messages the other side has read, and the
// reader's own position told to the server without a request per message.

import { h } from './dom.js';

/**
 * "Seen" in `list` under the last message of `mine` (an item's class: `operator` in the
 * console, `customer` in the widget) at or before the other side's position. `set(seq)` moves
 * the position (never back); new messages keep the mark where it belongs.
 */
export function seenMarker(list, mine) {
  let position = 0;
  const mark = h('span', { class: 'seen', id: 'seen' }, 'Seen');
  const place = () => {
    let target = null;
    for (const item of list.querySelectorAll(`:scope > li.${mine}[data-seq]`)) {
      if (Number(item.dataset.seq) <= position) target = item;
    }
    if (!target) mark.remove();
    else if (mark.parentNode !== target) target.append(mark);
  };
  const observer = new MutationObserver(() => { observer.takeRecords(); place(); });
  observer.observe(list, { childList: true });
  return {
    set(seq) {
      if (!(seq > position)) return;
      position = seq;
      place();
    },
    get position() { return position; },
    stop: () => observer.disconnect(),
  };
}

/**
 * My own reading position: `seen(seq)` as messages show, posted with `post(seq)` at most once a
 * second and only while the page is visible (what waited goes out when it is shown again).
 */
export function readingPoster(post, interval = 1000) {
  let shown = 0;
  let told = 0;
  let busy = false;
  let timer = null;
  let stopped = false;
  async function send() {
    clearTimeout(timer);
    timer = null;
    if (stopped || busy || shown <= told || document.hidden) return;
    busy = true;
    // A position lost to a failure is told with the next message.
    told = shown;
    try { await post(told); } catch {}
    busy = false;
    if (shown > told && !stopped) timer = setTimeout(send, interval);
  }
  const visible = () => { if (!document.hidden) send(); };
  document.addEventListener('visibilitychange', visible);
  return {
    seen(seq) {
      if (!(seq > shown)) return;
      shown = seq;
      if (timer === null) timer = setTimeout(send, told ? interval : 0);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', visible);
    },
  };
}
