// Initials in a coloured circle, the colour from the name, so one person keeps one colour in
// the console and the widget alike.

import { h } from './dom.js';

/** "Nazlıcan Kaya" → "NK"; one name → its first letter. */
export function initials(name) {
  const words = String(name ?? '').trim().split(/\s+/).filter(Boolean);
  if (!words.length) return '?';
  const first = [...words[0]][0] ?? '';
  const last = words.length > 1 ? [...words[words.length - 1]][0] ?? '' : '';
  return (first + last).toLocaleUpperCase();
}

/** A hue from the name: the same name is always the same colour. */
export function hue(name) {
  let hash = 0;
  for (const character of String(name ?? '')) hash = (hash * 31 + character.codePointAt(0)) >>> 0;
  return hash % 360;
}

/** The avatar of `name`. */
export function avatar(name, size = 'small') {
  const element = h('span', { class: `avatar ${size}`, title: name ?? '', 'aria-hidden': 'true' }, initials(name));
  // A property, not a style attribute: the pages' Content-Security-Policy refuses inline styles.
  element.style.backgroundColor = `hsl(${hue(name)} 55% 42%)`;
  return element;
}
