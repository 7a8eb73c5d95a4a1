// The console's modal dialogs: a small form in a <dialog> (Escape or Cancel closes it), and a
// yes/no question before something that cannot be taken back at once.

import { h } from '../shared/dom.js';

/** A refusal in the operator's words: the field it is about, or the wait a limit asks for. */
export function describe(failure) {
  if (failure.status === 429) return 'Too many attempts; try again in a while.';
  return failure.details?.field ? `${failure.details.field}: ${failure.message}` : failure.message;
}

/**
 * Opens a modal form `id` with `fields` (elements); `submit()` does the work and throws to keep
 * it open with the reason shown. Resolves true once submitted, false when cancelled.
 */
export function formDialog({ id, title, text, fields = [], submitLabel, submit }) {
  return new Promise((resolve) => {
    const error = h('p', { class: 'error', role: 'alert' });
    let done = false;
    const dialog = h('dialog', { id, class: 'dialog', 'aria-labelledby': `${id}-title` });
    const form = h('form', {
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          await submit();
          done = true;
          dialog.close();
        } catch (failure) {
          error.textContent = describe(failure);
        }
      },
    },
    h('h3', { id: `${id}-title` }, title),
    text ? h('p', {}, text) : null,
    ...fields,
    error,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', id: `${id}-submit` }, submitLabel),
      h('button', { type: 'button', id: `${id}-cancel`, onclick: () => dialog.close() }, 'Cancel')));
    dialog.append(form);
    dialog.addEventListener('close', () => { dialog.remove(); resolve(done); });
    document.body.append(dialog);
    dialog.showModal();
    form.querySelector('input, select')?.focus();
  });
}

/** A labelled input for a dialog: `h('input', …)` with its label, as one grid cell. */
export function field(label, input) {
  return h('label', { class: 'field', for: input.id }, h('span', {}, label), input);
}
