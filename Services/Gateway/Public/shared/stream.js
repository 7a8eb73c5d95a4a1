// A live stream that resumes: the token as the first frame (a browser cannot set headers on a
// WebSocket), every frame's cursor remembered, and on any drop a reconnect, with a growing
// delay, that resumes from that cursor, so nothing is missed and nothing repeats. The console
// follows /api/v1/stream, the widget /api/v1/visitor/stream.

const firstDelay = 500;
const longestDelay = 10000;

export class LiveStream {
  /**
   * `path`: the stream's path. `token()`: the token to send (read at every connect).
   * `onEvent(frame)`: each event frame, `{type, cursor, data}`. `onState('live' | 'reconnecting')`:
   * live once the server is ready (after replaying what was missed), reconnecting after a drop.
   * `onEnded(error)`: the server refused the token (`error` is the API's error body); the stream
   * has stopped for good.
   */
  constructor(path, { token, onEvent, onState = () => {}, onEnded = () => {} }) {
    this.path = path;
    this.token = token;
    this.onEvent = onEvent;
    this.onState = onState;
    this.onEnded = onEnded;
    this.cursor = null;
    this.delay = firstDelay;
    this.stopped = false;
    this.socket = null;
    this.timer = null;
  }

  start() {
    if (this.stopped) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const query = this.cursor ? `?cursor=${encodeURIComponent(this.cursor)}` : '';
    const socket = new WebSocket(`${scheme}://${location.host}${this.path}${query}`);
    this.socket = socket;
    socket.onopen = () => socket.send(JSON.stringify({ token: this.token() }));
    socket.onmessage = (message) => {
      if (this.socket !== socket || this.stopped) return;
      let frame;
      try { frame = JSON.parse(message.data); } catch { return; }
      if (frame.cursor) this.cursor = frame.cursor;
      switch (frame.type) {
        case 'ready': this.delay = firstDelay; this.live = true; this.onState('live'); break;
        // A resync is followed by the server closing: the reconnect below replays from the cursor.
        case 'heartbeat': case 'resync': break;
        case 'error': this.refused(frame.data); break;
        default: this.onEvent(frame);
      }
    };
    socket.onclose = () => {
      if (this.socket !== socket || this.stopped) return;
      this.live = false;
      this.onState('reconnecting');
      this.timer = setTimeout(() => this.start(), this.delay);
      this.delay = Math.min(this.delay * 2, longestDelay);
    };
  }

  /** Sends a frame of the client's own (typing) while the stream is live; dropped otherwise. */
  send(frame) {
    if (this.live && this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  /** The server's `error` frame; it closes the socket after it. */
  refused(body) {
    const error = body?.error ?? {};
    if (error.code === 'unauthorized') {
      this.stop();
      this.onEnded(body);
    } else if (error.details?.field === 'cursor') {
      // A cursor the server no longer knows: start from now (the views reload on `live`).
      this.cursor = null;
    }
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close();
  }
}
