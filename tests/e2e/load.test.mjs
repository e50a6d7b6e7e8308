// What a load of the playground moves over the network (issue "Embed anywhere", item 5): a cold
// load in a fresh Chromium profile, then a reload with the HTTP cache kept (warm), each counted
// until window.threadlab.ready (every pre-started Worker loaded) and the network is quiet. Run
// with `node --test tests/e2e/` (tests/run.sh does).
//
// The bytes are counted on the wire, by a TCP proxy between Chromium and serve.py: every
// connection, headers included, whoever opened it. The 16 pre-started Workers are separate
// DevTools targets whose requests a page-level CDP session would miss, and they are most of the
// traffic this test is about. The proxy also reads the statuses off the wire: Chromium's own
// events report a revalidated file (a 304) as the 200 it had cached.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
  launchBrowser, openPage, startServer, testFile, waitReady, withTimeout,
} from './browser.mjs';

const { skip } = testFile('load.test.mjs', 6);

// Bounds. Measured on this bundle (playground.wasm 635 KB, playground.js 167 KB; gzip -9: 273 KB
// and 41 KB), received by the browser: before serve.py compressed and validated, 3541 KB cold and
// 3540 KB warm (the wasm, then playground.js once for the page and once more for each of the 16
// Workers, all in full every time); with gzip and 304s, 338 KB cold (the two files compressed
// once, 304s of ~0.5 KB for the Workers' requests) and 16 KB warm (36 304s). COLD_MAX is the
// issue's target of 400 KB plus a quarter, room for the bundle to grow (a feature, a larger
// ImGui) before this test asks whether that is wanted; the wasm sent uncompressed (+360 KB) fails
// it. WARM_MAX is the issue's 100 KB. A file sent in full again, e.g. playground.js once per
// Worker (cold: +16 x 41 KB) or once on a warm load (+41 KB), is also caught by the count of 200s.
const COLD_MAX = 500 * 1000;
const WARM_MAX = 100 * 1000;

/**
 * A TCP proxy on 127.0.0.1 in front of `target` (a URL), counting the bytes each way and listing
 * the responses on the wire as {path, status} (serve.py always sends a Content-Length, or no body).
 * Not Chromium's view: it reports a 304 as the cached 200 it revalidated.
 */
async function countingProxy(target) {
  const { hostname, port } = new URL(target);
  const counts = { down: 0, up: 0 };
  const responses = [];
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    const asked = []; // {method, path} of the requests not answered yet (HTTP/1.1: in order)
    let requests = '', head = '', bodyLeft = 0;
    const parseRequests = (chunk) => { // GETs and HEADs: a head and no body
      requests += chunk.toString('latin1');
      for (let i; (i = requests.indexOf('\r\n\r\n')) >= 0; requests = requests.slice(i + 4)) {
        const [method, target] = requests.slice(0, requests.indexOf('\r\n')).split(' ');
        asked.push({ method, path: target.split('?')[0] });
      }
    };
    const parseResponses = (chunk) => {
      for (let s = chunk.toString('latin1'); s.length;) {
        if (bodyLeft > 0) { const k = Math.min(bodyLeft, s.length); bodyLeft -= k; s = s.slice(k); continue; }
        head += s;
        s = '';
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) break;
        const text = head.slice(0, end), status = Number(text.split(' ')[1]);
        s = head.slice(end + 4);
        head = '';
        const req = asked.shift() || { method: '?', path: '?' };
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(text);
        bodyLeft = req.method === 'HEAD' || status === 304 || status === 204 || !length ? 0 : Number(length[1]);
        responses.push({ path: req.path, status });
      }
    };
    for (const [from, to, key, parse] of [[client, upstream, 'up', parseRequests], [upstream, client, 'down', parseResponses]]) {
      sockets.add(from);
      from.on('data', (chunk) => { counts[key] += chunk.length; parse(chunk); to.write(chunk); });
      from.on('end', () => to.end());
      from.on('error', () => to.destroy());
      from.on('close', () => { sockets.delete(from); to.destroy(); });
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    /** {down, up, responses} since the last take(), once no byte has moved for quietMs (bounded). */
    async take(quietMs = 1500, maxMs = 20000) {
      const end = Date.now() + maxMs;
      let last = counts.down + counts.up, since = Date.now();
      while (Date.now() < end && Date.now() - since < quietMs) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const now = counts.down + counts.up;
        if (now !== last) { last = now; since = Date.now(); }
      }
      const taken = { down: counts.down, up: counts.up, responses: responses.splice(0) };
      counts.down = counts.up = 0;
      return taken;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** "playground.js 17 (1 x 200, 16 x 304), ..." for the printed breakdown. */
function breakdown(responses) {
  const byPath = new Map();
  for (const { path, status } of responses) {
    const s = byPath.get(path) || new Map();
    s.set(status, (s.get(status) || 0) + 1);
    byPath.set(path, s);
  }
  return [...byPath].map(([path, s]) => {
    const n = [...s.values()].reduce((a, b) => a + b, 0);
    return `${path} ${n} (${[...s].map(([status, k]) => `${k} x ${status}`).join(', ')})`;
  }).join('; ');
}

const kb = (n) => Math.round(n / 1000);

describe('bytes moved per load of the playground (Chromium)', { skip, timeout: 5 * 60 * 1000 }, () => {
  let server, proxy, browser;
  before(async () => {
    server = await startServer();
    proxy = await countingProxy(server.url);
    browser = await launchBrowser(); // a fresh profile: an empty HTTP cache
  }, { timeout: 150000 });
  after(async () => {
    if (browser) await browser.close();
    if (proxy) await proxy.close();
    if (server) await server.close();
  }, { timeout: 60000 });

  it(`moves <= ${kb(COLD_MAX)} KB on a cold load and <= ${kb(WARM_MAX)} KB on a warm one`, { timeout: 240000 }, async () => {
    const page = await openPage(browser.context, proxy.url);
    await waitReady(page);
    const cold = await proxy.take();
    const workers = await page.evaluate(() => (typeof PThread === 'object' ? PThread.unusedWorkers.length + PThread.runningWorkers.length : -1));

    await withTimeout(page.reload({ waitUntil: 'load' }), 60000, 'reloading the page');
    await waitReady(page);
    const warm = await proxy.take();
    await page.close();

    console.log(`# cold load ${kb(cold.down)} KB, warm load ${kb(warm.down)} KB ` +
                `(received by the browser; sent: ${kb(cold.up)} KB and ${kb(warm.up)} KB; ${workers} Workers)`);
    console.log(`# cold: ${breakdown(cold.responses)}`);
    console.log(`# warm: ${breakdown(warm.responses)}`);
    assert.ok(cold.down <= COLD_MAX, `cold load moved ${cold.down} bytes, expected <= ${COLD_MAX}: ${breakdown(cold.responses)}`);
    assert.ok(warm.down <= WARM_MAX, `warm load moved ${warm.down} bytes, expected <= ${WARM_MAX}: ${breakdown(warm.responses)}`);
    // Once, whatever the number of threads: each bundle file is sent in full (200) at most once
    // per cold load, and not at all on a warm one.
    for (const [name, list, most] of [['cold', cold.responses, 1], ['warm', warm.responses, 0]]) {
      for (const file of ['/playground.js', '/playground.wasm', '/playground.worker.js']) {
        const full = list.filter((r) => r.path === file && r.status === 200).length;
        assert.ok(full <= most, `${name} load: ${file} sent in full ${full} times: ${breakdown(list)}`);
      }
    }
  });
});
