// The operator's live stream: the token as the first frame (a browser cannot set headers on a
// WebSocket), every frame's cursor remembered, and on any drop a reconnect that resumes from
// that cursor, so nothing is missed and nothing repeats.

export class LiveStream {
  constructor(token, { onEvent, onState }) {
    this.token = token;
    this.onEvent = onEvent;
    this.onState = onState;
    this.cursor = null;
    this.delay = 500;
    this.stopped = false;
  }

  start() {
    if (this.stopped) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const query = this.cursor ? `?cursor=${encodeURIComponent(this.cursor)}` : '';
    const socket = new WebSocket(`${scheme}://${location.host}/api/v1/stream${query}`);
    this.socket = socket;
    socket.onopen = () => socket.send(JSON.stringify({ token: this.token }));
    socket.onmessage = (message) => {
      const frame = JSON.parse(message.data);
      if (frame.cursor) this.cursor = frame.cursor;
      switch (frame.type) {
        case 'ready': this.delay = 500; this.onState('live'); break;
        case 'heartbeat': case 'resync': break;
        case 'error':
          if (frame.data?.error?.code === 'unauthorized') { this.stop(); window.dispatchEvent(new Event('switchboard:logged-out')); }
          else if (frame.data?.error?.details?.field === 'cursor') this.cursor = null;
          break;
        default: this.onEvent(frame);
      }
    };
    socket.onclose = () => {
      if (this.stopped) return;
      this.onState('reconnecting');
      setTimeout(() => this.start(), this.delay);
      this.delay = Math.min(this.delay * 2, 10000);
    };
  }

  stop() {
    this.stopped = true;
    this.socket?.close();
  }
}
