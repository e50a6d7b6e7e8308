"""Start the real serve.py as a subprocess and talk to it over loopback (standard library only).

    with ServeProcess(["--no-build", "--root", d]) as srv:
        status, headers, body = srv.get("/healthz")

The URL is parsed from serve.py's "Threadlab playground: http://..." line. Every socket has a
timeout; the subprocess is stopped (SIGINT, then kill) on close, and its output is kept in
`srv.output` for assertions and failure messages.
"""

import http.client
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERVE = os.path.join(REPO, "serve.py")
URL_LINE = re.compile(r"^Threadlab playground: (http://([^/\s]+):(\d+)/)\s*$")


class ServeProcess:
    def __init__(self, args, start_timeout=20.0, serve=SERVE, env=None, **popen):
        self.args = args
        self.lines = []
        self._lines_lock = threading.Lock()
        self._url_q = queue.Queue()
        self.proc = subprocess.Popen(
            [sys.executable, serve, "--port", "0"] + list(args), cwd=REPO, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            **popen)  # e.g. pass_fds, preexec_fn
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        try:
            self.url = self._url_q.get(timeout=start_timeout)
        except queue.Empty:
            self.close()
            raise RuntimeError("serve.py printed no URL within %.0f s; output:\n%s"
                               % (start_timeout, self.output))
        if self.url is None:
            self.close()
            raise RuntimeError("serve.py exited before printing its URL; output:\n%s" % self.output)
        m = URL_LINE.match("Threadlab playground: " + self.url)
        self.host, self.port = m.group(2), int(m.group(3))

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._lines_lock:
                self.lines.append(line)
            m = URL_LINE.match(line)
            if m:
                self._url_q.put(m.group(1))
        self._url_q.put(None)

    @property
    def output(self):
        with self._lines_lock:
            return "\n".join(self.lines)

    # ---- clients ------------------------------------------------------------------------------

    def connection(self, timeout=5.0):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, path, method="GET", headers=None, timeout=5.0):
        """(status, headers as a lower-cased dict, body bytes), on a fresh connection."""
        conn = self.connection(timeout)
        try:
            conn.request(method, path, headers=headers or {})
            resp = conn.getresponse()
            body = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
        finally:
            conn.close()

    get = request

    def raw(self, data, timeout=5.0):
        """Send raw bytes, return everything the server answers until it closes (or times out)."""
        with socket.create_connection((self.host, self.port), timeout=timeout) as s:
            s.sendall(data)
            chunks = []
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    c = s.recv(65536)
                except socket.timeout:
                    break
                except ConnectionResetError:
                    break
                if not c:
                    break
                chunks.append(c)
                # One response is enough: stop once headers + Content-Length bytes are in.
                got = b"".join(chunks)
                head, sep, body = got.partition(b"\r\n\r\n")
                if sep:
                    m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                    if m and len(body) >= int(m.group(1)):
                        break
            return b"".join(chunks)

    @staticmethod
    def raw_status(response):
        m = re.match(rb"HTTP/1\.[01] (\d{3}) ", response)
        return int(m.group(1)) if m else None

    # ---- shutdown -----------------------------------------------------------------------------

    def stop(self, sig=signal.SIGINT, timeout=10.0):
        """Send sig, wait for the exit; returns the exit status (kills it if it does not exit)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._reader.join(5)
        return self.proc.returncode

    def close(self):
        self.stop()
        if self.proc.stdout:
            self.proc.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
