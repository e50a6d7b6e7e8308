"""Run a program with THREADLAB_TRACE=<trace> and check the Chrome trace it writes at exit.

usage: check_trace.py PROGRAM TRACE THREADS
The file must load as JSON with a traceEvents list, name exactly THREADS threads (thread_name
metadata; the GIL row does not count), one of them MainThread, and every slice must lie on a
named thread.
"""
import json
import os
import subprocess
import sys

program, trace, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
if os.path.exists(trace):
    os.remove(trace)
run = subprocess.run([program], env=dict(os.environ, THREADLAB_TRACE=trace), capture_output=True, text=True,
                     timeout=60)
sys.stderr.write(run.stderr)
if run.returncode != 0:
    sys.exit(f"{program} exited with {run.returncode}")
if not os.path.exists(trace):
    sys.exit(f"{program} wrote no {trace}")
with open(trace, encoding="utf-8") as f:
    events = json.load(f)["traceEvents"]
names = {e["tid"]: e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
names.pop(0x7FFFFFFF, None)  # the GIL row
slices = [e for e in events if e["ph"] == "X" and e["tid"] != 0x7FFFFFFF]
print(f"{trace}: {os.path.getsize(trace)} bytes, {len(events)} events, {len(names)} threads: "
      f"{sorted(names.values())}")
if len(names) != threads:
    sys.exit(f"expected {threads} named threads, got {len(names)}")
if "MainThread" not in names.values():
    sys.exit("no MainThread")
if not slices or any(e["tid"] not in names for e in slices):
    sys.exit("slices missing, or on an unnamed thread")
