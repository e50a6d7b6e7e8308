#!/usr/bin/env bash
# bench/run.sh - Threadlab against its peers: builds (release), runs every workload, prints one
# table and writes bench/results.json.
#
#   bench/run.sh [--quick] [--rounds N] [--no-wasm] [--no-page]
#
#   --quick     tiny sizes and one round (seconds): proves the programs build and start (CI smoke)
#   --rounds N  interleaved rounds per group (default 7); results are medians over rounds
#   --no-wasm   skip the WebAssembly builds (the executor workload, and the hand-off on both backends; node)
#   --no-page   skip the page metrics in headless Chromium (bench/page.mjs), and the hand-off in
#               pages of Chromium and Firefox (bench/handoff_page.mjs)
#
# Build directories: build/bench-native (cmake, Release, no playground), build/bench-wasm and
# build/bench-wasm-sim (Emscripten, bench/wasm, on real and on simulated threads). The downloads use serve.py (started here on a free port); the page
# metrics need the web bundle (build/wasm/web or build/pg-wasm/web) and are skipped without it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

QUICK=0
ROUNDS=7
WASM=1
PAGE=1
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --rounds) ROUNDS=$2; shift ;;
    --no-wasm) WASM=0 ;;
    --no-page) PAGE=0 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
ARGS=(--rounds "$ROUNDS")
[ "$QUICK" = 1 ] && ARGS=(--quick)

TMP=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

step() { echo "== $*" >&2; }

machine_json() {
  python3 - "$@" <<'EOF'
import json, os, subprocess, sys
model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
print(json.dumps({"nproc": os.cpu_count(), "cpu": model, "load_before": sys.argv[1],
                  "load_after": " ".join(open("/proc/loadavg").read().split()[:3]),
                  "commit": commit, "python": sys.version.split()[0], "quick": sys.argv[2] == "1"}))
EOF
}
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# -- build --------------------------------------------------------------------------------------
step "build native (build/bench-native)"
if [ ! -f build/bench-native/CMakeCache.txt ]; then
  cmake -S . -B build/bench-native -DCMAKE_BUILD_TYPE=Release -DTHREADLAB_PLAYGROUND=OFF >"$TMP/cmake.log" || { cat "$TMP/cmake.log"; exit 1; }
fi
cmake --build build/bench-native --target bench_threadlab -j2 >"$TMP/build.log" || { cat "$TMP/build.log"; exit 1; }

if [ "$WASM" = 1 ]; then
  step "build wasm (build/bench-wasm)"
  export NODE_PATH=/usr/share/nodejs
  if [ ! -f build/bench-wasm/CMakeCache.txt ]; then
    cmake -S bench/wasm -B build/bench-wasm -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_TOOLCHAIN_FILE=/usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake >"$TMP/cmake-wasm.log" \
      || { cat "$TMP/cmake-wasm.log"; exit 1; }
  fi
  cmake --build build/bench-wasm --target bench_executor bench_handoff -j2 >"$TMP/build-wasm.log" || { cat "$TMP/build-wasm.log"; exit 1; }
  step "build wasm, simulated threads (build/bench-wasm-sim)"
  if [ ! -f build/bench-wasm-sim/CMakeCache.txt ]; then
    cmake -S bench/wasm -B build/bench-wasm-sim -DCMAKE_BUILD_TYPE=Release -DTHREADLAB_BACKEND=sim \
      -DCMAKE_TOOLCHAIN_FILE=/usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake >"$TMP/cmake-wasm-sim.log" \
      || { cat "$TMP/cmake-wasm-sim.log"; exit 1; }
  fi
  cmake --build build/bench-wasm-sim --target bench_handoff -j2 >"$TMP/build-wasm-sim.log" || { cat "$TMP/build-wasm-sim.log"; exit 1; }
fi

# -- the local server (simulated internet; also serves the page) ----------------------------------
BUNDLE=
for dir in build/wasm/web build/pg-wasm/web; do
  if [ -f "$dir/index.html" ] && [ -f "$dir/playground.wasm" ]; then BUNDLE=$dir; break; fi
done
step "serve.py --no-build --port 0${BUNDLE:+ --root $BUNDLE}"
python3 ./serve.py --no-build --port 0 --quiet ${BUNDLE:+--root "$BUNDLE"} >"$TMP/server.out" 2>"$TMP/server.err" &
SERVER_PID=$!
URL=
for _ in $(seq 100); do
  URL=$(grep -o 'http://[^ ]*' "$TMP/server.out" | head -1 || true)
  [ -n "$URL" ] && break
  sleep 0.1
done
[ -n "$URL" ] || { echo "serve.py did not print its URL:" >&2; cat "$TMP/server.err" >&2; exit 1; }
URL=${URL%/}

# -- run ------------------------------------------------------------------------------------------
step "native: bench_threadlab ${ARGS[*]} --server $URL"
build/bench-native/bench/bench_threadlab "${ARGS[@]}" --server "$URL" >"$TMP/native.jsonl"

step "python3: bench/python_peers.py"
PY_ARGS=(--rounds "$ROUNDS")
[ "$QUICK" = 1 ] && PY_ARGS=(--quick)
python3 bench/python_peers.py "${PY_ARGS[@]}" >"$TMP/python.jsonl"

if [ "$WASM" = 1 ]; then
  step "wasm under node: bench_executor"
  WASM_ARGS=(--rounds "$ROUNDS")
  [ "$QUICK" = 1 ] && WASM_ARGS=(--quick)
  node --no-experimental-fetch build/bench-wasm/bench_executor.js "${WASM_ARGS[@]}" >"$TMP/wasm.jsonl"
  step "wasm under node: bench_handoff, os then sim"
  node --no-experimental-fetch build/bench-wasm/bench_handoff.js "${WASM_ARGS[@]}" >>"$TMP/wasm.jsonl"
  node --no-experimental-fetch build/bench-wasm-sim/bench_handoff.js "${WASM_ARGS[@]}" >>"$TMP/wasm.jsonl"
fi

if [ "$PAGE" = 1 ]; then
  if [ -n "$BUNDLE" ]; then
    step "page: bench/page.mjs $URL ($BUNDLE)"
    PAGE_ARGS=(--rounds 3)
    [ "$QUICK" = 1 ] && PAGE_ARGS=(--quick)
    node bench/page.mjs --url "$URL/" --bundle "$BUNDLE" "${PAGE_ARGS[@]}" >"$TMP/page.jsonl" \
      || echo "page.mjs failed; page metrics left out" >&2
  else
    echo "== page: skipped, no web bundle (build/wasm/web or build/pg-wasm/web)" >&2
  fi
  if [ "$WASM" = 1 ]; then
    step "page: bench/handoff_page.mjs (bench_handoff in Chromium and Firefox, os and sim)"
    node bench/handoff_page.mjs "${WASM_ARGS[@]}" >"$TMP/browser.jsonl" \
      || echo "handoff_page.mjs failed; the hand-off in pages left out" >&2
  fi
fi

# -- report ---------------------------------------------------------------------------------------
machine_json "$LOAD_BEFORE" "$QUICK" >"$TMP/machine.json"
python3 bench/report.py --out bench/results.json --machine "$TMP/machine.json" \
  native="$TMP/native.jsonl" python="$TMP/python.jsonl" wasm="$TMP/wasm.jsonl" page="$TMP/page.jsonl" browser="$TMP/browser.jsonl"
echo "wrote bench/results.json" >&2
