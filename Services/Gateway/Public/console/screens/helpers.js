// What several screens use: a paged list, a debounce for bursts of live frames, the chat/ticket
// badge, the reason a take failed, and the list of colleagues.

import { api } from '../session.js';
import { h } from '../../shared/dom.js';

/** Runs `work` once, `ms` after the last of a burst of calls (live frames come in bursts). */
export function debounce(work, ms = 150) {
  let timer = null;
  return () => { clearTimeout(timer); timer = setTimeout(work, ms); };
}

/** Why "Take it on me" did not work, in the operator's words. */
export function takeError(failure) {
  if (failure.code === 'already_taken') return `${failure.details.operator ?? 'A colleague'} already took it`;
  if (failure.code === 'unavailable') return 'Switch your availability on to take tickets';
  return failure.message;
}

/**
 * A list read a page at a time: `load()` draws the first page, the "More" button under it
 * appends the next while there is one. `page` is the API's {items, next_cursor, total}.
 */
export function pagedList(list, path, row, empty) {
  const more = h('button', { class: 'link more', hidden: true }, 'More');
  let cursor = null;
  // Each first-page load supersedes the ones before it: an older answer arriving late is dropped.
  let generation = 0;
  const state = { more, total: null };
  state.load = async (append = false) => {
    const mine = append ? generation : ++generation;
    const separator = path().includes('?') ? '&' : '?';
    const page = await api('GET', append && cursor ? `${path()}${separator}cursor=${encodeURIComponent(cursor)}` : path());
    if (mine !== generation) return page;
    cursor = page.next_cursor;
    more.hidden = !cursor;
    state.total = page.total ?? null;
    const rows = page.items.map(row);
    if (append) list.append(...rows);
    else list.replaceChildren(...(rows.length ? rows : [empty()]));
    return page;
  };
  more.addEventListener('click', () => state.load(true));
  return state;
}

/** The "chat" or "ticket" badge of a list item or a conversation. */
export function kind(item) {
  return h('span', { class: `badge ${item.kind ?? item.channel}` }, (item.kind ?? item.channel) === 'chat' ? 'chat' : 'ticket');
}

/** Every operator (a desk has tens; pages of 500 are read until the last). */
export async function colleagues() {
  const all = [];
  let cursor = null;
  do {
    const page = await api('GET', `/operators?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    all.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return all;
}

/** Available colleagues as <option>s, for handing work on. */
export async function colleagueOptions(me) {
  return (await colleagues()).filter((one) => one.available && one.id !== me?.id).map((one) => h('option', { value: one.id }, one.name));
}
