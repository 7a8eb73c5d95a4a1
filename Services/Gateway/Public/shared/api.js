// The public API as the pages call it. The console and the widget differ only in where their
// token lives and in what a 401 means to them, so each makes its own `api` from these.

/** A token kept in this origin's localStorage under `key` (null when there is none). */
export function storedToken(key) {
  return {
    get token() { return localStorage.getItem(key); },
    set token(value) { value ? localStorage.setItem(key, value) : localStorage.removeItem(key); },
  };
}

/** A refused request: `status`, and the error body's `code`, `message` and `details`. */
export class APIError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
    this.details = body?.error?.details ?? {};
  }
}

/**
 * `api(method, path, body)` for `/api/v1{path}`, with `store.token` as the bearer token. A
 * refusal throws an APIError; a 401 first calls `onUnauthorized(path)`.
 */
export function apiClient({ store, onUnauthorized = () => {} }) {
  return async function api(method, path, body) {
    const headers = {};
    const token = store.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    // A proxy in front of the desk may answer with a page of its own: no body to read then.
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch {}
    if (!response.ok) {
      if (response.status === 401) onUnauthorized(path);
      throw new APIError(response.status, data);
    }
    return data;
  };
}
