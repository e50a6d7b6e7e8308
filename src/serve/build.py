"""The build step: CMake brings the web bundle (build/wasm/web) up to date before it is served; a
build with nothing to do takes a moment, so it runs at every start. The bundle is two builds:
playground.js (preset wasm: real threads, on shared memory) and playground-sim.js (preset
wasm-sim: simulated threads, for pages that cannot have shared memory), written beside it."""

import os
import shutil
import subprocess
import sys
import time

from . import REPO

BUILD_DIR = os.path.join(REPO, "build", "wasm")
DEFAULT_ROOT = os.path.join(BUILD_DIR, "web")
BUILD_COMMAND = "cmake --build --preset wasm --target playground_web"
SIM_BUILD_DIR = os.path.join(REPO, "build", "wasm-sim")
SIM_BUILD_COMMAND = "cmake --build --preset wasm-sim --target playground_web"


def _run(cmd, what, fatal=True):
    """Run cmd in the repository, its output streamed. True if it succeeded; a fatal failure
    says what to do."""
    print("serve.py: %s: %s" % (what, " ".join(cmd)), flush=True)
    t0 = time.monotonic()
    try:
        rc = subprocess.call(cmd, cwd=REPO)
    except FileNotFoundError:
        print("serve.py: error: %s not found (is it installed? scripts/setup.sh installs it)" % cmd[0],
              file=sys.stderr, flush=True)
        return False
    if rc != 0:
        if fatal:
            print("serve.py: error: %s failed (exit status %d): %s\n"
                  "serve.py: fix the error above and run serve.py again, or use --no-build to serve what exists."
                  % (what, rc, " ".join(cmd)), file=sys.stderr, flush=True)
        return False
    print("serve.py: %s done in %.1f s" % (what, time.monotonic() - t0), flush=True)
    return True


def build_bundle():
    """Set up what is missing, configure once, then build: CMake rebuilds what changed. Returns
    True if the bundle is usable."""
    print("serve.py: building the web bundle (CMake rebuilds what changed)", flush=True)
    configured = os.path.exists(os.path.join(BUILD_DIR, "CMakeCache.txt"))
    sim_configured = os.path.exists(os.path.join(SIM_BUILD_DIR, "CMakeCache.txt"))
    setup = os.path.join(REPO, "scripts", "setup.sh")
    if os.path.exists(setup):
        if subprocess.call(["bash", setup, "--check"], cwd=REPO, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL) != 0:
            if not _run(["bash", setup], "setup", fatal=False):
                # setup.sh also installs things the build does not need (e.g. npm packages for
                # the browser tests): let the build decide.
                print("serve.py: warning: scripts/setup.sh failed; trying the build anyway",
                      file=sys.stderr, flush=True)
    if not shutil.which("cmake"):
        print("serve.py: error: cmake not found; run scripts/setup.sh, or use --no-build", file=sys.stderr)
        return False
    if not configured and not _run(["cmake", "--preset", "wasm"], "configure"):
        return False
    if not _run(BUILD_COMMAND.split(), "build"):
        return False
    if not sim_configured and not _run(["cmake", "--preset", "wasm-sim"], "configure simulated threads"):
        return False
    if not _run(SIM_BUILD_COMMAND.split(), "build simulated threads"):
        return False
    if not os.path.exists(os.path.join(DEFAULT_ROOT, "index.html")):
        print("serve.py: error: the build succeeded but produced no build/wasm/web/index.html",
              file=sys.stderr, flush=True)
        return False
    return True
