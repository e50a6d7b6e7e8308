// End-to-end tests of the playground embedded in a tutorial page of another origin (another site:
// http://localhost:P/ frames http://127.0.0.1:Q/), with no isolation headers on the tutorial
// page, in Debian's Chromium through playwright-core. Run with `node --test tests/e2e/`.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  assertEmbedFallback, assertSimulatedEmbed, assertTutorialReport, bestOf, embedFrame, launchBrowser, meanBrightness, openEmbed,
  openPage, startServer, startTutorialPage, testFile, TUTORIAL, waitReady, withTimeout,
} from './browser.mjs';

const { skip, ARTIFACTS } = testFile('embed.test.mjs', 10);

/**
 * For a describe(): serve.py (with serverArgs), a tutorial page framing its URL + query (or
 * showing body(serverUrl) instead), and a Chromium. Returns getters, filled in by before() and cleaned up by after().
 */
function embedFixture(serverArgs, query, body = null) {
  const fixture = {};
  before(async () => {
    fixture.server = await startServer(serverArgs);
    fixture.tutorial = await startTutorialPage(fixture.server.url + query, body && body(fixture.server.url));
    fixture.browser = await launchBrowser();
  }, { timeout: 150000 });
  after(async () => {
    if (fixture.browser) await fixture.browser.close();
    if (fixture.tutorial) await fixture.tutorial.close();
    if (fixture.server) await fixture.server.close();
  }, { timeout: 60000 });
  return { server: () => fixture.server, tutorial: () => fixture.tutorial, browser: () => fixture.browser };
}

describe('playground embedded in a page of another site (Chromium)', { skip, timeout: 6 * 60 * 1000 }, () => {
  const { server, tutorial, browser } = embedFixture([], '');

  it('is isolated by Document-Isolation-Policy inside a page that is not, and runs 10 x 1 s in 1.0-1.5 s', { timeout: 240000 }, async () => {
    const [page, frame] = await openEmbed(browser().context, tutorial().url, server().url);
    assert.equal(await page.evaluate(() => window.crossOriginIsolated), false, 'the tutorial page is not isolated');
    assert.equal(await frame.evaluate(() => window.crossOriginIsolated), true, 'the embed is');
    await waitReady(frame);
    const times = await frame.evaluate(() => [window.threadlab.firstFrameMs, window.threadlab.readyMs].map(Math.round));
    console.log(`# embed: first frame ${times[0]} ms, ready ${times[1]} ms`);
    const state = await frame.evaluate(() => window.threadlab.state());
    assert.equal(state.status, 'idle', JSON.stringify(state));
    assert.equal(state.isolation, 'document-isolation-policy', JSON.stringify(state));
    const report = await bestOf(frame, TUTORIAL, 'embed: 10 x 1 s threads', assertTutorialReport, (ms) => ms <= 1500);
    assert.ok(report.wall_ms <= 1500, `fastest run ${report.wall_ms} ms, expected 1000..1500`);
    assert.equal(report.isolation, 'document-isolation-policy');
    await page.screenshot({ path: path.join(ARTIFACTS, 'embed-chromium.png'), timeout: 30000 });
    await page.close();
  });
});

describe('playground embedded where it cannot be isolated (Chromium, server without the headers)', { skip, timeout: 4 * 60 * 1000 }, () => {
  const { server, tutorial, browser } = embedFixture(['--no-coi'], '?preset=ten-threads');

  it('runs simulated threads instead, says so in one line with a link to real threads, and 10 x 1 s takes 1.0-1.1 s', { timeout: 120000 }, async () => {
    const [page, frame] = await openEmbed(browser().context, tutorial().url, server().url);
    await assertSimulatedEmbed(frame, server().url + '?preset=ten-threads');
    await page.screenshot({ path: path.join(ARTIFACTS, 'embed-simulated.png'), timeout: 30000 });
    await page.close();
  });
});

describe('playground embedded where it cannot be isolated, asked for real threads (Chromium, backend=threads)', { skip, timeout: 4 * 60 * 1000 }, () => {
  const { server, tutorial, browser } = embedFixture(['--no-coi'], '?kind=sleep&count=10&backend=threads');

  it('explains it to the reader and offers the full page with real threads, never a blank frame', { timeout: 120000 }, async () => {
    const [page, frame] = await openEmbed(browser().context, tutorial().url, server().url);
    await assertEmbedFallback(frame);
    const text = await frame.locator('#overlay-card').innerText({ timeout: 10000 });
    assert.match(text, /not cross-origin isolated/, text);
    assert.match(text, /allow="cross-origin-isolated"/, text); // the author's fix
    const link = frame.locator('#overlay-card a.button');
    assert.equal(await link.innerText(), 'Open with real threads ↗');
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal(await link.getAttribute('href'), server().url + '?kind=sleep&count=10&backend=threads', 'the same scenario, full page');
    await page.screenshot({ path: path.join(ARTIFACTS, 'embed-not-isolated.png'), timeout: 30000 });
    await page.close();
  });
});

// A tutorial page that uses embed.js: one line per example, messages as DOM events on the element.
const withEmbedJs = (serverUrl, extra = '') => `<script src="${serverUrl}embed.js" async></script>
<div id="example" data-threadlab="kind=sleep&count=10&seconds=1${extra}"></div>
<script>
  window.events = [];
  for (const type of ['threadlab:ready', 'threadlab:started', 'threadlab:finished', 'threadlab:resize', 'threadlab:error'])
    document.getElementById('example').addEventListener(type, (e) => window.events.push(e.detail));
</script>`;

/** Waits until the tutorial page has received an event of `type` (and returns its detail). */
function eventOf(page, type, ms = 60000) {
  return withTimeout((async () => {
    for (;;) {
      const found = await page.evaluate((t) => window.events.find((e) => e.type === t) || null, type);
      if (found) return found;
      await page.waitForTimeout(100);
    }
  })(), ms, `the ${type} message`);
}

describe('embed.js in a page of another site (Chromium)', { skip, timeout: 5 * 60 * 1000 }, () => {
  const { server, tutorial, browser } = embedFixture([], '', withEmbedJs);

  it('makes an isolated, lazy iframe; ready, run, started, finished and resize travel by postMessage', { timeout: 240000 }, async () => {
    const page = await openPage(browser().context, tutorial().url);
    try {
      const attrs = await page.$eval('#example iframe', (f) => ({ allow: f.allow, loading: f.loading, src: f.src }));
      assert.deepEqual(attrs, { allow: 'cross-origin-isolated', loading: 'lazy', src: server().url + 'index.html?kind=sleep&count=10&seconds=1' });
      assert.equal((await eventOf(page, 'threadlab:ready')).isolation, 'document-isolation-policy');
      assert.equal((await eventOf(page, 'threadlab:resize')).height, 560);
      assert.equal(await page.$eval('#example iframe', (f) => f.style.height), '560px', 'the iframe took the height asked for');
      await page.evaluate(() => Threadlab.run(document.getElementById('example'), { kind: 'sleep', count: 4, seconds: 0.5 }));
      assert.equal((await eventOf(page, 'threadlab:started')).scenario, 'kind=sleep&count=4&seconds=0.5');
      const finished = await eventOf(page, 'threadlab:finished');
      assert.equal(finished.report.done, 4, JSON.stringify(finished.report).slice(0, 300));
      assert.equal(finished.report.isolation, 'document-isolation-policy');
      // A bad scenario comes back as threadlab:error with the parser's message.
      await page.evaluate(() => Threadlab.run(document.getElementById('example'), 'count=0'));
      assert.match((await eventOf(page, 'threadlab:error')).message, /count must be 1\.\.1000, got '0'/);
      // threadlab:set-theme switches the theme in place; a bad one comes back as an error.
      await page.evaluate(() => Threadlab.setTheme(document.getElementById('example'), 'light'));
      await page.evaluate(() => Threadlab.setTheme(document.getElementById('example'), 'blue'));
      const errors = async () => (await page.evaluate(() => window.events.filter((e) => e.type === 'threadlab:error').map((e) => e.message)));
      await withTimeout((async () => { while (!(await errors()).some((m) => /theme must be dark, light or auto, got 'blue'/.test(m))) await page.waitForTimeout(100); })(),
        20000, 'the set-theme error');
      // Messages from another window than the embed's parent are ignored by the embed.
      const frame = await embedFrame(page, server().url);
      const before = await frame.evaluate(() => window.threadlab.state().status);
      await frame.evaluate(() => window.postMessage({ type: 'threadlab:run', scenario: { count: 2 } }, '*'));
      await page.waitForTimeout(500);
      assert.equal(await frame.evaluate(() => window.threadlab.state().status), before, 'a message from itself started nothing');
    } finally {
      await page.close().catch(() => {});
    }
  });
});

describe('embed.js where the embed cannot be isolated and real threads are asked for (Chromium, backend=threads)', { skip, timeout: 4 * 60 * 1000 }, () => {
  const { server, tutorial, browser } = embedFixture(['--no-coi'], '', (url) => withEmbedJs(url, '&backend=threads'));

  it('shows the example (title, preview, code) and why it cannot run; the iframe takes its height; the page gets threadlab:error', { timeout: 120000 }, async () => {
    const page = await openPage(browser().context, tutorial().url);
    try {
      assert.match((await eventOf(page, 'threadlab:error')).message, /^Real threads are not available in this embed/);
      // kind=sleep&count=10&seconds=1 is a scenario only the parser can read: the card says why, no example.
      const frame = await embedFrame(page, server().url);
      assert.equal(await frame.evaluate(() => document.querySelector('#overlay-card h1').textContent),
        'Real threads are not available in this embed');
      const last = async () => (await page.evaluate(() => window.events.filter((e) => e.type === 'threadlab:resize').pop()));
      const resize = await last();
      assert.ok(resize.height > 200 && resize.height < 560, `height ${resize.height}`);
      assert.equal(await page.$eval('#example iframe', (f) => f.style.height), `${Math.round(resize.height)}px`);
      // A preset's URL: the card shows that example, its expected timeline and its code.
      const exampleCard = async (query) => {
        await page.$eval('#example iframe', (f, src) => { f.src = src; }, server().url + 'index.html?' + query);
        return withTimeout((async () => {
          for (;;) {
            const f = page.frames().find((x) => x.url().includes(query));
            const shown = f && await f.evaluate(() => document.querySelector('#overlay-card.example') && ({
              title: document.querySelector('#overlay-card h1').textContent,
              why: document.querySelector('#overlay-card .why h2').textContent,
              bars: document.querySelectorAll('#overlay-card svg rect.bar').length,
              caption: document.querySelector('#overlay-card figcaption').textContent,
              code: document.querySelector('#overlay-card pre').textContent,
              tabs: Array.from(document.querySelectorAll('#overlay-card .tabs button')).map((b) => b.textContent),
              link: document.querySelector('#overlay-card a.button').href,
            })).catch(() => null);
            if (shown) return shown;
            await page.waitForTimeout(100);
          }
        })(), 30000, `the example card of ${query}`);
      };
      // A program run as written: its code, and no invented lanes (they are known when it runs).
      const program = await exampleCard('preset=local-data&embed=1&lang=python&backend=threads');
      assert.equal(program.title, 'To maintain local data: threading.local()');
      assert.equal(program.bars, 0);
      assert.match(program.caption, /its threads appear as it starts them/);
      assert.match(program.code, /thread_data = threading\.local\(\)/);
      // A program that is tasks (10 threads x 1 s): the lanes real threads would draw.
      const example = await exampleCard('preset=ten-threads&embed=1&lang=python&backend=threads');
      assert.equal(example.title, 'Example of Threading (10 threads x 1 s)');
      assert.equal(example.why, 'Real threads are not available in this embed');
      assert.equal(example.bars, 10, '10 threads: 10 bars');
      assert.deepEqual(example.tabs, ['Python', 'C++'], 'lang=python: the Python tab first');
      assert.match(example.code, /threading\.Thread\(target=do_something, args=\[1\]\)/);
      assert.match(example.link, /preset=ten-threads/);
      await withTimeout((async () => { while ((await last()).height <= 560) await page.waitForTimeout(100); })(), 10000,
        'the iframe growing to the example card');
      assert.equal(await page.$eval('#example iframe', (f) => f.style.height), `${Math.round((await last()).height)}px`);
      await page.screenshot({ path: path.join(ARTIFACTS, 'embed-js-not-isolated.png'), timeout: 30000 });
    } finally {
      await page.close().catch(() => {});
    }
  });
});

describe('embed=1: the compact layout (Chromium)', { skip, timeout: 4 * 60 * 1000 }, () => {
  const { server, browser } = embedFixture([], '');

  it('runs at 560 x 360 from the URL alone, and "Open in Threadlab" opens the same scenario full page', { timeout: 120000 }, async () => {
    const page = await browser().context.newPage();
    try {
      await page.setViewportSize({ width: 560, height: 360 });
      await page.goto(server().url + '?preset=ten-threads&seconds=0.5&embed=1&panels=timeline,console,code&lang=cpp&autorun', { timeout: 60000 });
      await waitReady(page);
      const report = await withTimeout(page.evaluate(() => new Promise((resolve) => {
        const poll = () => { const r = window.threadlab.lastReport(); if (r) resolve(r); else setTimeout(poll, 100); };
        poll();
      })), 60000, 'the autorun report');
      assert.equal(report.done, 10, JSON.stringify(report).slice(0, 300));
      await page.waitForTimeout(600); // let the last frames settle, then look
      await page.screenshot({ path: path.join(ARTIFACTS, 'embed-compact-560x360.png'), timeout: 30000 });
      const opened = browser().context.waitForEvent('page', { timeout: 20000 });
      await page.mouse.click(560 - 60, 20); // "Open in Threadlab ->", top right of the bar
      const full = await opened;
      await full.waitForLoadState('load');
      const url = new URL(full.url());
      assert.equal(url.searchParams.get('embed'), null, full.url());
      assert.equal(url.searchParams.get('count'), '10', full.url());
      assert.equal(url.searchParams.get('seconds'), '0.5', full.url());
      await full.close();
    } finally {
      await page.close().catch(() => {});
    }
  });

  it('Copy puts the exact program on the clipboard', { timeout: 120000 }, async () => {
    await browser().context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(server().url).origin });
    const page = await browser().context.newPage();
    try {
      await page.setViewportSize({ width: 700, height: 420 });
      await page.goto(server().url + '?preset=ten-threads&embed=1&lang=cpp', { timeout: 60000 });
      await waitReady(page);
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(ARTIFACTS, 'embed-copy.png'), timeout: 30000 });
      await page.mouse.move(666, 260); // "Copy", at the right of the code panel's title (700 x 420 layout, ten-threads)
      await page.waitForTimeout(200);
      await page.mouse.down();
      await page.waitForTimeout(100);
      await page.mouse.up();
      await page.waitForTimeout(500);
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      // examples/ten_threads.cpp, the very file that runs.
      assert.match(copied, /^\/\/ Tutorial: "Example of Threading"[^\n]*\n#include <threadlab\/threadlab\.hpp>\n/, copied.slice(0, 200));
      assert.match(copied, /int main\(\) \{[\s\S]*Thread t\{/, copied.slice(0, 600));
    } finally {
      await page.close().catch(() => {});
    }
  });

  it('theme=light draws light panels; theme=dark (the default) dark ones', { timeout: 120000 }, async () => {
    const page = await browser().context.newPage();
    try {
      await page.setViewportSize({ width: 700, height: 420 });
      const brightness = async (query) => {
        await page.goto(server().url + '?preset=download-15&embed=1&' + query, { timeout: 60000 });
        await waitReady(page);
        await page.waitForTimeout(300);
        const png = await page.screenshot({ path: path.join(ARTIFACTS, `embed-${query.replace('=', '-')}.png`), timeout: 30000 });
        return meanBrightness(png, 4, 380); // the console window's padding (no text there)
      };
      const light = await brightness('theme=light');
      const dark = await brightness('theme=dark');
      assert.ok(light > 200, `light theme background ${light}`);
      assert.ok(dark < 60, `dark theme background ${dark}`);
    } finally {
      await page.close().catch(() => {});
    }
  });
});

// Six examples down a long tutorial page, as embed.js makes them (start=visible, the default).
const sixEmbeds = (serverUrl) => `<script src="${serverUrl}embed.js" async></script>
${[1, 2, 3, 4, 5, 6].map((i) => `<h2>Example ${i}</h2><div data-threadlab="preset=ten-threads&embed=1"></div>
<div style="height: 2600px"></div>`).join('\n')}`;

describe('six embeds on one page, and start=click (Chromium)', { skip, timeout: 4 * 60 * 1000 }, () => {
  const { server, tutorial, browser } = embedFixture([], '', sixEmbeds);

  it('only the embeds in view load the playground; scrolling to one loads it', { timeout: 120000 }, async () => {
    const wasm = [];
    const onRequest = (request) => { if (request.url().endsWith('/playground.wasm')) wasm.push(request.frame().url()); };
    browser().context.on('request', onRequest);
    const page = await openPage(browser().context, tutorial().url);
    try {
      await page.waitForTimeout(4000);
      assert.equal(wasm.length, 1, `wasm loaded by ${wasm.length} embeds: ${wasm.join(', ')}`);
      await page.evaluate(() => document.querySelectorAll('[data-threadlab]')[5].scrollIntoView());
      await withTimeout((async () => { while (wasm.length < 2) await page.waitForTimeout(100); })(), 30000, 'the sixth embed loading');
      assert.equal(wasm.length, 2);
    } finally {
      browser().context.off('request', onRequest);
      await page.close().catch(() => {});
    }
  });

  it('start=click shows a poster and loads no wasm until clicked; the click runs the example', { timeout: 120000 }, async () => {
    const wasm = [];
    const onRequest = (request) => { if (request.url().endsWith('/playground.wasm')) wasm.push(request.url()); };
    browser().context.on('request', onRequest);
    const page = await browser().context.newPage();
    try {
      await page.setViewportSize({ width: 640, height: 400 });
      await page.goto(server().url + '?preset=ten-threads&seconds=0.3&embed=1&start=click', { timeout: 60000 });
      const button = page.locator('#overlay-card button');
      assert.equal(await button.innerText(), 'Run this example ▶');
      await page.screenshot({ path: path.join(ARTIFACTS, 'embed-start-click.png'), timeout: 30000 });
      await page.waitForTimeout(1000);
      assert.equal(wasm.length, 0, 'nothing heavy before the click');
      assert.equal(await page.evaluate(() => window.threadlab.state().status), 'loading');
      await button.click();
      await waitReady(page);
      const report = await withTimeout(page.evaluate(() => new Promise((resolve) => {
        const poll = () => { const r = window.threadlab.lastReport(); if (r) resolve(r); else setTimeout(poll, 100); };
        poll();
      })), 60000, 'the run the click started');
      assert.equal(report.done, 10);
      assert.equal(wasm.length, 1);
    } finally {
      browser().context.off('request', onRequest);
      await page.close().catch(() => {});
    }
  });
});

// web/demo.html as `serve.py --demo` serves it: an ordinary page of another site (localhost) that
// loads embed.js from the playground (127.0.0.1) named in its ?playground= parameter.
describe('the demo tutorial (serve.py --demo, Chromium)', { skip, timeout: 8 * 60 * 1000 }, () => {
  const fixture = {};
  before(async () => {
    fixture.server = await startServer(['--demo']);
    const m = /^Threadlab demo tutorial: (http:\/\/localhost:\d+\/)\?playground=(\S+)$/m.exec(fixture.server.output());
    assert.ok(m, `no demo line in:\n${fixture.server.output()}`);
    assert.equal(m[2], fixture.server.url);
    fixture.demo = m[1];
    fixture.browser = await launchBrowser();
  }, { timeout: 150000 });
  after(async () => {
    if (fixture.browser) await fixture.browser.close();
    if (fixture.server) await fixture.server.close();
  }, { timeout: 60000 });

  /** The Playwright frame of the page's index-th embed, once its page API exists. */
  async function embedOf(page, index) {
    const handle = (await page.$$('[data-threadlab] iframe'))[index];
    const src = await handle.getAttribute('src');
    return withTimeout((async () => {
      for (;;) {
        const frame = await handle.contentFrame();
        if (frame && frame.url() === src && await frame.evaluate(() => !!window.threadlab).catch(() => false)) return frame;
        await page.waitForTimeout(100);
      }
    })(), 60000, `embed ${index} (${src}) loading`);
  }



  it('four embeds made by embed.js, isolated by Document-Isolation-Policy; start=click loads nothing until clicked', { timeout: 300000 }, async () => {
    const { context } = fixture.browser;
    const server = fixture.server.url;
    const wasm = [];
    const onRequest = (request) => { if (request.url().endsWith('/playground.wasm')) wasm.push(request.frame().url()); };
    context.on('request', onRequest);
    const page = await openPage(context, fixture.demo + '?playground=' + server);
    try {
      assert.equal(await page.evaluate(() => window.crossOriginIsolated), false, 'the tutorial page is not isolated');
      const frames = await page.$$eval('[data-threadlab] iframe', (fs) => fs.map((f) => ({ src: f.src, allow: f.allow })));
      assert.deepEqual(frames.map((f) => f.src.slice(server.length)), [
        'index.html?preset=ten-threads&embed=1', 'index.html?preset=as-completed&embed=1&theme=light',
        'index.html?preset=download-15-sequential&embed=1&panels=timeline,console', 'index.html?preset=download-15&embed=1&start=click']);
      assert.ok(frames.every((f) => f.allow === 'cross-origin-isolated'), JSON.stringify(frames));
      assert.equal(await page.locator('#notice').isHidden(), true);

      // The three that load when scrolled near: ready, isolated by their own header.
      const embeds = [];
      for (const i of [0, 1, 2]) {
        await page.evaluate((k) => document.querySelectorAll('[data-threadlab]')[k].scrollIntoView({ block: 'center' }), i);
        const frame = await embedOf(page, i);
        await waitReady(frame);
        const state = await frame.evaluate(() => window.threadlab.state());
        assert.equal(state.isolation, 'document-isolation-policy', `embed ${i}: ${JSON.stringify(state)}`);
        embeds.push(frame);
      }
      // Heights: the auto-height ones take what their example asks for (its lanes and code lines:
      // more than the 360 px minimum), the fixed one keeps 380px.
      const heights = await page.$$eval('[data-threadlab] iframe', (fs) => fs.slice(0, 3).map((f) => f.style.height));
      assert.equal(heights[2], '380px');
      for (const h of heights.slice(0, 2)) assert.ok(/^\d+px$/.test(h) && parseInt(h, 10) > 360 && parseInt(h, 10) <= 900, heights.join(', '));
      // The light one looks light, the default one dark.
      await page.evaluate(() => document.querySelectorAll('[data-threadlab]')[0].scrollIntoView());
      await page.waitForTimeout(500);
      const dark = meanBrightness(await page.locator('[data-threadlab] iframe').nth(0).screenshot({ timeout: 30000 }));
      await page.evaluate(() => document.querySelectorAll('[data-threadlab]')[1].scrollIntoView());
      await page.waitForTimeout(500);
      const light = meanBrightness(await page.locator('[data-threadlab] iframe').nth(1).screenshot({ timeout: 30000 }));
      assert.ok(light > 170 && dark < 90, `light embed ${light.toFixed(0)}, dark embed ${dark.toFixed(0)}`);
      // A run started by the page (Threadlab.run) reports back: the caption shows it. (In view: an
      // embed out of view gets no animation frames, so its run starts when it scrolls in.)
      await page.evaluate(() => document.querySelectorAll('[data-threadlab]')[0].scrollIntoView({ block: 'center' }));
      await page.evaluate(() => Threadlab.run(document.querySelectorAll('[data-threadlab]')[0], 'preset=ten-threads&seconds=0.3'));
      await page.locator('figure').nth(0).locator('output').filter({ hasText: /^Last run: 10 of 10 tasks done in \d+\.\d\d s\.$/ })
        .waitFor({ timeout: 60000 });

      // start=click: a poster and no wasm until the click, which loads and runs the example.
      await page.evaluate(() => document.querySelectorAll('[data-threadlab]')[3].scrollIntoView({ block: 'center' }));
      const click = await withTimeout((async () => {
        for (;;) {
          const frame = await (await page.$$('[data-threadlab] iframe'))[3].contentFrame();
          if (frame && frame.url().includes('start=click') && await frame.locator('#overlay-card button').isVisible().catch(() => false)) return frame;
          await page.waitForTimeout(100);
        }
      })(), 60000, 'the start=click poster');
      assert.equal(await click.locator('#overlay-card button').innerText(), 'Run this example ▶');
      await page.waitForTimeout(1000);
      assert.equal(wasm.filter((u) => u.includes('start=click')).length, 0, `wasm before the click: ${wasm.join(', ')}`);
      assert.equal(wasm.length, 3, `one wasm per loaded embed: ${wasm.join(', ')}`);
      const posterHeight = await page.$$eval('[data-threadlab] iframe', (fs) => parseInt(fs[3].style.height, 10));
      assert.ok(posterHeight > 150 && posterHeight < 560, `the poster's frame is ${posterHeight}px high`);
      await page.screenshot({ path: path.join(ARTIFACTS, 'demo-poster.png'), timeout: 30000 });
      await click.locator('#overlay-card button').click();
      await waitReady(click);
      assert.equal((await click.evaluate(() => window.threadlab.state())).isolation, 'document-isolation-policy');
      await page.locator('figure').nth(3).locator('output').filter({ hasText: /^Last run: 15 of 15 tasks done in / }).waitFor({ timeout: 60000 });
      assert.equal(wasm.filter((u) => u.includes('start=click')).length, 1);
      await page.evaluate(() => document.querySelectorAll('[data-threadlab]')[1].scrollIntoView({ block: 'center' }));
      await page.waitForTimeout(600);
      await page.screenshot({ path: path.join(ARTIFACTS, 'demo-light.png'), timeout: 30000 });
      // The top of the page and the first example (a full-page shot would show the embeds out of
      // view blank: they draw nothing there).
      await page.setViewportSize({ width: 1280, height: 1500 });
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.waitForTimeout(600);
      await page.screenshot({ path: path.join(ARTIFACTS, 'demo.png'), timeout: 30000 });
    } finally {
      context.off('request', onRequest);
      await page.close().catch(() => {});
    }
  });

  it('an invalid playground parameter, or one that serves no embed.js, is explained on the page', { timeout: 120000 }, async () => {
    const page = await fixture.browser.context.newPage();
    try {
      for (const [given, expected] of [
        ['javascript:alert(1)', /must be an http:\/\/ or https:\/\/ URL/],
        ['ftp://127.0.0.1/', /must be an http:\/\/ or https:\/\/ URL/],
        ['not a url', /must be an http:\/\/ or https:\/\/ URL/],
        // a real URL, but not the playground: the server's CSP blocks a script from there
        ['http://127.0.0.1:9/', /embed\.js did not load from http:\/\/127\.0\.0\.1:9\/embed\.js/],
      ]) {
        await page.goto(fixture.demo + '?playground=' + encodeURIComponent(given), { timeout: 60000 });
        const notice = page.locator('#notice');
        await notice.waitFor({ state: 'visible', timeout: 20000 });
        assert.match(await notice.innerText(), expected, given);
        assert.equal(await page.locator('[data-threadlab] iframe').count(), 0, given);
      }
      await page.screenshot({ path: path.join(ARTIFACTS, 'demo-bad-parameter.png'), timeout: 30000 });
    } finally {
      await page.close().catch(() => {});
    }
  });
});
