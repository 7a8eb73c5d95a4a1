// How far the operator has read a conversation (`POST /conversations/{id}/read {seq}`), told
// without a request per message: a burst of arriving messages is one post of the highest seq.

/**
 * `post(seq)` tells the server. `opened(seq)` posts at once (the view just opened), `seen(seq)`
 * at most once per `interval`; never two requests at a time; nothing while the page is hidden,
 * since nobody reads it then (what waited goes out when it is shown again); `close()` posts
 * what is still untold and stops (`close(false)` only stops: the session has ended).
 */
export function readingPosition(post, interval = 1000) {
  let shown = 0;
  let told = 0;
  let busy = false;
  let closed = false;
  let timer = null;

  async function send() {
    clearTimeout(timer);
    timer = null;
    if (busy || shown <= told || document.hidden) return;
    busy = true;
    told = shown;
    // A position lost to a failure is told with the next message.
    try { await post(told); } catch {}
    busy = false;
    // What arrived meanwhile: after the interval, or at once when the view has closed.
    if (closed) send();
    else schedule();
  }

  function schedule() {
    if (timer === null && shown > told) timer = setTimeout(send, interval);
  }

  const visible = () => { if (!document.hidden) send(); };
  document.addEventListener('visibilitychange', visible);

  return {
    opened(seq) {
      if (closed) return;
      shown = Math.max(shown, seq);
      send();
    },
    seen(seq) {
      if (closed) return;
      shown = Math.max(shown, seq);
      schedule();
    },
    close(tell = true) {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      timer = null;
      document.removeEventListener('visibilitychange', visible);
      if (tell) send();
      else told = shown;
    },
  };
}
