// After a chat: "E-mail me this conversation", with the address the customer gave (if any)
// filled in. Each address gets a chat's transcript once; asking again says it was sent.

import { h } from '../shared/dom.js';

/** The offer under an ended chat: a link that opens a one-field form. */
export function transcriptOffer(api, conversation) {
  const email = h('input', { id: 'transcript-email', type: 'email', autocomplete: 'email', required: true, 'aria-label': 'Your e-mail' });
  email.value = conversation.customer?.email ?? '';
  const said = h('p', { id: 'transcript-said', role: 'status' });
  const form = h('form', {
    id: 'transcript-form', class: 'transcript', hidden: true, onsubmit: async (event) => {
      event.preventDefault();
      try {
        await api('POST', `/visitor/conversations/${conversation.id}/transcript`, { email: email.value });
        form.replaceChildren(h('p', { id: 'transcript-sent' }, `The transcript is on its way to ${email.value}.`));
      } catch (failure) {
        said.textContent = failure.code === 'already_sent' ? `It was sent to ${email.value} already.` : failure.message;
      }
    },
  }, email, h('button', { type: 'submit', id: 'send-transcript' }, 'Send'), said);
  const open = h('button', {
    type: 'button', class: 'link', id: 'email-transcript', onclick: () => {
      open.hidden = true;
      form.hidden = false;
      email.focus();
    },
  }, 'E-mail me this conversation');
  return h('div', { class: 'after-chat' }, open, form);
}
