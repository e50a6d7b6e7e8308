#!/usr/bin/env bash
# Installs everything Threadlab needs on a fresh Debian 12 machine, with no manual step.
# Idempotent: a second run installs nothing and says so.
#
#   scripts/setup.sh           install what is missing (as root, or through sudo)
#   scripts/setup.sh --check   only report what is missing; exit 1 if anything is
#
# THREADLAB_SETUP_EXTRA_PACKAGES="pkg ..." adds Debian packages to the list (for trying the
# install path with a small package, or for a local extra).
set -euo pipefail

# Debian packages, one group per line. Checked with dpkg-query; apt-get runs only if one is missing.
APT_PACKAGES=(
    # C++ toolchain, build and test driver (ctest comes with cmake)
    cmake g++ make
    # serve.py and the e2e tests (unittest)
    python3
    # WebAssembly: Emscripten 3.1.6 (pulls clang-14, lld-14, binaryen and node-acorn)
    emscripten
    # desktop playground: GLFW 3.3 + OpenGL headers; Mesa's software GL (llvmpipe) for Xvfb
    libglfw3-dev libgl-dev libgl1-mesa-dri
    # fetch tasks (native): libcurl
    libcurl4-openssl-dev
    # unit tests (doctest), image loading (stb_image), benchmark peers and harness
    doctest-dev libstb-dev libboost-dev libbenchmark-dev
    # JSON for the playground's report, state and page messages (header-only)
    nlohmann-json3-dev
    # desktop smoke tests: X virtual framebuffer (xvfb-run needs xauth); keys typed into it (xdotool)
    xvfb xauth xdotool
    # browser tests: Debian's Chromium (driven by playwright-core) and a font for it
    chromium fonts-dejavu-core
    # ... and Debian's Firefox ESR (driven by puppeteer-core over WebDriver BiDi)
    firefox-esr
    # screenshot conversion (convert/compare)
    imagemagick
    # `apt-get source imgui` (scripts/fetch-imgui.sh)
    dpkg-dev
)
# Node.js and npm are checked by command, not by package: the machines here carry NodeSource's
# Node 20 (whose `nodejs` package bundles npm, and conflicts with Debian's `npm`). Debian's
# nodejs/npm are installed only where `node` / `npm` are missing.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHECK=0
for arg in "$@"; do
    case "$arg" in
        --check) CHECK=1 ;;
        -h|--help) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "setup: unknown option: $arg (try --help)" >&2; exit 2 ;;
    esac
done

say() { echo "setup: $*"; }
CHANGED=0   # something was installed
MISSING=0   # --check: something is missing

if [[ -n "${THREADLAB_SETUP_EXTRA_PACKAGES:-}" ]]; then
    read -r -a _extra <<<"$THREADLAB_SETUP_EXTRA_PACKAGES"
    APT_PACKAGES+=("${_extra[@]}")
fi

as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "setup: need root to run: $* (run as root, or install sudo)" >&2
        exit 1
    fi
}

# ---- 1. Debian packages ------------------------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
    if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != installed ]]; then
        missing+=("$p")
    fi
done
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]} == 0)); then
    say "apt: all ${#APT_PACKAGES[@]} Debian packages installed; node $(node --version), npm $(npm --version)"
elif ((CHECK)); then
    say "apt: missing: ${missing[*]}"
    MISSING=1
else
    say "apt: installing ${missing[*]}"
    t0=$SECONDS
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o Dpkg::Use-Pty=0 \
        -o DPkg::Lock::Timeout=300 "${missing[@]}"
    say "apt: done in $((SECONDS - t0)) s"
    CHANGED=1
fi

# Debian 12's own nodejs is 18; playwright-core (browser tests) and the wasm tests want Node >= 20.
if command -v node >/dev/null 2>&1; then
    node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
    if ((node_major < 20)); then
        say "warning: node $(node --version) is older than 20, which playwright-core needs"
    fi
fi

# ---- 2. npm packages (from package-lock.json) --------------------------------------------------
STAMP="$ROOT/node_modules/.threadlab-stamp"
if ! command -v npm >/dev/null 2>&1; then
    say "npm: skipped (npm is missing)"
    ((CHECK)) || { echo "setup: npm still missing after apt" >&2; exit 1; }
else
    lock_sum="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
    if [[ -d "$ROOT/node_modules" && -f "$STAMP" && "$(cat "$STAMP")" == "$lock_sum" ]]; then
        say "npm: node_modules matches package-lock.json"
    elif ((CHECK)); then
        say "npm: node_modules missing or older than package-lock.json (npm ci needed)"
        MISSING=1
    else
        say "npm: npm ci (package-lock.json changed or node_modules missing)"
        t0=$SECONDS
        (cd "$ROOT" && npm ci --no-audit --no-fund)
        echo "$lock_sum" >"$STAMP"
        say "npm: done in $((SECONDS - t0)) s"
        CHANGED=1
    fi
fi

# ---- 3. Dear ImGui 1.86 source (Debian's imgui source package, into .cache/imgui) ---------------
FETCH_IMGUI="$ROOT/scripts/fetch-imgui.sh"
have_imgui() { [[ -f "$ROOT/.cache/imgui/imgui.h" ]]; }
if [[ ! -f "$FETCH_IMGUI" ]]; then
    say "imgui: skipped (scripts/fetch-imgui.sh does not exist yet)"
elif ((CHECK)); then
    if have_imgui; then
        say "imgui: source present in .cache/imgui"
    else
        say "imgui: missing (.cache/imgui has no imgui.h)"
        MISSING=1
    fi
else
    had_imgui=0
    have_imgui && had_imgui=1
    t0=$SECONDS
    bash "$FETCH_IMGUI" 2>&1 | sed 's/^/setup: imgui: /'
    if ((!had_imgui)); then
        have_imgui || { echo "setup: scripts/fetch-imgui.sh left no imgui.h in .cache/imgui" >&2; exit 1; }
        say "imgui: fetched into .cache/imgui in $((SECONDS - t0)) s"
        CHANGED=1
    fi
fi

# ---- summary -----------------------------------------------------------------------------------
if ((CHECK)); then
    if ((MISSING)); then
        say "something is missing: run scripts/setup.sh"
        exit 1
    fi
    say "nothing missing"
elif ((CHANGED)); then
    say "done"
else
    say "everything already installed"
fi
