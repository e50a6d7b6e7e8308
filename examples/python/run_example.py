# python3 run_example.py EXAMPLE.py - runs a tutorial example as __main__ with one change: print()
# writes each line in one call. CPython's print writes the text and then the newline, so two
# threads can interleave as "Sleeping 0.4...Sleeping 0.3...\n\n"; threadlab::println writes whole
# lines, and the test compares lines (examples/CMakeLists.txt).
import builtins
import runpy
import sys
import threading

_print = builtins.print
_lock = threading.Lock()


def whole_line_print(*args, sep=' ', end='\n', file=None, flush=False):
    with _lock:
        _print(sep.join(map(str, args)) + end, end='', file=file, flush=flush)


builtins.print = whole_line_print
runpy.run_path(sys.argv[1], run_name='__main__')
