// Customizations (admins): the greeting, offline and acknowledgement messages, working hours
// with holidays and one-off closures, and how chats are handed out; and, for every operator,
// canned responses (screens/canned-settings.js: the desk's for admins, their own for all).

import { api } from '../session.js';
import { h, toast } from '../../shared/dom.js';
import { blocksSection } from './blocks.js';
import { cannedSection } from './canned-settings.js';

const days = [['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'], ['fri', 'Friday'], ['sat', 'Saturday'], ['sun', 'Sunday']];

export function customizations({ me, main }) {
  const refresh = async () => {
    const canned = cannedSection(me);
    // Operators who are not admins manage their own canned responses here, and nothing else.
    if (me.role !== 'admin') {
      main.replaceChildren(h('h2', {}, 'Customizations'), canned.element);
      return canned.load();
    }
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
    // Empty: quiet chats stay open.
    const idle = h('input', { type: 'number', id: 'idle_close_minutes', min: '1', max: '10080', placeholder: 'never', value: settings.idle_close_minutes == null ? '' : String(settings.idle_close_minutes) });
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
          idle_close_minutes: idle.value.trim() === '' ? null : Number(idle.value),
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
    field('idle_close_minutes', 'Close a chat after this many quiet minutes (the customer is not waiting for us; empty: never)', idle),
    error,
    h('button', { type: 'submit', id: 'save-settings' }, 'Save'));
    const blocks = blocksSection();
    main.replaceChildren(h('h2', {}, 'Customizations'), form, canned.element, blocks.element);
    blocks.load();
    canned.load();
  };
  return { refresh };
}
