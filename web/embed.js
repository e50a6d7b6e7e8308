// embed.js - put live Threadlab examples into a tutorial page, one line each:
//
//   <script src="https://where.threadlab.is/embed.js" async></script>
//   <div data-threadlab="kind=fetch&count=15&mode=pool&workers=15"></div>
//
// Each such element becomes an <iframe> of the playground beside this script, with
// allow="cross-origin-isolated" so that an isolated page passes isolation on. start= in the
// element's keys says when it loads: visible (the default: when scrolled near), load (at once),
// click (a light poster; the playground loads, and runs, when the reader clicks it). Its height follows what the embed asks for (threadlab:resize) unless the
// element sets data-threadlab-height="480px". The element re-dispatches every message of the
// embed as a DOM event of the same name (detail: the message), and window.Threadlab drives it:
//
//   el.addEventListener('threadlab:finished', (e) => console.log(e.detail.report.wall_ms));
//   Threadlab.run(el, {kind: 'sleep', count: 4});   Threadlab.cancel(el);   Threadlab.setTheme(el, 'light');
//
// Messages from the embed: threadlab:ready {isolation}, threadlab:started {scenario},
// threadlab:finished {report}, threadlab:resize {height}, threadlab:error {message}.
// Only messages from the element's own frame and the playground's origin are taken.
(function () {
  'use strict';
  if (window.Threadlab) return; // the script twice on one page: once is enough
  const script = document.currentScript;
  const base = new URL('.', script ? script.src : location.href);
  const frames = new Map(); // iframe.contentWindow -> the element it replaced

  function mount(element) {
    if (element.threadlabFrame) return;
    const query = (element.getAttribute('data-threadlab') || '').replace(/^\?/, '');
    const frame = document.createElement('iframe');
    frame.src = new URL('index.html' + (query ? '?' + query : ''), base).href;
    frame.title = element.getAttribute('title') || 'Threadlab: a live threading example';
    frame.allow = 'cross-origin-isolated';
    frame.loading = new URLSearchParams(query).get('start') === 'load' ? 'eager' : 'lazy';
    const fixedHeight = element.getAttribute('data-threadlab-height');
    frame.style.cssText = 'display:block;width:100%;border:1px solid #2a2f3a;border-radius:8px;height:' +
                          (fixedHeight || '560px');
    element.threadlabFrame = frame;
    element.threadlabFixedHeight = !!fixedHeight;
    element.appendChild(frame);
    frames.set(frame.contentWindow, element);
  }

  window.addEventListener('message', (event) => {
    const element = frames.get(event.source);
    const data = event.data;
    if (!element || event.origin !== base.origin || !data || typeof data.type !== 'string') return;
    if (data.type === 'threadlab:resize' && !element.threadlabFixedHeight && data.height > 0) {
      element.threadlabFrame.style.height = Math.min(Math.round(data.height), 4000) + 'px';
    }
    element.dispatchEvent(new CustomEvent(data.type, {detail: data}));
  });

  function send(element, message) {
    if (!element || !element.threadlabFrame) throw new Error('Threadlab: not an element with data-threadlab');
    element.threadlabFrame.contentWindow.postMessage(message, base.origin);
  }

  window.Threadlab = {
    mount,
    // scenario: an object ({kind: 'sleep', count: 10}) or a query string, the keys of the URL
    run(element, scenario) { send(element, {type: 'threadlab:run', scenario}); },
    cancel(element) { send(element, {type: 'threadlab:cancel'}); },
    setTheme(element, theme) { send(element, {type: 'threadlab:set-theme', theme}); },
  };

  function mountAll() { document.querySelectorAll('[data-threadlab]').forEach(mount); }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mountAll);
  else mountAll();
})();
