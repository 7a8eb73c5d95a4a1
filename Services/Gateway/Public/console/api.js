// The public API, as the console calls it.

const key = 'switchboard.session';

export const session = {
  get token() { return localStorage.getItem(key); },
  set token(value) { value ? localStorage.setItem(key, value) : localStorage.removeItem(key); },
};

export class APIError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
    this.details = body?.error?.details ?? {};
  }
}

export async function api(method, path, body) {
  const headers = {};
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    if (response.status === 401 && path !== '/auth/login') {
      session.token = null;
      window.dispatchEvent(new Event('switchboard:logged-out'));
    }
    throw new APIError(response.status, data);
  }
  return data;
}
