// Building the page without ever parsing HTML: every string becomes a text node, so a
// customer's `<img onerror=…>` shows as the characters it is. The console and the widget both
// draw with these.

/** h('button', {class: 'x', onclick: f}, 'Take it on me') */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    // A property, not an attribute: a textarea's attribute is not its text.
    else if (name === 'value') element.value = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** An instant as the reader's clock shows it: the time today, else date and time. */
export function when(instant) {
  if (!instant) return '';
  const date = new Date(instant);
  const today = new Date().toDateString() === date.toDateString();
  return today ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

/** A short message at the bottom of the screen. */
export function toast(text, kind = 'info') {
  const box = document.getElementById('toasts') ?? document.body.appendChild(h('div', { id: 'toasts', role: 'status' }));
  const item = h('div', { class: `toast ${kind}` }, text);
  box.append(item);
  setTimeout(() => item.remove(), 5000);
}
