// Helpers for the browser e2e tests: start the real serve.py on a free port, launch Debian's
// Chromium through playwright-core (never a downloaded browser), bound every wait.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS = path.join(REPO, 'tests', 'artifacts', 'e2e');
const require = createRequire(path.join(REPO, 'package.json'));
const { chromium } = require('playwright-core');

export const BUNDLE = path.resolve(REPO, process.env.THREADLAB_WEB_BUNDLE || path.join('build', 'wasm', 'web'));
export const CHROMIUM = process.env.THREADLAB_CHROMIUM || '/usr/bin/chromium';

/** '' when the bundle and the browser are there, else what is missing. */
export function missingPrerequisites() {
  const missing = [];
  const absent = ['index.html', 'threadlab.js', 'playground.js', 'playground.wasm'].filter((f) => !fs.existsSync(path.join(BUNDLE, f)));
  if (absent.length) {
    missing.push(`web bundle ${BUNDLE} (no ${absent.join(', ')}): build it with tests/run.sh --only wasm, or set THREADLAB_WEB_BUNDLE`);
  }
  if (!fs.existsSync(CHROMIUM)) missing.push(`Chromium at ${CHROMIUM} (apt-get install chromium, or set THREADLAB_CHROMIUM)`);
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

/** A headless Chromium with a fresh temporary profile; {context, close()}. */
export async function launchBrowser() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadlab-chromium-'));
  const context = await withTimeout(chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 }, timeout: 60000,
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

/** Waits for window.threadlab.ready inside the page (bounded). */
export async function waitReady(page, ms = 90000) {
  await withTimeout(page.evaluate(() => window.threadlab.ready.then(() => true)), ms, 'window.threadlab.ready');
}

/** Runs a scenario through the page API and returns its report (bounded). */
export function runScenario(page, scenario, ms = 120000) {
  return withTimeout(page.evaluate((s) => window.threadlab.run(s), scenario), ms, `threadlab.run(${JSON.stringify(scenario)})`);
}

export function ensureArtifacts() { fs.mkdirSync(ARTIFACTS, { recursive: true }); return ARTIFACTS; }
