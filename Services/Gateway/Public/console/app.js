// The operator console: a left menu (Messages, Pool, Archive, and for admins Team,
// Customizations and Operators), the availability switches (chats, tickets) and the bell in
// the upper right, and one live stream that keeps every open view current.

import { api, session, sessionEnded } from './session.js';
import { h, toast } from '../shared/dom.js';
import { LiveStream } from '../shared/stream.js';
import { Bell } from './bell.js';
import { DesktopAlerts } from './alerts.js';
import { profileMenu, resetToken, showForgot, showReset } from './account.js';
import { archive } from './screens/archive.js';
import { conversation } from './screens/conversation.js';
import { customizations } from './screens/customizations.js';
import { messages } from './screens/messages.js';
import { operators } from './screens/operators.js';
import { pool } from './screens/pool.js';
import { team } from './screens/team.js';
import { tickets } from './screens/tickets.js';

// `#/<section>/<id>` → its screen (screens/, one file each). A screen returns {refresh,
// handle(frame), close}: `refresh` loads and draws, `handle` applies a live frame, `close`
// lets go when the operator moves on.
const screens = { messages, pool, tickets, archive, conversations: conversation, team, customizations, operators };

const app = document.getElementById('app');
const state = { me: null, live: null, bell: null, view: null, main: null, liveState: null };

// The session ended, here (Log out) or elsewhere (a 401, the stream's `unauthorized`): back to
// the login page, without a reload.
window.addEventListener('switchboard:logged-out', () => {
  if (state.me) loggedOut('Your session has ended. Please log in again.');
});
window.addEventListener('hashchange', () => {
  // A reset link pasted into an open console: its page, with the console quiet meanwhile.
  if (resetToken()) {
    state.live?.stop();
    state.view?.close?.(false);
    state.live = state.view = state.me = null;
    return boot();
  }
  if (state.me) route();
});

function loggedOut(problem) {
  state.live?.stop();
  state.live = null;
  state.view?.close?.(false);
  state.view = null;
  state.me = null;
  showLogin(problem);
}

async function boot() {
  // A mailed reset link (`#reset=<token>`) opens its page, logged in or not.
  const reset = resetToken();
  if (reset) return showReset(app, reset, () => showLogin());
  if (!session.token) return showLogin();
  try {
    state.me = await api('GET', '/me');
  } catch {
    return showLogin();
  }
  showConsole();
}

function showLogin(problem) {
  const email = h('input', { id: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'error', role: 'alert' }, problem ?? '');
  const form = h('form', {
    class: 'login',
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        const result = await api('POST', '/auth/login', { email: email.value, password: password.value });
        session.token = result.token;
        // `me` carries what the login does not: availability and presence, as they are now.
        state.me = await api('GET', '/me');
        showConsole();
      } catch (failure) {
        error.textContent = failure.status === 429 ? 'Too many attempts; wait a while.' : 'Wrong e-mail or password.';
      }
    },
  },
  h('h1', {}, 'Switchboard'),
  h('label', { for: 'email' }, 'E-mail'), email,
  h('label', { for: 'password' }, 'Password'), password,
  error,
  h('button', { type: 'submit', id: 'login' }, 'Log in'),
  h('button', { type: 'button', class: 'link', id: 'forgot', onclick: () => showForgot(app, () => showLogin()) }, 'Forgot password?'));
  app.replaceChildren(form);
  email.focus();
}

function showConsole() {
  const menu = [
    ['messages', 'Messages'], ['pool', 'Pool'], ['tickets', 'Tickets'], ['archive', 'Archive'],
    // Customizations: everything for admins, each operator's own canned responses for all.
    ...(state.me.role === 'admin' ? [['team', 'Team'], ['customizations', 'Customizations'], ['operators', 'Operators']] : [['customizations', 'Customizations']]),
  ];
  const status = h('span', { id: 'live-state', class: 'live-state', role: 'status' }, 'connecting…');
  const open = (id) => { location.hash = `#/conversations/${id}`; };
  state.bell = new Bell(open);
  state.alerts = new DesktopAlerts(open);
  const alertsButton = h('button', {
    class: 'link', id: 'desktop-alerts', hidden: !state.alerts.undecided, title: 'Show waiting customers as desktop notifications',
    onclick: async () => { alertsButton.hidden = true; await state.alerts.ask(); },
  }, 'Desktop alerts');
  // What I take: live chats, tickets (answered by e-mail), each its own switch, as the desk has it.
  const switches = {};
  const availabilitySwitch = (what, label) => {
    const box = h('input', { type: 'checkbox', id: `available-${what}`, role: 'switch' });
    box.checked = !!state.me.availability?.[what];
    box.addEventListener('change', async () => {
      // The first switch on is the moment to ask for desktop alerts (a click of the operator's own).
      if (box.checked && state.alerts.undecided) { alertsButton.hidden = true; state.alerts.ask(); }
      try {
        const now = await api('PUT', '/me/availability', { [what]: box.checked });
        state.me.availability = now.availability;
        toast(box.checked ? `You take ${label.toLowerCase()}` : `You take no ${label.toLowerCase()}`);
      } catch (failure) {
        box.checked = !box.checked;
        toast(failure.message, 'error');
      }
    });
    switches[what] = box;
    return h('label', { class: 'switch', for: `available-${what}` }, box, h('span', {}, label));
  };
  const logout = h('button', {
    class: 'link', onclick: async () => {
      // Quiet first: the logout ends this session's stream and would fail a read post.
      state.live?.stop();
      state.view?.close?.(false);
      try { await api('POST', '/auth/logout'); } catch {}
      session.token = null;
      if (state.me) loggedOut();
    },
  }, 'Log out');
  state.main = h('main', { id: 'main', tabindex: '-1' });
  app.replaceChildren(
    h('header', { class: 'top' },
      h('span', { class: 'brand' }, 'Switchboard'),
      status,
      h('span', { class: 'spacer' }),
      availabilitySwitch('chats', 'Chats'), availabilitySwitch('tickets', 'Tickets'),
      alertsButton,
      state.bell.element,
      profileMenu(state.me),
      logout),
    h('nav', { class: 'menu', 'aria-label': 'Sections' },
      h('ul', {}, menu.map(([id, label]) => h('li', {}, h('a', { href: `#/${id}`, id: `menu-${id}` }, label))))),
    state.main,
  );
  state.bell.load();
  state.live?.stop();
  state.live = new LiveStream('/api/v1/stream', {
    token: () => session.token,
    onEvent: (frame) => { state.bell.handle(frame); state.alerts.handle(frame); state.view?.handle?.(frame); },
    onState: (live) => {
      status.textContent = live === 'live' ? 'live' : 'reconnecting…';
      status.className = `live-state ${live}`;
      // Views reload what they show after a gap the stream could not fill; the switches too
      // (away long enough, the desk switched chats off).
      if (live === 'live' && state.liveState === 'reconnecting') {
        state.view?.refresh?.();
        api('GET', '/me').then((me) => {
          state.me.availability = me.availability;
          for (const [what, box] of Object.entries(switches)) box.checked = !!me.availability?.[what];
        }).catch(() => {});
      }
      state.liveState = live;
    },
    onEnded: sessionEnded,
  });
  state.live.start();
  if (!location.hash || location.hash === '#/login') location.hash = '#/messages';
  route();
}

// A view's typing frame (shared/typing.js) goes out on the one stream.
window.addEventListener('switchboard:typing', (event) => state.live?.send(event.detail));

function route() {
  const [, section, id] = location.hash.split('/');
  for (const link of document.querySelectorAll('nav.menu a')) {
    link.toggleAttribute('aria-current', link.getAttribute('href') === `#/${section}`);
  }
  const make = screens[section] ?? screens.messages;
  state.view?.close?.();
  state.view = make({ me: state.me, id, main: state.main, go: (hash) => { location.hash = hash; } });
  state.view.refresh();
}

boot();
