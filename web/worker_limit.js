// worker_limit.js - linked into playground.js with --post-js (the same scope as Emscripten's
// pthread runtime, whose spawnThread and PThread it wraps). Main thread only.
//
// Firefox runs at most dom.workers.maxPerDomain (512) Workers per site; a Worker made beyond that
// is queued until another one ends. Emscripten keeps the Workers of finished threads alive for
// reuse, so none ever ends, and a 513th thread would never start: the run hangs. Here a thread
// start beyond the limit waits instead for the Worker of a thread that finishes (threads started
// from a pthread are started asynchronously by the main thread anyway), so 1000 sleeping threads
// run in two waves. Chromium has no such limit.
if (!ENVIRONMENT_IS_PTHREAD) {
  (function () {
    var limit = typeof navigator === 'object' && /Firefox\//.test(navigator.userAgent) ? 500 : Infinity;
    var waiting = []; // thread starts that wait for a Worker, oldest first
    var spawnNow = spawnThread;
    var workers = function () { return PThread.unusedWorkers.length + PThread.runningWorkers.length; };
    spawnThread = function (threadParams) {
      if (waiting.length || (PThread.unusedWorkers.length === 0 && workers() >= limit)) {
        if (waiting.length === 0)
          console.warn('Threadlab: this browser runs at most ' + limit + ' Workers per site; further threads ' +
                       'start as earlier ones finish.');
        waiting.push(threadParams);
        return 0;
      }
      return spawnNow(threadParams);
    };
    var giveBack = PThread.returnWorkerToPool;
    PThread.returnWorkerToPool = function (worker) {
      giveBack.call(PThread, worker);
      while (waiting.length && PThread.unusedWorkers.length) spawnNow(waiting.shift());
    };
    // For the page and the tests: how many thread starts wait for a Worker now.
    Module['threadlabWaitingThreads'] = function () { return waiting.length; };
  })();
}
