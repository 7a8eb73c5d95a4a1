// Desktop alerts: a chat waiting in the Pool (or waiting too long) shows a notification of the
// browser's own, so an operator working in another tab or window still hears of it. Permission
// is asked for once, on the operator's own click; a refusal is respected and never asked again.

const asked = 'switchboard.alerts-asked';
const alerting = new Set(['pool.waiting', 'pool.waiting_long']);

export class DesktopAlerts {
  constructor(open) {
    this.open = open;
  }

  get supported() { return typeof Notification !== 'undefined'; }

  /** Whether to offer the "Desktop alerts" button: supported, undecided, and not asked before. */
  get undecided() {
    return this.supported && Notification.permission === 'default' && localStorage.getItem(asked) !== 'yes';
  }

  /** Asks the browser, once (call it from a click). */
  async ask() {
    if (!this.undecided) return this.supported ? Notification.permission : 'unsupported';
    localStorage.setItem(asked, 'yes');
    try { return await Notification.requestPermission(); } catch { return 'denied'; }
  }

  handle(frame) {
    if (frame.type !== 'notification.created' || !alerting.has(frame.data?.kind)) return;
    if (!this.supported || Notification.permission !== 'granted') return;
    try {
      const alert = new Notification('Switchboard', { body: frame.data.text, tag: `pool-${frame.data.conversation_id}` });
      alert.onclick = () => { window.focus(); this.open(frame.data.conversation_id); alert.close(); };
    } catch {}
  }
}
