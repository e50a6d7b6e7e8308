#!/usr/bin/env python3
"""serve.py: the local server for the Threadlab playground (Python 3 standard library only).

Usage
-----
    python3 serve.py                 build the web bundle if needed, then serve it on
                                     http://127.0.0.1:8000/
    python3 serve.py --no-build      serve whatever is there (never builds)
    python3 serve.py --port 0        pick a free port (the URL printed says which)
    python3 serve.py --export DIR    write a static copy for hosts that cannot set headers
                                     (GitHub Pages and the like), then exit; see Export below
    python3 serve.py --demo          also serve an example tutorial page embedding the
                                     playground, from a second origin; see Demo below

Options: ``--root DIR`` (default ``build/wasm/web`` in the repository), ``--host HOST``
(default ``127.0.0.1``; any non-loopback host prints a warning), ``--port N`` (default 8000,
0 = any free port), ``--no-coi`` (serve WITHOUT the cross-origin isolation headers, and answer
404 for ``coi-sw.js``, the service worker that would add them, to check that the page explains
why threads cannot start), ``--no-build``, ``--quiet`` (no per-request log lines),
``--export DIR``, ``--demo``, ``--demo-port N`` (default: the port after ``--port``, or any
free port with ``--port 0``).

When ready it prints one line to stdout (flushed), which scripts may parse::

    Threadlab playground: http://127.0.0.1:8000/

(with ``--demo``, after the line ``Threadlab demo tutorial: URL``, so both are ready then).

Ctrl-C (or SIGTERM) stops it cleanly, exit status 0.

Building
--------
Unless ``--no-build`` is given (or ``--root`` points elsewhere), before serving the bundle is
rebuilt when ``build/wasm/web/index.html`` is missing, or when any file under ``src/``, ``web/``,
``shaders/`` or ``CMakeLists.txt`` / ``CMakePresets.json`` is newer than the last build (the
newer of index.html and the stamp ``build/wasm/.serve-build-stamp`` that serve.py touches after
a successful build, so a no-op build that leaves index.html untouched is not repeated). Steps,
with their output streamed:

1. ``scripts/setup.sh`` if it exists and ``scripts/setup.sh --check`` reports something missing
   (if setup fails, serve.py warns and tries the build anyway);
2. ``cmake --preset wasm`` if ``build/wasm`` is not configured yet;
3. ``cmake --build --preset wasm --target playground_web``.

A failing step prints an error and exits non-zero. With ``--no-build`` and no bundle, ``/``
answers 503 with an HTML page saying the bundle is not built and which command builds it; the
simulated endpoints below work all the same.

Every response
--------------
* ``Cross-Origin-Opener-Policy: same-origin``, ``Cross-Origin-Embedder-Policy: require-corp``,
  ``Cross-Origin-Resource-Policy: cross-origin`` (so that pages of other origins may embed the
  playground) and ``Document-Isolation-Policy: isolate-and-require-corp`` (so that such an embed
  is isolated in Chromium even inside a page that is not), all four omitted with ``--no-coi``. The
  first two make the page cross-origin isolated, which SharedArrayBuffer (so pthreads) needs.
* ``Cache-Control: no-cache``, ``X-Content-Type-Options: nosniff``, an exact ``Content-Length``
  (HTTP/1.1 keep-alive works), MIME types: ``.wasm`` application/wasm, ``.js``/``.mjs``
  text/javascript, ``.html`` text/html, ``.css``, ``.json``, ``.png``, ``.svg``, ...
* Only GET and HEAD; any other method gets 405 with ``Allow: GET, HEAD``.
* Only requests for a localhost name or an IP address are answered: the ``Host`` header must be
  ``localhost``, ``*.localhost``, an IP address such as ``127.0.0.1``, ``[::1]`` or a LAN address
  (any port), or the ``--host`` given; other names get 421 (a defence against DNS rebinding,
  which needs a DNS name). HTTP/1.0 requests may omit ``Host``.
* Keep-alive connections idle for 5 s are closed. At most 512 connections are open at once
  (fewer under a low limit on open files, which serve.py raises to the hard limit at start);
  past that the one idle the longest is closed, or if none is idle the new one gets 503.
* Errors are ``text/plain`` with a sentence saying what was wrong.

Static files (the web bundle)
-----------------------------
``GET /<path>`` serves a file of the root; a directory serves its ``index.html`` (``/dir``
redirects to ``/dir/``; ``/file/`` is 404). The query string is ignored for static files.
Nothing outside the root is ever served: request targets are checked before and after
percent-decoding, and the file's ``realpath`` must lie inside the root's. Rejected with 400:
``..`` or ``.`` segments (also as ``%2e%2e``), anything still containing ``%`` after one
decoding (double encoding such as ``%252e``), backslashes (also ``%5c``), empty segments
(``//etc/passwd``), NUL and other control characters, invalid UTF-8, targets not starting with
``/``. A symlink resolving outside the root gets 403. Request lines longer than 8 KiB get 414,
headers over 16 KiB in total or more than 100 header lines get 431, malformed request lines get
400, HTTP versions other than 1.x 505.

So that a load moves the bundle once (the playground's 16 pre-started Workers each load
playground.js again), static files carry validators and are compressed:

* ``ETag`` (strong, naming the file's version: mtime and size, plus ``-gz`` for the gzip variant)
  and ``Last-Modified``. ``If-None-Match`` (a list, weak comparison, or ``*``) or, without it,
  ``If-Modified-Since`` answers ``304 Not Modified`` without a body, with the ETag,
  ``Cache-Control``, ``Vary`` and the cross-origin headers. With ``Cache-Control: no-cache`` a
  browser revalidates every file on every use, so a rebuilt bundle is seen at once.
* ``.wasm``, ``.js``, ``.mjs``, ``.html``, ``.css``, ``.json``, ``.map``, ``.svg``, ``.txt`` and
  ``.md`` files are sent with ``Content-Encoding: gzip`` when the request's ``Accept-Encoding``
  allows it (q-values respected; no header means identity), and always with
  ``Vary: Accept-Encoding``. Each file version is compressed once (level 9) and kept in memory; a
  ``FILE.gz`` beside the file, at least as new as it, is sent instead.
* ``Range`` is ignored: the answer is the whole file (no ``Accept-Ranges``).

The simulated endpoints below are never compressed and have no validators.

Simulated internet
------------------
The playground has no real internet. The tutorial downloads 15 photos from Unsplash; here they
are generated images, made once at start-up (in the background, in about 0.2 s; a request
arriving earlier waits for them) and kept in memory.

``GET /healthz``
    ``ok`` (text/plain).
``GET /images/index.json``
    JSON list, in the tutorial's order, of ``{"name", "url", "bytes", "index", "width",
    "height", "source"}``; ``url`` is ``/images/<name>.png``, ``bytes`` its size, ``source``
    the tutorial's Unsplash URL.
``GET /images/<name>.png`` (``.png`` optional)
    A deterministic 320x240 RGB PNG for each of the tutorial's 15 names, e.g.
    ``/images/photo-1516117172878-fd2c41f4a759.png``: a colour gradient, a shape and the image's
    number (1-15, its position in the tutorial's ``img_urls``) in big digits, with mild noise so
    that sizes vary from about 75 to 180 KB (so downloads take visibly different times).
    Unknown names get 404.
``GET /images/``
    An HTML page showing all 15 images (to look at them).
``GET /bytes/<n>``
    ``n`` bytes (0 <= n <= 52428800, i.e. 50 MiB) of ``application/octet-stream``; byte ``i`` of
    the body is ``i % 251`` (a prime period, so a client can check every byte, and a shifted or
    truncated body is detected).

Parameters (query string) taken by every simulated endpoint (all optional; combine freely,
except ``cut`` with ``hang``):

``latency_ms=N``  0..60000
    Wait N milliseconds before sending the status line and headers.
``kbps=N``        1..1000000
    Cap the body's bandwidth at N kilobits per second (1 kbps = 1000 bit/s = 125 bytes/s), so a
    body of B bytes takes B * 8 / (N * 1000) seconds, e.g. 100 000 bytes at 800 kbps take 1 s.
    Headers are not throttled.
``status=N``      200..599
    Answer with status N. For N other than 200 the body is a short text/plain sentence saying
    that status N was requested (204, 205 and 304 have no body), instead of the resource.
``cut=1``         0 or 1
    Send the headers with the full Content-Length, then only the first half of the body, then
    close the connection (the client sees a truncated body / IncompleteRead).
``hang=1``        0 or 1
    Send the headers and the first chunk of the body (at most 16 KiB), then nothing more; the
    connection is closed after 120 s, when the client goes away, or when the server stops.

A value that is not a plain decimal integer, is out of range, or is given twice gets 400 with a
message naming the parameter and its range. Other parameters are ignored (cache busters).
Latency and bandwidth waits end early when the client disconnects.

Demo (a true cross-origin embed)
--------------------------------
``--demo`` serves, besides the playground, ``web/demo.html`` (a short tutorial with four embeds
made by ``embed.js``) as ``/`` of a second listener on the same address (``--demo-port``), and
prints its URL with ``localhost`` for the playground's ``127.0.0.1``: another origin and another
site, as a tutorial on its own host would be::

    Threadlab demo tutorial: http://localhost:8001/?playground=http://127.0.0.1:8000/

The page loads ``embed.js`` from its ``playground`` parameter. That origin answers only ``/``
(anything else is 404) and the simulated endpoints not at all; its responses carry none of the
isolation headers (an ordinary page, so each embed isolates itself: Document-Isolation-Policy),
and a ``Content-Security-Policy`` that lets the page run scripts and frames from the playground
only (so a link giving another ``playground`` runs nobody else's script on localhost). Ctrl-C
stops both listeners.

Export (static hosts)
---------------------
``--export DIR`` builds the bundle if needed (as a normal start does, unless ``--no-build``),
writes a self-contained static site into DIR and exits (status 0, or 1 with a message). Every URL
inside is relative, so the folder works at any path (``https://user.github.io/repo/``). It holds:

* the bundle's files (those of ``--root``, as they would be served);
* ``coi-sw.js`` (the bundle's, else ``web/coi-sw.js``): a service worker that re-serves the
  site's files with ``Cross-Origin-Opener-Policy``, ``Cross-Origin-Embedder-Policy`` and
  ``Cross-Origin-Resource-Policy``. threadlab.js registers it when the page is at top level and
  not isolated, and reloads once; the page is then isolated (``state().isolation`` is
  ``service-worker``);
* ``images/<name>.png``, the 15 images served here, and ``images/index.json`` (whose ``url`` are
  relative to it: ``<name>.png``). A static host ignores the query, so the tutorial's
  ``?latency_ms=300`` simulates no latency there;
* ``_headers`` (Netlify, Cloudflare Pages): the four headers above for ``/*``, so that on such
  hosts no service worker is needed;
* ``FILE.gz`` beside each compressible file (served by serve.py over that folder; other hosts
  ignore them), ``README.txt``, and ``.threadlab-export``, the list of files written.

DIR must be new, empty, or a previous export: then the files listed in its
``.threadlab-export`` are replaced or removed, and other files there are left alone. Nothing is
written outside DIR (nor through a symlink leading out of it), and DIR may not overlap the bundle.
"""

import argparse
import datetime
import email.utils
import errno
import gzip
import html
import http.client
import http.server
import io
import ipaddress
import json
import mimetypes
import os
import random
import re
import select
import shlex
import shutil
import signal
import socket
import socketserver
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import zlib

try:
    import resource
except ImportError:  # Windows
    resource = None

REPO = os.path.dirname(os.path.abspath(__file__))
DEFAULT_ROOT = os.path.join(REPO, "build", "wasm", "web")
BUILD_DIR = os.path.join(REPO, "build", "wasm")
BUILD_STAMP = os.path.join(BUILD_DIR, ".serve-build-stamp")
BUILD_COMMAND = "cmake --build --preset wasm --target playground_web"

# Request limits.
MAX_REQUEST_LINE = 8192
MAX_HEADER_BYTES = 16384
MAX_HEADER_LINES = 100

# Connections: one thread each.
MAX_CONNECTIONS = 512  # and fewer under a low limit on open files (FD_RESERVE kept free)
FD_RESERVE = 64  # for the listening socket, files being served, ...
IDLE_TIMEOUT = 5.0  # seconds a connection may stay silent when a request is due
SEND_TIMEOUT = 300.0  # seconds a send to a client that reads nothing may block

# Simulated endpoints.
MAX_BYTES = 50 * 1024 * 1024
HANG_FIRST_CHUNK = 16384
HANG_MAX_SECONDS = 120.0
PARAMS = {  # name: (min, max, meaning)
    "latency_ms": (0, 60000, "milliseconds to wait before the headers"),
    "kbps": (1, 1000000, "kilobits per second for the body"),
    "status": (200, 599, "HTTP status to answer with"),
    "cut": (0, 1, "1 = close the connection after half the body"),
    "hang": (0, 1, "1 = send the first chunk of the body, then stall"),
}

# The tutorial's img_urls (seed-threading-tutorial.md), in order.
IMAGE_NAMES = [
    "photo-1516117172878-fd2c41f4a759",
    "photo-1532009324734-20a7a5813719",
    "photo-1524429656589-6633a470097c",
    "photo-1530224264768-7ff8c1789d79",
    "photo-1564135624576-c5c88640f235",
    "photo-1541698444083-023c97d3f4b6",
    "photo-1522364723953-452d3431c267",
    "photo-1513938709626-033611b8cc03",
    "photo-1507143550189-fed454f93097",
    "photo-1493976040374-85c8e12f0c0e",
    "photo-1504198453319-5ce911bafcde",
    "photo-1530122037265-a5f1f91d3b99",
    "photo-1516972810927-80185027ca84",
    "photo-1550439062-609e1531270e",
    "photo-1549692520-acc6669e2f0c",
]

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


# ------------------------------------------------------------------------------------------------
# Images: 320x240 RGB PNGs, encoded here with zlib + struct.

W, H = 320, 240

# 5x7 bitmap digits.
FONT = {
    "0": ("01110", "10001", "10011", "10101", "11001", "10001", "01110"),
    "1": ("00100", "01100", "00100", "00100", "00100", "00100", "01110"),
    "2": ("01110", "10001", "00001", "00010", "00100", "01000", "11111"),
    "3": ("11111", "00010", "00100", "00010", "00001", "10001", "01110"),
    "4": ("00010", "00110", "01010", "10010", "11111", "00010", "00010"),
    "5": ("11111", "10000", "11110", "00001", "00001", "10001", "01110"),
    "6": ("00110", "01000", "10000", "11110", "10001", "10001", "01110"),
    "7": ("11111", "00001", "00010", "00100", "01000", "01000", "01000"),
    "8": ("01110", "10001", "10001", "01110", "10001", "10001", "01110"),
    "9": ("01110", "10001", "10001", "01111", "00001", "00010", "01100"),
}


def _hsv(h, s, v, scale):
    """HSV (all 0..1) to an RGB tuple with components 0..scale."""
    i = int(h * 6) % 6
    f = h * 6 - int(h * 6)
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    r, g, b = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i]
    return (int(r * scale), int(g * scale), int(b * scale))


def _png(width, height, rgb):
    """Encode 8-bit RGB as PNG, every row with filter type 2 (Up: the byte minus the byte above).

    The byte-wise difference is done at C speed with big integers: each byte becomes a 16-bit
    lane holding 256 + a (minuend) or b (subtrahend), so a lane never borrows from the next one.
    """
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    stride, n = width * 3, len(rgb)
    a = bytearray(2 * n)
    a[0::2] = b"\x01" * n
    a[1::2] = rgb
    b = bytearray(2 * n)
    b[2 * stride + 1::2] = rgb[:n - stride]
    diff = (int.from_bytes(a, "big") - int.from_bytes(b, "big")).to_bytes(2 * n, "big")[1::2]
    raw = b"".join(b"\x02" + diff[y * stride:(y + 1) * stride] for y in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 1))
            + chunk(b"IEND", b""))


def make_image(index):
    """The PNG for image number index (1..15). Deterministic."""
    noise_amp = (1, 3, 7, 15, 31)[(index * 2) % 5]  # mild noise; sets the compressed size
    top = 255 - noise_amp  # base + noise must never carry into the next byte
    hue = (index - 1) / 15.0
    # Gradient: a horizontal ramp plus a vertical ramp, added as big integers (one byte a lane).
    left = _hsv(hue, 0.8, 1.0, top * 0.6)
    right = _hsv((hue + 0.3) % 1.0, 0.9, 1.0, top * 0.6)
    down = _hsv((hue + 0.6) % 1.0, 0.7, 1.0, top * 0.4)
    hrow = bytes(int(left[c] + (right[c] - left[c]) * x / (W - 1)) for x in range(W) for c in range(3))
    vcol = b"".join(bytes(int(down[c] * y / (H - 1)) for c in range(3)) * W for y in range(H))
    n = W * H * 3
    img = bytearray((int.from_bytes(hrow * H, "big") + int.from_bytes(vcol, "big")).to_bytes(n, "big"))

    def span(y, x0, x1, colour):
        x0, x1 = max(0, x0), min(W, x1)
        if 0 <= y < H and x1 > x0:
            img[(y * W + x0) * 3:(y * W + x1) * 3] = colour * (x1 - x0)

    # A shape (one of five kinds) behind the number.
    shape_colour = bytes(_hsv((hue + 0.5) % 1.0, 0.6, 0.9, top))
    kind = (index - 1) % 5
    cx, cy, r = 60 + (index * 37) % 200, 50 + (index * 53) % 140, 45 + (index * 7) % 30
    for y in range(cy - r, cy + r + 1):
        dy = abs(y - cy)
        if kind == 0:  # disc
            w = int((r * r - dy * dy) ** 0.5)
            span(y, cx - w, cx + w, shape_colour)
        elif kind == 1:  # square
            span(y, cx - r, cx + r, shape_colour)
        elif kind == 2:  # triangle
            w = (y - (cy - r)) // 2
            span(y, cx - w, cx + w, shape_colour)
        elif kind == 3:  # diamond
            span(y, cx - (r - dy), cx + (r - dy), shape_colour)
        else:  # ring
            w = int((r * r - dy * dy) ** 0.5)
            inner = r * 0.6
            wi = int((inner * inner - dy * dy) ** 0.5) if dy < inner else 0
            if wi:
                span(y, cx - w, cx - wi, shape_colour)
                span(y, cx + wi, cx + w, shape_colour)
            else:
                span(y, cx - w, cx + w, shape_colour)

    # The number in big digits, with a drop shadow.
    text = str(index)
    cell, gap = 16, 16
    tw = len(text) * 5 * cell + (len(text) - 1) * gap
    tx, ty = (W - tw) // 2, (H - 7 * cell) // 2
    for dx, colour in ((6, bytes((20, 20, 20))), (0, bytes((top, top, top)))):
        for row in range(7):
            for k, ch in enumerate(text):
                bits = FONT[ch][row]
                gx = tx + k * (5 * cell + gap) + dx
                for col, bit in enumerate(bits):
                    if bit == "1":
                        for y in range(ty + row * cell + dx, ty + (row + 1) * cell + dx):
                            span(y, gx + col * cell, gx + (col + 1) * cell, colour)

    # Mild deterministic noise, added without carries (every byte <= top, noise <= noise_amp).
    noise = random.Random(0x7468726561 + index).randbytes(n)
    noise = noise.translate(bytes(b & noise_amp for b in range(256)))
    img = (int.from_bytes(img, "big") + int.from_bytes(noise, "big")).to_bytes(n, "big")
    return _png(W, H, img)


def make_images(url="/images/%s.png"):
    """{name: png bytes} for the 15 tutorial images, plus index.json bytes (url: each one's)."""
    images = {name: make_image(i + 1) for i, name in enumerate(IMAGE_NAMES)}
    index = [{"name": name, "url": url % name, "bytes": len(images[name]),
              "index": i + 1, "width": W, "height": H,
              "source": "https://images.unsplash.com/" + name}
             for i, name in enumerate(IMAGE_NAMES)]
    return images, json.dumps(index, indent=1).encode() + b"\n"


def gallery_page():
    items = "\n".join(
        '<figure><img src="/images/%s.png" width="%d" height="%d" alt="image %d">'
        "<figcaption>%d. %s</figcaption></figure>" % (n, W, H, i + 1, i + 1, n)
        for i, n in enumerate(IMAGE_NAMES))
    return ("<!doctype html><meta charset=utf-8><title>Threadlab simulated images</title>"
            "<style>body{font-family:sans-serif;background:#222;color:#ddd}"
            "figure{display:inline-block;margin:8px}</style>"
            "<h1>The tutorial's 15 images (generated by serve.py)</h1>%s\n"
            '<p>List: <a href="/images/index.json">/images/index.json</a></p>' % items).encode()


# /bytes/<n>: byte i is i % 251. A block of whole periods, long enough to slice any chunk from.
PERIOD = 251
CHUNK = 65536
PATTERN = bytes(range(PERIOD)) * (CHUNK // PERIOD + 2)


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

    @staticmethod
    def pattern(n):
        return Body(n, lambda off, size: PATTERN[off % PERIOD:off % PERIOD + size])


def not_built_page(root):
    cmd_all = "python3 serve.py"
    return ("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Threadlab playground: not built yet</title>
<style>body{font-family:sans-serif;max-width:46em;margin:3em auto;line-height:1.5}
pre{background:#eee;padding:.8em}</style></head>
<body>
<h1>The Threadlab playground is not built yet</h1>
<p>serve.py found no web bundle (no <code>index.html</code>) in <code>%s</code>.</p>
<p>Build it and serve it in one step (serve.py builds when the bundle is missing or stale):</p>
<pre>%s</pre>
<p>or build it by hand from the repository root, then reload this page:</p>
<pre>cmake --preset wasm
%s</pre>
<p>The simulated internet works already: <a href="/images/">/images/</a>,
<a href="/images/index.json">/images/index.json</a>, <a href="/bytes/1000">/bytes/1000</a>,
<a href="/healthz">/healthz</a>.</p>
</body></html>
""" % (html.escape(root), cmd_all, BUILD_COMMAND)).encode()


# ------------------------------------------------------------------------------------------------
# HTTP


class ClientGone(Exception):
    pass


class ServerStopping(Exception):
    pass


class BadRequest(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


_PCT = re.compile(r"%([0-9A-Fa-f]{2})")
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VERSION = re.compile(r"HTTP/(\d)\.(\d)")
_INT = re.compile(r"[0-9]{1,10}")
# Log lines show client bytes: control characters (terminal escape sequences) as \xHH, and
# backslashes doubled so that the escapes are unambiguous, as http.server does.
_LOG_ESCAPES = str.maketrans({c: "\\x%02x" % c for c in (*range(0x20), *range(0x7F, 0xA0))})
_LOG_ESCAPES[ord("\\")] = "\\\\"
_HOST = re.compile(r"(\[[0-9a-f:.]+\]|[^:\[\]]+)(?::[0-9]*)?")  # name or [IPv6], then :port


def decode_path(raw):
    """Percent-decode a request path once and check it is safe. Raises BadRequest."""
    if not raw.startswith("/"):
        raise BadRequest(400, "The request target must be a path starting with '/'.")
    if "\\" in raw:
        raise BadRequest(400, "Backslashes are not allowed in paths.")
    if "%" in _PCT.sub("", raw):
        raise BadRequest(400, "Malformed percent-encoding in the path.")
    try:
        path = _PCT.sub(lambda m: chr(int(m.group(1), 16)), raw).encode("latin-1").decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError):
        raise BadRequest(400, "The path is not valid UTF-8 once percent-decoded.")
    if "%" in path:
        raise BadRequest(400, "The path is still percent-encoded after decoding (double encoding is not allowed).")
    if "\\" in path:
        raise BadRequest(400, "Backslashes are not allowed in paths.")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        raise BadRequest(400, "NUL and control characters are not allowed in paths.")
    if "//" in path:
        raise BadRequest(400, "Empty path segments ('//') are not allowed.")
    if any(seg in (".", "..") for seg in path.split("/")):
        raise BadRequest(400, "'.' and '..' path segments are not allowed.")
    return path


def parse_params(query):
    """The simulation parameters of a query string: {name: int}. Raises BadRequest."""
    values = {}
    for name, value in urllib.parse.parse_qsl(query, keep_blank_values=True, errors="replace"):
        if name not in PARAMS:
            continue
        lo, hi, meaning = PARAMS[name]
        rule = "%s must be an integer from %d to %d (%s)" % (name, lo, hi, meaning)
        if name in values:
            raise BadRequest(400, "%s is given more than once; %s." % (name, rule))
        if not _INT.fullmatch(value) or not lo <= int(value) <= hi:
            raise BadRequest(400, "Bad value %r for %s: %s." % (value[:40], name, rule))
        values[name] = int(value)
    if values.get("cut") and values.get("hang"):
        raise BadRequest(400, "cut=1 and hang=1 cannot be combined.")
    return values


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

    def version_string(self):
        return self.server_version
    disable_nagle_algorithm = True
    timeout = IDLE_TIMEOUT  # idle keep-alive connections are dropped after this

    # ---- request parsing ----------------------------------------------------------------------

    def handle_one_request(self):
        self._t0 = time.monotonic()
        self._status = None
        self._sent = 0
        self._note = ""
        self._note_final = False
        self.command = ""
        self.requestline = ""
        self.request_version = self.default_request_version
        try:
            # Idle while waiting for a request line: a connection the server may close to make
            # room for a new one (see Server.process_request).
            self.connection.settimeout(IDLE_TIMEOUT)
            self.server.set_idle(self.connection, True)
            try:
                self.raw_requestline = self.rfile.readline(MAX_REQUEST_LINE + 1)
            finally:
                self.server.set_idle(self.connection, False)
            if not self.raw_requestline:
                self.close_connection = True
                return
            if len(self.raw_requestline) > MAX_REQUEST_LINE:
                self.send_text(414, "Request line longer than %d bytes." % MAX_REQUEST_LINE, close=True)
                return
            if not self.parse_request():
                return
            self.connection.settimeout(SEND_TIMEOUT)
            if not self.check_host():
                return
            if self.command not in ("GET", "HEAD"):
                self.send_text(405, "Method %s is not allowed: this server answers GET and HEAD only."
                               % self.command, extra={"Allow": "GET, HEAD"})
                return
            self.do_GET()
            self.wfile.flush()
        except (ClientGone, ConnectionError):
            self._add_note("client went away")
            self.close_connection = True
        except ServerStopping:
            self._add_note("server stopping")
            self.close_connection = True
        except TimeoutError:
            self._add_note("timed out")
            self.close_connection = True
        finally:
            if self._status is not None:
                self._log_done()

    def _add_note(self, note):
        if not getattr(self, "_note_final", False):
            self._note = "%s, %s" % (self._note, note) if self._note else note

    def parse_request(self):
        self.close_connection = True
        self.requestline = requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = requestline.split(" ")
        if len(words) != 3:
            self.send_text(400, "Malformed request line %r: expected 'METHOD /path HTTP/1.1'."
                           % requestline[:200], close=True)
            return False
        command, target, version = words
        m = _VERSION.fullmatch(version)
        if not m:
            self.send_text(400, "Malformed HTTP version %r in the request line." % version[:50], close=True)
            return False
        if m.group(1) != "1":
            self.send_text(505, "HTTP version %s is not supported; use HTTP/1.1." % version, close=True)
            return False
        self.request_version = version
        if not _TOKEN.fullmatch(command):
            self.send_text(400, "Malformed method %r in the request line." % command[:50], close=True)
            return False
        if not target or any(not 0x21 <= ord(c) <= 0x7E for c in target):
            self.send_text(400, "The request target is empty or contains spaces, control or non-ASCII characters.",
                           close=True)
            return False
        self.command, self.path = command, target
        # Headers, with our own limits.
        lines, total = [], 0
        while True:
            line = self.rfile.readline(MAX_HEADER_BYTES + 1)
            total += len(line)
            if total > MAX_HEADER_BYTES:
                self.send_text(431, "Request headers larger than %d bytes in total." % MAX_HEADER_BYTES, close=True)
                return False
            if line in (b"\r\n", b"\n"):
                break
            if not line:
                return False  # connection closed mid-request: nothing to answer
            if len(lines) >= MAX_HEADER_LINES:
                self.send_text(431, "More than %d request header lines." % MAX_HEADER_LINES, close=True)
                return False
            name, colon, _ = line.partition(b":")
            if not colon or not _TOKEN.fullmatch(name.decode("latin-1")):
                self.send_text(400, "Malformed request header line %r." % line[:80], close=True)
                return False
            lines.append(line)
        try:
            self.headers = http.client.parse_headers(io.BytesIO(b"".join(lines) + b"\r\n"))
        except http.client.HTTPException as err:
            self.send_text(400, "Malformed request headers: %s." % err, close=True)
            return False
        conn = self.headers.get("Connection", "").lower()
        keep = (m.group(2) != "0") if conn != "keep-alive" else True
        self.close_connection = conn == "close" or not keep
        # We never read request bodies: if one was sent, do not try to read the next request.
        if self.headers.get("Transfer-Encoding") or self.headers.get("Content-Length", "0").strip() != "0":
            self.close_connection = True
        return True

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
        self.send_text(code, message or self.responses.get(code, ("Error",))[0], close=True)

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
            limit = min(body.length, HANG_FIRST_CHUNK)
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
                self._pause(HANG_MAX_SECONDS, watch_client=True)
                self._note += ", gave up after %.0f s" % HANG_MAX_SECONDS
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
                n = path[len("/bytes/"):]
                if not _INT.fullmatch(n) or int(n) > MAX_BYTES:
                    raise BadRequest(400, "/bytes/<n>: n must be an integer from 0 to %d (50 MiB); got %r."
                                     % (MAX_BYTES, n[:40]))
                return self._simulated(query, "application/octet-stream", Body.pattern(int(n)))
            return self._static(path, query)
        except BadRequest as err:
            self.send_text(err.status, err.message)

    def _simulated(self, query, ctype, body, missing=None):
        params = parse_params(query)
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
        self.send_body(status, ctype, body, params=params)

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
        self.gallery = gallery_page()
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
        self._images = make_images()
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


# ------------------------------------------------------------------------------------------------
# Building


def _newest_input():
    newest, which = 0.0, None
    for f in ("CMakeLists.txt", "CMakePresets.json"):
        p = os.path.join(REPO, f)
        if os.path.exists(p) and os.path.getmtime(p) > newest:
            newest, which = os.path.getmtime(p), p
    for d in ("src", "web", "shaders"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(REPO, d)):
            dirnames[:] = [x for x in dirnames if not x.startswith(".")]
            for fn in filenames:
                p = os.path.join(dirpath, fn)
                try:
                    t = os.path.getmtime(p)
                except OSError:
                    continue
                if t > newest:
                    newest, which = t, p
    return newest, which


def build_reason():
    """Why the bundle must be (re)built, or None if it is up to date."""
    index = os.path.join(DEFAULT_ROOT, "index.html")
    if not os.path.exists(index):
        return "build/wasm/web/index.html does not exist"
    built = max(os.path.getmtime(index), os.path.getmtime(BUILD_STAMP) if os.path.exists(BUILD_STAMP) else 0)
    newest, which = _newest_input()
    if newest > built:
        return "%s changed since the last build" % os.path.relpath(which, REPO)
    return None


def _run(cmd, what, fatal=True):
    print("serve.py: %s: %s" % (what, " ".join(cmd)), flush=True)
    t0 = time.monotonic()
    try:
        rc = subprocess.call(cmd, cwd=REPO)
    except FileNotFoundError:
        print("serve.py: error: %s not found (is it installed? scripts/setup.sh installs it)" % cmd[0],
              file=sys.stderr, flush=True)
        return False
    if rc != 0 and not fatal:
        return False
    if rc != 0:
        print("serve.py: error: %s failed (exit status %d): %s\n"
              "serve.py: fix the error above and run serve.py again, or use --no-build to serve what exists."
              % (what, rc, " ".join(cmd)), file=sys.stderr, flush=True)
        return False
    print("serve.py: %s done in %.1f s" % (what, time.monotonic() - t0), flush=True)
    return True


def build():
    """Build the web bundle if it is missing or stale. Returns True if it is usable."""
    reason = build_reason()
    if reason is None:
        print("serve.py: web bundle is up to date", flush=True)
        return True
    print("serve.py: building the web bundle (%s)" % reason, flush=True)
    configured = os.path.exists(os.path.join(BUILD_DIR, "CMakeCache.txt"))
    setup = os.path.join(REPO, "scripts", "setup.sh")
    if os.path.exists(setup):
        if subprocess.call(["bash", setup, "--check"], cwd=REPO, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL) != 0:
            if not _run(["bash", setup], "setup", fatal=False):
                # setup.sh also installs things the build does not need (e.g. npm packages for
                # the browser tests): let the build decide.
                print("serve.py: warning: scripts/setup.sh failed; trying the build anyway",
                      file=sys.stderr, flush=True)
    if not shutil.which("cmake"):
        print("serve.py: error: cmake not found; run scripts/setup.sh, or use --no-build", file=sys.stderr)
        return False
    if not configured and not _run(["cmake", "--preset", "wasm"], "configure"):
        return False
    if not _run(BUILD_COMMAND.split(), "build"):
        return False
    if not os.path.exists(os.path.join(DEFAULT_ROOT, "index.html")):
        print("serve.py: error: the build succeeded but produced no build/wasm/web/index.html",
              file=sys.stderr, flush=True)
        return False
    with open(BUILD_STAMP, "a"):
        os.utime(BUILD_STAMP)
    return True


# ------------------------------------------------------------------------------------------------
# Export: a static copy of the playground, for hosts that cannot set headers (GitHub Pages)


EXPORT_MARKER = ".threadlab-export"  # the files an export wrote, one a line: what a re-export replaces

EXPORT_README = """Threadlab playground: a static copy made by `serve.py --export`

Put this folder on any static host, at any path (every URL inside is relative), e.g. GitHub
Pages at https://user.github.io/repo/. To try it on this machine:

    python3 -m http.server --bind 127.0.0.1 --directory . 8080    # then open http://127.0.0.1:8080/

(127.0.0.1 or localhost: browsers give shared memory only to https:// pages and to those.)

Real threads need a cross-origin isolated page. A host that can set headers should send these
on every file; Netlify and Cloudflare Pages read them from the file _headers here:

%s
A host that cannot (GitHub Pages and the like): coi-sw.js, a service worker, adds the headers,
and the page reloads once, by itself, on its first visit. Readers whose browser blocks service
workers (some private windows, blocked site data) get a page saying so and what to do.

images/ holds the tutorial's 15 photos (generated). A static host ignores the query string, so
`?latency_ms=300` simulates no latency here: downloads are as fast as the host. serve.py
simulates latency, bandwidth and failures.

FILE.gz files are the compressed FILE, for servers that send them as such (serve.py does);
other hosts ignore them. .threadlab-export lists the files the export wrote: a new
`serve.py --export` into this folder replaces them and leaves other files alone.
"""


class ExportError(Exception):
    pass


def export_files(root):
    """{relative path: bytes} of the static site made of the bundle in root, in writing order
    (each FILE.gz after its FILE, so that it is at least as new: serve.py takes it then)."""
    root_real = os.path.realpath(root)
    files = {}
    for dirpath, dirnames, filenames in os.walk(root_real):  # symlinked directories not followed
        dirnames.sort()
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            real = os.path.realpath(full)
            rel = os.path.relpath(full, root_real).replace(os.sep, "/")
            # As when serving: nothing resolving outside the root. FILE.gz are made afresh below.
            if (real.startswith(root_real + os.sep) and os.path.isfile(real) and not name.endswith(".gz")
                    and rel != EXPORT_MARKER):
                with open(real, "rb") as f:
                    files[rel] = f.read()
    if SERVICE_WORKER not in files:  # a bundle built before the service worker was part of it
        try:
            with open(os.path.join(REPO, "web", SERVICE_WORKER), "rb") as f:
                files[SERVICE_WORKER] = f.read()
        except OSError as err:
            raise ExportError("no %s in the bundle nor in web/ (%s)" % (SERVICE_WORKER, err.strerror))
    images, index = make_images(url="%s.png")  # relative to index.json, as every URL here
    for name, png in images.items():
        files["images/%s.png" % name] = png
    files["images/index.json"] = index
    headers = "/*\n" + "".join("  %s: %s\n" % h for h in ISOLATION_HEADERS)
    files["_headers"] = ("# Netlify, Cloudflare Pages: real threads need these on every file.\n" + headers).encode()
    files["README.txt"] = (EXPORT_README % headers).encode()
    for rel in list(files):
        if os.path.splitext(rel)[1].lower() in COMPRESSIBLE:
            files[rel + ".gz"] = gzip.compress(files[rel], 9, mtime=0)
    return files


def _export_path(dest_real, rel, create=False):
    """The path of rel inside dest_real (its directories made if create), or None if rel is not a
    plain relative path or a directory on the way resolves outside dest_real (a symlink)."""
    parts = rel.split("/")
    if "\\" in rel or any(p in ("", ".", "..") for p in parts):
        return None
    path = dest_real
    for part in parts[:-1]:  # one level at a time: never mkdir through a symlink leading out
        path = os.path.join(path, part)
        if create and not os.path.lexists(path):
            os.mkdir(path)
        real = os.path.realpath(path)
        if not real.startswith(dest_real + os.sep) or not os.path.isdir(real):
            return None
    return os.path.join(path, parts[-1])


def _write_inside(dest_real, rel, data):
    """Write data as rel inside dest_real: a new file renamed over the old name, so that a
    symlink there is replaced, never written through."""
    full = _export_path(dest_real, rel, create=True)
    if full is None:
        raise ExportError("%s would be written outside %s (through a symlink?)" % (rel, dest_real))
    fd, tmp = tempfile.mkstemp(prefix=".export-", dir=os.path.dirname(full))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a web server may read as another user
        os.replace(tmp, full)
    except BaseException:
        os.unlink(tmp)
        raise


def _write_marker(dest_real, rels):
    _write_inside(dest_real, EXPORT_MARKER, ("# Files written by serve.py --export (a re-export replaces them)\n"
                                             + "".join(r + "\n" for r in sorted(rels))).encode())


def export(dest, root):
    """Write the static site into dest. Raises ExportError saying why it cannot."""
    root_real, dest_real = os.path.realpath(root), os.path.realpath(dest)
    if not os.path.isfile(os.path.join(root_real, "index.html")):
        raise ExportError("no web bundle to export in %s (no index.html); build it with: %s" % (root, BUILD_COMMAND))
    if any(a == b or a.startswith(b + os.sep) for a, b in ((dest_real, root_real), (root_real, dest_real))):
        raise ExportError("%s and the bundle %s overlap; export into a directory of its own" % (dest, root))
    previous = set()
    if os.path.lexists(dest):
        if not os.path.isdir(dest):
            raise ExportError("%s exists and is not a directory" % dest)
        if os.listdir(dest):
            try:
                with open(os.path.join(dest_real, EXPORT_MARKER)) as f:
                    previous = {line.strip() for line in f if line.strip() and not line.startswith("#")}
            except (OSError, UnicodeDecodeError):
                raise ExportError("refusing to write into %s: it is not empty and is not a previous export "
                                  "(no %s in it); name a new or empty directory" % (dest, EXPORT_MARKER))
    files = export_files(root_real)
    os.makedirs(dest_real, exist_ok=True)
    # The marker lists old and new files while writing, so an interrupted export can be redone.
    _write_marker(dest_real, previous | set(files))
    for rel, data in files.items():
        _write_inside(dest_real, rel, data)
    for rel in previous - set(files):  # what the previous export had and this one has not
        full = _export_path(dest_real, rel)
        if full and (os.path.islink(full) or os.path.isfile(full)):
            os.unlink(full)
    _write_marker(dest_real, files)
    return files


# ------------------------------------------------------------------------------------------------


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def export_main(dest, root):
    t0 = time.monotonic()
    try:
        files = export(dest, root)
    except (ExportError, OSError) as err:
        reason = str(err) if isinstance(err, ExportError) else "%s: %s" % (err.filename or dest, err.strerror or err)
        print("serve.py: error: cannot export: %s" % reason, file=sys.stderr, flush=True)
        return 1
    plain = sum(len(data) for rel, data in files.items() if not rel.endswith(".gz"))
    print("serve.py: exported the playground to %s in %.1f s: %d files, %d KB (plus .gz copies)\n"
          "serve.py: put the folder on any static host, at any path; on a host that cannot set headers, the page\n"
          "serve.py: reloads once to isolate itself with a service worker. Try it here:\n"
          "    python3 -m http.server --bind 127.0.0.1 --directory %s 8080    # then open http://127.0.0.1:8080/"
          % (dest, time.monotonic() - t0, sum(not rel.endswith(".gz") for rel in files), plain // 1024,
             shlex.quote(dest)), flush=True)
    return 0


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
                                 "simulated internet. See the docstring of serve.py for the endpoints.")
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
            elif not build():
                return 1
        if args.export is not None:
            return export_main(args.export, root)
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


if __name__ == "__main__":
    sys.exit(main())
