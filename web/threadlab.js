// The page side of the Threadlab playground: checks that the browser can run WebAssembly threads,
// loads playground.js, and provides window.threadlab, the API tests and tutorial hosts use:
//
//   await threadlab.ready;                       // the app runs and has drawn its first frame
//   const report = await threadlab.run({kind: 'sleep', count: 10, seconds: 1, mode: 'threads'});
//   // -> {wall_ms, tasks: [{id, thread, start_ms, end_ms, status, bytes, error, ...}], console, ...}
//   threadlab.state();                           // {status: 'idle'|'running'|..., isolation, ...}
//   threadlab.cancel();
//   threadlab.trace();                           // the last run as a Chrome trace (Perfetto), or null
//   threadlab.setStepping(true); threadlab.step(ident);  // step mode, on simulated threads
//   await threadlab.explore(1000, 'preset=race'); // a race under 1000 schedules (simulated threads)
//
// The same keys work in the page's URL: ?kind=sleep&count=10&seconds=1&mode=threads&autorun=1
//
// Framed in a tutorial page (web/embed.js), the page talks to its parent with postMessage:
// it sends threadlab:ready {isolation}, threadlab:started {scenario}, threadlab:finished {report},
// threadlab:resize {height}, threadlab:error {message}, and takes threadlab:run {scenario},
// threadlab:cancel and threadlab:set-theme {theme} from its parent window only. What it sends is
// public (no secrets), so it goes to any parent origin; what it takes must come from the window
// that framed it.
// Validation happens once, in C++ (src/playground/scenario.cpp); its message rejects the promise
// and is shown on the page.
//
// On a static host that cannot send the isolation headers (GitHub Pages and the like, a folder
// made by `serve.py --export`), the page registers coi-sw.js, a service worker that adds them,
// and reloads once; state().isolation is then 'service-worker'.
(function () {
  'use strict';

  const overlay = document.getElementById('overlay');
  const card = document.getElementById('overlay-card');
  const toast = document.getElementById('toast');
  let toastTimer = 0;

  function showToast(text) {
    toast.textContent = text;
    toast.classList.add('shown');
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => toast.classList.remove('shown'), 8000);
  }

  // The live region (index.html #live): screen readers hear a run start and end; the console's
  // text is there too, for them and for find-in-page (the canvas has only pixels).
  function announce(status, consoleText) {
    document.getElementById('live-status').textContent = status;
    document.getElementById('live-console').textContent = consoleText;
  }

  // tone 'notice': not an error of the reader's (an embed offering the full page), else 'error'.
  function showFatal(title, html, tone = 'error') {
    card.className = 'card ' + tone;
    card.innerHTML = '<h1></h1>' + html;
    card.querySelector('h1').textContent = title;
    overlay.classList.remove('hidden');
    announceHeight();
  }

  let inFrame = true;
  try { inFrame = window.top !== window; } catch (e) { /* a cross-origin parent: framed */ }

  function toParent(type, detail) {
    if (inFrame) window.parent.postMessage(Object.assign({type}, detail), '*');
  }
  // The height this page would like in an iframe: the card's while one is shown, else the app's
  // (its embed layout's, from the example's lanes and code; the full layout's when not embedded).
  let appHeight = 560;
  let lastAnnounced = 0;
  function announceHeight() {
    const shown = !overlay.classList.contains('hidden');
    const height = shown ? Math.max(card.offsetHeight + 48, 200) : appHeight;
    if (height !== lastAnnounced) toParent('threadlab:resize', {height});
    lastAnnounced = height;
  }

  // The HTML cards (poster, explanations) take theme= before the app exists to read it; an
  // invalid value is the parser's to report once loaded, and leaves the cards dark meanwhile.
  const urlParams = new URLSearchParams(location.search);
  const cardTheme = urlParams.get('theme');
  if (cardTheme === 'light' || (cardTheme === 'auto' && matchMedia('(prefers-color-scheme: light)').matches)) {
    document.body.classList.add('light');
  }

  // presets.json, written at build time from the C++ presets: each example's title, code and
  // expected timeline, for the cards shown before the app loads or where it cannot run.
  // Resolves to the example this page's URL shows, or null: a URL that names a preset and
  // changes nothing (page keys aside), or none at all (the default example); anything else
  // is a scenario only the parser can read.
  let exampleShown;
  function urlExample() {
    exampleShown = exampleShown || fetch('presets.json').then((r) => (r.ok ? r.json() : null)).then((catalog) => {
      if (!catalog) return null;
      const scenarioKeys = Array.from(urlParams.keys()).filter((key) => !catalog.page_keys.includes(key));
      const slug = scenarioKeys.length === 0 ? catalog.default
                 : scenarioKeys.length === 1 && scenarioKeys[0] === 'preset' ? urlParams.get('preset') : null;
      return catalog.presets.find((preset) => preset.slug === slug) || null;
    }).catch(() => null);
    return exampleShown;
  }

  function element(tag, attributes, text, namespace) {
    const node = namespace ? document.createElementNS(namespace, tag) : document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // The example's timeline as real threads would draw it: one lane per thread, a bar per task.
  function previewFigure(preview) {
    if (!preview.lanes.length && !preview.hidden_lanes) { // a program run as written: lanes known when it runs
      const figure = element('figure');
      figure.append(element('figcaption', {}, 'Runs the tutorial\'s program as written: its threads appear as it starts them.'));
      return figure;
    }
    const SVG = 'http://www.w3.org/2000/svg';
    const labelWidth = 150, plotWidth = 400, laneHeight = 14, top = 4;
    const rows = preview.lanes.length + (preview.hidden_lanes ? 1 : 0);
    const height = top + rows * laneHeight + 22;
    const svg = element('svg', {viewBox: `0 0 ${labelWidth + plotWidth + 10} ${height}`, role: 'img',
                                'aria-label': 'Expected timeline'}, undefined, SVG);
    const x = (seconds) => labelWidth + (seconds / preview.wall_seconds) * plotWidth;
    preview.lanes.forEach((lane, i) => {
      const y = top + i * laneHeight;
      svg.appendChild(element('text', {x: labelWidth - 8, y: y + 10, 'text-anchor': 'end'}, lane.thread, SVG));
      for (const [start, end] of lane.tasks) {
        svg.appendChild(element('rect', {class: 'bar', x: x(start) + 0.5, y: y + 2, rx: 2,
                                         width: Math.max(x(end) - x(start) - 1, 1), height: laneHeight - 4}, undefined, SVG));
      }
    });
    if (preview.hidden_lanes) {
      svg.appendChild(element('text', {x: labelWidth - 8, y: top + preview.lanes.length * laneHeight + 10, 'text-anchor': 'end'},
                              `… ${preview.hidden_lanes} more`, SVG));
    }
    const axisY = top + rows * laneHeight + 4;
    svg.appendChild(element('line', {class: 'axis', x1: labelWidth, x2: labelWidth + plotWidth, y1: axisY, y2: axisY}, undefined, SVG));
    for (const t of preview.timed ? [0, preview.wall_seconds / 2, preview.wall_seconds] : []) {
      svg.appendChild(element('text', {x: x(t), y: axisY + 14, 'text-anchor': t ? 'end' : 'start'},
                              `${+t.toFixed(2)} s`, SVG));
    }
    const threads = preview.lanes.length + preview.hidden_lanes;
    const figure = element('figure');
    figure.append(svg, element('figcaption', {}, `With real threads: ${threads} ${threads === 1 ? 'thread' : 'threads'}` +
                                                 (preview.timed ? `, done in about ${+preview.wall_seconds.toFixed(2)} s.` : ' at once.')));
    return figure;
  }

  // The example's code, C++ and Python in tabs (lang= picks the first).
  function codeTabs(example) {
    const box = element('div', {class: 'code'});
    const tabs = element('div', {class: 'tabs', role: 'tablist'});
    const pre = element('pre', {tabindex: '0'});
    const langs = urlParams.get('lang') === 'python' ? ['python', 'cpp'] : ['cpp', 'python'];
    for (const lang of langs) {
      const tab = element('button', {type: 'button', role: 'tab'}, lang === 'cpp' ? 'C++' : 'Python');
      tab.addEventListener('click', () => {
        tabs.querySelectorAll('button').forEach((b) => b.setAttribute('aria-selected', String(b === tab)));
        pre.textContent = example[lang];
      });
      tabs.appendChild(tab);
    }
    box.append(tabs, pre);
    tabs.firstChild.click();
    return box;
  }

  // The card of an example that cannot run here: its title, preview and code first, then why
  // (the explanation already on the card, which keeps its "Open with real threads" button).
  function showExample(example) {
    const why = element('div', {class: 'why'});
    const situation = card.querySelector('h1');
    why.append(element('h2', {}, situation.textContent), ...Array.from(card.childNodes).filter((n) => n !== situation));
    card.replaceChildren(element('h1', {}, example.title), element('p', {class: 'description'}, example.description),
                         previewFigure(example.preview), codeTabs(example), why);
    card.classList.add('example');
    announceHeight();
  }

  // How this page got cross-origin isolated (shared memory): 'coop-coep' (the server's headers,
  // at top level), 'document-isolation-policy' (Chromium isolates a frame by its own header,
  // whatever the page around it), 'service-worker' (a worker adds the headers on a static host),
  // or 'none'. likelyIsolation() answers at once; isolationKind() checks a frame's case.
  function likelyIsolation() {
    if (!window.crossOriginIsolated) return 'none';
    if (navigator.serviceWorker && navigator.serviceWorker.controller) return 'service-worker';
    return inFrame ? 'document-isolation-policy' : 'coop-coep';
  }
  async function isolationKind() {
    const likely = likelyIsolation();
    if (likely !== 'document-isolation-policy') return likely;
    try { // framed: isolated through the page around it (COOP/COEP), or by our own header
      const response = await fetch(location.href, {method: 'HEAD', cache: 'no-store'});
      if (response.headers.get('document-isolation-policy')) return 'document-isolation-policy';
    } catch (e) { /* offline: fall through */ }
    return 'coop-coep';
  }

  // Why this page cannot run the playground at all, {title, html}, or null: WebAssembly and WebGL2.
  function missingBasics() {
    if (typeof WebAssembly !== 'object') {
      return {title: 'This browser cannot run the playground', html: '<p>It has no WebAssembly. Try a current Chromium, Firefox or Safari.</p>'};
    }
    const probe = document.createElement('canvas').getContext('webgl2');
    if (!probe) {
      return {title: 'This browser cannot draw the playground',
              html: '<p>The playground draws with WebGL2, which this browser has turned off or cannot use here ' +
                    '(no graphics driver it trusts, hardware acceleration disabled, or a policy).</p><p>Turn on ' +
                    'hardware acceleration in the browser\'s settings, or try another browser.</p>'};
    }
    const lose = probe.getExtension('WEBGL_lose_context'); // give the context back at once
    if (lose) lose.loseContext();
    return null;
  }

  // Why this page cannot run real threads, {title, html, tone?, serviceWorker?} for the reader in
  // the situation they are in, or null when it can. Then it runs simulated threads instead (with
  // backend=threads, it says why and stops).
  function missingSharedMemory() {
    const here = location.protocol + '//' + location.host;
    const openLink = '<p><a class="button" target="_blank" rel="noopener" href="' +
                     location.href.replace(/"/g, '&quot;') + '">Open with real threads ↗</a></p>';
    if (!window.isSecureContext) {
      return {title: 'Threads need a secure page',
              html: '<p>This page comes over plain HTTP from <code>' + location.host + '</code>, which browsers do not ' +
                    'treat as secure, so they give it no shared memory (which WebAssembly threads need). Only ' +
                    '<code>https://</code> pages and <code>localhost</code> count as secure.</p><p>Open it on the machine ' +
                    'that runs <code>./serve.py</code> as <code>http://localhost:' + (location.port || '80') + '/</code>, ' +
                    'or serve it over HTTPS.</p>'};
    }
    if (!window.crossOriginIsolated && inFrame) {
      return {title: 'Real threads are not available in this embed', tone: 'notice',
              html: '<p>The page around this example is not cross-origin isolated, and this browser cannot isolate an ' +
                    'embedded page by itself (Chromium can, through <code>Document-Isolation-Policy</code>; Firefox ' +
                    'and Safari cannot yet), so it gives the example no shared memory for its threads.</p>' + openLink +
                    '<p class="note">For the tutorial\'s author: serve your page with <code>Cross-Origin-Opener-Policy: ' +
                    'same-origin</code> and <code>Cross-Origin-Embedder-Policy: require-corp</code> and give the ' +
                    '<code>&lt;iframe&gt;</code> <code>allow="cross-origin-isolated"</code>.</p>'};
    }
    if (!window.crossOriginIsolated) { // at top level: a service worker may still add the headers
      return {title: 'The playground cannot run here', serviceWorker: true,
              html: '<p>The page is not cross-origin isolated, so the browser does not allow SharedArrayBuffer, which ' +
                    'WebAssembly threads need. The server at <code>' + here + '</code> must send the headers ' +
                    '<code>Cross-Origin-Opener-Policy: same-origin</code> and <code>Cross-Origin-Embedder-Policy: ' +
                    'require-corp</code>.</p><p>Serve the playground with the project\'s server, which sends them:</p>' +
                    '<pre>./serve.py</pre><p>and open the address it prints (http://127.0.0.1:8000 by default). For a ' +
                    'host that cannot send headers, <code>./serve.py --export DIR</code> writes a copy that isolates ' +
                    'itself with a service worker.</p>'};
    }
    const threads = (text) => ({title: 'This browser cannot run WebAssembly threads', html: '<p>' + text + '</p>'});
    if (typeof SharedArrayBuffer !== 'function') return threads('It has no SharedArrayBuffer (needed for WebAssembly threads).');
    if (typeof Worker !== 'function') return threads('It has no Web Workers (each WebAssembly thread runs in one).');
    try {
      new WebAssembly.Memory({initial: 1, maximum: 1, shared: true});
    } catch (e) {
      return threads('It cannot create shared WebAssembly memory (WebAssembly threads): ' + e.message);
    }
    return null;
  }

  function toQuery(scenario) {
    if (typeof scenario === 'string') return scenario.replace(/^\?/, '');
    if (!scenario || typeof scenario !== 'object') throw new Error('Invalid scenario: expected an object like {kind: "sleep", count: 10}');
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(scenario)) {
      if (value === undefined || value === null) continue;
      const name = key === 'urls' ? 'url' : key;
      if (Array.isArray(value)) value.forEach((v) => params.append(name, String(v)));
      else if (typeof value === 'boolean') params.append(name, value ? '1' : '0');
      else params.append(name, String(value));
    }
    return params.toString();
  }

  let isolation = likelyIsolation(); // until isolationKind() has answered (a frame needs a request)
  let failure = null; // why the playground cannot run: state() says it instead of 'loading'
  let resolveReady, rejectReady;
  const ready = new Promise((resolve, reject) => { resolveReady = resolve; rejectReady = reject; });
  let pending = null;    // {resolve, reject} of the run() in progress
  let lastReport = null;

  function call(name, args) {
    return Module.ccall(name, 'string', args.map(() => 'string'), args);
  }

  const api = {
    ready,
    run(scenario) {
      return ready.then(() => {
        const query = toQuery(scenario);
        if (pending) throw new Error('A run is still in progress: wait for it to finish or cancel it first.');
        const error = call('threadlab_run', [query]);
        if (error) {
          showToast(error);
          throw new Error(error);
        }
        toParent('threadlab:started', {scenario: query});
        return new Promise((resolve, reject) => { pending = {resolve, reject}; });
      });
    },
    state() {
      if (failure) return {status: 'error', error: failure, isolation, backend};
      if (!window.Module || !Module.calledRun) return {status: 'loading', isolation, backend};
      return Object.assign(JSON.parse(call('threadlab_state', [])), {isolation, backend});
    },
    cancel() {
      if (window.Module && Module.calledRun) Module.ccall('threadlab_cancel', null, [], []);
    },
    // theme: 'dark' | 'light' | 'auto' (the reader's prefers-color-scheme), checked by the parser.
    setTheme(theme) {
      return ready.then(() => {
        const loaded = JSON.parse(call('threadlab_load', ['theme=' + encodeURIComponent(String(theme))]));
        if (loaded.error) throw new Error(loaded.error);
      });
    },
    lastReport() { return lastReport; },
    // Step mode, on simulated threads (backend 'simulated'): setStepping(true) pauses every run at
    // each scheduling point; state().runnable lists the threads that may run next ({ident, name});
    // step(ident) runs that one to its next point (0: the one the seed would choose).
    setStepping(on) {
      return ready.then(() => {
        requireSimulated();
        Module.ccall('threadlab_set_stepping', null, ['number'], [on ? 1 : 0]);
      });
    },
    step(ident = 0) {
      return ready.then(() => {
        requireSimulated();
        Module.ccall('threadlab_step', null, ['number'], [Number(ident)]);
      });
    },
    // Explore, on simulated threads: runs a race (`scenario`, else the one shown) under seeds
    // 1..schedules, one after another, and resolves with state().explore once it ends (done or
    // cancelled): {schedules, done, losing, worst_seed, worst_lost, scenario}. Replay:
    // run(scenario + '&seed=' + worst_seed).
    explore(schedules = 1000, scenario = null) {
      return ready.then(() => {
        requireSimulated();
        if (scenario !== null) {
          const loaded = JSON.parse(call('threadlab_load', [toQuery(scenario)]));
          if (loaded.error) throw new Error(loaded.error);
        }
        const error = Module.ccall('threadlab_explore', 'string', ['number'], [Number(schedules)]);
        if (error) {
          showToast(error);
          throw new Error(error);
        }
        return new Promise((resolve) => {
          const poll = () => {
            const exploration = api.state().explore;
            if (exploration && !exploration.running) resolve(exploration);
            else setTimeout(poll, 50);
          };
          poll();
        });
      });
    },
    // The current or last run as a Chrome trace-event object ({traceEvents: [...]}): save it as
    // JSON and open it in https://ui.perfetto.dev or chrome://tracing. null before the first run.
    trace() {
      if (!window.Module || !Module.calledRun) return null;
      const text = call('threadlab_trace', []);
      return text ? JSON.parse(text) : null;
    },
  };
  window.threadlab = api;
  function requireSimulated() {
    if (backend !== 'simulated') throw new Error('Step mode needs simulated threads: open the page with backend=sim');
  }

  // Messages from the page that frames this one (embed.js's Threadlab.run / Threadlab.cancel).
  window.addEventListener('message', (event) => {
    const data = event.data;
    if (!inFrame || event.source !== window.parent || !data || typeof data.type !== 'string') return;
    if (data.type === 'threadlab:run') {
      api.run(data.scenario === undefined ? '' : data.scenario).catch((e) => toParent('threadlab:error', {message: e.message}));
    } else if (data.type === 'threadlab:cancel') {
      api.cancel();
    } else if (data.type === 'threadlab:set-theme') {
      api.setTheme(data.theme).catch((e) => toParent('threadlab:error', {message: e.message}));
    } else if (data.type.startsWith('threadlab:')) {
      toParent('threadlab:error', {message: 'Unknown message ' + JSON.stringify(data.type).slice(0, 60) +
                                             ': the playground takes threadlab:run, threadlab:cancel and threadlab:set-theme'});
    }
  });

  function fail(missing) {
    showFatal(missing.title, missing.html, missing.tone);
    if (missing.reason) card.querySelector('.reason').textContent = missing.reason;
    const paragraphs = Array.from(card.children).slice(1); // after the title, with the reason filled in
    failure = missing.title + ': ' + paragraphs.map((p) => p.textContent.replace(/\s+/g, ' ').trim()).join(' ');
    toParent('threadlab:error', {message: failure});
    rejectReady(new Error(failure));
    ready.catch(() => {});
    urlExample().then((example) => example && showExample(example));
  }

  // A top-level page on a host without header control: coi-sw.js re-serves the site with the
  // isolation headers once it controls the page, which takes one reload. A sessionStorage flag
  // makes it one reload at most: still not isolated after it, the page says why instead of
  // looping (and clears the flag, so that a reload by hand tries again).
  const RELOADED = 'threadlab-coi-reload';
  function serviceWorkerFailed(reason) {
    return {title: 'Real threads need a service worker on this site', reason,
            html: '<p>This site cannot send the headers that make a page cross-origin isolated (which WebAssembly ' +
                  'threads need for shared memory), so the playground installs a small service worker that adds them, ' +
                  'and reloads once. That did not work in this browser: <span class="reason"></span>.</p>' +
                  '<p>Service workers are off in some private windows, and blocked where a site may not store data. ' +
                  'Allow this site to store data (cookies and site data), or open the page in a normal window or in ' +
                  'another browser.</p><p class="note">For the site\'s author: serve the playground with ' +
                  '<code>Cross-Origin-Opener-Policy: same-origin</code> and <code>Cross-Origin-Embedder-Policy: ' +
                  'require-corp</code> and no service worker is needed: the <code>_headers</code> file of ' +
                  '<code>./serve.py --export</code> does it on Netlify and Cloudflare Pages, and <code>./serve.py' +
                  '</code> sends them.</p>'};
  }
  async function isolateWithServiceWorker(noHeaders) {
    let reloaded;
    try {
      reloaded = sessionStorage.getItem(RELOADED);
      sessionStorage.removeItem(RELOADED);
    } catch (e) { // no storage for this site: no service workers either (and no guard against a loop)
      return serviceWorkerFailed('this site may not store data');
    }
    const sw = navigator.serviceWorker;
    if (reloaded) {
      return serviceWorkerFailed(sw && sw.controller ? 'the service worker runs, but the browser did not isolate the page'
                                                     : 'the page reloaded, but the service worker did not take over');
    }
    if (!sw) return serviceWorkerFailed('service workers are turned off');
    let registration;
    try {
      registration = await sw.register('coi-sw.js', {scope: './'});
    } catch (e) {
      // No coi-sw.js beside the page: a server without the headers and without the worker.
      const found = await fetch('coi-sw.js', {method: 'HEAD', cache: 'no-store'}).then((r) => r.ok, () => true);
      return found ? serviceWorkerFailed(e.message || String(e)) : noHeaders;
    }
    if (!registration) return serviceWorkerFailed('the browser did not register it'); // a blocking stub
    const active = await Promise.race([sw.ready.then(() => true), new Promise((resolve) => setTimeout(resolve, 15000, false))]);
    if (!active) return serviceWorkerFailed('the service worker did not start within 15 s');
    sessionStorage.setItem(RELOADED, '1');
    location.reload();
    return null; // the page goes away
  }

  // Real threads (playground.js: a Web Worker per thread, on shared memory) or simulated ones
  // (playground-sim.js: fibers on this page's own thread, under a seeded scheduler), which any
  // page can run. backend=sim asks for simulated threads; backend=threads for real ones, or the
  // reason there are none.
  function useSimulated(why) {
    backend = 'simulated';
    const bar = document.getElementById('sim-notice');
    const link = element('a', {href: '#'});
    if (!why || inFrame) { // real threads are a click away: the page on its own, at top level
      const real = new URL(location.href);
      real.searchParams.delete('backend');
      Object.assign(link, {href: real.href, target: '_blank', rel: 'noopener', textContent: 'open with real threads ↗'});
    } else { // at top level already: all there is to say is why
      const reason = element('div');
      reason.innerHTML = why.html;
      if (why.reason && reason.querySelector('.reason')) reason.querySelector('.reason').textContent = why.reason;
      link.textContent = 'why?';
      link.addEventListener('click', (event) => {
        event.preventDefault();
        showToast(why.title + ': ' + reason.textContent.replace(/\s+/g, ' ').trim());
      });
    }
    bar.replaceChildren(why ? 'Simulated threads: this page cannot use shared memory — '
                            : 'Simulated threads (backend=sim): one core, switching at scheduling points — ', link);
    document.body.classList.add('simulated');
  }
  let backend = 'threads';
  const basics = missingBasics();
  if (basics) {
    fail(basics);
    return;
  }
  const wanted = urlParams.get('backend'); // sim | threads (the C++ parser checks it too)
  const noSharedMemory = wanted === 'sim' ? null : missingSharedMemory();
  if (wanted === 'sim') {
    useSimulated(null);
  } else if (noSharedMemory && noSharedMemory.serviceWorker && !inFrame) {
    document.getElementById('loading-text').textContent = 'Enabling threads on this host…';
    const otherwise = (why) => {
      if (wanted === 'threads') return fail(why);
      useSimulated(why);
      boot();
    };
    isolateWithServiceWorker(noSharedMemory).then((why) => why && otherwise(why),
      (e) => otherwise(serviceWorkerFailed(e.message || String(e))));
    return;
  } else if (noSharedMemory) {
    if (wanted === 'threads') {
      fail(noSharedMemory);
      return;
    }
    useSimulated(noSharedMemory);
  }
  boot();

  // Loads the playground (`backend`'s bundle) and answers its hooks.
  function boot() {
    try { sessionStorage.removeItem(RELOADED); } catch (e) { /* no storage: nothing to clear */ }

    // Threads can still fail to start once the checks above passed: a Worker that cannot be
    // created (a policy, an extension, a Content-Security-Policy without worker-src) or whose script
    // fails to load, or shared memory that cannot be allocated at full size. Any uncaught error
    // before `ready`, and a Worker's load error at any time (a thread could never start), stops the
    // page with the reason instead of leaving the loading screen up for good.
    let readyResolved = false;
    let threadsFailed = false;
    function failThreads(reason) {
      if (threadsFailed) return;
      threadsFailed = true;
      if (backend === 'simulated') { // no Workers, no shared memory: the module itself failed
        showFatal('The playground could not start', '<p class="reason"></p><p>See the browser console for details.</p>');
        card.querySelector('.reason').textContent = reason;
        failure = 'The playground could not start: ' + reason;
        toParent('threadlab:error', {message: failure});
        rejectReady(new Error(failure));
        ready.catch(() => {});
        return;
      }
      showFatal('WebAssembly threads could not start',
        '<p class="reason"></p><p>The playground runs each thread in a Web Worker on shared WebAssembly memory. ' +
        'The page is cross-origin isolated, so something else prevented that: a browser policy or extension ' +
        'that blocks Workers, a <code>Content-Security-Policy</code> whose <code>worker-src</code> does not allow ' +
        'this site, or too little memory for the 256 MB the playground reserves.</p>' +
        '<p>See the browser console for details.</p>');
      card.querySelector('.reason').textContent = reason;
      failure = 'WebAssembly threads could not start: ' + reason;
      toParent('threadlab:error', {message: failure});
      const error = new Error(failure);
      rejectReady(error);
      ready.catch(() => {});
      if (pending) { pending.reject(error); pending = null; }
    }
    window.addEventListener('error', (event) => {
      const thrown = event.error;
      // Emscripten rethrows a Worker's ErrorEvent from worker.onerror.
      const fromWorker = typeof ErrorEvent === 'function' && thrown instanceof ErrorEvent;
      if (readyResolved && !fromWorker) return;
      let reason;
      if (fromWorker) reason = "a thread's Web Worker failed to load: " + (thrown.message || 'no reason given');
      else if (thrown && thrown.message) reason = (thrown.name ? thrown.name + ': ' : '') + thrown.message;
      else reason = event.message || 'an unknown error';
      failThreads(reason);
    });

    const started = performance.now();

    // Calls done() once every pre-started Worker has loaded the module (or after 15 s regardless).
    function whenWorkersLoaded(done) {
      const deadline = performance.now() + 15000;
      (function check() {
        const pool = (typeof PThread === 'object' && PThread.unusedWorkers) || [];
        if (pool.every((worker) => worker.loaded) || performance.now() > deadline) done();
        else setTimeout(check, 10);
      })();
    }
    window.Module = {
      canvas: document.getElementById('canvas'),
      print: (text) => console.log(text),
      printErr: (text) => console.warn(text),
      threadlabReady() {
        if (threadsFailed) return; // the explanation stays up
        api.firstFrameMs = performance.now() - started;
        overlay.classList.add('hidden');
        const query = location.search.replace(/^\?/, '');
        let autorun = false;
        if (query) { // the C++ parser decides, autorun included: one reading of the URL everywhere
          const loaded = JSON.parse(call('threadlab_load', [query]));
          if (loaded.error) showToast(loaded.error);
          autorun = (loaded.autorun || startedByClick) && !loaded.error;
        }
        // The first frame does not wait for the pre-started Workers (PTHREAD_POOL_DELAY_LOAD), but
        // `ready` does: a run that starts before they have loaded would measure Worker start-up.
        const isolationKnown = isolationKind().then((kind) => { isolation = kind; });
        whenWorkersLoaded(() => isolationKnown.then(() => {
          if (threadsFailed) return;
          api.readyMs = performance.now() - started;
          readyResolved = true;
          resolveReady();
          toParent('threadlab:ready', {isolation, backend});
          announceHeight();
          if (autorun) api.run(query).catch((e) => console.warn(e.message));
        }));
      },
      threadlabPreferredHeight(height) {
        appHeight = height || 560;
        if (readyResolved) announceHeight();
      },
      threadlabRunStarted() {
        announce('Run started.', '');
      },
      threadlabRunFinished(json) {
        lastReport = Object.assign(JSON.parse(json), {isolation});
        const r = lastReport;
        const what = r.scenario.startsWith('program=') ? 'threads' : 'tasks';
        announce(`Run ${r.status}: ${r.done} of ${r.tasks.length} ${what} done in ${(r.wall_ms / 1000).toFixed(2)} s. ` +
                 (r.console ? 'Console:' : 'Nothing printed.'), r.console);
        toParent('threadlab:finished', {report: lastReport});
        if (pending) {
          const p = pending;
          pending = null;
          p.resolve(lastReport);
        }
      },
      onAbort(what) {
        failure = 'The playground stopped: ' + String(what);
        toParent('threadlab:error', {message: failure});
        showFatal('The playground stopped', '<p>' + String(what) + '</p><p>See the browser console for details.</p>');
        rejectReady(new Error('aborted: ' + what));
        if (pending) { pending.reject(new Error('aborted: ' + what)); pending = null; }
      },
    };

    function loadPlayground() {
      const script = document.createElement('script');
      script.src = backend === 'simulated' ? 'playground-sim.js' : 'playground.js';
      script.onerror = () => showFatal('The playground is not built',
        '<p>' + script.src.split('/').pop() + ' could not be loaded. Build and serve it with:</p><pre>./serve.py</pre>');
      document.body.appendChild(script);
    }

    // start=click: a poster, and nothing heavy (no wasm, no Workers) until the reader asks; the
    // click also runs the example. (The one key read here and not by the C++ parser, which only
    // exists once loaded; it still checks the value.)
    let startedByClick = false;
    if (urlParams.get('start') === 'click') {
      card.className = 'card poster';
      card.innerHTML = '<h1>A live threading example</h1><p>Python\'s <code>threading</code> and ' +
        '<code>concurrent.futures</code> in C++, running on real threads in this page.</p>' +
        '<p><button class="button" type="button">Run this example ▶</button></p>';
      announceHeight();
      urlExample().then((example) => { // the example's own title and timeline, if the URL names one
        if (!example || !card.classList.contains('poster')) return;
        card.querySelector('h1').textContent = example.title;
        card.querySelector('p').textContent = example.description;
        card.querySelector('p').after(previewFigure(example.preview));
        card.classList.add('example');
        announceHeight();
      });
      card.querySelector('button').addEventListener('click', () => {
        startedByClick = true;
        card.className = 'card';
        card.innerHTML = '<span class="spinner"></span><span>Loading the Threadlab playground…</span>';
        loadPlayground();
      }, {once: true});
    } else {
      loadPlayground();
    }
  }
})();
