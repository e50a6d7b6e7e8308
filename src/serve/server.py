"""The HTTP server: the web bundle's static files, cross-origin isolated, and the simulated
internet's endpoints, on the standard library's http.server (one thread a connection)."""

import datetime
import email.utils
import errno
import gzip
import html
import http.server
import ipaddress
import mimetypes
import os
import re
import select
import socket
import socketserver
import stat
import sys
import threading
import time

from . import REPO, internet
from .build import BUILD_COMMAND
from .internet import BadRequest

try:
    import resource
except ImportError:  # Windows
    resource = None

# Connections: one thread each.
MAX_CONNECTIONS = 512  # and fewer under a low limit on open files (FD_RESERVE kept free)
FD_RESERVE = 64  # for the listening socket, files being served, ...
IDLE_TIMEOUT = 5.0  # seconds a connection may stay silent when a request is due
SEND_TIMEOUT = 300.0  # seconds a send to a client that reads nothing may block
CHUNK = 65536  # the most a body write sends at once

MIME_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".wasm": "application/wasm",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".data": "application/octet-stream",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
}
# What every response carries unless --no-coi (and what an export's _headers file says). The
# first two make a top-level page cross-origin isolated everywhere. Embeds: a tutorial page of any
# origin may frame the playground and load its files (CORP), and in Chromium the frame isolates
# itself (Document-Isolation-Policy) even when the tutorial page is not isolated.
ISOLATION_HEADERS = (
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Embedder-Policy", "require-corp"),
    ("Cross-Origin-Resource-Policy", "cross-origin"),
    ("Document-Isolation-Policy", "isolate-and-require-corp"),
)
# serve.py --demo: the example tutorial page, served from a second origin.
DEMO_PAGE = os.path.join(REPO, "web", "demo.html")
# The demo page runs its own inline script and embed.js, and frames, from the playground only.
DEMO_CSP = ("default-src 'none'; script-src 'unsafe-inline' %s; frame-src %s; style-src 'unsafe-inline'; "
            "base-uri 'none'; form-action 'none'")
# The service worker that adds the first three on a static host (web/coi-sw.js); --no-coi
# withholds it, so that the page really has no way to isolate itself.
SERVICE_WORKER = "coi-sw.js"

# Static files of these types are sent gzip-compressed to clients that accept it (the wasm and
# playground.js shrink to about a third). PNG, fonts etc. are compressed already.
COMPRESSIBLE = {".html", ".htm", ".js", ".mjs", ".wasm", ".css", ".json", ".map", ".svg", ".txt", ".md"}


class Body:
    """A response body: a length and a way to read a slice of it."""

    def __init__(self, length, read):
        self.length = length
        self.read = read  # read(offset, size) -> bytes-like

    @staticmethod
    def of(data):
        mv = memoryview(data)
        return Body(len(data), lambda off, size: mv[off:off + size])

    @staticmethod
    def file(f, size):
        def read(off, k):
            f.seek(off)
            return f.read(k)
        return Body(size, read)


def not_built_page(root):
    cmd_all = "python3 serve.py"
    return ("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Threadlab playground: not built yet</title>
<style>body{font-family:sans-serif;max-width:46em;margin:3em auto;line-height:1.5}
pre{background:#eee;padding:.8em}</style></head>
<body>
<h1>The Threadlab playground is not built yet</h1>
<p>serve.py found no web bundle (no <code>index.html</code>) in <code>%s</code>.</p>
<p>Build it and serve it in one step (serve.py builds at every start; CMake rebuilds what changed):</p>
<pre>%s</pre>
<p>or build it by hand from the repository root, then reload this page:</p>
<pre>cmake --preset wasm
%s</pre>
<p>The simulated internet works already: <a href="/images/">/images/</a>,
<a href="/images/index.json">/images/index.json</a>, <a href="/bytes/1000">/bytes/1000</a>,
<a href="/healthz">/healthz</a>.</p>
</body></html>
""" % (html.escape(root), cmd_all, BUILD_COMMAND)).encode()


class ClientGone(Exception):
    """The client closed its connection while a response waited or was sent."""


class ServerStopping(Exception):
    """Ctrl-C or SIGTERM: responses that wait stop waiting."""


_PCT = re.compile(r"%([0-9A-Fa-f]{2})")
# Log lines show client bytes: control characters (terminal escape sequences) as \xHH, and
# backslashes doubled so that the escapes are unambiguous, as http.server does.
_LOG_ESCAPES = str.maketrans({c: "\\x%02x" % c for c in (*range(0x20), *range(0x7F, 0xA0))})
_LOG_ESCAPES[ord("\\")] = "\\\\"
_HOST = re.compile(r"(\[[0-9a-f:.]+\]|[^:\[\]]+)(?::[0-9]*)?")  # name or [IPv6], then :port


def decode_path(raw):
    """Percent-decode a request path once and check it is safe. Raises BadRequest."""
    if not raw.startswith("/"):
        raise BadRequest("The request target must be a path starting with '/'.")
    if "\\" in raw:
        raise BadRequest("Backslashes are not allowed in paths.")
    if "%" in _PCT.sub("", raw):
        raise BadRequest("Malformed percent-encoding in the path.")
    try:
        path = _PCT.sub(lambda m: chr(int(m.group(1), 16)), raw).encode("latin-1").decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError):
        raise BadRequest("The path is not valid UTF-8 once percent-decoded.")
    if "%" in path:
        raise BadRequest("The path is still percent-encoded after decoding (double encoding is not allowed).")
    if "\\" in path:
        raise BadRequest("Backslashes are not allowed in paths.")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        raise BadRequest("NUL and control characters are not allowed in paths.")
    if "//" in path:
        raise BadRequest("Empty path segments ('//') are not allowed.")
    if any(seg in (".", "..") for seg in path.split("/")):
        raise BadRequest("'.' and '..' path segments are not allowed.")
    return path


_CODING = re.compile(r"\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*(?:;\s*[qQ]\s*=\s*([0-9.]+)\s*)?")
_ETAG = re.compile(r'(?:W/)?("[^"]*")')


def accepts_gzip(header):
    """True if an Accept-Encoding value (None: no header) prefers gzip to identity (RFC 9110
    12.5.3). No header means identity: a client that says nothing may not decode gzip."""
    if header is None:
        return False
    q = {}
    for item in header.split(","):
        if not item.strip():
            continue
        m = _CODING.fullmatch(item)
        if not m:
            continue  # e.g. parameters other than q: not a coding we act on
        try:
            value = float(m.group(2)) if m.group(2) is not None else 1.0
        except ValueError:
            value = 0.0  # "q=1.2.3": not acceptable, to be safe
        q[m.group(1).lower()] = value
    star = q.get("*", 0.0)  # "*" stands for the codings not listed
    gz = q.get("gzip", q.get("x-gzip", star))
    # identity has no weight unless listed (or "*" is): gzip wins unless identity is preferred.
    identity = q.get("identity", q.get("*", 0.0))
    return gz > 0 and gz >= identity


def etag_matches(header, etag):
    """If-None-Match: '*' or a list of entity tags; weak comparison (W/ ignored), as RFC 9110
    13.1.2 prescribes for GET and HEAD."""
    if header.strip() == "*":
        return True
    return etag in _ETAG.findall(header)  # ours are strong: no W/ to strip


def wait_readable(sock, seconds):
    """True if sock has input (or EOF, or an error) within seconds. poll(), not select():
    select() cannot take descriptors >= 1024 (FD_SETSIZE), which a busy server reaches."""
    if not hasattr(select, "poll"):  # Windows: its select() has no such limit
        return bool(select.select([sock], [], [], seconds)[0])
    p = select.poll()
    p.register(sock, select.POLLIN)
    return bool(p.poll(seconds * 1000))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    default_request_version = "HTTP/1.0"  # so even errors for garbage lines carry a status line
    server_version = "threadlab-serve/1.0"
    disable_nagle_algorithm = True
    timeout = IDLE_TIMEOUT  # idle keep-alive connections are dropped after this

    def version_string(self):
        return self.server_version  # without http.server's "Python/3.x"

    # ---- request parsing: http.server's, with hooks ---------------------------------------------

    def handle_one_request(self):
        self._t0 = time.monotonic()
        self._status = None
        self._sent = 0
        self._note = ""
        self._note_final = False
        try:
            # Idle until a request line arrives (parse_request): a connection the server may close
            # to make room for a new one (see Server.process_request).
            self.connection.settimeout(IDLE_TIMEOUT)
            self.server.set_idle(self.connection, True)
            super().handle_one_request()
        except (ClientGone, ConnectionError):
            self._add_note("client went away")
            self.close_connection = True
        except ServerStopping:
            self._add_note("server stopping")
            self.close_connection = True
        finally:
            if self._status is not None:
                self._log_done()

    def _add_note(self, note):
        if not self._note_final:
            self._note = "%s, %s" % (self._note, note) if self._note else note

    def parse_request(self):
        """http.server's parse, then what it leaves to us: malformed header lines, the Host check,
        GET and HEAD only, and no keep-alive after a request body (we never read one). False: an
        error was sent."""
        self.server.set_idle(self.connection, False)  # a request line has arrived
        if not super().parse_request():
            return False
        self.connection.settimeout(SEND_TIMEOUT)
        if self.headers.defects:  # e.g. a line without a colon, which would end the headers early
            self.send_text(400, "Malformed request header line: each must be 'Name: value'.", close=True)
            return False
        if self.headers.get("Transfer-Encoding") or self.headers.get("Content-Length", "0").strip() != "0":
            self.close_connection = True
        if not self.check_host():
            return False
        if self.command not in ("GET", "HEAD"):
            self.send_text(405, "Method %s is not allowed: this server answers GET and HEAD only."
                           % self.command, extra={"Allow": "GET, HEAD"})
            return False
        return True

    def handle_expect_100(self):
        return True  # no "100 Continue": we read no request body, the final answer comes at once

    def check_host(self):
        """Answer requests for host names other than localhost names (and --host) with 421: a page
        on a name that an attacker makes resolve to 127.0.0.1 (DNS rebinding) must not read us.
        IP addresses pass: rebinding needs a DNS name."""
        hosts = self.headers.get_all("Host") or []
        if not hosts and self.request_version == "HTTP/1.0":
            return True
        if len(hosts) != 1:
            self.send_text(400, "An HTTP/1.1 request needs exactly one Host header.", close=True)
            return False
        m = _HOST.fullmatch(hosts[0].strip().lower())
        name = m.group(1).strip("[]") if m else ""
        if name == "localhost" or name.endswith(".localhost") or name == self.server.host:
            return True
        try:
            ipaddress.ip_address(name)
            return True  # an address typed as such (a LAN IP with --host 0.0.0.0): no DNS to rebind
        except ValueError:
            pass
        self.send_text(421, "Misdirected request for host %r: this development server answers only for "
                       "localhost, *.localhost, IP addresses and its --host name, so that other web "
                       "sites cannot reach it through DNS rebinding." % hosts[0][:100], close=True)
        return False

    # ---- responses ----------------------------------------------------------------------------

    def send_response(self, code, message=None):
        self._status = code
        super().send_response(code, message)

    def log_request(self, code="-", size="-"):
        pass  # we log once per request, when it is done (see _log_done)

    def log_message(self, fmt, *args):
        if not self.server.quiet:
            sys.stderr.write("%s %s\n" % (time.strftime("%H:%M:%S"), (fmt % args).translate(_LOG_ESCAPES)))

    def _log_done(self):
        if self.server.quiet:
            return
        line = "%s %s %s %dB %.3fs" % (self._status, self.command or "-", (self.path if self.command else
                                       self.requestline[:80]) or "-", self._sent, time.monotonic() - self._t0)
        if self._note:
            line += " (%s)" % (self._note if len(self._note) <= 90 else self._note[:87] + "...")
        if self.server.demo_page:
            line = "demo " + line
        self.log_message("%s", line)

    def end_headers(self):
        if self.server.coi:
            for name, value in ISOLATION_HEADERS:
                self.send_header(name, value)
        if self.server.demo_page:
            origin = self.server.playground_url.rstrip("/")
            self.send_header("Content-Security-Policy", DEMO_CSP % (origin, origin))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def send_error(self, code, message=None, explain=None):
        # http.server's own errors (400, 414, 431, 505): text/plain like ours, and the connection closes.
        text = message or self.responses.get(code, ("Error",))[0]
        self.send_text(code, "%s%s." % (text, " (%s)" % explain if explain else ""), close=True)

    def log_error(self, fmt, *args):
        # http.server says so when a read or write timed out: a note in the request's log line.
        self._add_note(fmt % args)

    def send_text(self, code, text, close=False, extra=None):
        self._note = text if code >= 400 else self._note
        self.send_body(code, "text/plain; charset=utf-8", Body.of((text + "\n").encode()),
                       close=close, extra=extra)

    def send_body(self, code, ctype, body, params=None, close=False, extra=None):
        """Send a complete response, applying the simulation parameters if given."""
        params = params or {}
        if close:
            self.close_connection = True
        if params.get("latency_ms"):
            self._pause(params["latency_ms"] / 1000.0)
        no_body = code in (204, 205, 304)  # these must not have a body
        self.send_response(code)
        if not no_body:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(body.length))
        elif code == 205:  # unlike 204 and 304, a 205 without a length would be read to the close
            self.send_header("Content-Length", "0")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        cut, hang = params.get("cut"), params.get("hang")
        if self.close_connection or cut or hang:
            self.send_header("Connection", "close")
        elif self.request_version == "HTTP/1.0":
            self.send_header("Connection", "keep-alive")  # an HTTP/1.0 client asked for it
        self.end_headers()
        if no_body or self.command == "HEAD":
            limit = 0
        elif cut:
            limit = body.length // 2
        elif hang:
            limit = min(body.length, internet.HANG_FIRST_CHUNK)
        else:
            limit = body.length
        rate = params.get("kbps", 0) * 125  # bytes per second
        chunk = CHUNK if not rate else max(1, min(CHUNK, rate // 20))
        t0 = time.monotonic()
        while self._sent < limit:
            k = min(chunk, limit - self._sent)
            if rate:  # byte s may leave no earlier than s / rate after the body starts
                self._pause(t0 + (self._sent + k) / rate - time.monotonic())
            self.wfile.write(body.read(self._sent, k))
            self._sent += k
        if cut:
            self._note = "cut after %d of %d bytes" % (self._sent, body.length)
        if hang:
            self._note = "hanging after %d of %d bytes" % (self._sent, body.length)
            self.wfile.flush()
            try:
                self._pause(internet.HANG_MAX_SECONDS, watch_client=True)
                self._note += ", gave up after %.0f s" % internet.HANG_MAX_SECONDS
            except ClientGone:
                self._note += ", client went away"
                self._note_final = True
                raise

    def _pause(self, seconds, watch_client=True):
        """Sleep, but stop early (raising) if the client disconnects or the server stops."""
        end = time.monotonic() + seconds
        stop = self.server.stopping
        sock = self.connection
        while True:
            if stop.is_set():
                raise ServerStopping()
            left = end - time.monotonic()
            if left <= 0:
                return
            if not watch_client:
                stop.wait(min(left, 0.25))
                continue
            try:
                readable = wait_readable(sock, min(left, 0.25))
            except (OSError, ValueError):
                raise ClientGone()
            if readable:
                try:
                    data = sock.recv(1, socket.MSG_PEEK)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    raise ClientGone()
                if not data:
                    raise ClientGone()
                # The client sent more (a pipelined request): it is still there; keep sleeping
                # without watching (it would stay readable).
                watch_client = False

    # ---- routing ------------------------------------------------------------------------------

    def do_GET(self):
        raw_path, _, query = self.path.partition("?")
        try:
            path = decode_path(raw_path)
            if self.server.demo_page:  # the demo origin (--demo): one page, nothing else
                if path != "/":
                    return self.send_text(404, "Not found: %s. This origin serves only the demo tutorial, at /; "
                                          "the playground is at %s" % (path, self.server.playground_url))
                return self._static("/" + os.path.basename(self.server.demo_page), query)
            if path == "/healthz":
                return self._simulated(query, "text/plain; charset=utf-8", Body.of(b"ok"))
            if path == "/images/index.json":
                return self._simulated(query, "application/json", Body.of(self.server.image_data()[1]))
            if path in ("/images", "/images/"):
                return self._simulated(query, "text/html; charset=utf-8", Body.of(self.server.gallery))
            if path.startswith("/images/"):
                name = path[len("/images/"):]
                name = name[:-4] if name.endswith(".png") else name
                png = self.server.image_data()[0].get(name)
                if png is None:
                    return self._simulated(query, "", None, missing=path[len("/images/"):])
                return self._simulated(query, "image/png", Body.of(png))
            if path.startswith("/bytes/"):
                n = internet.bytes_count(path[len("/bytes/"):])
                return self._simulated(query, "application/octet-stream", Body(n, internet.pattern_slice))
            return self._static(path, query)
        except BadRequest as err:
            self.send_text(400, str(err))

    do_HEAD = do_GET  # send_body leaves the body out

    def _simulated(self, query, ctype, body, missing=None):
        params = internet.parse_params(query)
        status = params.get("status", 200)
        if missing is not None:
            status = 404
            text = "No simulated image %r. The 15 names are listed at /images/index.json." % missing
            ctype, body = "text/plain; charset=utf-8", Body.of((text + "\n").encode())
            self._note = text
        elif status != 200:
            phrase = self.responses.get(status, ("Unknown",))[0]
            text = ("Simulated %d %s: this status was requested with status=%d for %s."
                    % (status, phrase, status, self.path.partition("?")[0]))
            ctype, body = "text/plain; charset=utf-8", Body.of((text + "\n").encode())
            self._note = "status=%d requested" % status
        # Any page may read the simulated internet (it is test data): the playground spreads its
        # downloads over *.localhost names of this server (web browsers open at most 6
        # connections per host), and those are other origins. Timing-Allow-Origin lets such a page
        # see when each request went out (Resource Timing), so that it can show the time spent
        # waiting for a connection apart from the server's latency.
        self.send_body(status, ctype, body, params=params,
                       extra={"Access-Control-Allow-Origin": "*", "Timing-Allow-Origin": "*"})

    def _static(self, path, query):
        srv = self.server
        if not srv.bundle_built():
            if path in ("/", "/index.html"):
                return self.send_body(503, "text/html; charset=utf-8", Body.of(not_built_page(srv.root)))
            if not os.path.isdir(srv.root_real):
                return self.send_text(404, "Not found: %s (the web bundle is not built; open / for how to build it)."
                                      % path)
        full = os.path.join(srv.root_real, *[s for s in path.split("/") if s])
        real = os.path.realpath(full)
        if real != srv.root_real and not real.startswith(srv.root_real + os.sep):
            return self.send_text(403, "Forbidden: %s resolves outside the served directory." % path)
        if os.path.isdir(real):
            if not path.endswith("/"):
                loc = path + "/" + ("?" + query if query else "")
                return self.send_text(301, "Moved to %s" % loc, extra={"Location": loc})
            real = os.path.join(real, "index.html")
        elif path.endswith("/"):  # "/index.html/" names a directory, and that is no directory
            return self.send_text(404, "Not found: %s" % path)
        if not srv.coi and os.path.basename(real) == SERVICE_WORKER:
            return self.send_text(404, "Not found: %s (--no-coi: no service worker to isolate the page either)" % path)
        try:
            f = open(real, "rb")
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return self.send_text(404, "Not found: %s" % path)
        except OSError as err:
            return self.send_text(403, "Cannot read %s: %s" % (path, err.strerror))
        pre = None  # an open precompressed FILE.gz, if sent instead of compressing here
        try:
            st = os.fstat(f.fileno())
            ext = os.path.splitext(real)[1].lower()
            ctype = MIME_TYPES.get(ext) or mimetypes.guess_type(real)[0] or "application/octet-stream"
            # Validators: with Cache-Control: no-cache a browser revalidates every file on every
            # load (so a rebuilt bundle is seen at once), and a 304 of a few hundred bytes answers
            # for an unchanged one. The ETag names the version (mtime, size) and the encoding.
            sent = st  # the file whose bytes are sent (or compressed)
            gz = ext in COMPRESSIBLE and accepts_gzip(self._header("Accept-Encoding"))
            if gz:
                pre = self._open_precompressed(real, st)
                sent = os.fstat(pre.fileno()) if pre else st
            extra = {"ETag": '"%x-%x%s"' % (sent.st_mtime_ns, sent.st_size, "-gz" if gz else ""),
                     "Last-Modified": email.utils.formatdate(sent.st_mtime, usegmt=True)}
            if ext in COMPRESSIBLE:
                extra["Vary"] = "Accept-Encoding"  # caches keep the gzip and identity variants apart
            if self._not_modified(extra["ETag"], sent.st_mtime):
                return self.send_body(304, ctype, Body.of(b""), extra=extra)
            if gz:
                extra["Content-Encoding"] = "gzip"
                body = Body.file(pre, sent.st_size) if pre else Body.of(srv.gzipped(real, f, st))
                self._note = "gzip of %dB%s" % (st.st_size, ", precompressed" if pre else "")
            else:
                body = Body.file(f, st.st_size)
            self.send_body(200, ctype, body, extra=extra)
        finally:
            f.close()
            if pre:
                pre.close()

    def _header(self, name):
        """A request header's values joined by ', ' (a list may be split over lines), or None."""
        values = self.headers.get_all(name)
        return ", ".join(values) if values else None

    def _open_precompressed(self, real, st):
        """FILE.gz beside FILE, open, if it is at least as new as FILE (an export writes them
        after the files), a regular file and inside the root; else None (compress here)."""
        gz_real = os.path.realpath(real + ".gz")
        if not gz_real.startswith(self.server.root_real + os.sep):
            return None
        try:
            g = open(gz_real, "rb")
        except OSError:
            return None
        gst = os.fstat(g.fileno())
        if not stat.S_ISREG(gst.st_mode) or gst.st_mtime_ns < st.st_mtime_ns:
            g.close()
            return None
        return g

    def _not_modified(self, etag, mtime):
        """RFC 9110 13.2.2: If-None-Match decides when present, else If-Modified-Since."""
        inm = self._header("If-None-Match")
        if inm is not None:
            return etag_matches(inm, etag)
        ims = self.headers.get("If-Modified-Since")
        if not ims:
            return False
        try:
            since = email.utils.parsedate_to_datetime(ims)
        except (TypeError, ValueError, IndexError):
            return False  # not an HTTP-date: ignored, as RFC 9110 says
        if since.tzinfo is None:
            since = since.replace(tzinfo=datetime.timezone.utc)
        return int(mtime) <= since.timestamp()  # HTTP dates have whole seconds


def connection_cap():
    """MAX_CONNECTIONS, or fewer if the limit on open files is low (each takes a descriptor)."""
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0] if resource else -1
    if soft < 0:  # unlimited (RLIM_INFINITY), or no resource module
        return MAX_CONNECTIONS
    return max(8, min(MAX_CONNECTIONS, soft - FD_RESERVE))


def raise_fd_limit():
    """Raise the soft limit on open files to the hard one: the common default of 1024 is a few
    hundred browser connections plus the files they read."""
    if not resource:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):  # e.g. macOS refuses an unlimited hard limit
            pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(self, host, port, root, coi=True, quiet=False, demo_for=None):
        """demo_for: the playground's URL; this is then the demo origin (--demo), which serves
        DEMO_PAGE as / and nothing else, without the isolation headers."""
        # Open connections: {socket: idle (waiting for a request line)}, in the order of their
        # last change, so the first idle one has been idle the longest.
        self._conns = {}
        self._conns_lock = threading.Lock()
        self.max_connections = connection_cap()
        self.host = host.lower().strip("[]") or None  # a Host naming it is fine (check_host)
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.demo_page = DEMO_PAGE if demo_for else None
        self.playground_url = demo_for
        if demo_for:
            root, coi = os.path.dirname(DEMO_PAGE), False
        self.root = root
        self.root_real = os.path.realpath(root)
        self.coi = coi
        self.quiet = quiet
        self.stopping = threading.Event()
        # Gzipped static files: {path: (mtime_ns, size, gzip bytes)}, the latest version of each.
        # One lock: 17 Workers asking for playground.js at once compress it once, not 17 times.
        self._gzipped = {}
        self._gzip_lock = threading.Lock()
        self.gallery = internet.gallery_page()
        # The images are generated in the background, so that the server is ready at once;
        # a request for an image in the first fraction of a second waits for them.
        self._images = None
        self._images_ready = threading.Event()
        self.image_seconds = None
        if not demo_for:
            threading.Thread(target=self._make_images, name="make-images", daemon=True).start()
        super().__init__((host, port), Handler)

    def _make_images(self):
        t0 = time.perf_counter()
        self._images = internet.make_images()
        self.image_seconds = time.perf_counter() - t0
        self._images_ready.set()
        if not self.quiet:
            print("serve.py: %d images generated in %.0f ms" % (len(self._images[0]), self.image_seconds * 1000),
                  flush=True)

    def image_data(self):
        """({name: png}, index.json bytes), waiting for the background generation if needed."""
        while not self._images_ready.wait(0.25):
            if self.stopping.is_set():
                raise ServerStopping()
        return self._images

    def gzipped(self, path, f, st):
        """The gzip bytes of the open file f (path, os.fstat st), compressed once per version."""
        with self._gzip_lock:
            cached = self._gzipped.get(path)
            if cached and cached[:2] == (st.st_mtime_ns, st.st_size):
                return cached[2]
            f.seek(0)
            # Level 9 (smallest): it is done once per version. mtime=0: the same bytes each time.
            data = gzip.compress(f.read(), 9, mtime=0)
            self._gzipped[path] = (st.st_mtime_ns, st.st_size, data)
            return data

    def server_bind(self):
        # HTTPServer.server_bind calls socket.getfqdn(), a DNS lookup that can stall offline.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def get_request(self):
        try:
            return super().get_request()
        except OSError as err:
            if err.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                # Out of descriptors (some are taken by other things than connections). The
                # listening socket stays readable, so retrying at once would spin. Take fewer
                # connections from now on, free descriptors by closing idle ones, and pause.
                with self._conns_lock:
                    self.max_connections = max(8, len(self._conns) - 8)
                    while len(self._conns) > self.max_connections and self._close_idle():
                        pass
                time.sleep(0.05)
            raise

    def process_request(self, request, client_address):
        # One thread per connection, so a cap; past it, make room by closing the connection idle
        # the longest (HTTP lets a server close idle keep-alive connections at any time).
        with self._conns_lock:
            if len(self._conns) >= self.max_connections:
                self._close_idle()
            busy = len(self._conns)
            admitted = busy < self.max_connections
            if admitted:
                self._conns[request] = True
        if not admitted:  # every connection is busy with a request: say so at once
            text = b"503 Service Unavailable: %d requests are in progress; try again shortly.\n" % busy
            try:
                request.setblocking(False)
                request.send(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                             b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(text), text))
            except OSError:
                pass
            self.close_request(request)
            return
        super().process_request(request, client_address)

    def _close_idle(self):
        """Close the connection idle the longest, if any (with _conns_lock held)."""
        for sock, idle in self._conns.items():
            if idle:
                del self._conns[sock]
                try:
                    sock.shutdown(socket.SHUT_RDWR)  # its thread reads EOF, and closes it
                except OSError:
                    pass
                return True
        return False

    def set_idle(self, sock, idle):
        with self._conns_lock:
            if sock in self._conns:  # not closed by _close_idle meanwhile
                del self._conns[sock]
                self._conns[sock] = idle

    def shutdown_request(self, request):
        # Lingering close: after our last byte, read (and drop) what the client still sends for a
        # moment. Closing a socket with unread input makes the kernel send a TCP reset, which can
        # destroy a response the client has not read yet (e.g. a 431 for a 20 KB header).
        try:
            request.shutdown(socket.SHUT_WR)
            deadline, drained = time.monotonic() + 2.0, 0
            while drained < (1 << 20):
                left = deadline - time.monotonic()
                if left <= 0 or not wait_readable(request, min(left, 0.1)):
                    break
                data = request.recv(65536)
                if not data:
                    break
                drained += len(data)
        except (OSError, ValueError):
            pass
        self.close_request(request)
        with self._conns_lock:
            self._conns.pop(request, None)

    def bundle_built(self):
        return os.path.isfile(os.path.join(self.root_real, "index.html"))

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, ClientGone, ServerStopping)):
            return
        super().handle_error(request, client_address)


