// bench/cli.mjs - what the browser benchmarks share: their command-line options, the median of
// rounds, the summary they write on stderr (stdout carries the JSON lines), and the plain
// JavaScript peer of Threadlab's downloads.
const args = process.argv.slice(2);

/** The value after `--name` on the command line, else `fallback`. */
export const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};

/** Whether the bare switch `--name` is on the command line. */
export const flag = (name) => args.includes(name);

export const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

export const log = (text) => process.stderr.write(text + '\n');

/**
 * The browser's floor for Threadlab's fetch, which is a synchronous XMLHttpRequest on each task's
 * thread: one plain Worker per URL (started before the clock) making that request, on `page`
 * (Playwright's or Puppeteer's). Seconds until all have answered.
 */
export const jsWorkerXhr = (page, urls) => page.evaluate(async (urls) => {
  urls = urls.map((u) => new URL(u, location.href).href); // a blob: Worker has no base URL
  const source = `onmessage = (e) => { const x = new XMLHttpRequest(); x.open('GET', e.data, false);
    x.responseType = 'arraybuffer'; x.send(); postMessage(x.response ? x.response.byteLength : 0); };`;
  const script = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const workers = urls.map(() => new Worker(script));
  await Promise.all(workers.map((w) => new Promise((ok) => { w.onmessage = ok; w.postMessage(new URL('threadlab.js', location.href).href); })));
  const start = performance.now();
  await Promise.all(workers.map((w, i) => new Promise((ok) => { w.onmessage = ok; w.postMessage(urls[i]); })));
  const wall = (performance.now() - start) / 1000;
  workers.forEach((w) => w.terminate());
  URL.revokeObjectURL(script);
  return wall;
}, urls);
