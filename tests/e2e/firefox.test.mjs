// End-to-end tests of the playground in Debian's Firefox ESR (puppeteer-core over WebDriver BiDi,
// visible on an Xvfb display of its own for software WebGL2): real threads at top level from
// serve.py, and, in a tutorial page of another site, simulated threads (Firefox cannot isolate an
// embed whose page is not isolated, so it has no shared memory for real ones). Run with `node --test tests/e2e/`.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  assertSimulatedEmbed, assertTutorialReport, ATTEMPTS, bestOf, embedFrame, launchFirefox, startServer, startTutorialPage,
  runScenario, summary, testFile, TUTORIAL, waitReady,
} from './browser.mjs';

const { skip, ARTIFACTS } = testFile('firefox.test.mjs', 10);

describe('playground in Firefox', { skip, timeout: 8 * 60 * 1000 }, () => {
  let server, tutorial, firefox;
  before(async () => {
    server = await startServer();
    tutorial = await startTutorialPage(server.url + '?preset=ten-threads');
    firefox = await launchFirefox();
  }, { timeout: 150000 });
  after(async () => {
    if (firefox) await firefox.close();
    if (tutorial) await tutorial.close();
    if (server) await server.close();
  }, { timeout: 60000 });

  it('runs real threads at top level from serve.py: 10 x 1 s in 1.0-1.5 s', { timeout: 240000 }, async () => {
    const page = await firefox.browser.newPage();
    try {
      await page.goto(server.url, { waitUntil: 'load', timeout: 60000 });
      assert.equal(await page.evaluate(() => window.crossOriginIsolated), true);
      await waitReady(page);
      assert.equal((await page.evaluate(() => window.threadlab.state())).isolation, 'coop-coep');
      const report = await bestOf(page, TUTORIAL, 'Firefox: 10 x 1 s threads', assertTutorialReport, (ms) => ms <= 1500);
      assert.ok(report.wall_ms <= 1500, `fastest run ${report.wall_ms} ms, expected 1000..1500`);
      await page.screenshot({ path: path.join(ARTIFACTS, 'firefox-page.png') });
    } finally {
      await page.close().catch(() => {});
    }
  });

  it("runs the tutorial's programs: local-data's per-thread x, and a deadlock named, broken and traced", { timeout: 180000 }, async () => {
    const page = await firefox.browser.newPage();
    try {
      await page.goto(server.url + '?preset=local-data', { waitUntil: 'load', timeout: 60000 });
      await waitReady(page);
      const local = await runScenario(page, 'preset=local-data');
      assert.match(local.console, /^MainThread: x = 10$/m);
      assert.match(local.console, /^seen by all: 3 items$/m);
      for (let run = 1; run <= 3; run++) {
        const report = await runScenario(page, 'preset=deadlock', 30000);
        assert.equal(report.deadlocks.length, 1, report.console);
        assert.match(report.deadlocks[0].message, /^Deadlock: Thread-\d+ \(first_[ab]_then_[ab]\) holds lock_[ab] and waits for lock_[ab]; /);
        assert.ok(report.deadlocks[0].at_ms < 2000, `found at ${report.deadlocks[0].at_ms} ms`);
        assert.match(report.console, /both threads finished\n$/);
      }
      const trace = await page.evaluate(() => window.threadlab.trace());
      assert.equal(trace.traceEvents.filter((e) => e.ph === 'X' && e.name === 'blocked on a lock').length, 2);
      await page.screenshot({ path: path.join(ARTIFACTS, 'firefox-deadlock.png') });
    } finally {
      await page.close().catch(() => {});
    }
  });

  it('thousand-threads finishes: threads beyond the 512 Workers Firefox allows start as earlier ones end', { timeout: 300000 }, async () => {
    const page = await firefox.browser.newPage();
    try {
      await page.goto(server.url, { waitUntil: 'load', timeout: 60000 });
      await waitReady(page);
      const report = await runScenario(page, 'preset=thousand-threads', 280000);
      console.log(`# Firefox thousand-threads: wall ${report.wall_ms} ms`);
      assert.equal(report.done, 1000, summary(report));
      // Two waves: the threads that waited for a Worker started after the first ones ended.
      const starts = report.tasks.map((t) => t.start_ms).sort((a, b) => a - b);
      assert.ok(starts[999] - starts[0] >= 900, `starts from ${starts[0]} to ${starts[999]} ms`);
      assert.equal(await page.evaluate(() => Module.threadlabWaitingThreads()), 0);
    } finally {
      await page.close().catch(() => {});
    }
  });

  it('downloads 15 images at 300 ms latency at once: spread over *.localhost names, not in waves of 6 (from one host: waves, and the wait for a connection shown)', { timeout: 180000 }, async () => {
    const page = await firefox.browser.newPage();
    try {
      await page.goto(server.url + '?preset=download-15', { waitUntil: 'load', timeout: 60000 });
      await waitReady(page);
      // Firefox opens 6 connections per host: from one host the 15 arrive in three waves of 300 ms
      // (>= 0.9 s); spread over dl0..dl7.localhost they arrive together.
      const check = (report) => {
        assert.equal(report.done, 15, summary(report));
        assert.ok(report.tasks.every((t) => t.status === 'done'), summary(report));
      };
      const report = await bestOf(page, 'preset=download-15', 'Firefox: 15 downloads x 300 ms, pool of 15', check, (ms) => ms < 800);
      assert.ok(report.wall_ms < 850, `fastest of ${ATTEMPTS}: ${report.wall_ms} ms (three waves take 900 ms or more)`);

      // From one host of another name than the page's (not spread): the waves, and the time the
      // later downloads wait for a connection, told apart from the server's latency.
      const other = `http://localhost:${new URL(server.url).port}`;
      const urls = Array.from({ length: 15 }, (_, i) => `${other}/bytes/20000?latency_ms=300&n=${i}`);
      const oneHost = await runScenario(page, { kind: 'fetch', mode: 'threads', urls });
      assert.equal(oneHost.done, 15, summary(oneHost));
      const connecting = oneHost.tasks.map((t) => t.connecting_ms);
      const what = `connecting_ms ${JSON.stringify(connecting)}, wall ${oneHost.wall_ms} ms`;
      assert.ok(oneHost.wall_ms >= 850, what);
      assert.ok(connecting.filter((ms) => ms < 100).length >= 3, what); // the first wave goes out at once
      assert.ok(connecting.filter((ms) => ms >= 200).length >= 6, what); // the later ones wait a latency or two
      assert.ok(oneHost.tasks.every((t) => t.connecting_ms <= t.end_ms - t.start_ms + 1), what);
      console.log(`# Firefox, 15 downloads from one host: ${what}`);
      await page.screenshot({ path: path.join(ARTIFACTS, 'firefox-one-host-downloads.png') });
    } finally {
      await page.close().catch(() => {});
    }
  });

  it('in a tutorial page of another site: runs simulated threads, says so, and 10 x 1 s takes 1.0-1.1 s', { timeout: 120000 }, async () => {
    const page = await firefox.browser.newPage();
    try {
      await page.goto(tutorial.url, { waitUntil: 'load', timeout: 60000 });
      const frame = await embedFrame(page, server.url);
      await assertSimulatedEmbed(frame, server.url + '?preset=ten-threads');
      await page.screenshot({ path: path.join(ARTIFACTS, 'firefox-embed.png') });
    } finally {
      await page.close().catch(() => {});
    }
  });
});
