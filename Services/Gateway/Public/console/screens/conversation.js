// A conversation: its messages live, the holder, the assignment history, "Take it on me" on a
// colleague's job, Transfer, "Ticket this chat", Close, and each mailed reply's delivery state.
// The composer sends on Enter (Shift+Enter for a new line); `/` opens the canned responses; the
// "Internal note" tab writes a note only the desk sees (any operator may, holder or not). It is
// the middle of the workspace (screens/inbox.js): my conversations left, the customer right.

import { api, session } from '../session.js';
import { h, when, toast } from '../../shared/dom.js';
import { thread } from '../../shared/thread.js';
import { colleagueOptions, debounce, kind, takeError } from './helpers.js';
import { readingPosition } from './reading.js';
import { customerPanel, statusText } from './customer.js';
import { cannedPicker } from '../canned.js';
import { inbox, workspace } from './inbox.js';
import { avatar } from '../../shared/avatars.js';
import { daySeparators } from '../../shared/days.js';
import { seenMarker } from '../../shared/receipts.js';
import { typingIndicator, typingSender } from '../../shared/typing.js';
import { attachmentPicker, shownAttachments } from '../../shared/attachments.js';

export function conversation({ id, me, main, go }) {
  const head = h('div', { class: 'conversation-head' });
  const list = h('ol', { class: 'messages', id: 'conversation-messages', 'aria-live': 'polite' });
  const audit = h('details', { class: 'audit' });
  const composer = h('textarea', { id: 'composer', rows: '3', 'aria-label': 'Your message' });
  const send = h('button', { id: 'send', type: 'submit' }, 'Send');
  // Reply to the customer, or a note for the desk: two tabs over one composer. Files go with replies.
  let noting = false;
  const replyTab = h('button', { type: 'button', class: 'composer-tab', id: 'mode-reply', role: 'tab', onclick: () => setMode(false, true) }, 'Reply');
  const noteTab = h('button', { type: 'button', class: 'composer-tab', id: 'mode-note', role: 'tab', onclick: () => setMode(true, true) }, 'Internal note');
  const picker = attachmentPicker({ path: `/conversations/${id}/attachments`, token: () => session.token });
  const form = h('form', { class: 'composer', onsubmit: (event) => { event.preventDefault(); post(); } });
  const canned = cannedPicker({ form, composer, conversationId: id });
  form.append(h('div', { class: 'composer-tabs', role: 'tablist' }, replyTab, noteTab), canned.element,
    h('div', { class: 'composer-row' }, picker.button, picker.input, composer, send));
  function setMode(note, focus) {
    noting = note;
    form.classList.toggle('noting', note);
    replyTab.setAttribute('aria-selected', String(!note));
    noteTab.setAttribute('aria-selected', String(note));
    composer.placeholder = note ? 'An internal note: only the desk sees it — Enter adds it'
      : 'Write a reply — Enter sends, Shift+Enter for a new line, / for canned responses';
    send.textContent = note ? 'Add note' : 'Send';
    picker.button.hidden = note;
    if (note) picker.clear();
    if (focus) composer.focus();
  }
  // A mailed reply is drawn again when its delivery changes.
  const messages = thread({ list, path: `/conversations/${id}/messages`, api, render, replaces: (message) => !!message.delivery });
  // Reading settles my notifications of it: the bell counts again.
  const reading = readingPosition((seq) => api('POST', `/conversations/${id}/read`, { seq })
    .then(() => window.dispatchEvent(new CustomEvent('switchboard:read', { detail: { conversation_id: id } }))));
  const customer = customerPanel();
  customer.element.open = true;
  customer.element.classList.add('pane');
  const myList = inbox({ current: id });
  // A phone shows one pane at a time: these move between them.
  const back = h('button', { type: 'button', class: 'link pane-back', id: 'back-to-list', onclick: () => go('#/messages') }, '‹ Messages');
  const toCustomer = h('button', { type: 'button', class: 'pane-toggle', id: 'show-customer', onclick: () => showPane(layout.dataset.pane === 'customer' ? 'conversation' : 'customer') }, 'Customer');
  const backToConversation = h('button', { type: 'button', class: 'link pane-back', id: 'back-to-conversation', onclick: () => showPane('conversation') }, '‹ Conversation');
  customer.element.prepend(backToConversation);
  // Live feel: day separators, "Seen" under my side's last message the customer read, and who is typing.
  daySeparators(list);
  const seen = seenMarker(list, 'operator');
  const typing = typingIndicator('typing');
  // A note is for the desk: writing one tells the customer nothing.
  const typist = typingSender(composer, id, (frame) => {
    if (!noting) window.dispatchEvent(new CustomEvent('switchboard:typing', { detail: frame }));
  });
  const middle = h('section', { class: 'pane conversation-main', id: 'conversation-pane' },
    h('div', { class: 'pane-bar' }, back, h('span', { class: 'spacer' }), toCustomer), head, messages.earlier, list, typing.element, audit,
    picker.tray, form);
  const layout = workspace({ list: myList.element, middle, side: customer.element, pane: 'conversation' });
  main.replaceChildren(layout);
  picker.watch(composer, [middle]);
  function showPane(pane) { layout.dataset.pane = pane; toCustomer.setAttribute('aria-pressed', String(pane === 'customer')); }
  let current = null;
  let customerShown = null;
  let opened = false;

  composer.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); post(); }
  });

  async function post() {
    const body = composer.value.trim();
    const files = picker.ids();
    if ((!body && !files.length) || picker.busy()) return;
    composer.value = '';
    canned.close();
    typist.sent();
    try {
      const message = await api('POST', `/conversations/${id}/${noting ? 'notes' : 'messages'}`,
        { body, client_message_id: crypto.randomUUID(), attachment_ids: !noting && files.length ? files : undefined });
      messages.add(message);
      picker.clear();
    } catch (failure) {
      composer.value = body;
      toast(failure.code === 'not_assignee' ? 'Take it on you to write here' : failure.message, 'error');
    }
  }

  function render(message) {
    const delivery = message.delivery;
    const state = delivery ? h('span', { class: `delivery ${delivery.status}`, title: delivery.last_error ?? '' },
      delivery.status === 'sent' ? 'e-mail sent' : delivery.status === 'failed' ? `e-mail failed: ${delivery.last_error ?? ''}` :
        `e-mail queued${delivery.next_attempt_at ? `, next try ${when(delivery.next_attempt_at)}` : ''}`) : null;
    const note = message.author.kind === 'note';
    return h('li', { class: `message ${message.author.kind}`, 'data-seq': message.seq, 'data-at': message.created_at },
      h('div', { class: 'by' }, note ? h('span', { class: 'note-label' }, 'Internal note') : null,
        message.author.kind === 'system' ? null : avatar(message.author.name),
        h('strong', {}, message.author.name), h('time', {}, when(message.created_at)), state),
      message.body ? h('p', { class: 'body' }, message.body) : null, shownAttachments(message.attachments, () => session.token));
  }

  function drawHead() {
    const c = current;
    const holder = c.assignee;
    const mine = holder?.id === me.id;
    const actions = [];
    if (c.status !== 'closed' && !mine) {
      actions.push(h('button', {
        class: 'take', id: 'take', onclick: async () => {
          try {
            await api('POST', holder ? `/conversations/${id}/take` : `/pool/${id}/take`);
            refresh();
          } catch (failure) { toast(takeError(failure), 'error'); refresh(); }
        },
      }, 'Take it on me'));
    }
    if (mine && c.status !== 'closed' && c.channel === 'chat') {
      actions.push(h('button', {
        id: 'ticket-chat', onclick: async () => {
          const email = prompt('The customer\'s e-mail address: the chat continues by e-mail', c.customer.email ?? '');
          if (!email) return;
          try {
            const made = await api('POST', `/conversations/${id}/ticket`, { email });
            toast(`Ticket #${made.ticket.number}`);
            refresh();
          } catch (failure) { toast(failure.message, 'error'); }
        },
      }, 'Ticket this chat'));
    }
    // The holder manages their job; an admin may manage anyone's (the audit names them).
    const manages = holder && (mine || me.role === 'admin');
    if (manages && c.status !== 'closed') {
      const colleague = h('select', { id: 'transfer-to', 'aria-label': 'Hand on to' }, h('option', { value: '' }, 'Hand on to…'));
      colleagueOptions(me).then((options) => colleague.append(...options)).catch(() => {});
      actions.push(h('span', { class: 'transfer' }, colleague, h('button', {
        id: 'transfer', onclick: async () => {
          if (!colleague.value) return;
          try { await api('POST', `/conversations/${id}/transfer`, { operator_id: colleague.value }); toast('Handed on'); refresh(); }
          catch (failure) { toast(failure.message, 'error'); }
        },
      }, 'Transfer')));
      actions.push(h('button', {
        id: 'return', title: 'Back to the Pool, for a colleague to take',
        onclick: async () => {
          try { await api('POST', `/conversations/${id}/return`); toast('Back in the Pool'); refresh(); } catch (failure) { toast(failure.message, 'error'); }
        },
      }, 'Return to Pool'));
      actions.push(h('button', {
        id: 'close', onclick: async () => {
          try { await api('POST', `/conversations/${id}/close`); toast('Closed: it is in the Archive'); go('#/archive'); } catch (failure) { toast(failure.message, 'error'); }
        },
      }, 'Close'));
    }
    seen.set(c.customer_read_seq);
    head.replaceChildren(
      h('h2', {}, avatar(c.customer.name, 'large'), ' ', c.customer.name, c.ticket ? h('span', { class: 'number' }, ` #${c.ticket.number}`) : null),
      h('p', { class: 'meta' }, kind(c), ' ', c.customer.email ?? '', ' · ',
        h('span', { id: 'holder' }, c.status === 'closed' ? statusText(c) : holder ? `with ${holder.name}` : 'waiting in the Pool')),
      ...(c.rating ? [h('p', { class: 'rating', id: 'rating', title: c.rating.comment ?? '' },
        h('span', { class: 'stars', 'aria-label': `${c.rating.score} of 5` }, '★'.repeat(c.rating.score) + '☆'.repeat(5 - c.rating.score)),
        ` Rated ${c.rating.score}/5 by the customer`, c.rating.comment ? h('q', {}, c.rating.comment) : null)] : []),
      h('div', { class: 'actions' }, actions));
    // Anyone may add a note while it is open; only the holder replies.
    form.hidden = c.status === 'closed';
    if (form.hidden) picker.clear();
    replyTab.disabled = !mine;
    replyTab.title = mine ? '' : 'Take it on you to reply';
    // Whenever I start or stop holding it: a reply if I hold it, else a note.
    if (form.dataset.mine !== String(mine)) setMode(!mine, false);
    form.dataset.mine = String(mine);
    audit.replaceChildren(h('summary', {}, 'Assignment history'),
      h('ul', {}, (c.audit ?? []).map((change) => h('li', {}, `${when(change.at)}: ${auditLine(change)}`))));
  }

  async function refresh() {
    myList.load().catch(() => {});
    current = await api('GET', `/conversations/${id}`);
    drawHead();
    // The panel lists this conversation too: drawn again when its holder or state changes.
    const shownAs = `${current.customer.id} ${current.status} ${current.assignee?.id ?? ''}`;
    if (customerShown !== shownAs) {
      customerShown = shownAs;
      customer.show(current.customer.id, id);
    }
    await messages.catchUp(current.last_message?.seq);
    // Read as far as shown: at once when the view opens, later with the next regular post.
    if (opened) reading.seen(messages.latest);
    else { opened = true; reading.opened(messages.latest); }
  }

  const later = debounce(refresh);
  return {
    refresh,
    handle(frame) {
      myList.handle(frame);
      const subject = frame.data?.conversation_id ?? frame.data?.id;
      if (subject !== id) return;
      if (frame.type === 'typing') {
        if (frame.data.author?.id !== me.id) typing.show(frame.data.author);
      } else if (frame.type === 'conversation.read') {
        if (frame.data.side === 'customer') seen.set(frame.data.seq);
      } else if (frame.type === 'message.created') {
        messages.add(frame.data);
        typing.clear(frame.data.author?.kind === 'customer' ? 'customer' : 'operator');
        reading.seen(frame.data.seq);
      } else if (frame.type === 'mail.updated') {
        // A mailed reply's delivery changed: draw the latest page again (mailed replies are redrawn).
        api('GET', `/conversations/${id}/messages?before_seq=${messages.latest + 1}`)
          .then((page) => page.items.forEach((message) => messages.add(message, false))).catch(() => {});
      } else later();
    },
    close: (tell) => { reading.close(tell); typist.stop(); seen.stop(); typing.clear(); },
  };
}

/** One line of the assignment history, in words. */
function auditLine(change) {
  const by = change.by ? ` by ${change.by.name}` : '';
  const why = { away: ' (away)', deactivated: ' (deactivated)' }[change.reason] ?? '';
  switch (change.how) {
    case 'returned': return `${change.from?.name ?? 'its holder'} → the Pool${by}${why}`;
    case 'dismissed': return `dismissed as spam${by}`;
    default: return `${change.from ? `${change.from.name} → ` : ''}${change.to?.name ?? '?'} (${change.how}${by})`;
  }
}
