#!/usr/bin/env python3
"""Turn the JSON lines of bench_threadlab, python_peers.py, the wasm build, page.mjs and handoff_page.mjs into one
table (stdout, Markdown) and bench/results.json.

    python3 bench/report.py --out bench/results.json [--machine machine.json] FILE.jsonl ...

Each input line is {"group", "unit", "per", "variants": {name: {"median"|"p50"|..., ...}}}. Files
are given as LABEL=PATH; LABEL prefixes the group names ("native", "python", "wasm", "page"), except
that native and python share one namespace so that the Python peer lands next to the C++ ones, and
"browser" (handoff_page.mjs) whose groups are prefixed by the browser already.

Ratios compare values from the same run (medians of interleaved rounds): "2.10x faster" means the
peer took 2.10 times as long as Threadlab; "1.10x slower" means Threadlab took 1.10 times as long.
"""
import argparse
import json
import math
import sys

# (label, group, threadlab variant, peer variant or None, statistic, target)
# statistic: "per_op" (median / per), "wall" (median), "p50"/"p99" (latency), "bytes", "ms"
# target:    ("faster", k): peer time / Threadlab time >= k
#            ("slower", k): Threadlab time / peer time <= k
#            ("abs", v):    Threadlab value <= v (seconds or bytes)
ROWS = [
    ("executor submit+result, 100k tasks, 4 workers", "executor.submit", "threadlab", "asio_promise", "per_op", ("faster", 3)),
    ("executor submit+result, 100k tasks, 4 workers", "executor.submit", "threadlab", "python", "per_op", ("faster", 20)),
    ("executor submit+result, 100k tasks, 4 workers", "executor.submit", "threadlab", "mutex_cv_queue", "per_op", None),
    ("executor submit+result, 100k tasks, 4 workers", "executor.submit", "threadlab", "std_async", "per_op", None),
    ("executor submit+result, Recorder installed", "executor.submit", "threadlab_recorder", "asio_promise", "per_op", None),
    ("executor.map over 100k items", "executor.map", "threadlab", "python", "per_op", None),
    ("as_completed over 10k futures", "executor.as_completed", "threadlab", "python", "per_op", None),
    ("latency submit -> start, idle pool, p50", "latency.submit_start", "threadlab", "asio_promise", "p50", None),
    ("latency submit -> start, idle pool, p99", "latency.submit_start", "threadlab", "asio_promise", "p99", None),
    ("Thread start+join, 1000 one after another", "threads.start_join.sequential", "threadlab", "std_thread", "per_op", ("slower", 1.25)),
    ("Thread start+join, 1000 one after another", "threads.start_join.sequential", "threadlab", "python", "per_op", None),
    ("Thread start+join, 1000 all at once", "threads.start_join.all", "threadlab", "std_thread", "per_op", ("slower", 1.25)),
    ("Thread start+join, 1000 all at once", "threads.start_join.all", "threadlab", "python", "per_op", None),
    ("Lock acquire+release, uncontended", "locks.uncontended.lock", "threadlab", "std_mutex", "per_op", ("slower", 1.2)),
    ("RLock acquire+release, uncontended", "locks.uncontended.rlock", "threadlab", "std_recursive_mutex", "per_op", None),
    ("RLock nested twice, uncontended", "locks.uncontended.rlock_nested", "threadlab", "std_recursive_mutex", "per_op", None),
    ("Lock, 2 threads contending", "locks.contended.lock", "threadlab", "std_mutex", "per_op", None),
    ("RLock, 2 threads contending", "locks.contended.rlock", "threadlab", "std_recursive_mutex", "per_op", None),
    ("events: Lock acquire+release, uncontended, no observer", "events.lock.uncontended", "threadlab", "threadlab_no_events", "per_op", ("slower", 1.05)),
    ("events: Lock acquire+release, uncontended, Recorder", "events.lock.uncontended", "threadlab_recorder", "threadlab_no_events", "per_op", None),
    ("events: Lock, 2 threads contending, no observer", "events.lock.contended", "threadlab", "threadlab_no_events", "per_op", ("slower", 1.05)),
    ("events: Lock, 2 threads contending, Recorder", "events.lock.contended", "threadlab_recorder", "threadlab_no_events", "per_op", None),
    ("events: submit+result, no observer", "events.submit", "threadlab", "threadlab_no_events", "per_op", ("slower", 1.05)),
    ("events: submit+result, Recorder", "events.submit", "threadlab_recorder", "threadlab_no_events", "per_op", None),
    ("Condition ping-pong hand-off", "handoff.condition", "threadlab", "std_condition_variable", "per_op", None),
    ("Event ping-pong hand-off", "handoff.event", "threadlab", "std_condition_variable", "per_op", None),
    ("10 threads x 1 s sleep (wall)", "tutorial.sleep_10x1s", "threadlab", "std_thread", "wall", ("abs", 1.01)),
    ("1000 x 100 ms sleep, Thread (wall)", "tutorial.sleep_1000x100ms.threads", "threadlab", "std_thread", "wall", None),
    ("1000 x 100 ms sleep, pool of 32 (wall)", "tutorial.sleep_1000x100ms.pool32", "threadlab", "asio_promise", "wall", None),
    ("15 downloads x 300 ms, Thread (wall)", "tutorial.download_15x300ms", "threadlab_threads", "std_thread", "wall", ("abs", 0.39)),
    ("15 downloads x 300 ms, pool of 15 (wall)", "tutorial.download_15x300ms", "threadlab_pool15", "std_thread", "wall", ("abs", 0.39)),
    ("15 downloads x 300 ms, default pool (wall)", "tutorial.download_15x300ms", "threadlab_pool_default", "std_thread", "wall", None),
    ("15 downloads x 300 ms, sequential (wall)", "tutorial.download_15x300ms.sequential", "threadlab", None, "wall", None),
    ("wasm (node) executor submit+result vs native", "wasm:executor.submit", "threadlab", "native:threadlab", "per_op", None),
    ("wasm (node) executor submit+result", "wasm:executor.submit", "threadlab", "mutex_cv_queue", "per_op", None),
    ("wasm (node) executor.map vs native", "wasm:executor.map", "threadlab", "native:threadlab", "per_op", None),
    ("wasm (node) latency submit -> start p50", "wasm:latency.submit_start", "threadlab", "native:threadlab", "p50", None),
    ("wasm (node) hand-off: Semaphore ping-pong, sim vs os", "wasm:backend.ping_pong", "threadlab_sim", "threadlab_os", "per_op", None),
    ("wasm (node) 100 Threads x 50 ms sleep, sim vs os (wall)", "wasm:backend.sleepers_100", "threadlab_sim", "threadlab_os", "wall", None),
    ("Chromium page hand-off: Semaphore ping-pong, sim vs os", "chromium:backend.ping_pong", "threadlab_sim", "threadlab_os", "per_op", None),
    ("Chromium page 100 Threads x 50 ms sleep, sim vs os (wall)", "chromium:backend.sleepers_100", "threadlab_sim", "threadlab_os", "wall", None),
    ("Firefox page hand-off: Semaphore ping-pong, sim vs os", "firefox:backend.ping_pong", "threadlab_sim", "threadlab_os", "per_op", None),
    ("Firefox page 100 Threads x 50 ms sleep, sim vs os (wall)", "firefox:backend.sleepers_100", "threadlab_sim", "threadlab_os", "wall", None),
    ("page: wasm + JS, gzipped", "page:page.size_gz", "threadlab", None, "bytes", ("abs", 300 * 1024)),
    ("page: navigation -> first frame (warm cache)", "page:page.first_frame", "threadlab", None, "wall", ("abs", 1.0)),
    ("page: frame time while 1000 tasks run, p50", "page:page.frame_time_1000_tasks", "threadlab", None, "p50", None),
    ("page: frame time while 1000 tasks run, p99", "page:page.frame_time_1000_tasks", "threadlab", None, "p99", None),
    ("browser: 10 threads x 1 s sleep (wall)", "page:browser.sleep_10x1s", "threadlab", None, "wall", ("abs", 1.05)),
    ("browser: 1000 x 100 ms sleep, Thread", "page:browser.sleep_1000x100ms.threads", "threadlab", None, "wall", None),
    ("browser: 1000 x 100 ms sleep, pool of 32", "page:browser.sleep_1000x100ms.pool32", "threadlab", None, "wall", None),
    ("browser: 15 downloads x 300 ms, Thread", "page:browser.download_15x300ms.threads", "threadlab", None, "wall", ("abs", 0.39)),
    ("browser: 15 downloads x 300 ms, pool of 15", "page:browser.download_15x300ms.pool15", "threadlab", None, "wall", ("abs", 0.39)),
    ("browser: 15 downloads x 300 ms, Thread", "page:browser.download_15x300ms.threads", "threadlab", "js_worker_xhr", "wall", None),
    ("browser: 15 downloads x 300 ms, Thread", "page:browser.download_15x300ms.threads", "threadlab", "js_fetch", "wall", None),
    ("browser: 15 downloads x 300 ms, sequential", "page:browser.download_15x300ms.sequential", "threadlab", None, "wall", None),
]


def load(files):
    groups = {}
    for spec in files:
        label, _, path = spec.partition("=")
        try:
            lines = open(path).read().splitlines()
        except OSError:
            continue
        for line in lines:
            line = line.strip()
            if not line.startswith("{"):
                continue
            record = json.loads(line)
            # handoff_page.mjs names its groups by browser already ("chromium:backend.ping_pong")
            name = record["group"] if label in ("native", "python", "browser") else f"{label}:{record['group']}"
            group = groups.setdefault(name, {"unit": record["unit"], "per": record["per"], "variants": {}})
            group["variants"].update(record["variants"])
            # a native variant is also reachable as native:<variant> from other namespaces
            if label == "native":
                groups.setdefault("native:" + record["group"], group)
    return groups


def value(groups, group_name, variant, statistic):
    if ":" in variant:  # "native:threadlab" -> the same group in the native namespace
        namespace, variant = variant.split(":", 1)
        group_name = namespace + ":" + group_name.split(":", 1)[-1]
    group = groups.get(group_name)
    if not group or variant not in group["variants"]:
        return None
    v = group["variants"][variant]
    if statistic == "per_op":
        return v["median"] / group["per"]
    if statistic in ("wall", "bytes"):
        return v["median"]
    return v.get(statistic)


def fmt(x, statistic):
    if x is None:
        return "-"
    if statistic == "bytes":
        return f"{x / 1024:.0f} KB"
    if isinstance(x, float) and math.isnan(x):
        return "n/a"
    if statistic == "wall" and x >= 0.1:
        return f"{x:.3f} s"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if abs(x) >= scale:
            return f"{x / scale:.3g} {unit}"
    return f"{x / 1e-9:.3g} ns"


def ratio_text(tl, peer):
    if tl is None or peer is None or tl <= 0 or peer <= 0:
        return "-"
    return f"{peer / tl:.2f}x faster" if peer >= tl else f"{tl / peer:.2f}x slower"


def judge(target, tl, peer, statistic):
    if target is None:
        return "", None
    kind, k = target
    if kind == "faster":
        text = f">= {k}x faster"
        ok = None if tl is None or peer is None else peer / tl >= k
    elif kind == "slower":
        text = f"<= {k}x std time"
        ok = None if tl is None or peer is None else tl / peer <= k
    else:
        text = "<= " + fmt(k, statistic)
        ok = None if tl is None else tl <= k
    return text, ok


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--machine", help="JSON file with the machine's description")
    parser.add_argument("files", nargs="+", help="LABEL=PATH")
    args = parser.parse_args()
    groups = load(args.files)
    machine = json.load(open(args.machine)) if args.machine else {}

    rows = []
    for label, group, tl_variant, peer_variant, statistic, target in ROWS:
        tl = value(groups, group, tl_variant, statistic)
        if tl is None:
            continue
        peer = value(groups, group, peer_variant, statistic) if peer_variant else None
        if peer_variant and peer is None and target is None:
            continue
        target_text, ok = judge(target, tl, peer, statistic)
        rows.append({"metric": label, "group": group, "threadlab_variant": tl_variant, "threadlab": tl,
                     "peer": peer_variant.replace("native:", "native ") if peer_variant else "", "peer_value": peer,
                     "ratio": ratio_text(tl, peer) if peer_variant else "", "threadlab_over_peer": (tl / peer) if tl and peer else None,
                     "target": target_text, "met": ok, "statistic": statistic})

    header = ["metric", "Threadlab", "peer", "peer value", "ratio", "target", "met"]
    table = [header, ["---"] * len(header)]
    for r in rows:
        met = "" if r["met"] is None and not r["target"] else ("n/a" if r["met"] is None else ("yes" if r["met"] else "NO"))
        table.append([r["metric"], fmt(r["threadlab"], r["statistic"]), r["peer"], fmt(r["peer_value"], r["statistic"]) if r["peer"] else "",
                      r["ratio"], r["target"], met])
    for line in table:
        print("| " + " | ".join(line) + " |")
    if machine:
        print()
        print(", ".join(f"{k}: {v}" for k, v in machine.items()))
    with open(args.out, "w") as f:
        json.dump({"machine": machine, "rows": rows, "groups": groups}, f, indent=1)
    missed = [r["metric"] for r in rows if r["met"] is False]
    print(f"\n{sum(1 for r in rows if r['met'])} targets met, {len(missed)} missed", file=sys.stderr)


if __name__ == "__main__":
    main()
