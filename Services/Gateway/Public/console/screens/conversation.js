// A conversation: its messages live, the holder, the assignment history, "Take it on me" on a
// colleague's job, Transfer, "Ticket this chat", Close, and each mailed reply's delivery state.
// The composer sends on Enter (Shift+Enter for a new line).

import { api, session } from '../session.js';
import { h, when, toast } from '../../shared/dom.js';
import { thread } from '../../shared/thread.js';
import { colleagueOptions, debounce, kind, takeError } from './helpers.js';
import { readingPosition } from './reading.js';
import { customerPanel, statusText } from './customer.js';
import { attachmentPicker, shownAttachments } from '../../shared/attachments.js';

export function conversation({ id, me, main, go }) {
  const head = h('div', { class: 'conversation-head' });
  const list = h('ol', { class: 'messages', id: 'conversation-messages', 'aria-live': 'polite' });
  const audit = h('details', { class: 'audit' });
  const composer = h('textarea', { id: 'composer', rows: '3', 'aria-label': 'Your message', placeholder: 'Write a reply — Enter sends, Shift+Enter for a new line' });
  const send = h('button', { id: 'send', type: 'submit' }, 'Send');
  const picker = attachmentPicker({ path: `/conversations/${id}/attachments`, token: () => session.token });
  const form = h('form', { class: 'composer', onsubmit: (event) => { event.preventDefault(); post(); } }, picker.button, picker.input, composer, send);
  // A mailed reply is drawn again when its delivery changes.
  const messages = thread({ list, path: `/conversations/${id}/messages`, api, render, replaces: (message) => !!message.delivery });
  // Reading settles my notifications of it: the bell counts again.
  const reading = readingPosition((seq) => api('POST', `/conversations/${id}/read`, { seq })
    .then(() => window.dispatchEvent(new CustomEvent('switchboard:read', { detail: { conversation_id: id } }))));
  const customer = customerPanel();
  main.replaceChildren(h('div', { class: 'conversation-layout' },
    h('section', { class: 'conversation-main' }, head, messages.earlier, list, audit, picker.tray, form), customer.element));
  picker.watch(composer, [main.querySelector('.conversation-main')]);
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
    try {
      const message = await api('POST', `/conversations/${id}/messages`,
        { body, client_message_id: crypto.randomUUID(), attachment_ids: files.length ? files : undefined });
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
    return h('li', { class: `message ${message.author.kind}`, 'data-seq': message.seq },
      h('div', { class: 'by' }, h('strong', {}, message.author.name), h('time', {}, when(message.created_at)), state),
      h('p', { class: 'body' }, message.body), shownAttachments(message.attachments, () => session.token));
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
    head.replaceChildren(
      h('h2', {}, c.customer.name, c.ticket ? h('span', { class: 'number' }, ` #${c.ticket.number}`) : null),
      h('p', { class: 'meta' }, kind(c), ' ', c.customer.email ?? '', ' · ',
        h('span', { id: 'holder' }, c.status === 'closed' ? statusText(c) : holder ? `with ${holder.name}` : 'waiting in the Pool')),
      h('div', { class: 'actions' }, actions));
    form.hidden = !mine || c.status === 'closed';
    if (form.hidden) picker.clear();
    audit.replaceChildren(h('summary', {}, 'Assignment history'),
      h('ul', {}, (c.audit ?? []).map((change) => h('li', {}, `${when(change.at)}: ${auditLine(change)}`))));
  }

  async function refresh() {
    current = await api('GET', `/conversations/${id}`);
    drawHead();
    if (customerShown !== current.customer.id) {
      customerShown = current.customer.id;
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
      const subject = frame.data?.conversation_id ?? frame.data?.id;
      if (subject !== id) return;
      if (frame.type === 'message.created') {
        messages.add(frame.data);
        reading.seen(frame.data.seq);
      } else if (frame.type === 'mail.updated') {
        // A mailed reply's delivery changed: draw the latest page again (mailed replies are redrawn).
        api('GET', `/conversations/${id}/messages?before_seq=${messages.latest + 1}`)
          .then((page) => page.items.forEach((message) => messages.add(message, false))).catch(() => {});
      } else later();
    },
    close: (tell) => reading.close(tell),
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
