# python3 run_example.py [--hangs-after SECONDS] EXAMPLE.py - runs a tutorial example as __main__
# with one change: print() writes each line in one call. CPython's print writes the text and then
# the newline, so two threads can interleave as "Sleeping 0.4...Sleeping 0.3...\n\n";
# threadlab::println writes whole lines, and the test compares lines (examples/CMakeLists.txt).
# --hangs-after: for the deadlock examples, which CPython never ends: after SECONDS it prints
# "(deadlocked: still waiting after SECONDS s)" and exits 0, so the test can say it hung where expected.
import argparse
import builtins
import os
import runpy
import threading
import time

_print = builtins.print
_lock = threading.Lock()


def whole_line_print(*args, sep=' ', end='\n', file=None, flush=False):
    with _lock:
        _print(sep.join(map(str, args)) + end, end='', file=file, flush=flush)


def give_up_after(seconds):
    time.sleep(seconds)
    whole_line_print(f'(deadlocked: still waiting after {seconds:g} s)', flush=True)
    os._exit(0)


parser = argparse.ArgumentParser()
parser.add_argument('--hangs-after', type=float)
parser.add_argument('example')
args = parser.parse_args()
builtins.print = whole_line_print
if args.hangs_after:
    threading.Thread(name='hangs-after', target=give_up_after, args=[args.hangs_after], daemon=True).start()
runpy.run_path(args.example, run_name='__main__')
if args.hangs_after:
    whole_line_print('(ended: no deadlock)')
