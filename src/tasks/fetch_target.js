// Where a download goes, for fetch_emscripten.cpp's two ways of making it (a synchronous request
// on a thread's Worker, an asynchronous one from the page for simulated threads): linked into the
// bundle with --pre-js, so that it is defined in the page and in every Worker.
//
// null for a URL that is not http(s). Otherwise {url, alias}: alias is one of eight loopback host
// names (dl0..dl7.localhost, same port) that serve.py also answers on, so that the browser opens
// more than six connections at once to the simulated internet; null where that does not apply.
function threadlabDownloadTarget(href, spread) {
  var url;
  try {
    url = new URL(href, self.location.href);
  } catch (e) {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  var page = self.location;
  var spreadable = self.threadlabSpread !== false && url.origin === page.origin && page.protocol === 'http:' &&
                   ['localhost', '127.0.0.1', '[::1]'].indexOf(page.hostname) >= 0 &&
                   (url.pathname.indexOf('/images/') === 0 || url.pathname.indexOf('/bytes/') === 0);
  return {url: url, alias: spreadable ? 'http://dl' + (spread % 8) + '.localhost:' + page.port : null};
}

// The milliseconds the request for `href` (as sent) spent before it went out - waiting for a free
// connection (6 per host), opening one - from Resource Timing: 0 when not known (the server must
// send Timing-Allow-Origin, as serve.py's simulated internet does, or no entry was kept).
function threadlabConnectingMs(href) {
  if (!self.performance || !performance.getEntriesByName) return 0;
  var entries = performance.getEntriesByName(href, 'resource');
  var entry = entries[entries.length - 1];
  return entry && entry.requestStart > 0 ? Math.max(0, entry.requestStart - entry.startTime) : 0;
}
// The browser keeps 250 entries, then drops new ones: a long run of downloads starts afresh.
if (self.performance && performance.addEventListener && performance.clearResourceTimings) {
  performance.addEventListener('resourcetimingbufferfull', function() { performance.clearResourceTimings(); });
}
