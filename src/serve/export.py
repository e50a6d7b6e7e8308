"""serve.py --export DIR: a static copy of the playground, for hosts that cannot set headers
(GitHub Pages and the like)."""

import gzip
import os
import shlex
import sys
import tempfile
import time

from . import REPO
from .build import BUILD_COMMAND
from .internet import make_images
from .server import COMPRESSIBLE, ISOLATION_HEADERS, SERVICE_WORKER

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
    """The export cannot be written; the message says why."""


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


def write_site(dest, root):
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


def run(dest, root):
    """Export the bundle in root into dest and say so, or why not; returns the exit status."""
    t0 = time.monotonic()
    try:
        files = write_site(dest, root)
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
