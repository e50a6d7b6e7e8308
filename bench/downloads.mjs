// bench/downloads.mjs - the tutorial's 15 downloads (300 ms of latency each) in headless Chromium
// and in Firefox ESR (under its own Xvfb), on one serve.py, side by side.
//
//   node bench/downloads.mjs [--rounds N] [--only chromium|firefox]
//
// Two variants in the same rounds, interleaved: `spread` - the playground as shipped, whose
// downloads from serve.py go to dl0..dl7.localhost (a browser opens at most 6 connections per
// host) - and `one_host`: the same URLs written out absolute for 127.0.0.1 on a page opened as
// localhost, so every download shares one host as before. Each in two modes: 15 threads, and a
// pool of 15 (executor.map, the tutorial's form). The figure is the report's wall_ms. Beside them,
// in the same rounds, the browser's floor: `js_worker_xhr`, 15 plain JavaScript Workers (started
// before the clock) each making one synchronous XMLHttpRequest for the same images spread over the
// same host names, as Threadlab's threads do. Prints one JSON line per browser and mode in
// bench_threadlab's format and a summary on stderr.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { jsWorkerXhr, log, median, option } from './cli.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const e2e = await import(path.join(here, '..', 'tests', 'e2e', 'browser.mjs'));

const rounds = Math.max(1, Number(option('--rounds', '5')));
const only = option('--only', '');

const server = await e2e.startServer();
const port = new URL(server.url).port;
const names = JSON.parse(await (await fetch(server.url + 'images/index.json')).text()).map((i) => i.name ?? i);
const modes = { threads: 'mode=threads', pool15: 'mode=map&workers=15' };

async function bench(name, page) {
  await page.goto(`http://localhost:${port}/`, { waitUntil: 'load', timeout: 60000 });
  await e2e.waitReady(page);
  const samples = {};
  for (let r = 0; r < rounds; r++) {
    const peerUrls = names.map((n, i) => `http://dl${i % 8}.localhost:${port}/images/${n}.png?latency_ms=300&round=${r}peer`);
    (samples.js_worker_xhr ??= []).push(await e2e.withTimeout(jsWorkerXhr(page, peerUrls), 60000, `${name} js_worker_xhr`));
    for (const [mode, keys] of Object.entries(modes)) {
      for (const variant of ['spread', 'one_host']) {
        // A cache buster per round and variant: the app's downloads are never cached either.
        const bust = `latency_ms=300%26round=${r}${variant}${mode}`;
        const urls = names.map((n) => variant === 'spread' ? `images/${n}.png?${bust}` : `http://127.0.0.1:${port}/images/${n}.png?${bust}`);
        const query = `kind=fetch&count=15&latency_ms=300&${keys}&` + urls.map((u) => 'url=' + u).join('&');
        const report = await e2e.withTimeout(page.evaluate((q) => window.threadlab.run(q), query), 60000, `${name} ${mode} ${variant}`);
        if (report.done !== 15) throw new Error(`${name} ${mode} ${variant}: ${report.done} of 15 done: ${report.console}`);
        (samples[`${mode}.${variant}`] ??= []).push(report.wall_ms / 1000);
      }
    }
  }
  for (const mode of Object.keys(modes)) {
    const variants = {};
    for (const variant of ['spread', 'one_host'])
      variants[variant] = { median: median(samples[`${mode}.${variant}`]), samples: samples[`${mode}.${variant}`], rounds };
    console.log(JSON.stringify({ group: `browser.download_15x300ms.${mode}.${name}`, unit: 's', per: 1, variants }));
    log(`${name} ${mode}: spread ${variants.spread.median.toFixed(3)} s, one host ${variants.one_host.median.toFixed(3)} s ` +
        `(medians of ${rounds}; target <= 0.45 s)`);
  }
  const peer = samples.js_worker_xhr;
  console.log(JSON.stringify({ group: `browser.download_15x300ms.js_worker_xhr.${name}`, unit: 's', per: 1,
    variants: { spread: { median: median(peer), samples: peer, rounds } } }));
  log(`${name} plain JavaScript, 15 Workers x a synchronous request, spread: ${median(peer).toFixed(3)} s ` +
      `(${peer.map((v) => v.toFixed(3)).join(', ')})`);
}

try {
  for (const { name, launch, newPage } of e2e.BROWSERS) {
    if (only && only !== name) continue;
    const browser = await launch();
    try {
      await bench(name, await newPage(browser));
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.close();
}
