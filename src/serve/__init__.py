"""The local server behind serve.py (Python 3 standard library only): it builds the web bundle,
serves it cross-origin isolated beside a simulated internet, and exports static copies of it.

What it serves, its limits and its build step: README.md beside this file.
"""

import os

# The repository this package lives in (as src/serve).
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
