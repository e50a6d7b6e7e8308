// coi-sw.js - makes the playground cross-origin isolated on a static host that cannot send
// headers (GitHub Pages and the like). threadlab.js registers this service worker when the page
// is at top level and not isolated, then reloads once: from then on the worker answers the site's
// requests with the headers a server would send, so the page gets shared memory
// (SharedArrayBuffer) for its WebAssembly threads. Where the server sends them itself (serve.py,
// a _headers file) the page is isolated from the start and registers nothing.
'use strict';

const HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

// A new version (a new export deployed) takes over at once instead of waiting for every tab.
self.addEventListener('install', () => self.skipWaiting());

self.addEventListener('fetch', (event) => {
  const request = event.request;
  // Other origins are left to the browser: their own headers decide, as without this worker.
  // (No worker can add headers to their opaque no-cors responses anyway.)
  if (new URL(request.url).origin !== self.location.origin) return;
  // fetch() rejects this combination (devtools send it): leave such a request alone.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  event.respondWith(fetch(request).then((response) => {
    // A navigation the server redirects (opaque redirect) has no headers to change: passed on.
    if (response.status === 0) return response;
    const headers = new Headers(response.headers);
    for (const [name, value] of Object.entries(HEADERS)) headers.set(name, value);
    return new Response(response.body, {status: response.status, statusText: response.statusText, headers});
  }));
});
