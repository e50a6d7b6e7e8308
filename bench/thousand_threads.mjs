// bench/thousand_threads.mjs - 1000 threads that each sleep 1 s (preset thousand-threads), in
// headless Chromium and in Firefox ESR (under its own Xvfb), on the same serve.py, side by side,
// each on real threads (a Web Worker per thread) and on simulated ones (backend=sim: fibers on the
// page's thread).
//
//   node bench/thousand_threads.mjs [--rounds N] [--bundle build/wasm/web] [--only chromium|firefox]
//                                   [--backend threads|sim]
//
// Each round loads the page afresh and runs the preset through the page API; the figure is the
// report's wall_ms (Thread-1's start to the last join), and, beside it, the time from the page
// load to the report. A run that does not finish in --limit seconds (default 120) is reported
// as such, with the report's counts so far: the bench never hangs. Beside each wall time, the
// page's frame intervals during the run (the report's frame_ms: p95 <= 33 ms is 30 fps or better).
// Beside them, in Chromium, the browser's own floor for real threads: 1000 plain JavaScript
// Workers (no Threadlab, no WebAssembly) that each wait 1 s, made at once on the same page. (Not
// in Firefox ESR: its page stopped answering with 500 plain Workers made at once, where 100 took
// 2.1 s; Threadlab's threads there wait for a Worker beyond 500, web/worker_limit.js.)
// Prints one JSON line per browser in bench_threadlab's format (group browser.thousand_threads)
// and a summary on stderr.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { log, median, option } from './cli.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const e2e = await import(path.join(here, '..', 'tests', 'e2e', 'browser.mjs'));

const rounds = Math.max(1, Number(option('--rounds', '3')));
const limitMs = 1000 * Number(option('--limit', '120'));
const only = option('--only', '');
const onlyBackend = option('--backend', '');

// One round: a fresh page, ready, then the run; {wall_ms, total_ms, done} or {stuck: state}.
async function round(newPage, url) {
  const page = await newPage();
  try {
    const loaded = Date.now();
    await page.goto(url, { waitUntil: 'load', timeout: 60000 });
    await e2e.waitReady(page);
    const outcome = await Promise.race([
      page.evaluate(() => window.threadlab.run('preset=thousand-threads'))
        .then((r) => ({ report: r }), (e) => ({ error: String(e).slice(0, 200) })),
      new Promise((resolve) => setTimeout(() => resolve(null), limitMs)),
    ]);
    if (!outcome) {
      const state = await page.evaluate(() => JSON.stringify(window.threadlab.state())).catch((e) => String(e));
      await page.evaluate(() => window.threadlab.cancel()).catch(() => {});
      return { stuck: state.slice(0, 300) };
    }
    if (outcome.error) return { stuck: outcome.error };
    const r = outcome.report;
    return { wall_ms: r.wall_ms, total_ms: Date.now() - loaded, done: r.done, frames: r.frame_ms };
  } finally {
    await page.close().catch(() => {});
  }
}

// 1000 plain Workers, each waiting 1 s and then answering, ended by the page: {seconds} until the
// last has answered (a browser that runs fewer Workers at once queues the rest until earlier ones
// end), or {answered} when not all did within 50 s (under the browsers' 60 s protocol timeout).
async function plainWorkers(newPage, url) {
  const page = await newPage();
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 60000 });
    return await page.evaluate(async () => {
      const source = URL.createObjectURL(new Blob(['setTimeout(() => postMessage(1), 1000);'], { type: 'text/javascript' }));
      const t0 = performance.now();
      let answered = 0;
      const all = Promise.all(Array.from({ length: 1000 }, () => new Promise((resolve) => {
        const worker = new Worker(source);
        worker.onmessage = () => { worker.terminate(); answered++; resolve(); };
      })));
      const finished = await Promise.race([all.then(() => true), new Promise((r) => setTimeout(() => r(false), 50000))]);
      return finished ? { seconds: (performance.now() - t0) / 1000 } : { answered };
    });
  } finally {
    await page.close().catch(() => {});
  }
}

async function bench(name, newPage, url) {
  const walls = [];
  const p95s = [];
  for (let i = 1; i <= rounds; i++) {
    const r = await round(newPage, url);
    if (r.stuck) {
      log(`  ${name} round ${i}: not finished after ${limitMs / 1000} s: ${r.stuck}`);
      continue;
    }
    const f = r.frames; // the page's frame intervals during the run: p95 <= 33 ms is 30 fps or better
    log(`  ${name} round ${i}: ${r.done} of 1000 done, wall ${(r.wall_ms / 1000).toFixed(2)} s ` +
        `(page load to report ${(r.total_ms / 1000).toFixed(2)} s); ` +
        (f ? `${f.frames} frames, interval p50 ${f.p50} ms, p95 ${f.p95} ms, max ${f.max} ms` : 'no frame times'));
    if (r.done === 1000) walls.push(r.wall_ms / 1000);
    if (r.done === 1000 && f) p95s.push(f.p95);
  }
  console.log(JSON.stringify({ group: 'browser.thousand_threads', unit: 's', per: 1,
    variants: { [name]: { median: walls.length ? median(walls) : null, samples: walls, rounds,
      frame_p95_ms: p95s.length ? median(p95s) : null } } }));
  log(`${name}: median ${walls.length ? median(walls).toFixed(2) + ' s' : 'none finished'} over ${walls.length} of ${rounds} rounds` +
      (p95s.length ? `, frame interval p95 ${median(p95s)} ms (median of rounds)` : ''));
}

const server = await e2e.startServer();
try {
  for (const { name, launch, newPage } of e2e.BROWSERS) {
    if (only && only !== name) continue;
    const browser = await launch();
    try {
      if (name === 'chromium' && (!onlyBackend || onlyBackend === 'threads')) {
        const floors = [];
        for (let i = 0; i < rounds; i++) {
          const r = await plainWorkers(() => newPage(browser), server.url);
          if (r.seconds) floors.push(r.seconds);
          else log(`  ${name} plain Workers round ${i + 1}: ${r.answered} of 1000 answered in 50 s`);
        }
        log(`${name} plain Workers (no Threadlab), 1000 x 1 s: ` +
            (floors.length ? `median ${median(floors).toFixed(2)} s (${floors.map((f) => f.toFixed(2)).join(', ')})` : 'none finished'));
        console.log(JSON.stringify({ group: 'browser.thousand_threads', unit: 's', per: 1,
          variants: { [`${name} plain Workers`]: { median: floors.length ? median(floors) : null, samples: floors, rounds } } }));
      }
      for (const backend of ['threads', 'sim']) {
        if (onlyBackend && onlyBackend !== backend) continue;
        await bench(`${name} ${backend}`, () => newPage(browser), server.url + (backend === 'sim' ? '?backend=sim' : ''));
      }
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.close();
}
