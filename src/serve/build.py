"""The build step: bring the web bundle (build/wasm/web) up to date with CMake before serving it."""

import os
import shutil
import subprocess
import sys
import time

from . import REPO

BUILD_DIR = os.path.join(REPO, "build", "wasm")
DEFAULT_ROOT = os.path.join(BUILD_DIR, "web")
BUILD_STAMP = os.path.join(BUILD_DIR, ".serve-build-stamp")
BUILD_COMMAND = "cmake --build --preset wasm --target playground_web"


def _newest_input():
    newest, which = 0.0, None
    for f in ("CMakeLists.txt", "CMakePresets.json"):
        p = os.path.join(REPO, f)
        if os.path.exists(p) and os.path.getmtime(p) > newest:
            newest, which = os.path.getmtime(p), p
    for d in ("src", "web", "shaders"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(REPO, d)):
            dirnames[:] = [x for x in dirnames if not x.startswith(".")]
            for fn in filenames:
                p = os.path.join(dirpath, fn)
                try:
                    t = os.path.getmtime(p)
                except OSError:
                    continue
                if t > newest:
                    newest, which = t, p
    return newest, which


def build_reason():
    """Why the bundle must be (re)built, or None if it is up to date."""
    index = os.path.join(DEFAULT_ROOT, "index.html")
    if not os.path.exists(index):
        return "build/wasm/web/index.html does not exist"
    built = max(os.path.getmtime(index), os.path.getmtime(BUILD_STAMP) if os.path.exists(BUILD_STAMP) else 0)
    newest, which = _newest_input()
    if newest > built:
        return "%s changed since the last build" % os.path.relpath(which, REPO)
    return None


def _run(cmd, what, fatal=True):
    print("serve.py: %s: %s" % (what, " ".join(cmd)), flush=True)
    t0 = time.monotonic()
    try:
        rc = subprocess.call(cmd, cwd=REPO)
    except FileNotFoundError:
        print("serve.py: error: %s not found (is it installed? scripts/setup.sh installs it)" % cmd[0],
              file=sys.stderr, flush=True)
        return False
    if rc != 0 and not fatal:
        return False
    if rc != 0:
        print("serve.py: error: %s failed (exit status %d): %s\n"
              "serve.py: fix the error above and run serve.py again, or use --no-build to serve what exists."
              % (what, rc, " ".join(cmd)), file=sys.stderr, flush=True)
        return False
    print("serve.py: %s done in %.1f s" % (what, time.monotonic() - t0), flush=True)
    return True


def build_bundle():
    """Build the web bundle if it is missing or stale. Returns True if it is usable."""
    reason = build_reason()
    if reason is None:
        print("serve.py: web bundle is up to date", flush=True)
        return True
    print("serve.py: building the web bundle (%s)" % reason, flush=True)
    configured = os.path.exists(os.path.join(BUILD_DIR, "CMakeCache.txt"))
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
    if not os.path.exists(os.path.join(DEFAULT_ROOT, "index.html")):
        print("serve.py: error: the build succeeded but produced no build/wasm/web/index.html",
              file=sys.stderr, flush=True)
        return False
    with open(BUILD_STAMP, "a"):
        os.utime(BUILD_STAMP)
    return True
