// The customer's side of the widget: open → name (and e-mail), then the chat with the
// greeting and live replies, the place in the queue while waiting, who is answering, and
// "End chat"; a chat that ended, became a ticket or was handed on says so (an ended one offers
// no message box); closed → the offline form, when the desk is back (in the visitor's own
// timezone), then the ticket number. The visitor token stays in this frame's
// storage, on the desk's origin, out of the host page's reach.

import { apiClient, storedToken } from '../shared/api.js';
import { h } from '../shared/dom.js';
import { LiveStream } from '../shared/stream.js';
import { thread } from '../shared/thread.js';
import { avatar } from '../shared/avatars.js';
import { clock, daySeparators } from '../shared/days.js';
import { readingPoster, seenMarker } from '../shared/receipts.js';
import { typingIndicator, typingSender } from '../shared/typing.js';
import { ratingBox } from './rating.js';
import { transcriptOffer } from './transcript.js';
import { attachmentPicker, preview, shownAttachments } from '../shared/attachments.js';

const panel = document.getElementById('panel');
const visitor = storedToken('switchboard.visitor');
const api = apiClient({ store: visitor });

// The frame is focused when the visitor opens the panel: the keyboard goes on to its first field.
window.addEventListener('focus', () => {
  if (document.activeElement === document.body) panel.querySelector('input, textarea')?.focus();
});

function layout(title, subtitle, ...body) {
  panel.replaceChildren(h('header', {}, h('h1', {}, title), subtitle ? h('p', {}, subtitle) : null), ...body);
}

/** "Monday 09:00" in the visitor's own timezone (with the date when it is more than a week away). */
function backAt(instant) {
  const date = new Date(instant);
  const soon = date - Date.now() < 6 * 24 * 3600 * 1000;
  return date.toLocaleString([], soon ? { weekday: 'long', hour: '2-digit', minute: '2-digit' }
    : { dateStyle: 'medium', timeStyle: 'short' });
}

async function start() {
  let status;
  try {
    status = await api('GET', '/widget/status');
  } catch {
    return layout('Chat', null, h('div', { class: 'body' }, h('p', { class: 'error' }, 'We cannot be reached right now. Please try again later.')));
  }
  let past = [];
  if (visitor.token) {
    try { past = (await api('GET', '/visitor/conversations')).items; } catch { visitor.token = null; }
  }
  const openChat = past.find((conversation) => conversation.channel === 'chat' && conversation.status !== 'closed');
  if (openChat) return chat(openChat);
  if (status.open) return welcome(status, past);
  return offline(status, past);
}

function history(past) {
  if (!past.length) return null;
  return h('details', { class: 'history' }, h('summary', {}, 'Your earlier conversations'),
    h('ul', { class: 'past' }, past.map((conversation) => h('li', {},
      h('button', { class: 'link', onclick: () => chat(conversation, true) },
        `${new Date(conversation.created_at).toLocaleDateString()} — ${preview(conversation.last_message).slice(0, 60)}`)))));
}

function welcome(status, past) {
  const name = h('input', { id: 'name', autocomplete: 'name', required: true, maxlength: '200' });
  const email = h('input', { id: 'email', type: 'email', autocomplete: 'email' });
  const error = h('p', { class: 'error', role: 'alert' });
  layout('Chat with us', status.operators_available ? 'We are online' : 'We usually answer in a few minutes',
    h('div', { class: 'body' },
      h('form', {
        id: 'start', onsubmit: async (event) => {
          event.preventDefault();
          try {
            const started = await api('POST', '/visitor/conversations', { name: name.value, email: email.value || undefined });
            visitor.token = started.visitor_token;
            chat(started.conversation);
          } catch (failure) {
            if (failure.code === 'offline') return start();
            error.textContent = failure.message;
          }
        },
      }, h('label', { for: 'name' }, 'Your name'), name, h('label', { for: 'email' }, 'E-mail (optional)'), email, error,
      h('button', { type: 'submit', id: 'start-chat' }, 'Start chat')),
      history(past)));
  name.focus();
}

function offline(status, past) {
  const name = h('input', { id: 'offline-name', autocomplete: 'name', required: true, maxlength: '200' });
  const email = h('input', { id: 'offline-email', type: 'email', autocomplete: 'email', required: true });
  const message = h('textarea', { id: 'offline-message', rows: '4', required: true, maxlength: '10000' });
  const error = h('p', { class: 'error', role: 'alert' });
  const body = h('div', { class: 'body' },
    h('p', { class: 'notice', id: 'offline-notice' }, status.offline_message ?? 'We are away right now.',
      status.next_open_at ? ` We're back ${backAt(status.next_open_at)}.` : ''),
    h('form', {
      id: 'offline-form', onsubmit: async (event) => {
        event.preventDefault();
        try {
          const filed = await api('POST', '/visitor/offline-messages', { name: name.value, email: email.value, message: message.value });
          visitor.token = filed.visitor_token;
          body.replaceChildren(h('p', { class: 'notice', id: 'ticket-number' },
            `Thank you! Your ticket number is #${filed.ticket.number}. We will answer by e-mail at ${email.value}.`));
        } catch (failure) {
          error.textContent = failure.message;
        }
      },
    }, h('label', { for: 'offline-name' }, 'Your name'), name, h('label', { for: 'offline-email' }, 'E-mail'), email,
    h('label', { for: 'offline-message' }, 'Your message'), message, error,
    h('button', { type: 'submit', id: 'send-offline' }, 'Send')),
    history(past));
  layout('Leave us a message', 'We answer by e-mail', body);
}

let stream = null;
let poller = null;
// What the chat on screen leaves behind when another is shown.
let leaving = () => {};

/** "about 3 minutes" for an estimate in seconds. */
function duration(seconds) {
  if (seconds < 90) return 'about a minute';
  if (seconds < 3600) return `about ${Math.round(seconds / 60)} minutes`;
  return `about ${Math.round(seconds / 3600)} hour${seconds < 5400 ? '' : 's'}`;
}

const endings = {
  customer: 'You ended this chat.',
  idle: 'This chat was closed after a quiet while.',
  dismissed: 'This chat was closed.',
  operator: 'This chat was closed by our team.',
};

function chat(conversation, readOnly = false) {
  const list = h('ol', { class: 'messages', id: 'messages' });
  const answering = h('p', { id: 'answering', role: 'status' });
  const queue = h('p', { id: 'queue', class: 'queue', hidden: true });
  const text = h('textarea', { id: 'message', rows: '2', 'aria-label': 'Your message', placeholder: 'Write a message' });
  const render = (message) => h('li', { class: `message ${message.author.kind}`, 'data-seq': message.seq, 'data-at': message.created_at },
    message.author.kind === 'system' ? null : avatar(message.author.name),
    h('div', { class: 'bubble' },
      message.author.kind === 'operator' ? h('span', { class: 'by' }, message.author.name) : null,
      message.body ? h('span', { class: 'text' }, message.body) : null,
      shownAttachments(message.attachments, () => visitor.token),
      h('time', { class: 'at', datetime: message.created_at }, clock(message.created_at))));
  const picker = attachmentPicker({ path: `/visitor/conversations/${conversation.id}/attachments`, token: () => visitor.token });
  const messages = thread({ list, path: `/visitor/conversations/${conversation.id}/messages`, api, render });
  daySeparators(list);
  // "Seen" under my last message the desk has read; my own position told as messages show.
  const seen = seenMarker(list, 'customer');
  seen.set(conversation.operator_read_seq);
  const reading = readingPoster((seq) => api('POST', `/visitor/conversations/${conversation.id}/read`, { seq }));
  const typing = typingIndicator('typing');
  leaving();
  leaving = () => { reading.stop(); seen.stop(); typing.clear(); };
  const add = (message) => {
    if (message.conversation_id !== conversation.id) return;
    messages.add(message);
    if (message.author.kind !== 'customer') typing.clear('operator');
    if (!readOnly) reading.seen(messages.latest);
  };
  let ended = false;
  const send = async () => {
    const body = text.value.trim();
    const files = picker.ids();
    if ((!body && !files.length) || ended || picker.busy()) return;
    text.value = '';
    typist.sent();
    try {
      add(await api('POST', `/visitor/conversations/${conversation.id}/messages`,
        { body, client_message_id: crypto.randomUUID(), attachment_ids: files.length ? files : undefined }));
      picker.clear();
    } catch (failure) {
      text.value = body;
      if (failure.code === 'closed') refresh();
      else if (failure.code === 'blocked') closed('You can no longer write here.');
    }
  };
  text.addEventListener('keydown', (event) => { if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); send(); } });
  const typist = typingSender(text, conversation.id, (frame) => stream?.send(frame));
  const end = h('button', {
    type: 'button', id: 'end-chat', class: 'link', onclick: async () => {
      if (!confirm('End this chat?')) return;
      try { show(await api('POST', `/visitor/conversations/${conversation.id}/close`)); } catch (failure) { answering.textContent = failure.message; }
    },
  }, 'End chat');
  const composer = h('form', { class: 'composer', onsubmit: (event) => { event.preventDefault(); send(); } }, picker.button, picker.input, text, h('button', { type: 'submit', id: 'send' }, 'Send'));
  // Ended: no message box, no "is answering", no queue; a way to start again.
  // Once, whichever way it ended: no more polling, no queue, no End chat.
  function finish() {
    if (ended) return false;
    ended = true;
    clearInterval(poller);
    poller = null;
    queue.hidden = true;
    end.hidden = true;
    picker.clear();
    return true;
  }
  function closed(words, view = conversation) {
    if (!finish()) return;
    answering.textContent = words;
    answering.className = 'ended';
    typing.clear();
    // A chat that ended asks how it went (once; a rated one says thanks) and offers its transcript.
    const chat = view.channel === 'chat';
    const rating = chat ? ratingBox({ api, conversationId: conversation.id, rating: view.rating }) : null;
    composer.replaceChildren(h('div', { class: 'after' }, rating,
      h('p', { id: 'chat-closed' }, words, ' ', h('button', { type: 'button', class: 'link', id: 'start-again', onclick: () => start() }, 'Start a new one')),
      chat ? transcriptOffer(api, conversation) : null));
  }
  // Became a ticket: answered by e-mail from now on.
  function ticketed(view) {
    if (!finish()) return;
    const number = view.ticket?.number;
    const words = `This chat is now ticket${number ? ` #${number}` : ''}: we will answer by e-mail${view.customer?.email ? ` at ${view.customer.email}` : ''}.`;
    answering.textContent = words;
    answering.className = 'ended';
    composer.replaceChildren(h('p', { id: 'chat-ticketed' }, words));
  }
  // Draws the conversation's state: closed, a ticket, waiting (with the queue), or answered.
  function show(view) {
    seen.set(view.operator_read_seq);
    if (view.status === 'closed') return closed(endings[view.closed_reason] ?? 'This chat has ended.', view);
    if (view.channel === 'email') return ticketed(view);
    if (view.status === 'waiting') {
      // Given back to the Pool (their operator left): said until someone takes it.
      answering.textContent = answering.dataset.back ? 'Back in line: waiting for another operator…' : 'Waiting for an operator…';
      const place = view.queue;
      queue.hidden = !place;
      if (place) {
        queue.textContent = place.position === 1 ? 'You are next in line.' : `You are number ${place.position} in line.`;
        if (place.estimated_wait_seconds != null) queue.textContent += ` Expected wait: ${duration(place.estimated_wait_seconds)}.`;
      }
      // While waiting, the place is read again every 10 seconds (others ahead are taken).
      if (!poller && !readOnly) poller = setInterval(refresh, 10000);
    } else {
      queue.hidden = true;
      clearInterval(poller);
      poller = null;
      delete answering.dataset.back;
      if (view.assignee && !answering.dataset.handedOn) answering.textContent = `${view.assignee.name} is answering`;
    }
  }
  async function refresh() {
    if (ended) return;
    try { show(await api('GET', `/visitor/conversations/${conversation.id}`)); } catch {}
  }
  clearInterval(poller);
  poller = null;
  const scroller = h('div', { class: 'body' }, h('div', { class: 'chat-state' }, answering, end), queue, messages.earlier, list, typing.element);
  layout('Chat with us', null, scroller, picker.tray, composer);
  picker.watch(text, [scroller, composer]);
  if (readOnly || conversation.status === 'closed') closed(endings[conversation.closed_reason] ?? 'This conversation is closed.');
  else { show(conversation); refresh(); }
  const load = () => messages.catchUp(conversation.last_message?.seq)
    .then(() => { if (!readOnly) reading.seen(messages.latest); }).catch(() => {});
  load();
  stream?.stop();
  stream = null;
  if (!readOnly) {
    follow(conversation.id, {
      add, load: () => { load(); refresh(); }, refresh,
      typing: (data) => { if (!ended && data.author?.kind === 'operator') typing.show(data.author); },
      read: (data) => { if (data.side === 'operator') seen.set(data.seq); },
      assigned: (change) => {
        if (ended) return;
        const name = change.to?.name;
        if (!name) return refresh();
        // Handed on to a colleague: said once, then they are the one answering.
        answering.dataset.handedOn = '1';
        answering.textContent = change.how === 'transfer' || change.how === 'takeover' ? `Your chat was handed to ${name}, who is answering now` : `${name} is answering`;
        refresh();
      },
      returned: () => {
        if (ended) return;
        delete answering.dataset.handedOn;
        answering.dataset.back = '1';
        answering.textContent = 'Back in line: waiting for another operator…';
        refresh();
      },
    });
  }
}

/** The visitor's live stream: whatever it missed while away is read again once it is live. */
function follow(id, view) {
  stream = new LiveStream('/api/v1/visitor/stream', {
    token: () => visitor.token,
    onState: (live) => { if (live === 'live') view.load(); },
    onEvent: (frame) => {
      if (frame.data?.conversation_id !== id && frame.data?.id !== id) return;
      if (frame.type === 'message.created') view.add(frame.data);
      else if (frame.type === 'typing') view.typing(frame.data);
      else if (frame.type === 'conversation.read') view.read(frame.data);
      else if (frame.type === 'conversation.assigned') view.assigned(frame.data);
      else if (frame.type === 'conversation.returned') view.returned(frame.data);
      // Closed, or become a ticket (its number is read with the conversation).
      else if (frame.type === 'conversation.closed' || frame.type === 'conversation.moved_to_email') view.refresh();
    },
    // The token is no longer good (it expires after 30 days unused): start afresh.
    onEnded: () => { visitor.token = null; stream = null; start(); },
  });
  stream.start();
}

start();
