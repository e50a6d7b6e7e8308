#!/usr/bin/env python3
"""The code panel's programs are whole programs: build them as shown, run them, check what they print.

ctest's listing.programs_compile_and_run. preset_catalog --listings writes the C++ and the Python
of every preset built from keys (the tutorial's own programs are examples/, tested there), and of
each way to run tasks; this compiles every C++ listing against the library and runs it (a
download's only compiles: it needs serve.py), compiles every Python one, and runs the Python of
the sleeps. A listing that does not compile, fails, or prints no closing line fails the test.
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys

# Each way to run tasks, on top of the presets (which are threads, or one after another).
EXTRA_QUERIES = [
    "kind=sleep&count=4&seconds=0.2&mode=pool&workers=2",
    "kind=sleep&count=4&seconds=0.2&mode=map&workers=2",
    "kind=sleep&count=3&seconds=0.1&mode=sequential",
    "kind=cpu&count=2&seconds=0.2&mode=map&workers=2",
    "kind=increment&count=2&increments=1000&mode=pool&limit=1",
]

# What the last line of a run says, by the kind of task the program runs.
CLOSING = [
    (re.compile(r"^expected (\d+), got (\d+) \((\d+) updates lost\)$", re.M), "count"),
    (re.compile(r"^Successfully Executed in [0-9.]+ Second\(s\)$", re.M), "sleep"),
    (re.compile(r"^Finished in [0-9.e-]+ seconds$", re.M), "other"),
]


def run(cmd, timeout=300, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


def check_cpp(args, name):
    source = os.path.join(args.work, name + ".cpp")
    text = open(source).read()
    base = [args.cxx, "-std=c++20", "-I", args.include]
    if '#include "tasks/fetch.hpp"' in text:
        proc = run(base + ["-fsyntax-only", source])
        return None if proc.returncode == 0 else "does not compile:\n" + proc.stderr[-3000:]
    binary = os.path.join(args.work, name)
    proc = run(base + ["-O1", source, args.library, "-pthread", "-o", binary])
    if proc.returncode != 0:
        return "does not compile:\n" + proc.stderr[-3000:]
    proc = run([binary], timeout=120)
    if proc.returncode != 0:
        return "exited %d:\n%s%s" % (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    for pattern, _ in CLOSING:
        match = pattern.search(proc.stdout)
        if match:
            if "lock" in name or "fixed" in name:  # with a Lock, every update counts
                if match.re is CLOSING[0][0] and match.group(3) != "0":
                    return "lost updates with a Lock:\n" + proc.stdout[-500:]
            return None
    return "printed no closing line:\n" + proc.stdout[-2000:]


def check_python(args, name):
    source = os.path.join(args.work, name + ".py")
    proc = run([sys.executable, "-m", "py_compile", source])
    if proc.returncode != 0:
        return "Python does not compile:\n" + proc.stderr[-2000:]
    if "time.sleep(" not in open(source).read():
        return None  # downloads need serve.py; CPU and counting loops take minutes in CPython
    proc = run([sys.executable, source], timeout=120)
    if proc.returncode != 0 or not CLOSING[1][0].search(proc.stdout):
        return "Python run failed (%d):\n%s%s" % (proc.returncode, proc.stdout[-1000:], proc.stderr[-1000:])
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", required=True, help="the preset_catalog tool")
    parser.add_argument("--cxx", required=True)
    parser.add_argument("--include", required=True, help="the directory holding threadlab/threadlab.hpp")
    parser.add_argument("--library", required=True, help="libthreadlab.a")
    parser.add_argument("--work", required=True, help="a directory for the listings and their programs")
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)  # fresh: only this build's listings
    os.makedirs(args.work)
    proc = run([args.catalog, "--listings", args.work] + EXTRA_QUERIES)
    if proc.returncode != 0:
        print("preset_catalog --listings failed:", proc.stderr)
        return 1
    names = sorted(f[:-4] for f in os.listdir(args.work) if f.endswith(".cpp"))
    failures = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = {name: (pool.submit(check_cpp, args, name), pool.submit(check_python, args, name)) for name in names}
        for name, (cpp, python) in results.items():
            for language, future in (("C++", cpp), ("Python", python)):
                problem = future.result()
                print("%-4s %-6s %s%s" % ("FAIL" if problem else "ok", language, name, "\n" + problem if problem else ""))
                failures += bool(problem)
    print("%d listings, %d failures" % (len(names), failures))
    return 1 if failures or len(names) < 7 + len(EXTRA_QUERIES) else 0


if __name__ == "__main__":
    sys.exit(main())
