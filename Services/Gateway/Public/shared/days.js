// Day separators and times for a list of messages: "Today", "Yesterday", or the date, each in
// the reader's own locale. The list's items carry their instant in `data-at`; a separator is put
// before the first message of each day, however the messages arrived (live, or scrolled back).

import { h } from './dom.js';

/** "Today", "Yesterday", a weekday within the week, else the date. */
export function dayLabel(instant, now = new Date()) {
  const date = new Date(instant);
  const start = (day) => new Date(day.getFullYear(), day.getMonth(), day.getDate()).getTime();
  const days = Math.round((start(now) - start(date)) / 86400000);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  if (days > 1 && days < 7) return date.toLocaleDateString([], { weekday: 'long' });
  return date.toLocaleDateString([], { dateStyle: 'medium' });
}

/** The time of day of an instant, as the reader's clock shows it. */
export function clock(instant) {
  return new Date(instant).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** Keeps `list`'s day separators right as messages come and go. */
export function daySeparators(list) {
  let busy = false;
  const mark = () => {
    if (busy) return;
    busy = true;
    for (const old of list.querySelectorAll(':scope > li.day')) old.remove();
    let previous = null;
    for (const item of [...list.children]) {
      const at = item.dataset.at;
      if (!at) continue;
      const day = new Date(at).toDateString();
      if (day !== previous) list.insertBefore(h('li', { class: 'day', role: 'separator' }, h('span', {}, dayLabel(at))), item);
      previous = day;
    }
    observer.takeRecords();
    busy = false;
  };
  const observer = new MutationObserver(mark);
  observer.observe(list, { childList: true });
  mark();
  return { mark, stop: () => observer.disconnect() };
}
