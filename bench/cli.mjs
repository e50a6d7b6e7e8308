// bench/cli.mjs - what the browser benchmarks share: their command-line options, the median of
// rounds, and the summary they write on stderr (stdout carries the JSON lines).
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
