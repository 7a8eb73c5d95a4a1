// The console's session: the operator's token in localStorage, and the API called with it. A
// 401 anywhere but at the login means the session ended (logged out elsewhere, expired): the
// console goes back to the login page.

import { APIError, apiClient, storedToken } from '../shared/api.js';

export const session = storedToken('switchboard.session');

/** Forgets the token and tells the console (app.js) to show the login page. */
export function sessionEnded() {
  session.token = null;
  window.dispatchEvent(new Event('switchboard:logged-out'));
}

export const api = apiClient({ store: session, onUnauthorized: (path) => { if (path !== '/auth/login') sessionEnded(); } });

export { APIError };
