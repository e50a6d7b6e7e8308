"""serve.py's command line: build, then serve (or export), until Ctrl-C."""

import argparse
import ipaddress
import os
import signal
import sys
import threading
import urllib.parse

from . import export
from .build import BUILD_COMMAND, DEFAULT_ROOT, build_bundle
from .server import DEMO_PAGE, Server, raise_fd_limit

EPILOG = """\
Besides the bundle it serves a simulated internet: /healthz, /images/index.json,
/images/<name>.png (the tutorial's 15 photos), /images/ and /bytes/<n>, each taking
?latency_ms=N, kbps=N, status=N, cut=1 or hang=1.

When ready it prints one line, "Threadlab playground: http://127.0.0.1:8000/".
What it serves, its limits and its build step: src/serve/README.md."""


def is_loopback(host):
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_of(httpd):
    """The URL a server listens at: http://127.0.0.1:8000/ (an address bound to every interface
    is named by its loopback address)."""
    host, port = httpd.server_address[:2]
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = "[%s]" % host
    return "http://%s:%d/" % (host, port)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Serve the Threadlab playground (with COOP/COEP) and a "
                                 "simulated internet.", epilog=EPILOG,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", default=None, help="directory to serve (default: build/wasm/web)")
    ap.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    ap.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 = any free port)")
    ap.add_argument("--no-coi", action="store_true", help="omit the cross-origin isolation headers")
    ap.add_argument("--no-build", action="store_true", help="never build the web bundle")
    ap.add_argument("--quiet", action="store_true", help="no per-request log lines")
    ap.add_argument("--export", metavar="DIR", help="write a static site for hosts that cannot set headers "
                    "(GitHub Pages) into DIR, then exit")
    ap.add_argument("--demo", action="store_true", help="also serve web/demo.html, a tutorial page embedding "
                    "the playground, from a second origin (another port, named localhost)")
    ap.add_argument("--demo-port", type=int, default=None, help="the demo's port (default: --port + 1, "
                    "or any free port with --port 0)")
    args = ap.parse_args(argv)
    if args.demo and not os.path.isfile(DEMO_PAGE):
        print("serve.py: error: --demo: no demo page at %s" % DEMO_PAGE, file=sys.stderr, flush=True)
        return 1

    # Ctrl-C and SIGTERM stop the server cleanly, also when started with SIGINT ignored (as a
    # background job of a script).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    root = os.path.abspath(args.root) if args.root else DEFAULT_ROOT
    try:
        if not args.no_build:
            if os.path.realpath(root) != os.path.realpath(DEFAULT_ROOT):
                print("serve.py: --root is not build/wasm/web: not building", flush=True)
            elif not build_bundle():
                return 1
        if args.export is not None:
            return export.run(args.export, root)
        raise_fd_limit()  # after the build: some tools are slow with a high limit
        try:
            httpd = Server(args.host, args.port, root, coi=not args.no_coi, quiet=args.quiet)
        except OSError as err:
            print("serve.py: error: cannot listen on %s:%d: %s (try --port 0)"
                  % (args.host, args.port, err.strerror or err), file=sys.stderr, flush=True)
            return 1
        demo = None
        if args.demo:
            demo_port = args.demo_port if args.demo_port is not None else (
                args.port + 1 if 0 < args.port < 65535 else 0)
            try:
                demo = Server(args.host, demo_port, root, quiet=args.quiet, demo_for=url_of(httpd))
            except (OSError, OverflowError) as err:
                httpd.server_close()
                print("serve.py: error: cannot listen on %s:%d for the demo tutorial: %s (try --demo-port 0)"
                      % (args.host, demo_port, getattr(err, "strerror", None) or err), file=sys.stderr, flush=True)
                return 1
    except KeyboardInterrupt:
        print("\nserve.py: interrupted", flush=True)
        return 130

    if not is_loopback(args.host):
        print("serve.py: WARNING: listening on %s, not on loopback: other machines can reach this "
              "development server." % args.host, file=sys.stderr, flush=True)
    if not httpd.bundle_built():
        print("serve.py: web bundle not built (no index.html in %s); / says how to build it: %s"
              % (root, BUILD_COMMAND), flush=True)
    if not args.quiet:
        print("serve.py: serving %s%s" % (root, "; WITHOUT cross-origin isolation (--no-coi)"
                                           if args.no_coi else ""), flush=True)
    if demo:
        # Another origin (its port), and another site for a loopback address: localhost.
        host = urllib.parse.urlsplit(url_of(demo)).netloc.rpartition(":")[0]
        if is_loopback(host.strip("[]")):
            host = "localhost"
        print("Threadlab demo tutorial: http://%s:%d/?playground=%s" % (host, demo.server_address[1], url_of(httpd)),
              flush=True)
        threading.Thread(target=demo.serve_forever, kwargs={"poll_interval": 0.25}, name="demo", daemon=True).start()
    print("Threadlab playground: %s" % url_of(httpd), flush=True)
    try:
        httpd.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        servers = [httpd] + ([demo] if demo else [])
        for srv in servers:
            srv.stopping.set()
        if demo:
            demo.shutdown()  # its serve_forever, in the other thread, returns
        for srv in servers:
            srv.server_close()
    print("\nserve.py: stopped", flush=True)  # after the terminal's ^C
    return 0
