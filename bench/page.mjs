// bench/page.mjs - the playground page in headless Chromium: its weight, its start-up, its frame
// time under load, and the tutorial's runs through the page API (window.threadlab.run).
//
//   node bench/page.mjs --url http://127.0.0.1:PORT/ --bundle build/wasm/web [--rounds N] [--quick]
//
// The page must be served by serve.py (cross-origin isolation headers, simulated internet); run.sh
// starts it. Prints JSON lines in bench_threadlab's format (variant "threadlab"):
//   page.size_gz                   bytes of every .wasm and .js of the bundle, gzip -9
//   page.first_frame               navigation -> the app's first frame, warm cache (median of rounds)
//   page.frame_time_1000_tasks     requestAnimationFrame intervals (p50, p99) while 1,000 sleeps of
//                                  100 ms run on a pool of 32
//   browser.*                      the tutorial's runs: wall_ms of the page's report, in seconds;
//                                  the downloads also against plain JavaScript on the same page
import { createRequire } from 'node:module';
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flag, jsWorkerXhr, log, median, option } from './cli.mjs';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

const quick = flag('--quick');
const url = option('--url', 'http://127.0.0.1:8000/');
const bundle = option('--bundle', 'build/wasm/web');
const rounds = quick ? 1 : Math.max(1, Number(option('--rounds', '3')));

const quantile = (v, q) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.round(q * (s.length - 1)))] : NaN;
};
const emit = (group, variants, per = 1, unit = 's') => {
  console.log(JSON.stringify({ group, unit, per, variants }));
};

// -- weight ---------------------------------------------------------------------------------------
let gzBytes = 0;
const files = readdirSync(bundle).filter((f) => f.endsWith('.wasm') || f.endsWith('.js'));
for (const f of files) gzBytes += gzipSync(readFileSync(join(bundle, f)), { level: 9 }).length;
emit('page.size_gz', { threadlab: { median: gzBytes, samples: [gzBytes], files } }, 1, 'bytes');
log(`  page.size_gz                       ${(gzBytes / 1024).toFixed(0)} KB (${files.join(', ')})`);

// -- browser --------------------------------------------------------------------------------------
const profile = mkdtempSync(join(tmpdir(), 'threadlab-bench-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
    '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 800 },
});
try {
  const page = context.pages()[0] || await context.newPage();
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  // The moment the app reports its first frame, on the navigation's clock (performance.now()).
  await page.addInitScript(() => {
    let module;
    Object.defineProperty(window, 'Module', {
      configurable: true,
      get() { return module; },
      set(value) {
        module = value;
        if (value && typeof value.threadlabReady === 'function' && !value.__benchWrapped) {
          const ready = value.threadlabReady;
          value.__benchWrapped = true;
          value.threadlabReady = function (...a) {
            window.__benchFirstFrame = performance.now();
            return ready.apply(this, a);
          };
        }
      },
    });
  });

  const load = async () => {
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => window.__benchFirstFrame !== undefined || (window.threadlab && window.threadlab.firstFrameMs), null, { timeout: 60000 });
    await page.evaluate(() => window.threadlab.ready);
    return page.evaluate(() => (window.__benchFirstFrame ?? window.threadlab.firstFrameMs) / 1000);
  };

  await load(); // cold: fills the HTTP cache (serve.py sends no-cache: revalidated, not re-downloaded)
  const firstFrame = [];
  for (let r = 0; r < Math.max(rounds, 3); ++r) firstFrame.push(await load());
  emit('page.first_frame', { threadlab: { median: median(firstFrame), samples: firstFrame } });
  log(`  page.first_frame                   ${median(firstFrame).toFixed(3)} s`);

  let lastReport = null;
  const run = async (scenario) => {
    const report = await page.evaluate((s) => window.threadlab.run(s), scenario);
    lastReport = report;
    return report.wall_ms / 1000;
  };

  // Peers for the downloads: what a JavaScript programmer writes on the same page for the same 15
  // URLs, in the same rounds. js_worker_xhr: one Worker per URL doing a synchronous XMLHttpRequest
  // (the browser's floor for Threadlab's fetch, which is exactly that on each task's thread);
  // js_fetch: Promise.all of fetch() on the page's thread. Workers are started before the clock.
  const jsPeer = (kind, urls) => kind === 'js_worker_xhr' ? jsWorkerXhr(page, urls) : page.evaluate(async (urls) => {
    const start = performance.now();
    await Promise.all(urls.map(async (u) => (await fetch(u, { cache: 'no-store' })).arrayBuffer()));
    return (performance.now() - start) / 1000;
  }, urls);

  // Frame intervals while 1,000 tasks run (a pool of 32 running 1,000 sleeps of 100 ms).
  const tasks = quick ? 50 : 1000;
  await page.evaluate(() => {
    window.__benchFrames = [];
    let last = performance.now();
    window.__benchFrameLoop = true;
    const tick = (t) => {
      window.__benchFrames.push(t - last);
      last = t;
      if (window.__benchFrameLoop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.waitForTimeout(200);
  await page.evaluate(() => { window.__benchFrames = []; });
  await run({ kind: 'sleep', count: tasks, seconds: 0.1, mode: 'pool', workers: 32 });
  const frames = (await page.evaluate(() => { window.__benchFrameLoop = false; return window.__benchFrames; })).map((ms) => ms / 1000);
  emit('page.frame_time_1000_tasks', { threadlab: { p50: quantile(frames, 0.5), p90: quantile(frames, 0.9), p99: quantile(frames, 0.99), n: frames.length } });
  log(`  page.frame_time_1000_tasks         p50=${(quantile(frames, 0.5) * 1000).toFixed(1)} ms p99=${(quantile(frames, 0.99) * 1000).toFixed(1)} ms (${frames.length} frames)`);

  // The tutorial's runs through the page API, each repeated `rounds` times, interleaved.
  const latency = quick ? 30 : 300;
  const runs = [
    ['browser.sleep_10x1s', { kind: 'sleep', count: 10, seconds: quick ? 0.05 : 1, mode: 'threads' }],
    ['browser.sleep_1000x100ms.threads', { kind: 'sleep', count: tasks, seconds: 0.1, mode: 'threads' }],
    ['browser.sleep_1000x100ms.pool32', { kind: 'sleep', count: tasks, seconds: 0.1, mode: 'pool', workers: 32 }],
    ['browser.download_15x300ms.threads', { kind: 'fetch', count: 15, latency_ms: latency, mode: 'threads' }],
    ['browser.download_15x300ms.pool15', { kind: 'fetch', count: 15, latency_ms: latency, mode: 'pool', workers: 15 }],
    ['browser.download_15x300ms.sequential', { kind: 'fetch', count: 15, latency_ms: latency, mode: 'sequential' }],
  ];
  const samples = Object.fromEntries(runs.map(([name]) => [name, []]));
  const peers = { js_worker_xhr: [], js_fetch: [] };
  let urls = null;
  for (let r = 0; r < rounds; ++r) {
    for (const [name, scenario] of runs) {
      if (name.endsWith('sequential') && r > 0) continue; // 4.5 s each: once is enough
      samples[name].push(await run(scenario));
      if (name.endsWith('.threads') && name.includes('download')) {
        // The same images as the run just made (a cache buster per round, as the app's fetch
        // is never served from the cache either).
        urls ??= lastReport.tasks.map((t) => `images/${t.label}.png?latency_ms=${latency}`);
        for (const kind of Object.keys(peers)) peers[kind].push(await jsPeer(kind, urls.map((u) => `${u}&peer=${kind}&round=${r}`)));
      }
    }
  }
  for (const [name] of runs) {
    const variants = { threadlab: { median: median(samples[name]), samples: samples[name] } };
    if (name.startsWith('browser.download') && !name.endsWith('sequential'))
      for (const [kind, v] of Object.entries(peers)) variants[kind] = { median: median(v), samples: v };
    emit(name, variants);
    log(`  ${name.padEnd(34)} ${median(samples[name]).toFixed(3)} s`);
  }
  for (const [kind, v] of Object.entries(peers)) log(`  browser.download_15x300ms ${kind.padEnd(14)} ${median(v).toFixed(3)} s`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
