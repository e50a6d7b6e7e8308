// End-to-end tests of `serve.py --export DIR` on a static host, one that sends no isolation
// headers: `python3 -m http.server` over the exported folder stands in for GitHub Pages and the
// like, the folder served under a sub-path (/site/, as https://user.github.io/repo/) and at a
// host's root. At top level the page registers coi-sw.js, reloads once, and is then cross-origin
// isolated by the service worker: real threads and the tutorial's downloads, in Debian's Chromium
// (playwright-core) and Firefox ESR (puppeteer-core). With service workers blocked it says so.
// Run with `node --test tests/e2e/`.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  assertTutorialReport, bestOf, BUNDLE, CHROMIUM, CHROMIUM_ARGS, launchBrowser, launchFirefox, openPage,
  readySettled, REPO, runScenario, summary, testFile, TUTORIAL, waitReady, withTimeout,
} from './browser.mjs';

const require = createRequire(path.join(REPO, 'package.json'));
const { chromium } = require('playwright-core');

const { skip, ARTIFACTS } = testFile('export.test.mjs', 12);

const DOWNLOADS = { kind: 'fetch', count: 15, latency_ms: 300, mode: 'pool', workers: 15 };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A free TCP port on 127.0.0.1 (released again for http.server to take; retried if taken meanwhile). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
  });
}

function httpStatus(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', () => resolve(0));
    req.on('timeout', () => { req.destroy(); resolve(0); });
  });
}

/** `python3 -m http.server` over dir on 127.0.0.1 (it prints no port for port 0: we pick one); {url, close()}. */
async function startStaticHost(dir) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const proc = spawn('python3', ['-m', 'http.server', '--bind', '127.0.0.1', '--directory', dir, String(port)],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    proc.stderr.on('data', (c) => { log += c; });
    const url = `http://127.0.0.1:${port}/`;
    const deadline = Date.now() + 20000;
    while (proc.exitCode === null && Date.now() < deadline && await httpStatus(url) !== 200) await sleep(100);
    if (proc.exitCode === null && Date.now() < deadline) {
      return {
        url,
        log: () => log,
        async close() {
          if (proc.exitCode !== null) return;
          const exited = new Promise((resolve) => proc.once('exit', resolve));
          proc.kill('SIGTERM');
          try { await withTimeout(exited, 5000, 'http.server exit'); } catch { proc.kill('SIGKILL'); }
        },
      };
    }
    proc.kill('SIGKILL');
    if (attempt === 3) throw new Error(`python3 -m http.server did not start on ${url}:\n${log}`);
  }
}

/**
 * Opens url in a new page (Playwright or Puppeteer), counting the main frame's navigations, and
 * waits until the page, after its own reload, is cross-origin isolated and ready. Returns
 * {page, readyMs (from the first request to ready), navigations(), firstText}.
 */
async function openIsolated(newPage, url) {
  const page = await newPage();
  page.logs = [];
  page.on('console', (m) => page.logs.push(`[${m.type()}] ${m.text()}`));
  let navigations = 0;
  page.on('framenavigated', (frame) => { if (frame === page.mainFrame()) navigations++; });
  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'load', timeout: 60000 });
  // What the first document shows while the worker installs, if it is still there to ask.
  const firstText = await page.evaluate(() => (window.crossOriginIsolated ? null : document.getElementById('loading-text').textContent))
    .catch(() => null);
  await withTimeout((async () => {
    // page.evaluate throws while the page reloads (its context is destroyed): ask again.
    while (!await page.evaluate(() => window.crossOriginIsolated && !!window.threadlab).catch(() => false)) await sleep(50);
  })(), 60000, 'the page isolating itself through its service worker');
  await waitReady(page);
  return { page, readyMs: Date.now() - t0, navigations: () => navigations, firstText };
}

/** The checks every browser passes on the static host: isolated by the worker after one reload, real threads, downloads. */
async function checkStaticHost(name, opened, sizes) {
  const { page } = opened;
  const state = await page.evaluate(() => window.threadlab.state());
  assert.equal(state.status, 'idle', JSON.stringify(state));
  assert.equal(state.isolation, 'service-worker', JSON.stringify(state));
  assert.match(await page.evaluate(() => navigator.serviceWorker.controller.scriptURL), /\/site\/coi-sw\.js$/);
  if (opened.firstText !== null) assert.equal(opened.firstText, 'Enabling threads on this host…');
  console.log(`# ${name}: cross-origin isolated and ready ${opened.readyMs} ms after the first request (one reload; ` +
              `the first document said ${opened.firstText === null ? 'nothing (already gone)' : JSON.stringify(opened.firstText)})`);

  const report = await bestOf(page, TUTORIAL, `${name}: 10 x 1 s threads`, assertTutorialReport, (ms) => ms <= 1500);
  assert.ok(report.wall_ms <= 1500, `fastest run ${report.wall_ms} ms, expected 1000..1500`);
  assert.equal(report.isolation, 'service-worker');

  const downloads = await runScenario(page, DOWNLOADS);
  console.log(`# ${name}: 15 downloads, pool of 15 (no simulated latency on a static host): wall ${downloads.wall_ms} ms`);
  assert.equal(downloads.tasks.length, 15, summary(downloads));
  assert.ok(downloads.tasks.every((t) => t.status === 'done'), summary(downloads));
  assert.equal(downloads.done, 15, summary(downloads));
  assert.deepEqual(downloads.tasks.map((t) => t.bytes).sort(), [...sizes].sort(), 'the 15 exported images, whole');
  assert.equal(opened.navigations(), 2, 'the first load and exactly one reload');
  await sleep(1000); // the thumbnails become textures a frame or more after the run
}

describe('serve.py --export on a static host', { skip, timeout: 11 * 60 * 1000 }, () => {
  let tmp, site, sizes, parentHost, rootHost;
  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'threadlab-export-'));
    site = path.join(tmp, 'site');
    const r = spawnSync('python3', [path.join(REPO, 'serve.py'), '--export', site, '--no-build', '--root', BUNDLE],
      { cwd: REPO, encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 0, `serve.py --export failed:\n${r.stdout}${r.stderr}`);
    sizes = JSON.parse(fs.readFileSync(path.join(site, 'images', 'index.json'), 'utf8')).map((e) => e.bytes);
    parentHost = await startStaticHost(tmp); // the export at /site/
    rootHost = await startStaticHost(site); // the export at the root
  }, { timeout: 120000 });
  after(async () => {
    if (parentHost) await parentHost.close();
    if (rootHost) await rootHost.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }, { timeout: 30000 });

  it('sends no isolation headers (the point of the exercise)', async () => {
    const headers = await new Promise((resolve, reject) => {
      http.get(parentHost.url + 'site/', (res) => { res.resume(); resolve(res.headers); }).on('error', reject);
    });
    assert.equal(headers['cross-origin-opener-policy'], undefined);
    assert.equal(headers['cross-origin-embedder-policy'], undefined);
  });

  describe('Chromium', () => {
    let browser;
    before(async () => { browser = await launchBrowser(); }, { timeout: 120000 });
    after(async () => { if (browser) await browser.close(); }, { timeout: 30000 });

    it('under a sub-path: isolated by the service worker after one reload; 10 x 1 s in 1.0-1.5 s; the 15 downloads', { timeout: 300000 }, async () => {
      const opened = await openIsolated(() => browser.context.newPage(), parentHost.url + 'site/');
      try {
        await checkStaticHost('Chromium, static host', opened, sizes);
        await opened.page.screenshot({ path: path.join(ARTIFACTS, 'export-chromium.png'), timeout: 30000 });
      } finally {
        await opened.page.close().catch(() => {});
      }
    });

    it('at the root of a host as well', { timeout: 120000 }, async () => {
      const opened = await openIsolated(() => browser.context.newPage(), rootHost.url + '?kind=sleep&count=4&seconds=0.5');
      try {
        assert.equal((await opened.page.evaluate(() => window.threadlab.state())).isolation, 'service-worker');
        const report = await runScenario(opened.page, { kind: 'sleep', count: 4, seconds: 0.5, mode: 'threads' });
        assert.equal(report.done, 4, summary(report));
        assert.equal(opened.navigations(), 2);
      } finally {
        await opened.page.close().catch(() => {});
      }
    });
  });

  // Blocked two ways: by Playwright (its register() stub resolves to nothing), and as a reader
  // may block it, with the browser's setting that keeps sites from storing data (then
  // sessionStorage throws, and register() would too).
  for (const [how, options, prefs] of [
    ['serviceWorkers: block', { serviceWorkers: 'block' }, null],
    ['site data blocked', {}, { profile: { default_content_setting_values: { cookies: 2 } } }],
  ]) {
    it(`Chromium with service workers blocked (${how}): runs simulated threads, and says why`, { timeout: 180000 }, async () => {
      const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadlab-chromium-'));
      if (prefs) {
        fs.mkdirSync(path.join(userDataDir, 'Default'));
        fs.writeFileSync(path.join(userDataDir, 'Default', 'Preferences'), JSON.stringify(prefs));
      }
      const context = await withTimeout(chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 800 }, timeout: 60000, ...options,
      }), 90000, 'launching Chromium');
      try {
        const page = await openPage(context, parentHost.url + 'site/');
        assert.equal(await readySettled(page), 'resolved');
        const state = await page.evaluate(() => window.threadlab.state());
        assert.deepEqual([state.status, state.isolation, state.backend], ['idle', 'none', 'simulated'], JSON.stringify(state).slice(0, 200));
        assert.equal(await page.evaluate(() => window.crossOriginIsolated), false);
        assert.equal(await page.evaluate(() => document.getElementById('sim-notice').textContent),
          'Simulated threads: this page cannot use shared memory — why?');
        await page.click('#sim-notice a');
        const why = await page.locator('#toast').innerText({ timeout: 10000 });
        assert.match(why, /^Real threads need a service worker on this site: .*installs a small service worker/, why);
        assert.match(why, /That did not work in this browser: \w/, why); // and why not
        assert.match(why, /normal window or in another browser/, why); // the reader's way out
        assert.match(why, /_headers/, why); // the author's
        console.log(`# ${how}: ${why.match(/That did not work in this browser: [^.]*/)}`);
        assert.equal((await runScenario(page, TUTORIAL)).done, 10);
        await page.screenshot({ path: path.join(ARTIFACTS, `export-sw-blocked${prefs ? '-site-data' : ''}.png`), timeout: 30000 });
      } finally {
        try { await withTimeout(context.close(), 20000, 'closing Chromium'); } catch { /* its directory goes anyway */ }
        fs.rmSync(userDataDir, { recursive: true, force: true });
      }
    });
  }

  describe('Firefox', () => {
    let firefox;
    before(async () => { firefox = await launchFirefox(); }, { timeout: 120000 });
    after(async () => { if (firefox) await firefox.close(); }, { timeout: 30000 });

    it('under a sub-path: isolated by the service worker after one reload; 10 x 1 s in 1.0-1.5 s; the 15 downloads', { timeout: 300000 }, async () => {
      const opened = await openIsolated(() => firefox.browser.newPage(), parentHost.url + 'site/');
      try {
        await checkStaticHost('Firefox, static host', opened, sizes);
        await opened.page.screenshot({ path: path.join(ARTIFACTS, 'export-firefox.png') });
      } finally {
        await opened.page.close().catch(() => {});
      }
    });
  });
});
