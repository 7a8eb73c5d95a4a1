// After the chat: "How was it?" with 1 to 5 stars and an optional comment, given once; then
// thanks and the score. A conversation rated already (here or in another tab) shows the thanks.

import { h } from '../shared/dom.js';

const words = ['', 'Bad', 'Poor', 'Okay', 'Good', 'Great'];

/** Stars as text: ★★★★☆ for 4. */
export function stars(score) {
  return '★'.repeat(score) + '☆'.repeat(5 - score);
}

/** The rating box of a closed conversation: `rating` is the one given, if any. */
export function ratingBox({ api, conversationId, rating }) {
  const box = h('div', { class: 'rating', id: 'rating' });
  const thanks = (given) => box.replaceChildren(
    h('p', { id: 'rating-thanks' }, 'Thank you for your feedback!'),
    h('p', { class: 'stars given', 'aria-label': `${given.score} of 5` }, stars(given.score), ' ', h('span', {}, `${given.score}/5`)),
    given.comment ? h('p', { class: 'comment' }, given.comment) : null);
  if (rating) { thanks(rating); return box; }
  let score = 0;
  const error = h('p', { class: 'error', role: 'alert' });
  const comment = h('textarea', { id: 'rating-comment', rows: '2', maxlength: '1000', placeholder: 'Anything to add? (optional)', 'aria-label': 'Comment' });
  const send = h('button', { type: 'submit', id: 'rating-send', disabled: true }, 'Send');
  const buttons = [1, 2, 3, 4, 5].map((value) => h('button', {
    type: 'button', class: 'star', id: `star-${value}`, title: words[value], 'aria-label': `${value} of 5: ${words[value]}`,
    onclick: () => {
      score = value;
      buttons.forEach((button, index) => { button.classList.toggle('on', index < value); button.setAttribute('aria-pressed', String(index < value)); });
      send.disabled = false;
    },
  }, '★'));
  box.append(h('form', {
    onsubmit: async (event) => {
      event.preventDefault();
      if (!score) return;
      send.disabled = true;
      try {
        thanks(await api('POST', `/visitor/conversations/${conversationId}/rating`, { score, comment: comment.value.trim() || undefined }));
      } catch (failure) {
        if (failure.code === 'already_rated') {
          const view = await api('GET', `/visitor/conversations/${conversationId}`).catch(() => null);
          if (view?.rating) return thanks(view.rating);
        }
        error.textContent = failure.message;
        send.disabled = false;
      }
    },
  }, h('p', { class: 'ask' }, 'How was it?'), h('div', { class: 'stars', role: 'group', 'aria-label': 'Your rating' }, buttons), comment, error, send));
  return box;
}
