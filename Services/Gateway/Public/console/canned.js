// Canned responses in the composer: `/` at the start of an empty composer opens the list of the
// desk's and my own canned responses, filtered as I type (`/ref` → shortcuts and titles starting
// with "ref"); arrow keys move, Enter or Tab inserts it with its placeholders filled in by the
// server for this conversation, Escape closes. The server fills placeholders so every console
// inserts the same text.

import { api } from './session.js';
import { h, toast } from '../shared/dom.js';

const shown = 8;

/**
 * Wires `composer` (a textarea inside `form`) for one conversation. Returns {element, close}:
 * `element` is the list, to be placed just above the composer.
 */
export function cannedPicker({ form, composer, conversationId }) {
  const element = h('ul', { class: 'canned-list', id: 'canned-list', role: 'listbox', hidden: true, 'aria-label': 'Canned responses' });
  let items = [];
  let selected = 0;
  let asked = 0;
  let timer = null;

  // What is being typed: `/word` and nothing else before the caret, or `null`.
  const query = () => {
    const match = /^\/([a-z0-9_-]*)$/i.exec(composer.value.slice(0, composer.selectionEnd ?? composer.value.length));
    return match && composer.value.indexOf('\n') === -1 ? match[1].toLowerCase() : null;
  };

  function close() {
    element.hidden = true;
    items = [];
    composer.removeAttribute('aria-activedescendant');
  }

  function draw() {
    element.replaceChildren(...(items.length ? items.map((item, index) => h('li', {
      role: 'option', id: `canned-${item.id}`, class: index === selected ? 'canned-item selected' : 'canned-item',
      'aria-selected': index === selected ? 'true' : 'false', 'data-shortcut': item.shortcut,
      // Pressed, not clicked: a click would first take the focus from the composer.
      onmousedown: (event) => { event.preventDefault(); selected = index; insert(); },
    },
    h('span', { class: 'canned-shortcut' }, `/${item.shortcut}`),
    h('span', { class: 'canned-title' }, item.title),
    item.scope === 'desk' ? h('span', { class: 'badge desk' }, 'desk') : null,
    h('span', { class: 'canned-preview' }, item.body.slice(0, 90)))) : [h('li', { class: 'canned-empty' }, 'No canned response starts with that. Add some under Customizations.')]));
    element.hidden = false;
    if (items[selected]) composer.setAttribute('aria-activedescendant', `canned-${items[selected].id}`);
  }

  async function lookUp() {
    const q = query();
    if (q === null) return close();
    const mine = ++asked;
    try {
      const page = await api('GET', `/canned-responses?limit=${shown}&q=${encodeURIComponent(q)}`);
      if (mine !== asked || query() === null) return;
      items = page.items;
      selected = 0;
      draw();
    } catch {
      close();
    }
  }

  async function insert() {
    const item = items[selected];
    close();
    if (!item) return;
    try {
      const rendered = await api('GET', `/canned-responses/${item.id}/render?conversation_id=${conversationId}`);
      composer.value = rendered.body;
      composer.focus();
      composer.setSelectionRange(composer.value.length, composer.value.length);
      composer.dispatchEvent(new Event('input', { bubbles: true }));
    } catch (failure) {
      toast(failure.message, 'error');
    }
  }

  composer.addEventListener('input', () => {
    clearTimeout(timer);
    if (query() === null) return close();
    timer = setTimeout(lookUp, 120);
  });
  composer.addEventListener('blur', () => setTimeout(close, 150));
  // On the form, while capturing: before the composer's own Enter-sends handler.
  form.addEventListener('keydown', (event) => {
    if (event.target !== composer || element.hidden) return;
    const keys = {
      ArrowDown: () => { selected = Math.min(selected + 1, items.length - 1); draw(); },
      ArrowUp: () => { selected = Math.max(selected - 1, 0); draw(); },
      Enter: () => insert(),
      Tab: () => insert(),
      Escape: () => close(),
    };
    const act = keys[event.key];
    if (!act || event.shiftKey) return;
    if (event.key === 'Tab' && !items.length) { close(); return; }
    event.preventDefault();
    event.stopPropagation();
    act();
  }, true);

  return { element, close };
}
