// Team (admins): each operator's presence, what they take, and their open jobs with how long each
// customer has waited for an answer. It follows the desk live, and re-reads presence every 15 s
// (presence changes by the clock, not by events).

import { api } from '../session.js';
import { h } from '../../shared/dom.js';
import { debounce, kind, pagedList } from './helpers.js';

const presenceWords = { online: 'Online', away: 'Away', offline: 'Offline' };

/** "45 s", "3 min", "2 h 5 min". */
export function waited(seconds) {
  if (seconds == null) return '';
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  const minutes = Math.floor((seconds % 3600) / 60);
  return `${Math.floor(seconds / 3600)} h${minutes ? ` ${minutes} min` : ''}`;
}

export function team({ main }) {
  const body = h('tbody', { id: 'team-rows' });
  const row = (member) => h('tr', { 'data-id': member.id },
    h('td', {}, h('strong', {}, member.name), h('div', { class: 'hint' }, member.role === 'admin' ? 'admin' : '')),
    h('td', {}, h('span', { class: `presence ${member.presence}` }, presenceWords[member.presence] ?? member.presence)),
    h('td', {}, [member.availability?.chats ? 'chats' : null, member.availability?.tickets ? 'tickets' : null].filter(Boolean).join(', ') || '—'),
    h('td', {}, h('span', { class: 'open-jobs' }, String(member.open_jobs ?? 0)),
      member.jobs?.length ? h('ul', { class: 'jobs' }, member.jobs.map((job) => h('li', {},
        kind(job), ' ',
        h('a', { href: `#/conversations/${job.conversation_id}` }, job.customer?.name ?? ''),
        job.waiting_seconds != null ? h('span', { class: 'waiting' }, ` waiting ${waited(job.waiting_seconds)}`) : h('span', { class: 'hint' }, ' nothing unanswered')))) : null));
  const pages = pagedList(body, () => '/team', row, () => h('tr', {}, h('td', { colspan: '4', class: 'empty' }, 'No operators yet.')));
  main.replaceChildren(
    h('h2', {}, 'Team'),
    h('p', { class: 'hint' }, 'Who is at the desk, what they take, and the customers waiting on them. Open a job to hand it on, return it to the Pool or close it.'),
    h('table', { class: 'operators team' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Operator'), h('th', {}, 'Presence'), h('th', {}, 'Takes'), h('th', {}, 'Open jobs'))),
      body),
    pages.more);
  const refresh = () => pages.load();
  const later = debounce(refresh, 300);
  const timer = setInterval(refresh, 15000);
  return {
    refresh,
    handle: (frame) => {
      if (['pool.changed', 'conversation.assigned', 'conversation.returned', 'conversation.closed', 'message.created'].includes(frame.type)) later();
    },
    close: () => clearInterval(timer),
  };
}
