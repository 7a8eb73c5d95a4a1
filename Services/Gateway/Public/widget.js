// The embed: <script src="https://desk.example/widget.js" async></script> on any page adds a
// chat button and a panel. The panel is a frame from the desk's own origin, so the host
// page's CSS cannot reach it and its script cannot read the visitor's token.
(() => {
  const script = document.currentScript;
  const origin = script ? new URL(script.src).origin : location.origin;
  if (document.getElementById('switchboard-widget')) return;
  const host = document.createElement('div');
  host.id = 'switchboard-widget';
  const root = host.attachShadow({ mode: 'open' });

  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'Chat with us';
  button.setAttribute('aria-expanded', 'false');
  Object.assign(button.style, {
    position: 'fixed', right: '20px', bottom: '20px', zIndex: '2147483647', padding: '12px 18px', border: 'none',
    borderRadius: '24px', background: '#2563eb', color: '#fff', font: '600 15px system-ui, sans-serif', cursor: 'pointer',
    boxShadow: '0 6px 20px rgba(0,0,0,.2)',
  });

  const frame = document.createElement('iframe');
  frame.title = 'Chat with us';
  frame.src = `${origin}/widget/`;
  frame.hidden = true;
  Object.assign(frame.style, {
    position: 'fixed', right: '20px', bottom: '80px', width: 'min(380px, calc(100vw - 40px))', height: 'min(560px, calc(100vh - 120px))',
    border: '1px solid #d0d5dd', borderRadius: '12px', zIndex: '2147483647', background: '#fff', boxShadow: '0 12px 32px rgba(0,0,0,.25)',
  });

  button.addEventListener('click', () => {
    frame.hidden = !frame.hidden;
    button.setAttribute('aria-expanded', String(!frame.hidden));
    button.textContent = frame.hidden ? 'Chat with us' : 'Close chat';
    if (!frame.hidden) frame.focus();
  });
  root.append(frame, button);
  document.body.append(host);
})();
