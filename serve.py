#!/usr/bin/env python3
"""serve.py: the local server for the Threadlab playground (Python 3 standard library only).

    python3 serve.py                 build the web bundle (CMake rebuilds what changed), then
                                     serve it on http://127.0.0.1:8000/
    python3 serve.py --no-build      serve whatever is there (never builds)
    python3 serve.py --port 0        pick a free port (the URL printed says which)
    python3 serve.py --export DIR    write a static copy for hosts that cannot set headers
                                     (GitHub Pages and the like), then exit
    python3 serve.py --demo          also serve an example tutorial page embedding the
                                     playground, from a second origin
    python3 serve.py --help          every option

The code is the package src/serve; what it serves, its limits and its build step are in
src/serve/README.md.
"""

import os
import sys

# src/ first, so that "serve" is the package src/serve and not this file.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "src"))

from serve.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
