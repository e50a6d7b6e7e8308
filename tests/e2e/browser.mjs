// Helpers for the browser e2e tests: start the real serve.py on a free port, launch Debian's
// Chromium through playwright-core (never a downloaded browser), bound every wait.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import http from 'node:http';
import { it } from 'node:test';
import zlib from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS = path.join(REPO, 'tests', 'artifacts', 'e2e');
const require = createRequire(path.join(REPO, 'package.json'));
const { chromium } = require('playwright-core');
const puppeteer = require('puppeteer-core');

export const BUNDLE = path.resolve(REPO, process.env.THREADLAB_WEB_BUNDLE || path.join('build', 'wasm', 'web'));
export const CHROMIUM = process.env.THREADLAB_CHROMIUM || '/usr/bin/chromium';
export const FIREFOX = process.env.THREADLAB_FIREFOX || '/usr/bin/firefox-esr';

/** '' when the bundle and the browser are there, else what is missing. */
export function missingPrerequisites() {
  const missing = [];
  const absent = ['index.html', 'threadlab.js', 'playground.js', 'playground.wasm', 'playground-sim.js', 'playground-sim.wasm']
    .filter((f) => !fs.existsSync(path.join(BUNDLE, f)));
  if (absent.length) {
    missing.push(`web bundle ${BUNDLE} (no ${absent.join(', ')}): build it with tests/run.sh --only wasm,wasm-sim, or set THREADLAB_WEB_BUNDLE`);
  }
  if (!fs.existsSync(CHROMIUM)) missing.push(`Chromium at ${CHROMIUM} (apt-get install chromium, or set THREADLAB_CHROMIUM)`);
  if (!fs.existsSync(FIREFOX)) missing.push(`Firefox at ${FIREFOX} (apt-get install firefox-esr, or set THREADLAB_FIREFOX)`);
  return missing.join('; ');
}

/** Resolves p, or rejects after ms with a message naming what timed out. */
export function withTimeout(p, ms, what) {
  let timer;
  return Promise.race([
    p,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

const URL_LINE = /^Threadlab playground: (http:\/\/[^/\s]+:\d+\/)\s*$/m;

/** Starts serve.py --no-build --quiet --port 0 --root BUNDLE [extra]; {url, output(), close()}. */
export async function startServer(extra = [], timeoutMs = 30000) {
  const proc = spawn('python3', [path.join(REPO, 'serve.py'), '--no-build', '--quiet', '--port', '0', '--root', BUNDLE, ...extra],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await withTimeout(new Promise((resolve, reject) => {
    const onData = (chunk) => {
      out += chunk.toString();
      const m = URL_LINE.exec(out);
      if (m) resolve(m[1]);
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', (c) => { out += c.toString(); });
    proc.on('exit', (code) => reject(new Error(`serve.py exited (${code}) before printing its URL:\n${out}`)));
    proc.on('error', reject);
  }), timeoutMs, 'serve.py URL line').catch((e) => { proc.kill('SIGKILL'); throw e; });
  return {
    url,
    output: () => out,
    async close() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGINT');
      try { await withTimeout(exited, 5000, 'serve.py exit'); } catch { proc.kill('SIGKILL'); }
    },
  };
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
  '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A headless Chromium with a fresh temporary profile; {context, close()}. deviceScaleFactor: screen pixels per CSS px. */
export async function launchBrowser({ deviceScaleFactor = 1 } = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadlab-chromium-'));
  const context = await withTimeout(chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 }, deviceScaleFactor, timeout: 60000,
  }), 90000, 'launching Chromium');
  context.setDefaultTimeout(30000);
  return {
    context,
    async close() {
      try { await withTimeout(context.close(), 20000, 'closing Chromium'); } catch { /* killed below with its dir */ }
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Opens url in a new page, collecting console messages in page.logs. */
export async function openPage(context, url) {
  const page = await context.newPage();
  page.logs = [];
  page.on('console', (m) => page.logs.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => page.logs.push(`[pageerror] ${e.message}`));
  await page.goto(url, { waitUntil: 'load', timeout: 60000 });
  return page;
}

/** Waits for window.threadlab.ready inside the page or frame (bounded). */
export async function waitReady(page, ms = 90000) {
  await withTimeout(page.evaluate(() => window.threadlab.ready.then(() => true)), ms, 'window.threadlab.ready');
}

/** How window.threadlab.ready settled in a page or frame: 'resolved' or 'rejected: MESSAGE' (bounded). */
export function readySettled(target, what = 'threadlab.ready settling') {
  return withTimeout(target.evaluate(() => window.threadlab.ready.then(() => 'resolved', (e) => 'rejected: ' + e.message)), 30000, what);
}

/** An embed (Playwright or Puppeteer frame) that cannot be isolated says so: ready rejects, state() is an error. */
export async function assertEmbedFallback(frame) {
  assert.equal(await frame.evaluate(() => window.crossOriginIsolated), false);
  const ready = await readySettled(frame);
  assert.match(ready, /^rejected: Real threads are not available in this embed/, ready);
  const state = await frame.evaluate(() => window.threadlab.state());
  assert.deepEqual([state.status, state.isolation], ['error', 'none'], JSON.stringify(state));
}

/**
 * An embed (Playwright or Puppeteer frame) that cannot be isolated runs simulated threads: it says
 * so in one line, whose link opens `realUrl` (the page on its own, real threads) in a new tab, and
 * runs the tutorial's 10 x 1 s in 1.0-1.1 s (the fastest of ATTEMPTS).
 */
export async function assertSimulatedEmbed(frame, realUrl) {
  assert.equal(await frame.evaluate(() => window.crossOriginIsolated), false);
  await waitReady(frame);
  const state = await frame.evaluate(() => window.threadlab.state());
  assert.deepEqual([state.status, state.isolation, state.backend], ['idle', 'none', 'simulated'], JSON.stringify(state).slice(0, 300));
  const notice = await frame.evaluate(() => {
    const bar = document.getElementById('sim-notice');
    const link = bar.querySelector('a');
    return { text: bar.textContent, href: link.href, target: link.target, shown: bar.getBoundingClientRect().height > 0,
             canvasTop: document.getElementById('canvas').getBoundingClientRect().top };
  });
  assert.deepEqual(notice, { text: 'Simulated threads: this page cannot use shared memory — open with real threads ↗',
                             href: realUrl, target: '_blank', shown: true, canvasTop: 26 });
  const report = await bestOf(frame, TUTORIAL, 'simulated embed: 10 x 1 s threads', (r) => {
    assertTutorialReport(r);
    assert.equal(r.backend, 'simulated');
    assert.ok(Number.isInteger(r.seed) && r.seed > 0, `seed ${r.seed}`);
    assert.match(r.scenario, new RegExp(`seed=${r.seed}`), 'the report\'s scenario replays the run');
  }, (ms) => ms <= 1100);
  assert.ok(report.wall_ms <= 1100, `fastest run ${report.wall_ms} ms, expected 1000..1100`);
}

/** Runs a scenario through the page API (a Page or a Frame) and returns its report (bounded). */
export function runScenario(page, scenario, ms = 120000) {
  return withTimeout(page.evaluate((s) => window.threadlab.run(s), scenario), ms, `threadlab.run(${JSON.stringify(scenario)})`);
}

/** The tutorial's first example: 10 threads that sleep 1 s each. */
export const TUTORIAL = { kind: 'sleep', count: 10, seconds: 1, mode: 'threads' };

export function summary(report) {
  return JSON.stringify({ status: report.status, wall_ms: report.wall_ms, done: report.done, failed: report.failed,
    tasks: report.tasks.map((t) => ({ id: t.id, thread: t.thread, status: t.status, bytes: t.bytes, error: t.error })) });
}

export function assertTutorialReport(report) {
  assert.equal(report.tasks.length, 10, summary(report));
  assert.ok(report.tasks.every((t) => t.status === 'done'), summary(report));
  assert.equal(new Set(report.tasks.map((t) => t.thread)).size, 10, `10 distinct threads: ${summary(report)}`);
  assert.ok(report.wall_ms >= 1000, `wall ${report.wall_ms} ms: 10 sleeps of 1 s cannot take less than 1 s`);
}

// Upper bounds on wall time and machine load: a busy machine (CI runners, or this one with a load
// average of 12..15 on 2 cores while other builds ran) only ever makes a run slower, never
// faster. So a scenario with an upper bound runs up to ATTEMPTS times and the FASTEST run must
// meet the bound from the issue (1.5 s), while every run must be correct and meet the lower bound.
// Measured under that load: 10 x 1 s threads 1022..1161 ms; 15 downloads with 300 ms latency,
// threads 1189..2020 ms (one run of four over 1.5 s), pool of 15 549..995 ms, sequential
// 5205..6418 ms. Widening the bound instead would hide a real regression to ~2 s.
export const ATTEMPTS = 3;

/** Runs scenario until check(report) passes the fastest-run bound (at most ATTEMPTS times). */
export async function bestOf(page, scenario, name, checkEach, fastEnough) {
  const walls = [];
  let best = null;
  for (let i = 0; i < ATTEMPTS; i++) {
    const report = await runScenario(page, scenario);
    walls.push(report.wall_ms);
    checkEach(report);
    if (!best || report.wall_ms < best.wall_ms) best = report;
    if (fastEnough(best.wall_ms)) break;
  }
  console.log(`# ${name}: wall ${walls.map((w) => `${w} ms`).join(', ')}${walls.length > 1 ? ' (retried: machine load)' : ''}`);
  return best;
}

/**
 * An ordinary tutorial page (no isolation headers) on http://localhost:PORT/, another site than
 * serve.py's 127.0.0.1: it frames `src` in a plain <iframe>, or shows `body` (HTML) instead.
 */
export async function startTutorialPage(src, body = null) {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>A threading tutorial</title></head>
<body style="font: 16px system-ui; margin: 24px; background: #fff; color: #222">
<h1>Threading in Python</h1><p>Ten threads that each sleep one second finish in about one second:</p>
${body ?? `<iframe id="embed" src="${src}" allow="cross-origin-isolated" width="960" height="600" style="border: 1px solid #ccc"></iframe>`}
</body></html>`;
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) });
    res.end(html);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://localhost:${server.address().port}/`, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** The frame of `page` (Playwright or Puppeteer) showing embedUrl's origin, once its page API exists. */
export async function embedFrame(page, embedUrl) {
  const origin = new URL(embedUrl).origin;
  return withTimeout((async () => {
    for (;;) {
      const found = page.frames().find((f) => f.url().startsWith(origin));
      if (found && await found.evaluate(() => !!window.threadlab).catch(() => false)) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })(), 60000, 'the embed frame loading');
}

/** Opens the tutorial page in a Playwright context: [page, the embed's frame]. */
export async function openEmbed(context, parentUrl, embedUrl) {
  const page = await openPage(context, parentUrl);
  return [page, await embedFrame(page, embedUrl)];
}

/** Starts an X server of its own (Xvfb, a free display number); {display, close()}. */
async function startXvfb() {
  const proc = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const display = await withTimeout(new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (c) => { out += c; if (/\d+\n/.test(out)) resolve(':' + out.trim()); });
    proc.on('exit', (code) => reject(new Error(`Xvfb exited (${code})`)));
    proc.on('error', reject);
  }), 20000, 'Xvfb start').catch((e) => { proc.kill('SIGKILL'); throw e; });
  return { display, close() { proc.kill('SIGTERM'); } };
}

/**
 * Debian's Firefox ESR through puppeteer-core over WebDriver BiDi (never a downloaded browser),
 * visible on an Xvfb display of its own: headless Firefox has no WebGL2 here, and the pref
 * webgl.force-enabled lets it use software GL. {browser, close()}.
 */
export async function launchFirefox() {
  const xvfb = await startXvfb();
  try {
    const browser = await withTimeout(puppeteer.launch({
      browser: 'firefox', executablePath: FIREFOX, headless: false, protocolTimeout: 60000, timeout: 60000,
      env: { ...process.env, DISPLAY: xvfb.display },
      extraPrefsFirefox: { 'webgl.force-enabled': true },
    }), 90000, 'launching Firefox');
    return {
      browser,
      async close() {
        try { await withTimeout(browser.close(), 20000, 'closing Firefox'); } catch { browser.process()?.kill('SIGKILL'); }
        xvfb.close();
      },
    };
  } catch (e) {
    xvfb.close();
    throw e;
  }
}

/** Each browser as the tests launch it, and how it opens a page in it (for the benchmarks). */
export const BROWSERS = [
  { name: 'chromium', launch: launchBrowser, newPage: (b) => b.context.newPage() },
  { name: 'firefox', launch: launchFirefox, newPage: (b) => b.browser.newPage() },
];

export /** Decodes a PNG screenshot (8-bit RGB/RGBA, not interlaced): {width, height, rgb(x, y) -> [r, g, b]}. */
function decodePng(png) {
  let pos = 8, width = 0, height = 0, colorType = 0;
  const idat = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos), type = png.toString('ascii', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') { width = data.readUInt32BE(0); height = data.readUInt32BE(4); colorType = data[9]; }
    if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const bpp = colorType === 6 ? 4 : 3;
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? cur[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
      let p;
      switch (filter) {
        case 0: p = 0; break;
        case 1: p = a; break;
        case 2: p = b; break;
        case 3: p = (a + b) >> 1; break;
        default: { const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c); p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c; }
      }
      cur[i] = (line[i] + p) & 255;
    }
  }
  return { width, height, rgb: (x, y) => { const o = y * stride + x * bpp; return [pixels[o], pixels[o + 1], pixels[o + 2]]; } };
}

/** Mean of R, G and B over a PNG (a whole screenshot), or over the pixel at x, y. */
export function meanBrightness(png, x = null, y = null) {
  const img = decodePng(png);
  if (x !== null) { const [r, g, b] = img.rgb(x, y); return (r + g + b) / 3; }
  let sum = 0;
  for (let j = 0; j < img.height; j++) for (let i = 0; i < img.width; i++) { const [r, g, b] = img.rgb(i, j); sum += r + g + b; }
  return sum / (3 * img.width * img.height);
}

/**
 * The preamble of each browser test file: what is missing (a failing test when CI is set, since
 * there a missing bundle or browser is an error, not a reason to skip), the `skip` option for its
 * describe()s, the artifacts folder, and a watchdog that ends the file if anything hangs.
 */
export function testFile(name, minutes) {
  const missing = missingPrerequisites();
  if (missing && process.env.CI) it(`prerequisites for ${name}`, () => assert.fail(`missing: ${missing}`));
  const watchdog = setTimeout(() => { console.error(`${name}: still running after ${minutes} min, exiting`); process.exit(1); }, minutes * 60 * 1000);
  watchdog.unref();
  return { missing, skip: missing ? `missing: ${missing}` : false, ARTIFACTS: missing ? '' : ensureArtifacts() };
}

export function ensureArtifacts() { fs.mkdirSync(ARTIFACTS, { recursive: true }); return ARTIFACTS; }
