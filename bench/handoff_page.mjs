// bench/handoff_page.mjs - bench_handoff (bench/handoff_main.cpp: a Semaphore ping-pong between two
// threads, and 100 threads sleeping 50 ms) in a real page, in headless Chromium and in Firefox ESR
// (under its own Xvfb), on real threads (build/bench-wasm: a Web Worker per thread, shared memory)
// and on simulated ones (build/bench-wasm-sim: fibers on the page's own thread), each build served
// by its own serve.py (cross-origin isolation headers). The same programs run under node in
// bench/run.sh; this says what a learner's browser makes of them.
//
//   node bench/handoff_page.mjs [--rounds N | --quick] [--only chromium|firefox]
//
// Prints the program's JSON lines (bench_threadlab's format) with each group prefixed by the
// browser ("chromium:backend.ping_pong"), for report.py; a summary on stderr. A page that does not
// finish in --limit seconds (default 300), or stops with an error, is reported and left out.
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { flag, log, option } from './cli.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.join(here, '..');
const e2e = await import(path.join(repo, 'tests', 'e2e', 'browser.mjs'));

const args = flag('--quick') ? ['--quick'] : ['--rounds', String(Math.max(1, Number(option('--rounds', '3'))))];
const limitMs = 1000 * Number(option('--limit', '300'));
const only = option('--only', '');
const builds = { os: 'build/bench-wasm', sim: 'build/bench-wasm-sim' };
for (const dir of Object.values(builds)) {
  if (!existsSync(path.join(repo, dir, 'bench_handoff.html')) || !existsSync(path.join(repo, dir, 'bench_handoff.js'))) {
    log(`handoff_page: ${dir}/bench_handoff.{html,js} missing: build them first (bench/run.sh does)`);
    process.exit(2);
  }
}

// One program in a fresh page: its JSON lines, or null (and why, on stderr).
async function run(newPage, browser, backend, url) {
  const page = await newPage();
  try {
    await page.goto(url + 'bench_handoff.html?' + args.map(encodeURIComponent).join('&'), { waitUntil: 'load', timeout: 60000 });
    if (backend === 'os' && !(await page.evaluate(() => self.crossOriginIsolated))) {
      log(`  ${browser} ${backend}: the page is not cross-origin isolated, so it has no shared memory for real threads`);
      return null;
    }
    const outcome = await e2e.withTimeout(page.evaluate(() => window.benchExit.then((status) => ({ status }), (e) => ({ error: String(e) }))),
      limitMs, 'the program').catch((e) => ({ error: e.message }));
    if (outcome.error || outcome.status !== 0) {
      log(`  ${browser} ${backend}: ${outcome.error || `exit status ${outcome.status}`}`);
      return null;
    }
    return (await page.evaluate(() => window.benchLines)).filter((line) => line.startsWith('{'));
  } finally {
    await page.close().catch(() => {});
  }
}

const servers = {};
try {
  for (const [backend, dir] of Object.entries(builds)) servers[backend] = await e2e.startServer(['--root', path.join(repo, dir)]);
  for (const { name, launch, newPage } of e2e.BROWSERS) {
    if (only && only !== name) continue;
    const browser = await launch();
    try {
      for (const backend of ['os', 'sim']) {
        const lines = await run(() => newPage(browser), name, backend, servers[backend].url);
        for (const line of lines || []) {
          const result = JSON.parse(line);
          result.group = `${name}:${result.group}`;
          console.log(JSON.stringify(result));
          for (const [variant, v] of Object.entries(result.variants))
            log(`  ${result.group.padEnd(34)} ${variant.padEnd(14)} ` +
                (result.per === 1 ? `${(v.median * 1e3).toFixed(1)} ms` : `${(v.median * 1e6 / result.per).toFixed(2)} µs per hand-off`));
        }
      }
    } finally {
      await browser.close();
    }
  }
} finally {
  for (const server of Object.values(servers)) await server.close();
}
