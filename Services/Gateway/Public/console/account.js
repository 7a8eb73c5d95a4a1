// The operator's own account: "Forgot password?" on the login page, the page a mailed reset
// link opens (`/console/#reset=<token>`: in the fragment, so no server or referrer sees it),
// and the profile menu in the top bar with "Change my password".

import { api } from './session.js';
import { h, toast } from '../shared/dom.js';
import { describe, field, formDialog } from './dialogs.js';

/** The token of a reset link this page was opened with, or null. */
export function resetToken() {
  const found = location.hash.match(/^#reset=([A-Za-z0-9_-]{1,200})$/);
  return found ? found[1] : null;
}

/** "Forgot password?": asks for the e-mail; the answer is the same whether it is known or not. */
export function showForgot(app, back) {
  const email = h('input', { id: 'forgot-email', type: 'email', autocomplete: 'username', required: true });
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', {
    class: 'login', id: 'forgot-form',
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        await api('POST', '/auth/password-reset', { email: email.value });
        form.replaceChildren(
          h('h1', {}, 'Check your mail'),
          h('p', { id: 'forgot-sent' }, `If ${email.value} belongs to an operator, a link to choose a new password is on its way. It works once, within an hour.`),
          h('button', { type: 'button', class: 'link', onclick: back }, 'Back to log in'));
      } catch (failure) {
        error.textContent = describe(failure);
      }
    },
  },
  h('h1', {}, 'Forgot password?'),
  h('p', { class: 'hint' }, 'We will mail you a link to choose a new one.'),
  h('label', { for: 'forgot-email' }, 'E-mail'), email,
  error,
  h('button', { type: 'submit', id: 'forgot-send' }, 'Send the link'),
  h('button', { type: 'button', class: 'link', onclick: back }, 'Back to log in'));
  app.replaceChildren(form);
  email.focus();
}

/** The page a reset link opens: the new password twice. */
export function showReset(app, token, back) {
  const password = h('input', { id: 'reset-password', type: 'password', autocomplete: 'new-password', required: true, minlength: '8' });
  const again = h('input', { id: 'reset-again', type: 'password', autocomplete: 'new-password', required: true, minlength: '8' });
  const error = h('p', { class: 'error', role: 'alert' });
  // The token is of no use in the address bar or the history from here on.
  history.replaceState(null, '', location.pathname);
  const leave = () => back();
  const form = h('form', {
    class: 'login', id: 'reset-form',
    onsubmit: async (event) => {
      event.preventDefault();
      if (password.value !== again.value) { error.textContent = 'The two passwords differ.'; return; }
      try {
        await api('POST', '/auth/password-reset/confirm', { token, new_password: password.value });
        form.replaceChildren(
          h('h1', {}, 'Password changed'),
          h('p', { id: 'reset-done' }, 'Your new password works from now on; every session you had has ended.'),
          h('button', { type: 'button', id: 'reset-login', onclick: leave }, 'Log in'));
      } catch (failure) {
        error.textContent = failure.code === 'expired'
          ? 'This link was used already or is more than an hour old. Ask for a new one with "Forgot password?".'
          : describe(failure);
      }
    },
  },
  h('h1', {}, 'Choose a new password'),
  h('label', { for: 'reset-password' }, 'New password (8 to 72 bytes)'), password,
  h('label', { for: 'reset-again' }, 'The same again'), again,
  error,
  h('button', { type: 'submit', id: 'reset-save' }, 'Save the new password'),
  h('button', { type: 'button', class: 'link', onclick: leave }, 'Back to log in'));
  app.replaceChildren(form);
  password.focus();
}

/** The top bar's name, opening a menu with "Change my password". */
export function profileMenu(me) {
  const menu = h('ul', { class: 'profile-menu', role: 'menu', hidden: true },
    h('li', { role: 'none' }, h('button', { type: 'button', role: 'menuitem', id: 'change-password', onclick: () => { close(); changePassword(); } }, 'Change my password')));
  const button = h('button', {
    type: 'button', id: 'profile', class: 'link', 'aria-haspopup': 'menu', 'aria-expanded': 'false',
    onclick: () => (menu.hidden ? open() : close()),
  }, h('span', { class: 'who' }, me.name), h('span', { 'aria-hidden': 'true' }, ' ▾'));
  const box = h('span', { class: 'profile' }, button, menu);
  const outside = (event) => { if (!box.contains(event.target)) close(); };
  function open() {
    menu.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    document.addEventListener('click', outside);
  }
  function close() {
    menu.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    document.removeEventListener('click', outside);
  }
  return box;
}

/** "Change my password": the current one, the new one twice; my other sessions end. */
async function changePassword() {
  const current = h('input', { id: 'my-current-password', type: 'password', autocomplete: 'current-password', required: true });
  const password = h('input', { id: 'my-new-password', type: 'password', autocomplete: 'new-password', required: true, minlength: '8' });
  const again = h('input', { id: 'my-new-password-again', type: 'password', autocomplete: 'new-password', required: true, minlength: '8' });
  const changed = await formDialog({
    id: 'password-dialog', title: 'Change my password', submitLabel: 'Change',
    text: 'Your other sessions end; this one stays.',
    fields: [field('Current password', current), field('New password (8 to 72 bytes)', password), field('The same again', again)],
    submit: async () => {
      if (password.value !== again.value) throw new Error('The two new passwords differ.');
      try {
        await api('PUT', '/me/password', { current_password: current.value, new_password: password.value });
      } catch (failure) {
        if (failure.code === 'wrong_password') throw new Error('The current password is not right.');
        throw failure;
      }
    },
  });
  if (changed) toast('Your password is changed');
}
