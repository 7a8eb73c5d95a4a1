// One function per section. Each returns {refresh, handle(frame), close}: `refresh` loads and
// draws, `handle` applies a live frame, `close` lets go when the operator moves on.

import { api } from './session.js';
import { h, when, toast } from '../shared/dom.js';

/** Runs `work` at most once per `ms`, for bursts of live frames. */
function debounce(work, ms = 150) {
  let timer = null;
  return () => { clearTimeout(timer); timer = setTimeout(work, ms); };
}

function takeError(failure) {
  if (failure.code === 'already_taken') return `${failure.details.operator ?? 'A colleague'} already took it`;
  if (failure.code === 'unavailable') return 'Switch your availability on to take tickets';
  return failure.message;
}

/**
 * A list read a page at a time: `load()` draws the first page, the "More" button under it
 * appends the next while there is one. `page` is the API's {items, next_cursor, total}.
 */
function pagedList(list, path, row, empty) {
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

function kind(item) { return h('span', { class: `badge ${item.kind ?? item.channel}` }, (item.kind ?? item.channel) === 'chat' ? 'chat' : 'ticket'); }

function pool({ main, go }) {
  const list = h('ul', { class: 'items', id: 'pool-items' });
  const count = h('span', { id: 'pool-count', class: 'count' });
  const row = (item) => h('li', { class: 'item', 'data-id': item.id },
    h('div', { class: 'what' }, kind(item), h('strong', {}, item.customer?.name ?? ''), h('time', {}, when(item.waiting_since))),
    h('p', { class: 'preview' }, item.preview ?? ''),
    h('button', {
      class: 'take', onclick: async (event) => {
        event.target.disabled = true;
        try {
          await api('POST', `/pool/${item.id}/take`);
          go(`#/conversations/${item.id}`);
        } catch (failure) {
          toast(takeError(failure), 'error');
          refresh();
        }
      },
    }, 'Take it on me'));
  const pages = pagedList(list, () => '/pool', row, () => h('li', { class: 'empty' }, 'Nobody is waiting.'));
  main.replaceChildren(h('h2', {}, 'Pool ', count), h('p', { class: 'hint' }, 'Customers and tickets waiting, oldest first.'), list, pages.more);
  const refresh = async () => {
    await pages.load();
    count.textContent = pages.total ? `(${pages.total} waiting)` : '';
  };
  const later = debounce(refresh);
  return { refresh, handle: (frame) => { if (frame.type === 'pool.changed') later(); } };
}

function messages({ main }) {
  const list = h('ul', { class: 'items', id: 'my-messages' });
  const row = (conversation) => h('li', { class: 'item' },
    h('a', { href: `#/conversations/${conversation.id}`, class: 'open' },
      h('div', { class: 'what' }, kind(conversation), h('strong', {}, conversation.customer.name),
        conversation.ticket ? h('span', { class: 'number' }, `#${conversation.ticket.number}`) : null,
        conversation.unread ? h('span', { class: 'unread', 'aria-label': `${conversation.unread} unread` }, String(conversation.unread)) : null),
      h('p', { class: 'preview' }, conversation.last_message?.body ?? '')));
  const pages = pagedList(list, () => '/messages', row, () => h('li', { class: 'empty' }, 'Nothing in your Messages. Take someone from the Pool.'));
  main.replaceChildren(h('h2', {}, 'Messages'), h('p', { class: 'hint' }, 'Your open chats and tickets.'), list, pages.more);
  const refresh = () => pages.load();
  const later = debounce(refresh);
  return { refresh, handle: (frame) => { if (['message.created', 'conversation.assigned', 'conversation.closed'].includes(frame.type)) later(); } };
}

function conversation({ id, me, main, go }) {
  const head = h('div', { class: 'conversation-head' });
  const list = h('ol', { class: 'messages', id: 'conversation-messages', 'aria-live': 'polite' });
  const audit = h('details', { class: 'audit' });
  const composer = h('textarea', { id: 'composer', rows: '3', 'aria-label': 'Your message', placeholder: 'Write a reply — Enter sends, Shift+Enter for a new line' });
  const send = h('button', { id: 'send', type: 'submit' }, 'Send');
  const form = h('form', { class: 'composer', onsubmit: (event) => { event.preventDefault(); post(); } }, composer, send);
  // A long conversation shows its latest part; earlier messages load on scrolling back.
  const earlier = h('button', { class: 'link', id: 'earlier', hidden: true, onclick: () => loadEarlier() }, 'Earlier messages');
  main.replaceChildren(head, earlier, list, audit, form);
  let shown = new Map();
  let current = null;
  let older = null;
  list.addEventListener('scroll', () => { if (list.scrollTop === 0 && older) loadEarlier(); });

  composer.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); post(); }
  });

  async function post() {
    const body = composer.value.trim();
    if (!body) return;
    composer.value = '';
    try {
      const message = await api('POST', `/conversations/${id}/messages`, { body, client_message_id: crypto.randomUUID() });
      add(message);
    } catch (failure) {
      composer.value = body;
      toast(failure.code === 'not_assignee' ? 'Take it on you to write here' : failure.message, 'error');
    }
  }

  function add(message, scroll = true) {
    if (shown.has(message.seq)) {
      if (message.delivery) shown.get(message.seq).replaceWith(render(message));
      return;
    }
    const item = render(message);
    const after = [...shown.keys()].filter((seq) => seq > message.seq).sort((a, b) => a - b)[0];
    if (after !== undefined) list.insertBefore(item, shown.get(after)); else list.append(item);
    shown.set(message.seq, item);
    if (scroll) item.scrollIntoView({ block: 'nearest' });
  }

  async function loadEarlier() {
    const cursor = older;
    older = null;
    earlier.hidden = true;
    const page = await api('GET', `/conversations/${id}/messages?cursor=${encodeURIComponent(cursor)}`);
    const first = list.firstChild;
    page.items.forEach((message) => add(message, false));
    first?.scrollIntoView({ block: 'start' });
    older = page.next_cursor;
    earlier.hidden = !older;
  }

  function render(message) {
    const delivery = message.delivery;
    const state = delivery ? h('span', { class: `delivery ${delivery.status}`, title: delivery.last_error ?? '' },
      delivery.status === 'sent' ? 'e-mail sent' : delivery.status === 'failed' ? `e-mail failed: ${delivery.last_error ?? ''}` :
        `e-mail queued${delivery.next_attempt_at ? `, next try ${when(delivery.next_attempt_at)}` : ''}`) : null;
    const item = h('li', { class: `message ${message.author.kind}`, 'data-seq': message.seq },
      h('div', { class: 'by' }, h('strong', {}, message.author.name), h('time', {}, when(message.created_at)), state),
      h('p', { class: 'body' }, message.body));
    shown.set(message.seq, item);
    return item;
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
    if (mine && c.status !== 'closed') {
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
        id: 'close', onclick: async () => {
          try { await api('POST', `/conversations/${id}/close`); toast('Closed: it is in the Archive'); go('#/archive'); } catch (failure) { toast(failure.message, 'error'); }
        },
      }, 'Close'));
    }
    head.replaceChildren(
      h('h2', {}, c.customer.name, c.ticket ? h('span', { class: 'number' }, ` #${c.ticket.number}`) : null),
      h('p', { class: 'meta' }, kind(c), ' ', c.customer.email ?? '', ' · ',
        h('span', { id: 'holder' }, c.status === 'closed' ? 'closed' : holder ? `with ${holder.name}` : 'waiting in the Pool')),
      h('div', { class: 'actions' }, actions));
    form.hidden = !mine || c.status === 'closed';
    audit.replaceChildren(h('summary', {}, 'Assignment history'),
      h('ul', {}, (c.audit ?? []).map((change) => h('li', {},
        `${when(change.at)}: ${change.from ? `${change.from.name} → ` : ''}${change.to.name} (${change.how})`))));
  }

  async function refresh() {
    current = await api('GET', `/conversations/${id}`);
    drawHead();
    // The first time, the latest page; then whatever came after what is shown, page by page.
    let after = shown.size ? Math.max(...shown.keys()) : null;
    if (after === null) {
      const page = await api('GET', `/conversations/${id}/messages?before_seq=${(current.last_message?.seq ?? 0) + 1}`);
      page.items.forEach((message) => add(message));
      older = page.next_cursor;
      earlier.hidden = !older;
      after = shown.size ? Math.max(...shown.keys()) : 0;
    }
    for (;;) {
      const page = await api('GET', `/conversations/${id}/messages?after_seq=${after}`);
      page.items.forEach((message) => add(message));
      if (!page.next_cursor || !page.items.length) break;
      after = page.items[page.items.length - 1].seq;
    }
    const last = shown.size ? Math.max(...shown.keys()) : 0;
    if (last) api('POST', `/conversations/${id}/read`, { seq: last }).catch(() => {});
  }

  const later = debounce(refresh);
  return {
    refresh,
    handle(frame) {
      const subject = frame.data?.conversation_id ?? frame.data?.id;
      if (subject !== id) return;
      if (frame.type === 'message.created') {
        add(frame.data);
        api('POST', `/conversations/${id}/read`, { seq: frame.data.seq }).catch(() => {});
      } else later();
    },
  };
}

function archive({ main, go }) {
  const query = h('input', { type: 'search', id: 'archive-search', placeholder: 'Search messages, names, e-mail', 'aria-label': 'Search the Archive' });
  const hidden = h('input', { type: 'checkbox', id: 'archive-hidden' });
  const list = h('ul', { class: 'items', id: 'archive-items' });
  const form = h('form', { class: 'filters', onsubmit: (event) => { event.preventDefault(); refresh(); } },
    query, h('label', {}, hidden, ' Show hidden'), h('button', { type: 'submit' }, 'Search'));
  hidden.addEventListener('change', () => refresh());
  const row = (entry) => h('li', { class: `item${entry.hidden ? ' hidden' : ''}`, 'data-id': entry.id },
    h('a', { href: `#/conversations/${entry.id}` },
      h('div', { class: 'what' }, kind(entry), h('strong', {}, entry.customer.name), h('time', {}, when(entry.closed_at)),
        entry.closed_by ? h('span', { class: 'by' }, `closed by ${entry.closed_by.name}`) : null),
      h('p', { class: 'preview' }, entry.last_message?.body ?? '')),
    h('button', {
      class: 'hide', onclick: async () => {
        await api(entry.hidden ? 'DELETE' : 'POST', `/archive/${entry.id}/hide`);
        refresh();
      },
    }, entry.hidden ? 'Show' : 'Hide'));
  const path = () => {
    const parameters = new URLSearchParams();
    if (query.value.trim()) parameters.set('q', query.value.trim());
    if (hidden.checked) parameters.set('include_hidden', 'true');
    return `/archive?${parameters}`;
  };
  const pages = pagedList(list, path, row, () => h('li', { class: 'empty' }, 'Nothing here.'));
  main.replaceChildren(h('h2', {}, 'Archive'), form, list, pages.more);
  const refresh = () => pages.load();
  const later = debounce(refresh);
  return { refresh, handle: (frame) => { if (frame.type === 'conversation.closed') later(); } };
}

/** Every operator (a desk has tens; pages of 500 are read until the last). */
async function colleagues() {
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
async function colleagueOptions(me) {
  return (await colleagues()).filter((one) => one.available && one.id !== me?.id).map((one) => h('option', { value: one.id }, one.name));
}

function tickets({ me, main, go }) {
  const filter = h('select', { id: 'ticket-filter', 'aria-label': 'Which tickets' },
    h('option', { value: 'unassigned' }, 'Unassigned'), h('option', { value: 'mine' }, 'Mine'), h('option', { value: 'all' }, 'All'));
  filter.value = sessionStorage.getItem('switchboard.ticket-filter') ?? 'unassigned';
  filter.addEventListener('change', () => { sessionStorage.setItem('switchboard.ticket-filter', filter.value); refresh(); });
  const table = h('table', { class: 'tickets', id: 'tickets' });
  const body = h('tbody');
  table.append(h('thead', {}, h('tr', {}, ['Number', 'Customer', 'Subject', 'Holder', 'Status', 'Assign to'].map((title) => h('th', {}, title)))), body);
  let available = [];
  const row = (line) => {
    const pick = h('select', { 'aria-label': `Assign ticket ${line.number} to` }, h('option', { value: '' }, 'Choose…'),
      available.map((one) => h('option', { value: one.id }, one.id === me.id ? `${one.name} (me)` : one.name)));
    return h('tr', { 'data-id': line.id },
      h('td', {}, h('a', { href: `#/conversations/${line.id}` }, `#${line.number}`)),
      h('td', {}, line.customer.name, h('br'), h('small', {}, line.customer.email)),
      h('td', {}, line.subject),
      h('td', {}, line.holder?.name ?? '—'),
      h('td', {}, line.status),
      h('td', {}, line.status === 'closed' ? '' : h('span', { class: 'assign' }, pick, h('button', {
        onclick: async () => {
          if (!pick.value) return;
          try { await api('POST', `/tickets/${line.id}/assign`, { operator_id: pick.value }); toast(`#${line.number} assigned`); refresh(); }
          catch (failure) { toast(failure.message, 'error'); }
        },
      }, 'Assign'))));
  };
  const pages = pagedList(body, () => `/tickets?filter=${filter.value}`, row,
    () => h('tr', {}, h('td', { colspan: '6', class: 'empty' }, 'No tickets here.')));
  main.replaceChildren(h('h2', {}, 'Tickets'), h('div', { class: 'filters' }, filter), table, pages.more);
  const refresh = async () => {
    available = (await colleagues()).filter((one) => one.available);
    await pages.load();
  };
  const later = debounce(refresh);
  return { refresh, handle: (frame) => { if (['pool.changed', 'conversation.assigned', 'conversation.closed'].includes(frame.type)) later(); } };
}

const days = [['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'], ['fri', 'Friday'], ['sat', 'Saturday'], ['sun', 'Sunday']];

function customizations({ main }) {
  const refresh = async () => {
    const settings = await api('GET', '/settings');
    const hours = settings.working_hours;
    const field = (name, label, control) => h('div', { class: 'field' }, h('label', { for: name }, label), control);
    const text = (name, value) => h('textarea', { id: name, rows: '3', value });
    const greeting = text('greeting_message', settings.greeting_message);
    const offline = text('offline_message', settings.offline_message);
    const ack = text('ack_message', settings.ack_message);
    const always = h('input', { type: 'checkbox', id: 'always_open', checked: !hours });
    const timezone = h('input', { id: 'timezone', value: hours?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone });
    const weekly = Object.fromEntries(days.map(([day]) => [day, h('input', {
      id: `hours-${day}`, placeholder: 'closed — e.g. 09:00-18:00, 20:00-22:00',
      value: (hours?.weekly?.[day] ?? []).map(([from, to]) => `${from}-${to}`).join(', '),
    })]));
    const holidays = h('input', { id: 'holidays', placeholder: '2026-12-31, 2027-01-01', value: (hours?.holidays ?? []).join(', ') });
    // One-off closures: instants, edited in the admin's own timezone.
    const closures = [...(hours?.closures ?? [])];
    const closureList = h('ul', { class: 'closures', id: 'closures' });
    const drawClosures = () => closureList.replaceChildren(...closures.map((closure, index) => h('li', {},
      `${new Date(closure.from).toLocaleString()} – ${new Date(closure.to).toLocaleString()} `,
      h('button', { type: 'button', class: 'link', onclick: () => { closures.splice(index, 1); drawClosures(); } }, 'Remove'))));
    drawClosures();
    const closureFrom = h('input', { type: 'datetime-local', id: 'closure-from', 'aria-label': 'Closed from' });
    const closureTo = h('input', { type: 'datetime-local', id: 'closure-to', 'aria-label': 'Closed until' });
    const addClosure = h('button', {
      type: 'button', onclick: () => {
        if (!closureFrom.value || !closureTo.value) return;
        closures.push({ from: new Date(closureFrom.value).toISOString(), to: new Date(closureTo.value).toISOString() });
        closureFrom.value = ''; closureTo.value = '';
        drawClosures();
      },
    }, 'Add closure');
    const autoAssign = h('input', { type: 'checkbox', id: 'auto_assign', checked: settings.auto_assign });
    const noOperator = h('input', { type: 'checkbox', id: 'offline_when_no_operator', checked: settings.offline_when_no_operator });
    const maxChats = h('input', { type: 'number', id: 'max_chats_per_operator', min: '1', max: '100', value: String(settings.max_chats_per_operator) });
    const error = h('p', { class: 'error', role: 'alert' });
    const form = h('form', {
      class: 'settings', onsubmit: async (event) => {
        event.preventDefault();
        error.textContent = '';
        const document = {
          greeting_message: greeting.value, offline_message: offline.value, ack_message: ack.value,
          working_hours: always.checked ? null : {
            timezone: timezone.value.trim(),
            weekly: Object.fromEntries(days.map(([day]) => [day, weekly[day].value.split(',').map((range) => range.trim()).filter(Boolean)
              .map((range) => range.split('-').map((time) => time.trim()))]).filter(([, ranges]) => ranges.length)),
            holidays: holidays.value.split(',').map((day) => day.trim()).filter(Boolean),
            closures,
          },
          offline_when_no_operator: noOperator.checked, auto_assign: autoAssign.checked,
          max_chats_per_operator: Number(maxChats.value),
        };
        try {
          await api('PUT', '/settings', document);
          toast('Saved');
        } catch (failure) {
          error.textContent = failure.details?.field ? `${failure.details.field}: ${failure.message}` : failure.message;
        }
      },
    },
    field('greeting_message', 'Greeting (the first message of every chat)', greeting),
    field('offline_message', 'Offline message (the widget, while closed)', offline),
    field('ack_message', 'Acknowledgement (mailed for every new ticket)', ack),
    h('fieldset', {}, h('legend', {}, 'Working hours'),
      h('label', {}, always, ' Always open'),
      field('timezone', 'Timezone (IANA, e.g. Europe/Istanbul)', timezone),
      days.map(([day, name]) => field(`hours-${day}`, name, weekly[day])),
      field('holidays', 'Holidays (closed all day)', holidays),
      h('div', { class: 'field' }, h('span', {}, 'One-off closures'), closureList,
        h('div', { class: 'assign' }, closureFrom, closureTo, addClosure))),
    h('label', {}, noOperator, ' Offline when no operator is available'),
    h('label', {}, autoAssign, ' Give new chats to available operators automatically'),
    field('max_chats_per_operator', 'Chats per operator at most', maxChats),
    error,
    h('button', { type: 'submit', id: 'save-settings' }, 'Save'));
    main.replaceChildren(h('h2', {}, 'Customizations'), form);
  };
  return { refresh };
}

function operators({ main }) {
  const list = h('table', { class: 'operators' });
  const name = h('input', { id: 'new-name', required: true });
  const email = h('input', { id: 'new-email', type: 'email', required: true });
  const password = h('input', { id: 'new-password', type: 'password', required: true, minlength: '8' });
  const role = h('select', { id: 'new-role' }, h('option', { value: 'operator' }, 'Operator'), h('option', { value: 'admin' }, 'Admin'));
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', {
    class: 'new-operator', onsubmit: async (event) => {
      event.preventDefault();
      try {
        await api('POST', '/operators', { name: name.value, email: email.value, password: password.value, role: role.value });
        form.reset();
        error.textContent = '';
        refresh();
      } catch (failure) { error.textContent = failure.details?.field ? `${failure.details.field}: ${failure.message}` : failure.message; }
    },
  }, h('h3', {}, 'New operator'),
  h('label', { for: 'new-name' }, 'Name'), name, h('label', { for: 'new-email' }, 'E-mail'), email,
  h('label', { for: 'new-password' }, 'Password'), password, h('label', { for: 'new-role' }, 'Role'), role, error,
  h('button', { type: 'submit' }, 'Create'));
  main.replaceChildren(h('h2', {}, 'Operators'), list, form);
  const refresh = async () => {
    const all = await colleagues();
    list.replaceChildren(h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'E-mail'), h('th', {}, 'Role'), h('th', {}, 'Available'), h('th', {}, 'Open chats'))),
      h('tbody', {}, all.map((one) => h('tr', {}, h('td', {}, one.name), h('td', {}, one.email), h('td', {}, one.role),
        h('td', {}, one.available ? 'yes' : 'no'), h('td', {}, String(one.load))))));
  };
  return { refresh };
}

export const views = { pool, messages, tickets, conversations: conversation, archive, customizations, operators };
