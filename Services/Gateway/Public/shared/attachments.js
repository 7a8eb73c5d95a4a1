// Files in a conversation, as the console and the widget both handle them. Attaching: the
// paperclip button, a file dropped on the conversation, an image pasted into the composer; each
// uploads at once (its progress, or why it failed, on a chip in the tray) and goes with the next
// message. Showing: images as thumbnails (a click opens them full size), other files as a chip
// with name and size that downloads. The file is fetched with the Authorization header and
// shown from a blob: URL, so no token ever goes into a URL.

import { h } from './dom.js';

/** "12 KB" for a size in bytes. */
export function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

const images = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
/** id → a promise of its blob: URL (a file never changes under its id). */
const fetched = new Map();

function blobURL(id, token) {
  if (!fetched.has(id)) {
    const loading = fetch(`/api/v1/attachments/${id}`, { headers: token() ? { Authorization: `Bearer ${token()}` } : {} })
      .then((response) => { if (!response.ok) throw new Error(`HTTP ${response.status}`); return response.blob(); })
      .then((blob) => URL.createObjectURL(blob));
    loading.catch(() => fetched.delete(id));
    fetched.set(id, loading);
  }
  return fetched.get(id);
}

/** The full-size image over the page; a click or Escape closes it. */
function viewer(url, name) {
  const close = () => { overlay.remove(); document.removeEventListener('keydown', onKey); };
  const onKey = (event) => { if (event.key === 'Escape') close(); };
  const overlay = h('div', { class: 'attachment-viewer', role: 'dialog', 'aria-label': name, onclick: close },
    h('img', { src: url, alt: name }));
  document.addEventListener('keydown', onKey);
  document.body.append(overlay);
}

/** A message in one line, for lists: its words, or its files ("📎 fatura.pdf", "📎 3 files"). */
export function preview(message) {
  if (!message) return '';
  if (message.body) return message.body;
  const files = message.attachments ?? [];
  if (!files.length) return '';
  return files.length === 1 ? `📎 ${files[0].filename}` : `📎 ${files.length} files`;
}

/** A message's files: `<div class="attachments">` with thumbnails and chips, or null. */
export function shownAttachments(attachments, token) {
  if (!attachments?.length) return null;
  return h('div', { class: 'attachments' }, attachments.map((file) => {
    if (images.has(file.content_type)) {
      const img = h('img', { class: 'thumbnail', alt: file.filename, title: `${file.filename} (${size(file.size)})`, 'data-attachment': file.id });
      blobURL(file.id, token).then((url) => { img.src = url; }).catch(() => { img.alt = `${file.filename} (not available)`; });
      return h('button', {
        type: 'button', class: 'thumbnail-button', 'aria-label': `Open ${file.filename}`,
        onclick: () => blobURL(file.id, token).then((url) => viewer(url, file.filename)).catch(() => {}),
      }, img);
    }
    return h('button', {
      type: 'button', class: 'file-chip', 'data-attachment': file.id, title: `Download ${file.filename}`,
      onclick: () => blobURL(file.id, token).then((url) => {
        const link = h('a', { href: url, download: file.filename, hidden: true });
        document.body.append(link);
        link.click();
        link.remove();
      }).catch(() => {}),
    }, h('span', { class: 'file-name' }, file.filename), h('span', { class: 'file-size' }, size(file.size)));
  }));
}

/**
 * The composer's files. `path`: the upload route under /api/v1 (the conversation's
 * `…/attachments`). `token()`: the bearer token. Returns {button, tray, input, watch(area, drop),
 * ids(), busy(), clear()}: the paperclip, the tray of chips, and the hooks for paste and drop
 * (`watch(area, zones)`).
 */
export function attachmentPicker({ path, token, maximum = 10 }) {
  const input = h('input', { type: 'file', multiple: true, hidden: true, class: 'attachment-input', 'aria-label': 'Attach files' });
  const button = h('button', {
    type: 'button', class: 'attach', title: 'Attach a file', 'aria-label': 'Attach a file', onclick: () => input.click(),
  });
  const tray = h('ul', { class: 'attachment-tray', hidden: true, 'aria-live': 'polite' });
  /** Each chip: {file, element, id, state: uploading|ready|failed}. */
  let items = [];

  input.addEventListener('change', () => { add([...input.files]); input.value = ''; });

  function redraw() { tray.hidden = items.length === 0; }

  function add(files) {
    for (const file of files) {
      if (items.length >= maximum) break;
      upload(file);
    }
  }

  function upload(file) {
    const name = file.name || `pasted-${new Date().toISOString().replace(/[:.]/g, '-')}.${(file.type.split('/')[1] || 'bin')}`;
    const progress = h('progress', { max: '100', value: '0' });
    const status = h('span', { class: 'status' }, 'uploading…');
    const remove = h('button', { type: 'button', class: 'link remove', 'aria-label': `Remove ${name}` }, '×');
    const element = h('li', { class: 'attachment-chip uploading' }, h('span', { class: 'file-name' }, name), h('span', { class: 'file-size' }, size(file.size)), progress, status, remove);
    const item = { file, element, id: null, state: 'uploading' };
    items.push(item);
    tray.append(element);
    redraw();
    const request = new XMLHttpRequest();
    remove.addEventListener('click', () => { request.abort(); items = items.filter((other) => other !== item); element.remove(); redraw(); });
    request.open('POST', `/api/v1${path}?filename=${encodeURIComponent(name)}`);
    if (token()) request.setRequestHeader('Authorization', `Bearer ${token()}`);
    request.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    request.upload.addEventListener('progress', (event) => { if (event.lengthComputable) progress.value = String(Math.round(100 * event.loaded / event.total)); });
    const failed = (words) => {
      item.state = 'failed';
      element.className = 'attachment-chip failed';
      progress.remove();
      status.textContent = words;
    };
    request.addEventListener('load', () => {
      let body = null;
      try { body = JSON.parse(request.responseText); } catch {}
      if (request.status === 201 && body?.id) {
        item.id = body.id;
        item.state = 'ready';
        element.className = 'attachment-chip ready';
        progress.remove();
        status.textContent = '';
      } else {
        failed(body?.error?.message ?? `upload failed (HTTP ${request.status})`);
      }
    });
    request.addEventListener('error', () => failed('upload failed: the connection broke'));
    request.send(file);
  }

  /** Paste (images, files) into `area`, and drop on any of `zones`. */
  function watch(area, zones = [area]) {
    area.addEventListener('paste', (event) => {
      const files = [...(event.clipboardData?.files ?? [])];
      if (!files.length) return;
      event.preventDefault();
      add(files);
    });
    for (const zone of zones) {
      zone.addEventListener('dragover', (event) => {
        if (![...(event.dataTransfer?.types ?? [])].includes('Files')) return;
        event.preventDefault();
        zone.classList.add('dropping');
      });
      zone.addEventListener('dragleave', () => zone.classList.remove('dropping'));
      zone.addEventListener('drop', (event) => {
        zone.classList.remove('dropping');
        const files = [...(event.dataTransfer?.files ?? [])];
        if (!files.length) return;
        event.preventDefault();
        add(files);
      });
    }
  }

  return {
    button, tray, input, watch,
    /** The ids of the files uploaded and ready to go. */
    ids: () => items.filter((item) => item.state === 'ready').map((item) => item.id),
    /** Whether a file is still on its way up. */
    busy: () => items.some((item) => item.state === 'uploading'),
    /** Empties the tray once a message has carried its files. */
    clear: () => { items = []; tray.replaceChildren(); redraw(); },
  };
}
