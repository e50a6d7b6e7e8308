#!/usr/bin/env python3
"""Python's threading and concurrent.futures on the same work as bench_threadlab.

    python3 bench/python_peers.py [--quick] [--rounds N]

Prints one JSON line per group, in bench_threadlab's format (see bench/harness.hpp), with a
single variant named "python". Groups: executor.submit (submit + result of 100,000 trivial tasks,
4 workers, pool creation and shutdown included), executor.map, executor.as_completed (10,000),
threads.start_join.sequential and threads.start_join.all (1,000 threads).
"""
import argparse
import concurrent.futures
import json
import statistics
import sys
import threading
import time


def trivial_task(i):
    return i + 1


def executor_submit(n):
    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as executor:
        futures = [executor.submit(trivial_task, i) for i in range(n)]
        total = sum(f.result() for f in futures)
    assert total == n * (n + 1) // 2
    return time.perf_counter() - t0


def executor_map(n):
    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as executor:
        total = sum(executor.map(trivial_task, range(n)))
    assert total == n * (n + 1) // 2
    return time.perf_counter() - t0


def executor_as_completed(n):
    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as executor:
        futures = [executor.submit(trivial_task, i) for i in range(n)]
        total = sum(f.result() for f in concurrent.futures.as_completed(futures))
    assert total == n * (n + 1) // 2
    return time.perf_counter() - t0


def nothing():
    pass


def start_join_sequential(n):
    t0 = time.perf_counter()
    for _ in range(n):
        t = threading.Thread(target=nothing)
        t.start()
        t.join()
    return time.perf_counter() - t0


def start_join_all(n):
    t0 = time.perf_counter()
    threads = [threading.Thread(target=nothing) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0


def run_group(name, per, fn, rounds, warmup):
    print(f"  {name:<34}", end="", file=sys.stderr, flush=True)
    if warmup:
        fn(per)
    samples = [fn(per) for _ in range(rounds)]
    median = statistics.median(samples)
    print(json.dumps({"group": name, "unit": "s", "per": per,
                      "variants": {"python": {"median": median, "samples": samples}}}), flush=True)
    print(f" python={median / per:.4g} (s per op)", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", default="", help="only groups whose name starts with this")
    args = parser.parse_args()
    rounds = 1 if args.quick else max(1, args.rounds)
    n = 2000 if args.quick else 100_000
    m = 1000 if args.quick else 10_000
    t = 20 if args.quick else 1000
    groups = [("executor.submit", n, executor_submit), ("executor.map", n, executor_map),
              ("executor.as_completed", m, executor_as_completed),
              ("threads.start_join.sequential", t, start_join_sequential),
              ("threads.start_join.all", t, start_join_all)]
    for name, per, fn in groups:
        if name.startswith(args.only):
            run_group(name, per, fn, rounds, warmup=not args.quick)


if __name__ == "__main__":
    main()
