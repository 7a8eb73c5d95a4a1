// The bell in the upper right: unread count, a list, the count in the tab's title, and an
// optional sound for a new notification.

import { api } from './session.js';
import { h, when } from '../shared/dom.js';

export class Bell {
  constructor(open) {
    this.open = open;
    this.items = [];
    // All unread, counted by the server: the list holds only the newest page.
    this.unreadTotal = 0;
    this.sound = localStorage.getItem('switchboard.sound') === 'on';
    this.count = h('span', { class: 'count', id: 'bell-count' }, '');
    this.list = h('div', { class: 'bell-list', id: 'bell-list', hidden: true, role: 'menu' });
    this.button = h('button', {
      class: 'bell', id: 'bell', 'aria-haspopup': 'true', 'aria-expanded': 'false', 'aria-label': 'Notifications',
      onclick: () => this.toggle(),
    }, bellIcon(), this.count);
    this.element = h('div', { class: 'bell-box' }, this.button, this.list);
    // The list closes on a click or a tap anywhere else, and on Escape.
    document.addEventListener('pointerdown', (event) => {
      if (!this.list.hidden && !this.element.contains(event.target)) this.toggle(false);
    });
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !this.list.hidden) { this.toggle(false); this.button.focus(); }
    });
    // Reading a conversation marked its notifications read on the server: count again.
    window.addEventListener('switchboard:read', () => this.load());
  }

  async load() {
    try {
      const [newest, unread] = await Promise.all([api('GET', '/notifications?limit=30'), api('GET', '/notifications?unread=true&limit=1')]);
      this.items = newest.items;
      this.unreadTotal = unread.total ?? newest.items.filter((item) => !item.read_at).length;
      this.render();
    } catch {}
  }

  handle(frame) {
    // Someone took a chat the Pool's alerts were about: the desk marked them read; count again.
    if (frame.type === 'notification.settled') return this.load();
    if (frame.type !== 'notification.created') return;
    if (this.items.some((item) => item.id === frame.data.id)) return;
    this.items.unshift(frame.data);
    if (!frame.data.read_at) this.unreadTotal += 1;
    this.render();
    if (this.sound) this.beep();
  }

  get unread() { return this.unreadTotal; }

  render() {
    const unread = this.unread;
    this.count.textContent = unread ? String(unread) : '';
    document.title = unread ? `(${unread}) Switchboard` : 'Switchboard';
    const sound = h('label', { class: 'sound' }, h('input', {
      type: 'checkbox', checked: this.sound,
      onchange: (event) => { this.sound = event.target.checked; localStorage.setItem('switchboard.sound', this.sound ? 'on' : 'off'); },
    }), ' Sound');
    const readAll = h('button', { class: 'link', onclick: async () => { await api('POST', '/notifications/read-all'); this.load(); } }, 'Mark all read');
    this.list.replaceChildren(
      h('div', { class: 'bell-head' }, readAll, sound),
      this.items.length === 0 ? h('p', { class: 'empty' }, 'No notifications') :
        h('ul', {}, this.items.slice(0, 30).map((item) => h('li', { class: item.read_at ? 'read' : 'unread' },
          h('button', {
            class: 'notification', role: 'menuitem',
            onclick: async () => {
              this.toggle(false);
              if (!item.read_at) { try { await api('POST', `/notifications/${item.id}/read`); item.read_at = new Date().toISOString(); this.unreadTotal = Math.max(0, this.unreadTotal - 1); this.render(); } catch {} }
              if (item.conversation_id) this.open(item.conversation_id);
            },
          }, h('span', { class: 'text' }, item.text), h('time', {}, when(item.created_at)))))),
    );
  }

  toggle(show = this.list.hidden) {
    this.list.hidden = !show;
    this.button.setAttribute('aria-expanded', String(show));
  }

  beep() {
    try {
      const audio = new AudioContext();
      const tone = audio.createOscillator();
      tone.frequency.value = 880;
      tone.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.15);
    } catch {}
  }
}

/** A bell drawn in SVG: an emoji would depend on the operator's fonts. */
function bellIcon() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '18');
  svg.setAttribute('height', '18');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', 'M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1z');
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}
