// The page side of the Threadlab playground: checks that the browser can run WebAssembly threads,
// loads playground.js, and provides window.threadlab, the API tests and tutorial hosts use:
//
//   await threadlab.ready;                       // the app runs and has drawn its first frame
//   const report = await threadlab.run({kind: 'sleep', count: 10, seconds: 1, mode: 'threads'});
//   // -> {wall_ms, tasks: [{id, thread, start_ms, end_ms, status, bytes, error, ...}], console, ...}
//   threadlab.state();                           // {status: 'idle'|'running'|..., ...}
//   threadlab.cancel();
//
// The same keys work in the page's URL: ?kind=sleep&count=10&seconds=1&mode=threads&autorun=1
// Validation happens once, in C++ (src/playground/scenario.cpp); its message rejects the promise
// and is shown on the page.
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

  function showFatal(title, html) {
    card.className = 'card error';
    card.innerHTML = '<h1></h1>' + html;
    card.querySelector('h1').textContent = title;
    overlay.classList.remove('hidden');
  }

  // What is missing for WebAssembly threads, or '' when everything is there.
  function missingThreadSupport() {
    if (typeof WebAssembly !== 'object') return 'This browser has no WebAssembly.';
    if (!window.crossOriginIsolated) {
      return 'The page is not cross-origin isolated, so the browser does not allow SharedArrayBuffer, ' +
             'which WebAssembly threads need. The server must send the headers ' +
             '<code>Cross-Origin-Opener-Policy: same-origin</code> and ' +
             '<code>Cross-Origin-Embedder-Policy: require-corp</code>.';
    }
    if (typeof SharedArrayBuffer !== 'function') return 'This browser has no SharedArrayBuffer (needed for WebAssembly threads).';
    if (typeof Worker !== 'function') return 'This browser has no Web Workers (each WebAssembly thread runs in one).';
    try {
      new WebAssembly.Memory({initial: 1, maximum: 1, shared: true});
    } catch (e) {
      return 'This browser cannot create shared WebAssembly memory (WebAssembly threads): ' + e.message;
    }
    return '';
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
        return new Promise((resolve, reject) => { pending = {resolve, reject}; });
      });
    },
    state() {
      if (!window.Module || !Module.calledRun) return {status: 'loading'};
      return JSON.parse(call('threadlab_state', []));
    },
    cancel() {
      if (window.Module && Module.calledRun) Module.ccall('threadlab_cancel', null, [], []);
    },
    lastReport() { return lastReport; },
  };
  window.threadlab = api;

  const missing = missingThreadSupport();
  if (missing) {
    showFatal('The playground cannot run here',
      '<p>' + missing + '</p><p>Serve the playground with the project\'s server, which sends those headers:</p>' +
      '<pre>./serve.py</pre><p>and open the address it prints (http://127.0.0.1:8000 by default).</p>');
    rejectReady(new Error('WebAssembly threads unavailable: ' + missing.replace(/<[^>]+>/g, '')));
    ready.catch(() => {});
    return;
  }

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
    showFatal('WebAssembly threads could not start',
      '<p class="reason"></p><p>The playground runs each thread in a Web Worker on shared WebAssembly memory. ' +
      'The page is cross-origin isolated, so something else prevented that: a browser policy or extension ' +
      'that blocks Workers, a <code>Content-Security-Policy</code> whose <code>worker-src</code> does not allow ' +
      'this site, or too little memory for the 256 MB the playground reserves.</p>' +
      '<p>See the browser console for details.</p>');
    card.querySelector('.reason').textContent = reason;
    const error = new Error('WebAssembly threads could not start: ' + reason);
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
      const params = new URLSearchParams(query);
      const autorun = params.get('autorun') === '1' || params.get('autorun') === 'true';
      if (query) {
        const error = call('threadlab_load', [query]);
        if (error) showToast(error);
      }
      // The first frame does not wait for the pre-started Workers (PTHREAD_POOL_DELAY_LOAD), but
      // `ready` does: a run that starts before they have loaded would measure Worker start-up.
      whenWorkersLoaded(() => {
        if (threadsFailed) return;
        api.readyMs = performance.now() - started;
        readyResolved = true;
        resolveReady();
        if (autorun) api.run(query).catch((e) => console.warn(e.message));
      });
    },
    threadlabRunFinished(json) {
      lastReport = JSON.parse(json);
      if (pending) {
        const p = pending;
        pending = null;
        p.resolve(lastReport);
      }
    },
    onAbort(what) {
      showFatal('The playground stopped', '<p>' + String(what) + '</p><p>See the browser console for details.</p>');
      rejectReady(new Error('aborted: ' + what));
      if (pending) { pending.reject(new Error('aborted: ' + what)); pending = null; }
    },
  };

  const script = document.createElement('script');
  script.src = 'playground.js';
  script.onerror = () => showFatal('The playground is not built',
    '<p>playground.js could not be loaded. Build and serve it with:</p><pre>./serve.py</pre>');
  document.body.appendChild(script);
})();
