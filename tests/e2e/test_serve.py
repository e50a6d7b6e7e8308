"""End-to-end tests of serve.py: the real server as a subprocess, over loopback sockets.

Run from the repository root:
    python3 -m unittest discover -s tests/e2e -p 'test_*.py' -v

Every test is bounded in time (every socket has a timeout) and every server is stopped.
"""

import gzip
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from servehelper import REPO, SERVE, ServeProcess  # noqa: E402

IMAGE_NAMES = [  # the tutorial's img_urls
    "photo-1516117172878-fd2c41f4a759", "photo-1532009324734-20a7a5813719",
    "photo-1524429656589-6633a470097c", "photo-1530224264768-7ff8c1789d79",
    "photo-1564135624576-c5c88640f235", "photo-1541698444083-023c97d3f4b6",
    "photo-1522364723953-452d3431c267", "photo-1513938709626-033611b8cc03",
    "photo-1507143550189-fed454f93097", "photo-1493976040374-85c8e12f0c0e",
    "photo-1504198453319-5ce911bafcde", "photo-1530122037265-a5f1f91d3b99",
    "photo-1516972810927-80185027ca84", "photo-1550439062-609e1531270e",
    "photo-1549692520-acc6669e2f0c",
]
SECRET = b"THREADLAB-SECRET-OUTSIDE-THE-ROOT"
FAKE_WASM = b"\x00asm\x01\x00\x00\x00" + bytes(range(256)) * 4
INDEX_HTML = b"<!doctype html><title>test bundle</title><p>TEST-INDEX</p>\n"

TMP = None
SRV = None  # the main server: --no-build --root TMP/root


def make_tree(tmp):
    """TMP/secret.txt outside the root; TMP/root with a small fake bundle and some symlinks."""
    with open(os.path.join(tmp, "secret.txt"), "wb") as f:
        f.write(SECRET)
    root = os.path.join(tmp, "root")
    os.makedirs(os.path.join(root, "sub"))
    files = {
        "index.html": INDEX_HTML,
        "playground.wasm": FAKE_WASM,
        "playground.js": b"console.log('js');\n",
        "playground.worker.js": b"// worker\n",
        "module.mjs": b"export const x = 1;\n",
        "style.css": b"body{}\n",
        "data.json": b"{}\n",
        "icon.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>\n",
        "pic.png": b"\x89PNG\r\n\x1a\n",
        "sub/index.html": b"<p>SUB-INDEX</p>\n",
    }
    for name, data in files.items():
        with open(os.path.join(root, name), "wb") as f:
            f.write(data)
    os.symlink(os.path.join(tmp, "secret.txt"), os.path.join(root, "escape.txt"))  # file outside
    os.symlink(tmp, os.path.join(root, "outdir"))  # directory outside
    os.symlink("index.html", os.path.join(root, "alias.html"))  # inside: allowed
    return root


def setUpModule():
    global TMP, SRV
    TMP = tempfile.mkdtemp(prefix="threadlab-serve-test-")
    root = make_tree(TMP)
    SRV = ServeProcess(["--no-build", "--root", root])


def tearDownModule():
    if SRV:
        SRV.close()
    if TMP:
        shutil.rmtree(TMP, ignore_errors=True)


def png_chunks(data):
    """[(type, payload)] of a PNG, checking the signature and every CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "bad PNG signature"
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, payload = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + payload) & 0xFFFFFFFF, "bad CRC in %r" % kind
        chunks.append((kind, payload))
        pos += 12 + length
    return chunks


class StaticFilesTest(unittest.TestCase):
    def test_index_has_isolation_headers_cache_control_and_html_type(self):
        status, h, body = SRV.get("/")
        self.assertEqual(status, 200)
        self.assertEqual(body, INDEX_HTML)
        self.assertEqual(h["cross-origin-opener-policy"], "same-origin")
        self.assertEqual(h["cross-origin-embedder-policy"], "require-corp")
        self.assertEqual(h["cross-origin-resource-policy"], "cross-origin")
        self.assertEqual(h["document-isolation-policy"], "isolate-and-require-corp")
        self.assertEqual(h["cache-control"], "no-cache")
        self.assertTrue(h["content-type"].startswith("text/html"))
        self.assertEqual(int(h["content-length"]), len(INDEX_HTML))

    def test_wasm_is_served_as_application_wasm_byte_for_byte(self):
        status, h, body = SRV.get("/playground.wasm")
        self.assertEqual(status, 200)
        self.assertEqual(h["content-type"], "application/wasm")
        self.assertEqual(body, FAKE_WASM)

    def test_mime_types_of_bundle_files(self):
        expected = {"/playground.js": "text/javascript", "/playground.worker.js": "text/javascript",
                    "/module.mjs": "text/javascript", "/style.css": "text/css",
                    "/data.json": "application/json", "/icon.svg": "image/svg+xml",
                    "/pic.png": "image/png", "/index.html": "text/html"}
        for path, ctype in expected.items():
            with self.subTest(path=path):
                status, h, _ = SRV.get(path)
                self.assertEqual(status, 200)
                self.assertEqual(h["content-type"].split(";")[0], ctype)
                self.assertEqual(h["cross-origin-embedder-policy"], "require-corp")

    def test_head_sends_headers_and_length_without_body(self):
        status, h, body = SRV.request("/playground.wasm", method="HEAD")
        self.assertEqual(status, 200)
        self.assertEqual(int(h["content-length"]), len(FAKE_WASM))
        self.assertEqual(body, b"")

    def test_keep_alive_serves_several_requests_on_one_connection(self):
        conn = SRV.connection()
        try:
            socks = []
            for path in ("/", "/playground.wasm", "/healthz", "/images/index.json", "/nope"):
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                self.assertFalse(resp.will_close, path)
                socks.append(conn.sock)
            self.assertTrue(all(s is socks[0] for s in socks), "the connection was not reused")
        finally:
            conn.close()

    def test_http10_keep_alive_is_honoured_and_plain_http10_closes(self):
        with socket.create_connection((SRV.host, SRV.port), timeout=3) as s:
            s.sendall(b"GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            first = b""
            while not first.endswith(b"\r\n\r\nok"):
                first += s.recv(4096)
            self.assertIn(b"Connection: keep-alive", first)
            s.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
            rest = b""
            while True:
                c = s.recv(4096)
                if not c:
                    break
                rest += c
            self.assertIn(b"Connection: close", rest)
            self.assertTrue(rest.endswith(b"\r\n\r\nok"))

    def test_directory_redirects_to_slash_then_serves_its_index(self):
        status, h, _ = SRV.get("/sub")
        self.assertEqual(status, 301)
        self.assertEqual(h["location"], "/sub/")
        status, _, body = SRV.get("/sub/")
        self.assertEqual((status, body), (200, b"<p>SUB-INDEX</p>\n"))

    def test_a_file_named_with_a_trailing_slash_is_404(self):
        for path in ("/index.html/", "/playground.wasm/", "/sub/index.html/", "/alias.html/"):
            with self.subTest(path=path):
                status, _, body = SRV.get(path)
                self.assertEqual(status, 404)
                self.assertIn(b"Not found", body)

    def test_symlink_inside_root_is_served(self):
        status, _, body = SRV.get("/alias.html")
        self.assertEqual((status, body), (200, INDEX_HTML))

    def test_missing_file_is_404_with_message(self):
        status, h, body = SRV.get("/no-such-file.js")
        self.assertEqual(status, 404)
        self.assertIn(b"Not found", body)
        self.assertEqual(h["cross-origin-opener-policy"], "same-origin")

    def test_healthz_answers_ok(self):
        self.assertEqual(SRV.get("/healthz")[::2], (200, b"ok"))

    def test_simulated_internet_is_readable_from_any_origin_static_files_are_not(self):
        # The playground reads it through dl0..dl7.localhost, other origins than the page's.
        for path in ("/healthz", "/images/index.json", "/bytes/10", "/images/nope.png", "/bytes/10?status=500"):
            self.assertEqual(SRV.get(path)[1].get("access-control-allow-origin"), "*", path)
        self.assertNotIn("access-control-allow-origin", SRV.get("/index.html")[1])
        status, _, body = SRV.get("/healthz", headers={"Host": "dl3.localhost"})
        self.assertEqual((status, body), (200, b"ok"))


class SecurityTest(unittest.TestCase):
    TRAVERSALS = [
        "/../secret.txt", "/../../../../../../etc/passwd", "/sub/../../secret.txt",
        "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/%2E%2E/", "/%2e%2e%2fsecret.txt",
        "/sub/%2e%2e/%2e%2e/secret.txt", "/.%2e/secret.txt",
        "/%252e%252e/secret.txt", "/%252E%252E%252Fsecret.txt",
        "/..%5csecret.txt", "/..\\secret.txt", "/sub\\..\\..\\secret.txt",
        "//etc/passwd", "///etc/passwd", "//" + "%s/secret.txt",
        "/%00", "/index.html%00.png", "/%c0%ae%c0%ae/secret.txt",
        "/escape.txt", "/outdir/secret.txt",
        "http://127.0.0.1/../secret.txt", "etc/passwd", "/etc/passwd",
    ]

    def test_path_traversal_forms_are_rejected_with_4xx(self):
        for target in self.TRAVERSALS:
            if "%s" in target:
                target = target % TMP.lstrip("/")
            with self.subTest(target=target):
                resp = SRV.raw(b"GET " + target.encode() + b" HTTP/1.1\r\nHost: localhost\r\n\r\n")
                status = SRV.raw_status(resp)
                self.assertIsNotNone(status, resp[:200])
                self.assertTrue(400 <= status < 500, "%s -> %s" % (target, status))
                self.assertNotIn(SECRET, resp)
                self.assertNotIn(b"root:", resp)

    def test_raw_nul_byte_in_request_target_is_400(self):
        resp = SRV.raw(b"GET /index.html\x00.png HTTP/1.1\r\nHost: localhost\r\n\r\n")
        self.assertEqual(SRV.raw_status(resp), 400)

    def test_symlink_escaping_root_is_403(self):
        self.assertEqual(SRV.get("/escape.txt")[0], 403)
        self.assertEqual(SRV.get("/outdir/secret.txt")[0], 403)

    def test_methods_other_than_get_and_head_are_405_with_allow(self):
        for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "BREW"):
            with self.subTest(method=method):
                status, h, body = SRV.request("/", method=method)
                self.assertEqual(status, 405)
                self.assertEqual(h["allow"], "GET, HEAD")
                self.assertIn(method.encode(), body)

    def test_post_with_body_is_405_and_connection_closes(self):
        resp = SRV.raw(b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello")
        self.assertEqual(SRV.raw_status(resp), 405)
        self.assertIn(b"Connection: close", resp)

    # The limits are http.server's: a request line or a header line of at most 64 KiB, fewer than
    # 100 header lines.

    def test_a_header_line_over_64_kib_is_431(self):
        head = b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: "
        resp = SRV.raw(head + b"a" * 20000 + b"\r\n\r\n")
        self.assertEqual(SRV.raw_status(resp), 200, resp[:200])
        resp = SRV.raw(head + b"a" * 70000 + b"\r\n\r\n")
        self.assertEqual(SRV.raw_status(resp), 431, resp[:200])

    def test_a_hundred_header_lines_are_431(self):
        for count, status in ((98, 200), (99, 431), (150, 431)):  # and Host
            with self.subTest(lines=count + 1):
                lines = b"".join(b"X-H%d: v\r\n" % i for i in range(count))
                resp = SRV.raw(b"GET / HTTP/1.1\r\nHost: localhost\r\n" + lines + b"\r\n")
                self.assertEqual(SRV.raw_status(resp), status, resp[:200])

    def test_a_request_line_over_64_kib_is_414(self):
        resp = SRV.raw(b"GET /healthz?" + b"a" * 10000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n")
        self.assertEqual(SRV.raw_status(resp), 200)
        resp = SRV.raw(b"GET /healthz?" + b"a" * 70000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n")
        self.assertEqual(SRV.raw_status(resp), 414)

    def test_malformed_request_lines_are_400(self):
        for line in (b"GARBAGE", b"GET / HTTP/1.1 extra", b"GET / FTP/1.1", b"GET / HTTP/x.y",
                     b"GET /a b HTTP/1.1", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"):
            with self.subTest(line=line):
                resp = SRV.raw(line + b"\r\nHost: localhost\r\n\r\n")
                self.assertEqual(SRV.raw_status(resp), 400, resp[:200])

    def test_request_lines_http_server_reads_leniently(self):
        # Runs of spaces separate words; a method that is no token is just not GET or HEAD; a
        # two-word line is an HTTP/0.9 GET, answered as HTTP/1.0 and closed.
        for line, status in ((b"GET  / HTTP/1.1", 200), (b"G(T / HTTP/1.1", 405), (b"GET /", 200)):
            with self.subTest(line=line):
                resp = SRV.raw(line + b"\r\nHost: localhost\r\n\r\n")
                self.assertEqual(SRV.raw_status(resp), status, resp[:200])

    def test_malformed_header_line_is_400(self):
        resp = SRV.raw(b"GET / HTTP/1.1\r\nHost: localhost\r\nno colon here\r\n\r\n")
        self.assertEqual(SRV.raw_status(resp), 400)

    def test_http2_request_line_is_505(self):
        resp = SRV.raw(b"GET / HTTP/2.0\r\nHost: localhost\r\n\r\n")
        self.assertEqual(SRV.raw_status(resp), 505)

    def test_requests_for_other_host_names_are_421(self):
        # DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1.
        for host in ("evil.example", "evil.example:%d" % SRV.port, "localhost.evil.example",
                     "127.0.0.1.nip.io", "evil.localhost.example:80", "0x7f000001", "",
                     "localhost:80:80"):
            with self.subTest(host=host):
                resp = SRV.raw(b"GET /healthz HTTP/1.1\r\nHost: %s\r\n\r\n" % host.encode())
                self.assertEqual(SRV.raw_status(resp), 421, resp[:300])
                head, _, body = resp.partition(b"\r\n\r\n")
                self.assertIn(b"Content-Type: text/plain", head)
                self.assertIn(b"localhost", body)

    def test_loopback_host_names_are_served(self):
        for host in ("localhost", "localhost:%d" % SRV.port, "LocalHost", "a.localhost",
                     "a.localhost:%d" % SRV.port, "x.y.localhost", "127.0.0.1", "127.0.0.1:%d" % SRV.port,
                     "127.1.2.3:80", "[::1]", "[::1]:%d" % SRV.port,
                     "192.0.2.1", "[::2]:80"):  # IP addresses: a LAN address with --host 0.0.0.0
            with self.subTest(host=host):
                resp = SRV.raw(b"GET /healthz HTTP/1.1\r\nHost: %s\r\n\r\n" % host.encode())
                self.assertEqual(SRV.raw_status(resp), 200, resp[:300])
                self.assertTrue(resp.endswith(b"\r\n\r\nok"))
        # Without a Host header: fine for HTTP/1.0, a 400 for HTTP/1.1 (which requires one).
        self.assertEqual(SRV.raw_status(SRV.raw(b"GET /healthz HTTP/1.0\r\n\r\n")), 200)
        self.assertEqual(SRV.raw_status(SRV.raw(b"GET /healthz HTTP/1.1\r\n\r\n")), 400)

    def test_server_survives_the_abuse(self):
        self.assertEqual(SRV.get("/healthz")[::2], (200, b"ok"))


class ImagesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.images = {}
        for name in IMAGE_NAMES:
            status, h, body = SRV.get("/images/%s.png" % name)
            assert status == 200, (name, status)
            cls.images[name] = (h, body)

    def test_fifteen_valid_png_images_320x240_rgb(self):
        for name, (h, body) in self.images.items():
            with self.subTest(name=name):
                self.assertEqual(h["content-type"], "image/png")
                self.assertEqual(int(h["content-length"]), len(body))
                chunks = png_chunks(body)
                self.assertEqual(chunks[0][0], b"IHDR")
                self.assertEqual(chunks[-1][0], b"IEND")
                w, hh, depth, colour = struct.unpack(">IIBB", chunks[0][1][:10])
                self.assertEqual((w, hh, depth, colour), (320, 240, 8, 2))
                raw = zlib.decompress(b"".join(p for k, p in chunks if k == b"IDAT"))
                self.assertEqual(len(raw), 240 * (1 + 320 * 3))
                self.assertTrue(all(raw[y * 961] <= 4 for y in range(240)), "bad filter byte")

    def test_images_are_distinct_and_sized_tens_to_hundreds_of_kb(self):
        digests = {hashlib.sha256(body).hexdigest() for _, body in self.images.values()}
        self.assertEqual(len(digests), 15)
        sizes = [len(body) for _, body in self.images.values()]
        for size in sizes:
            self.assertTrue(30_000 <= size <= 500_000, size)
        self.assertGreater(max(sizes) - min(sizes), 30_000, "sizes should differ visibly")

    def test_images_are_deterministic(self):
        name = IMAGE_NAMES[3]
        self.assertEqual(SRV.get("/images/%s.png" % name)[2], self.images[name][1])

    def test_png_extension_is_optional(self):
        name = IMAGE_NAMES[0]
        status, _, body = SRV.get("/images/" + name)
        self.assertEqual((status, body), (200, self.images[name][1]))

    def test_index_json_lists_the_fifteen_images_in_tutorial_order(self):
        status, h, body = SRV.get("/images/index.json")
        self.assertEqual(status, 200)
        self.assertEqual(h["content-type"], "application/json")
        index = json.loads(body)
        self.assertEqual([e["name"] for e in index], IMAGE_NAMES)
        for e in index:
            self.assertEqual(e["url"], "/images/%s.png" % e["name"])
            self.assertEqual(e["bytes"], len(self.images[e["name"]][1]))

    def test_gallery_page_shows_all_images(self):
        status, h, body = SRV.get("/images/")
        self.assertEqual(status, 200)
        self.assertTrue(h["content-type"].startswith("text/html"))
        for name in IMAGE_NAMES:
            self.assertIn(name.encode(), body)

    def test_unknown_image_is_404_with_message(self):
        status, h, body = SRV.get("/images/photo-0000.png")
        self.assertEqual(status, 404)
        self.assertIn(b"photo-0000", body)
        self.assertIn(b"index.json", body)


class BytesTest(unittest.TestCase):
    def test_bytes_returns_exact_length_of_deterministic_data(self):
        status, h, body = SRV.get("/bytes/100000")
        self.assertEqual(status, 200)
        self.assertEqual(h["content-type"], "application/octet-stream")
        self.assertEqual(int(h["content-length"]), 100000)
        self.assertEqual(body, bytes(i % 251 for i in range(100000)))

    def test_bytes_zero_is_an_empty_body(self):
        status, h, body = SRV.get("/bytes/0")
        self.assertEqual((status, h["content-length"], body), (200, "0", b""))

    def test_bytes_fifty_mib_is_allowed_and_more_is_400(self):
        status, h, _ = SRV.request("/bytes/52428800", method="HEAD")
        self.assertEqual((status, h["content-length"]), (200, "52428800"))
        for n in ("52428801", "-1", "abc", "1e3", ""):
            with self.subTest(n=n):
                status, _, body = SRV.get("/bytes/" + n)
                self.assertEqual(status, 400)
                self.assertIn(b"52428800", body)


class SimulationParametersTest(unittest.TestCase):
    def test_latency_300ms_delays_the_response(self):
        t0 = time.monotonic()
        status, _, body = SRV.get("/healthz?latency_ms=300")
        elapsed = time.monotonic() - t0
        self.assertEqual((status, body), (200, b"ok"))
        self.assertGreaterEqual(elapsed, 0.3)
        self.assertLess(elapsed, 1.0)

    def test_fifteen_concurrent_300ms_requests_overlap(self):
        results, errors = {}, []

        def fetch(name):
            try:
                t = time.monotonic()
                status, _, body = SRV.get("/images/%s.png?latency_ms=300" % name)
                results[name] = (status, len(body), time.monotonic() - t)
            except Exception as e:  # reported below
                errors.append(repr(e))

        threads = [threading.Thread(target=fetch, args=(n,)) for n in IMAGE_NAMES]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        total = time.monotonic() - t0
        self.assertEqual(errors, [])
        self.assertEqual(len(results), 15)
        for status, size, elapsed in results.values():
            self.assertEqual(status, 200)
            self.assertGreater(size, 30_000)
            self.assertGreaterEqual(elapsed, 0.3)
        self.assertLess(total, 1.5, "the server does not serve requests concurrently")

    def test_kbps_caps_the_body_bandwidth(self):
        # 100 000 bytes at 800 kbps (100 000 bytes/s) take about 1 s.
        t0 = time.monotonic()
        status, _, body = SRV.get("/bytes/100000?kbps=800", timeout=10)
        elapsed = time.monotonic() - t0
        self.assertEqual((status, len(body)), (200, 100000))
        self.assertGreaterEqual(elapsed, 0.9)
        self.assertLess(elapsed, 2.5)

    def test_status_parameter_answers_with_that_status_and_a_reason(self):
        for code, path in ((404, "/bytes/1000"), (500, "/images/%s.png" % IMAGE_NAMES[0]),
                           (503, "/images/index.json")):
            with self.subTest(code=code):
                status, h, body = SRV.get("%s?status=%d" % (path, code))
                self.assertEqual(status, code)
                self.assertTrue(h["content-type"].startswith("text/plain"))
                self.assertIn(b"status=%d" % code, body)
        status, _, body = SRV.get("/bytes/10?status=200")
        self.assertEqual((status, body), (200, bytes(range(10))))

    def test_statuses_204_205_and_304_have_no_body(self):
        conn = SRV.connection(timeout=5)
        try:
            for code in (205, 204, 304, 205):
                with self.subTest(code=code):
                    conn.request("GET", "/bytes/1000?status=%d" % code)
                    resp = conn.getresponse()
                    self.assertEqual((resp.status, resp.read()), (code, b""))
                    self.assertIn(resp.getheader("Content-Length"), (None, "0"))
                    self.assertIsNone(resp.getheader("Content-Type"))
            # Nothing was left over: the connection serves the next request.
            conn.request("GET", "/healthz")
            resp = conn.getresponse()
            self.assertEqual((resp.status, resp.read()), (200, b"ok"))
        finally:
            conn.close()

    def test_cut_sends_full_length_header_then_half_the_body(self):
        conn = SRV.connection(timeout=5)
        try:
            conn.request("GET", "/bytes/100000?cut=1")
            resp = conn.getresponse()
            self.assertEqual(resp.status, 200)
            self.assertEqual(resp.getheader("Content-Length"), "100000")
            with self.assertRaises(http.client.IncompleteRead) as cm:
                resp.read()
            self.assertEqual(len(cm.exception.partial), 50000)
            self.assertEqual(cm.exception.partial, bytes(i % 251 for i in range(50000)))
        finally:
            conn.close()

    def test_hang_stalls_the_client_while_server_stays_responsive(self):
        conn, resp = SRV.connection(timeout=0.5), None
        try:
            conn.request("GET", "/bytes/1000000?hang=1")
            resp = conn.getresponse()
            self.assertEqual(resp.status, 200)
            self.assertEqual(resp.getheader("Content-Length"), "1000000")
            first = resp.read(1000)
            self.assertEqual(first, bytes(i % 251 for i in range(1000)))
            t0 = time.monotonic()
            with self.assertRaises(TimeoutError):
                resp.read()
            self.assertGreaterEqual(time.monotonic() - t0, 0.4)
            # Meanwhile other requests are answered at once.
            t1 = time.monotonic()
            self.assertEqual(SRV.get("/healthz")[::2], (200, b"ok"))
            self.assertLess(time.monotonic() - t1, 0.5)
        finally:
            if resp is not None:
                resp.close()  # the socket stays open while the response holds it
            conn.close()
        # The server notices the client went away (and frees the connection).
        pattern = re.compile(r"hang=1 .*hanging after 16384 of 1000000 bytes, client went away")
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and not pattern.search(SRV.output):
            time.sleep(0.05)
        self.assertRegex(SRV.output, pattern)

    def test_invalid_parameters_are_400_naming_the_parameter(self):
        bad = ["latency_ms=-1", "latency_ms=abc", "latency_ms=60001", "latency_ms=", "latency_ms=1.5",
               "latency_ms=%201", "kbps=0", "kbps=1000001", "kbps=x", "status=199", "status=600",
               "status=abc", "cut=2", "cut=yes", "hang=2", "hang=-1", "latency_ms=1&latency_ms=2",
               "cut=1&hang=1"]
        for query in bad:
            with self.subTest(query=query):
                status, h, body = SRV.get("/bytes/10?" + query)
                self.assertEqual(status, 400)
                self.assertTrue(h["content-type"].startswith("text/plain"))
                name = query.split("=")[0]
                self.assertIn(name.encode(), body)
        # The message names the range.
        body = SRV.get("/healthz?latency_ms=99999")[2]
        self.assertIn(b"0 to 60000", body)
        self.assertEqual(SRV.get("/healthz?kbps=0")[0], 400)

    def test_unknown_parameters_are_ignored(self):
        self.assertEqual(SRV.get("/bytes/3?t=12345&_=x")[::2], (200, bytes(range(3))))

    def test_parameters_combine(self):
        t0 = time.monotonic()
        status, _, body = SRV.get("/bytes/20000?latency_ms=200&kbps=800", timeout=5)
        elapsed = time.monotonic() - t0
        self.assertEqual((status, len(body)), (200, 20000))
        self.assertGreaterEqual(elapsed, 0.2 + 0.2 - 0.05)
        self.assertLess(elapsed, 1.5)


def fetch(path, method="GET", **headers):
    """(status, headers, body) with exactly the given headers: http.client would otherwise add
    'Accept-Encoding: identity' itself. Header names are given with _ for -."""
    conn = SRV.connection()
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name.replace("_", "-"), value)
        conn.endheaders()
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
    finally:
        conn.close()


class CompressionAndValidatorsTest(unittest.TestCase):
    """Static files: gzip for clients that accept it, ETag / Last-Modified and 304s (a load of the
    playground moves its ~3 MB once, then revalidates with 304s)."""

    BIG = b"".join(b"function f%d() { return %d; }\n" % (i, i * i) for i in range(3000))  # ~90 KB

    @classmethod
    def setUpClass(cls):
        cls.root = os.path.join(TMP, "root")
        cls.files = {"/big.js": cls.BIG, "/notes.txt": b"some notes\n" * 100}
        for path, data in cls.files.items():
            with open(cls.root + path, "wb") as f:
                f.write(data)

    def file(self, name, data, mtime=None):
        """Writes root/name; mtime (seconds) set explicitly where a test needs a new version:
        two writes in the same clock tick could otherwise keep the same mtime."""
        path = os.path.join(self.root, name)
        with open(path, "wb") as f:
            f.write(data)
        if mtime is not None:
            os.utime(path, (mtime, mtime))
        return path

    def assert_gzip(self, path, expected):
        status, h, body = fetch(path, Accept_Encoding="gzip, deflate, br")
        self.assertEqual(status, 200)
        self.assertEqual(h.get("content-encoding"), "gzip", path)
        self.assertEqual(h["vary"], "Accept-Encoding")
        self.assertEqual(int(h["content-length"]), len(body))
        self.assertEqual(gzip.decompress(body), expected, path)
        self.assertTrue(h["etag"].endswith('-gz"'), h["etag"])
        return h, body

    def test_gzip_round_trips_to_the_exact_bytes_of_every_compressible_type(self):
        cases = dict(self.files, **{"/playground.wasm": FAKE_WASM, "/playground.js": b"console.log('js');\n",
                                    "/": INDEX_HTML, "/style.css": b"body{}\n", "/data.json": b"{}\n",
                                    "/module.mjs": b"export const x = 1;\n",
                                    "/icon.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>\n"})
        for path, data in cases.items():
            with self.subTest(path=path):
                h, body = self.assert_gzip(path, data)
                self.assertEqual(h["cache-control"], "no-cache")
                self.assertEqual(h["cross-origin-embedder-policy"], "require-corp")
        _, body = self.assert_gzip("/big.js", self.BIG)
        self.assertLess(len(body), len(self.BIG) / 5)
        # Compressed once, then cached: the same bytes again (also over keep-alive).
        self.assertEqual(self.assert_gzip("/big.js", self.BIG)[1], body)

    def test_no_gzip_without_accept_encoding_or_where_refused(self):
        for accept in (None, "", "identity", "gzip;q=0", "GZIP; Q=0.000, deflate", "br, deflate", "x-gzip;q=0",
                       "*;q=0, identity", "gzip;q=0.4, identity;q=0.5", "*;q=0", "gzip;q=nonsense"):
            with self.subTest(accept=accept):
                headers = {} if accept is None else {"Accept_Encoding": accept}
                status, h, body = fetch("/big.js", **headers)
                self.assertEqual(status, 200)
                self.assertNotIn("content-encoding", h)
                self.assertEqual(body, self.BIG)
                self.assertEqual(int(h["content-length"]), len(self.BIG))
                self.assertEqual(h["vary"], "Accept-Encoding")  # this answer depended on it too
                self.assertFalse(h["etag"].endswith('-gz"'))
        for accept in ("gzip", "GZIP", "deflate, gzip;q=0.5", "*", "x-gzip", "gzip;q=0.5, identity;q=0.4",
                       "br;q=1.0, gzip;q=0.8, *;q=0.1", "gzip, identity;q=0"):
            with self.subTest(accept=accept):
                self.assertEqual(fetch("/big.js", Accept_Encoding=accept)[1].get("content-encoding"), "gzip")

    def test_png_is_never_compressed(self):
        status, h, body = fetch("/pic.png", Accept_Encoding="gzip")
        self.assertEqual((status, body), (200, b"\x89PNG\r\n\x1a\n"))
        self.assertNotIn("content-encoding", h)
        self.assertIn("etag", h)

    def test_head_sends_the_gzip_headers_without_body(self):
        _, got, body = fetch("/big.js", Accept_Encoding="gzip")
        status, h, empty = fetch("/big.js", "HEAD", Accept_Encoding="gzip")
        self.assertEqual((status, empty), (200, b""))
        for name in ("content-length", "content-encoding", "etag", "last-modified", "vary", "content-type"):
            self.assertEqual(h[name], got[name], name)
        self.assertEqual(int(h["content-length"]), len(body))

    def assert_304(self, path, **headers):
        status, h, body = fetch(path, **headers)
        self.assertEqual((status, body), (304, b""), headers)
        self.assertNotIn("content-length", h)
        self.assertNotIn("content-encoding", h)
        self.assertEqual((h.get("cache-control"), h.get("vary")), ("no-cache", "Accept-Encoding"))
        # The headers a 200 has for isolation, so that the cached response stays usable.
        full = fetch(path, Accept_Encoding=headers.get("Accept_Encoding", "identity"))[1]
        for name in ("cross-origin-opener-policy", "cross-origin-embedder-policy", "cross-origin-resource-policy",
                     "x-content-type-options", "etag"):
            self.assertIn(name, h)
            self.assertEqual(h[name], full[name], name)
        return h

    def test_matching_etag_gets_304_for_each_encoding(self):
        for accept in ("gzip", "identity"):
            with self.subTest(accept=accept):
                _, h, _ = fetch("/big.js", Accept_Encoding=accept)
                etag = h["etag"]
                self.assertRegex(etag, r'^"[^"]+"$')  # strong
                for inm in (etag, "W/" + etag, '"other", %s' % etag, '"a,b", W/"x", ' + etag, "*"):
                    self.assertEqual(self.assert_304("/big.js", Accept_Encoding=accept, If_None_Match=inm)["etag"],
                                     etag)
                self.assertEqual(fetch("/big.js", Accept_Encoding=accept, If_None_Match='"other"')[0], 200)
        # The two encodings are two representations: the identity ETag does not validate the gzip one.
        identity = fetch("/big.js", Accept_Encoding="identity")[1]["etag"]
        status, h, body = fetch("/big.js", Accept_Encoding="gzip", If_None_Match=identity)
        self.assertEqual((status, h["content-encoding"], gzip.decompress(body)), (200, "gzip", self.BIG))
        # HEAD too; and a 304 also for files that are never compressed.
        self.assertEqual(fetch("/big.js", "HEAD", Accept_Encoding="gzip", If_None_Match="*")[0], 304)
        png = fetch("/pic.png")[1]["etag"]
        self.assertEqual(fetch("/pic.png", If_None_Match=png)[:3:2], (304, b""))

    def test_if_modified_since_gets_304_unless_if_none_match_is_given(self):
        self.file("dated.js", b"var dated = 1;\n", mtime=1700000000)  # Tue, 14 Nov 2023 22:13:20 GMT
        _, h, _ = fetch("/dated.js", Accept_Encoding="gzip")
        self.assertEqual(h["last-modified"], "Tue, 14 Nov 2023 22:13:20 GMT")
        for since in ("Tue, 14 Nov 2023 22:13:20 GMT", "Tue, 14 Nov 2023 22:13:21 GMT", "Wed, 15 Nov 2023 00:00:00 GMT"):
            with self.subTest(since=since):
                self.assert_304("/dated.js", Accept_Encoding="gzip", If_Modified_Since=since)
        for since in ("Tue, 14 Nov 2023 22:13:19 GMT", "yesterday", ""):
            with self.subTest(since=since):
                self.assertEqual(fetch("/dated.js", If_Modified_Since=since)[0], 200)
        # If-None-Match decides when both are given (RFC 9110 13.2.2).
        self.assertEqual(fetch("/dated.js", If_None_Match='"other"', If_Modified_Since=h["last-modified"])[0], 200)

    def test_a_changed_file_gets_a_new_etag_and_a_200_with_its_new_bytes(self):
        self.file("changing.js", b"var version = 1;\n" * 50, mtime=1700000000)
        old = {accept: self.assert_gzip("/changing.js", b"var version = 1;\n" * 50)[0]["etag"]
               if accept == "gzip" else fetch("/changing.js")[1]["etag"] for accept in ("gzip", "identity")}
        self.file("changing.js", b"var version = 2;\n" * 50, mtime=1700000100)  # a rebuild, same size
        for accept, etag in old.items():
            with self.subTest(accept=accept):
                status, h, body = fetch("/changing.js", Accept_Encoding=accept, If_None_Match=etag)
                self.assertEqual(status, 200)
                self.assertNotEqual(h["etag"], etag)
                self.assertEqual(gzip.decompress(body) if accept == "gzip" else body, b"var version = 2;\n" * 50)
                self.assert_304("/changing.js", Accept_Encoding=accept, If_None_Match=h["etag"])

    def test_a_newer_precompressed_file_is_served_and_an_older_one_ignored(self):
        data = b"var precompressed = 'no';\n" * 20
        marker = b"var precompressed = 'yes';\n" * 20  # what FILE.gz holds, to tell them apart
        self.file("pre.js", data, mtime=1700000000)
        self.file("pre.js.gz", gzip.compress(marker), mtime=1700000001)
        h, _ = self.assert_gzip("/pre.js", marker)
        self.assert_304("/pre.js", Accept_Encoding="gzip", If_None_Match=h["etag"])
        self.assertEqual(fetch("/pre.js")[2], data)  # identity: the file itself
        os.utime(os.path.join(self.root, "pre.js"), (1700000002, 1700000002))  # FILE rebuilt, FILE.gz stale
        h2, _ = self.assert_gzip("/pre.js", data)
        self.assertNotEqual(h2["etag"], h["etag"])
        # A FILE.gz that is a symlink out of the root is never read.
        with open(os.path.join(TMP, "outside.gz"), "wb") as f:
            f.write(gzip.compress(SECRET))
        self.file("link.js", data, mtime=1700000000)
        os.symlink(os.path.join(TMP, "outside.gz"), os.path.join(self.root, "link.js.gz"))
        self.assert_gzip("/link.js", data)

    def test_simulated_endpoints_are_never_compressed_nor_validated(self):
        png = SRV.get("/images/" + IMAGE_NAMES[0] + ".png")[2]
        for path, expected in (("/bytes/5000", bytes(i % 251 for i in range(5000))), ("/healthz", b"ok"),
                               ("/images/%s.png" % IMAGE_NAMES[0], png),
                               ("/images/index.json", SRV.get("/images/index.json")[2]),
                               ("/images/", SRV.get("/images/")[2])):
            with self.subTest(path=path):
                status, h, body = fetch(path, Accept_Encoding="gzip", If_None_Match="*",
                                        If_Modified_Since="Wed, 15 Nov 2100 00:00:00 GMT")
                self.assertEqual((status, body), (200, expected))
                self.assertEqual(int(h["content-length"]), len(expected))
                for name in ("content-encoding", "etag", "last-modified", "vary"):
                    self.assertNotIn(name, h)
        # The network simulation keeps its byte counts: cut=1 sends half of the announced length.
        resp = SRV.raw(b"GET /bytes/10000?cut=1 HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\n\r\n")
        head, _, body = resp.partition(b"\r\n\r\n")
        self.assertIn(b"Content-Length: 10000\r\n", head)
        self.assertNotIn(b"Content-Encoding", head)
        self.assertEqual(body, bytes(i % 251 for i in range(5000)))

    def test_range_requests_get_the_whole_file(self):
        # serve.py does not do ranges (and says no Accept-Ranges): a Range header is ignored, so
        # the answer is the whole file, compressed or not, never a slice of either.
        for accept in ("identity", "gzip"):
            with self.subTest(accept=accept):
                status, h, body = fetch("/big.js", Accept_Encoding=accept, Range="bytes=0-9")
                self.assertEqual(status, 200)
                self.assertNotIn("content-range", h)
                self.assertNotIn("accept-ranges", h)
                self.assertEqual(gzip.decompress(body) if accept == "gzip" else body, self.BIG)

    def test_the_log_line_says_what_was_compressed(self):
        fetch("/big.js?log-gzip", Accept_Encoding="gzip")
        pattern = re.compile(r"200 GET /big\.js\?log-gzip (\d+)B \d+\.\d+s \(gzip of %dB\)" % len(self.BIG))
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and not pattern.search(SRV.output):
            time.sleep(0.05)
        self.assertRegex(SRV.output, pattern)


class NoCoiTest(unittest.TestCase):
    def test_no_coi_serves_without_isolation_headers(self):
        with ServeProcess(["--no-build", "--quiet", "--no-coi", "--root", os.path.join(TMP, "root")]) as srv:
            status, h, body = srv.get("/")
            self.assertEqual((status, body), (200, INDEX_HTML))
            for name in ("cross-origin-opener-policy", "cross-origin-embedder-policy",
                         "cross-origin-resource-policy"):
                self.assertNotIn(name, h)
            self.assertEqual(h["cache-control"], "no-cache")
            self.assertEqual(srv.get("/playground.wasm")[1]["content-type"], "application/wasm")

    def test_no_coi_withholds_the_service_worker_that_would_isolate_the_page(self):
        root = tempfile.mkdtemp(prefix="threadlab-serve-sw-")
        self.addCleanup(shutil.rmtree, root, True)
        for name, data in (("index.html", INDEX_HTML), ("coi-sw.js", b"// service worker\n")):
            with open(os.path.join(root, name), "wb") as f:
                f.write(data)
        with ServeProcess(["--no-build", "--quiet", "--root", root]) as srv:
            status, h, body = srv.get("/coi-sw.js")
            self.assertEqual((status, h["content-type"], body), (200, "text/javascript", b"// service worker\n"))
        with ServeProcess(["--no-build", "--quiet", "--no-coi", "--root", root]) as srv:
            status, _, body = srv.get("/coi-sw.js")
            self.assertEqual(status, 404)
            self.assertIn(b"--no-coi", body)


class DemoTest(unittest.TestCase):
    """serve.py --demo: web/demo.html from a second origin (another port, named localhost)."""

    DEMO_LINE = re.compile(r"^Threadlab demo tutorial: (http://localhost:(\d+)/)\?playground=(\S+)$", re.M)

    def demo_get(self, port, path, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", path, headers=dict({"Host": "localhost:%d" % port}, **(headers or {})))
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def test_serves_the_tutorial_page_from_a_second_origin_without_isolation_headers(self):
        with ServeProcess(["--no-build", "--quiet", "--demo", "--root", os.path.join(TMP, "root")]) as srv:
            m = self.DEMO_LINE.search(srv.output)  # printed before the playground's line
            self.assertTrue(m, srv.output)
            port = int(m.group(2))
            self.assertNotEqual(port, srv.port)
            self.assertEqual(m.group(3), srv.url, "the page is told where the playground is")
            self.assertLess(srv.output.index("Threadlab demo tutorial"), srv.output.index("Threadlab playground"))
            with open(os.path.join(REPO, "web", "demo.html"), "rb") as f:
                page = f.read()
            status, h, body = self.demo_get(port, "/?playground=" + srv.url)
            self.assertEqual((status, body), (200, page))
            self.assertTrue(h["content-type"].startswith("text/html"))
            for name in ("cross-origin-opener-policy", "cross-origin-embedder-policy",
                         "cross-origin-resource-policy", "document-isolation-policy"):
                self.assertNotIn(name, h, "an ordinary page: each embed isolates itself")
            origin = srv.url.rstrip("/")
            self.assertIn("script-src 'unsafe-inline' %s;" % origin, h["content-security-policy"])
            self.assertIn("frame-src %s;" % origin, h["content-security-policy"])
            self.assertIn("default-src 'none'", h["content-security-policy"])
            # gzip and validators, as for any static file
            status, h, body = self.demo_get(port, "/", {"Accept-Encoding": "gzip"})
            self.assertEqual((status, h["content-encoding"], gzip.decompress(body)), (200, "gzip", page))
            self.assertEqual(self.demo_get(port, "/", {"Accept-Encoding": "gzip", "If-None-Match": h["etag"]})[0], 304)
            # Only the page: not the bundle, not the simulated internet.
            for path in ("/demo.html", "/index.html", "/embed.js", "/healthz", "/images/index.json"):
                status, _, body = self.demo_get(port, path)
                self.assertEqual(status, 404, path)
                self.assertIn(b"only the demo tutorial", body)
            # The playground is served as usual, with its headers.
            status, h, body = srv.get("/")
            self.assertEqual((status, body, h["document-isolation-policy"]), (200, INDEX_HTML, "isolate-and-require-corp"))
            self.assertEqual(srv.stop(), 0)
            self.assertIn("serve.py: stopped", srv.output)
            for p in (port, srv.port):  # Ctrl-C stopped both
                with self.assertRaises(OSError):
                    socket.create_connection(("127.0.0.1", p), timeout=2).close()

    def test_the_page_has_four_embeds_and_loads_embed_js_from_its_playground_parameter(self):
        with open(os.path.join(REPO, "web", "demo.html"), encoding="utf-8") as f:
            page = f.read()
        page = re.sub(r"<!--.*?-->", "", page, flags=re.S)  # not the example in the comment
        embeds = re.findall(r'data-threadlab="([^"]*)"', page)
        self.assertEqual(len(embeds), 4, embeds)
        self.assertTrue(all("embed=1" in e for e in embeds), embeds)
        self.assertEqual(sum("theme=light" in e for e in embeds), 1)
        self.assertEqual(sum("start=click" in e for e in embeds), 1)
        self.assertEqual(len(re.findall(r"data-threadlab-height=", page)), 1, "one fixed, the others auto-height")
        self.assertIn(".get('playground')", page)
        self.assertIn("new URL('embed.js', playground)", page)
        self.assertNotRegex(page, r"<script[^>]*\ssrc=", "no script of a fixed origin")
        self.assertNotRegex(page, r"(href|src)=\"(https?:)?//", "no external resources")

    def test_a_busy_demo_port_is_a_clear_error(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            busy = s.getsockname()[1]
            r = subprocess.run([sys.executable, SERVE, "--no-build", "--quiet", "--demo", "--port", "0",
                                "--demo-port", str(busy), "--root", os.path.join(TMP, "root")],
                               capture_output=True, timeout=20, stdin=subprocess.DEVNULL)
        out = r.stdout.decode() + r.stderr.decode()
        self.assertEqual(r.returncode, 1, out)
        self.assertIn("cannot listen on 127.0.0.1:%d for the demo tutorial" % busy, out)
        self.assertIn("--demo-port 0", out)
        self.assertNotIn("Traceback", out)
        self.assertNotIn("Threadlab playground: http", out)


class NotBuiltTest(unittest.TestCase):
    def test_missing_bundle_shows_a_page_with_the_build_command(self):
        missing = os.path.join(TMP, "no-bundle-here")
        with ServeProcess(["--no-build", "--root", missing]) as srv:
            self.assertIn("not built", srv.output)
            status, h, body = srv.get("/")
            self.assertEqual(status, 503)
            self.assertTrue(h["content-type"].startswith("text/html"))
            self.assertIn(b"not built", body)
            self.assertIn(b"cmake --build --preset wasm --target playground_web", body)
            self.assertIn(missing.encode(), body)
            self.assertEqual(h["cross-origin-opener-policy"], "same-origin")
            status, _, body = srv.get("/playground.js")
            self.assertEqual(status, 404)
            self.assertIn(b"not built", body)
            # The simulated internet works without a bundle.
            self.assertEqual(srv.get("/healthz")[::2], (200, b"ok"))
            self.assertEqual(len(json.loads(srv.get("/images/index.json")[2])), 15)
            self.assertEqual(srv.get("/images/%s.png" % IMAGE_NAMES[1])[0], 200)


class ExportTest(unittest.TestCase):
    """serve.py --export DIR: a static site of the (fake) bundle for hosts that cannot set headers."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="threadlab-export-test-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.root = os.path.join(TMP, "root")

    def export(self, dest, *extra, root=None):
        """(exit status, output) of serve.py --export dest --no-build --root root."""
        import subprocess
        from servehelper import SERVE
        r = subprocess.run([sys.executable, SERVE, "--export", dest, "--no-build", "--root", root or self.root, *extra],
                           capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        return r.returncode, r.stdout.decode() + r.stderr.decode()

    def files(self, dest):
        """{relative path: bytes} of every file under dest."""
        found = {}
        for dirpath, _, filenames in os.walk(dest):
            for name in filenames:
                full = os.path.join(dirpath, name)
                with open(full, "rb") as f:
                    found[os.path.relpath(full, dest).replace(os.sep, "/")] = f.read()
        return found

    def test_writes_the_bundle_the_images_headers_gzip_copies_and_the_service_worker(self):
        dest = os.path.join(self.tmp, "site")
        code, out = self.export(dest)
        self.assertEqual(code, 0, out)
        self.assertIn("exported the playground to %s" % dest, out)
        files = self.files(dest)
        # The bundle's files, byte for byte; a symlink inside the root as the file it names;
        # nothing from outside the root (escape.txt, outdir/).
        for rel in ("index.html", "playground.wasm", "playground.js", "playground.worker.js", "module.mjs",
                    "style.css", "data.json", "icon.svg", "pic.png", "sub/index.html", "alias.html"):
            with open(os.path.join(self.root, rel), "rb") as f:
                self.assertEqual(files[rel], f.read(), rel)
        self.assertFalse(any(SECRET in data for data in files.values()), "a file from outside the root")
        self.assertFalse([rel for rel in files if rel.startswith(("escape.txt", "outdir"))])
        from servehelper import REPO
        with open(os.path.join(REPO, "web", "coi-sw.js"), "rb") as f:
            self.assertEqual(files["coi-sw.js"], f.read(), "web/coi-sw.js, as the fake bundle has none")
        # The 15 images, identical to what serve.py serves; index.json with URLs relative to it.
        for name in IMAGE_NAMES:
            self.assertEqual(files["images/%s.png" % name], SRV.get("/images/%s.png" % name)[2], name)
        served = json.loads(SRV.get("/images/index.json")[2])
        index = json.loads(files["images/index.json"])
        self.assertEqual(index, [dict(e, url="%s.png" % e["name"]) for e in served])
        # _headers (Netlify, Cloudflare Pages): /* and the four headers serve.py sends.
        lines = [line for line in files["_headers"].decode().splitlines() if line and not line.startswith("#")]
        self.assertEqual(lines, ["/*", "  Cross-Origin-Opener-Policy: same-origin",
                                 "  Cross-Origin-Embedder-Policy: require-corp",
                                 "  Cross-Origin-Resource-Policy: cross-origin",
                                 "  Document-Isolation-Policy: isolate-and-require-corp"])
        # FILE.gz beside each compressible file, gunzipping to it; none for PNGs.
        compressible = (".html", ".js", ".mjs", ".wasm", ".css", ".json", ".svg", ".txt")
        for rel in [r for r in files if r.endswith(compressible)]:
            self.assertEqual(gzip.decompress(files[rel + ".gz"]), files[rel], rel)
        self.assertEqual([r for r in files if r.endswith(".gz") and r[:-3] not in files], [])
        self.assertFalse([r for r in files if r.endswith(".png.gz")])
        # README.txt says how to use it, and that there is no simulated latency on a static host.
        readme = files["README.txt"].decode()
        self.assertIn("latency", readme)
        self.assertIn("python3 -m http.server --bind 127.0.0.1", readme)
        # The marker lists every file the export wrote (and only those).
        listed = [line for line in files[".threadlab-export"].decode().splitlines() if not line.startswith("#")]
        self.assertEqual(sorted(listed), sorted(r for r in files if r != ".threadlab-export"))

    def test_the_pages_urls_are_relative_so_the_folder_works_at_any_path(self):
        from servehelper import REPO
        root = os.path.join(self.tmp, "bundle")
        os.makedirs(root)
        for name in ("index.html", "threadlab.js", "embed.js", "coi-sw.js"):  # the real page
            shutil.copy(os.path.join(REPO, "web", name), root)
        for name in ("playground.js", "playground.wasm", "playground.worker.js"):
            with open(os.path.join(root, name), "wb") as f:
                f.write(b"// fake\n")
        dest = os.path.join(self.tmp, "site")
        code, out = self.export(dest, root=root)
        self.assertEqual(code, 0, out)
        files = self.files(dest)
        html_text = files["index.html"].decode()
        refs = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]+)""", html_text)
        self.assertTrue(refs, "index.html loads threadlab.js")
        self.assertEqual([r for r in refs if r.startswith("/") or "://" in r], [], "absolute URLs in index.html")
        for name in ("threadlab.js", "embed.js", "coi-sw.js"):
            literals = re.findall(r"""(['"`])(/[\w.-]+(?:/[\w.-]*)*)\1""", files[name].decode())
            self.assertEqual(literals, [], "absolute paths in %s" % name)
        self.assertIn(b"register('coi-sw.js', {scope: './'})", files["threadlab.js"])

    def test_refuses_a_non_empty_directory_that_is_not_an_export(self):
        dest = os.path.join(self.tmp, "mine")
        os.makedirs(dest)
        with open(os.path.join(dest, "notes.md"), "w") as f:
            f.write("mine\n")
        code, out = self.export(dest)
        self.assertNotEqual(code, 0)
        self.assertIn("refusing to write into %s: it is not empty and is not a previous export" % dest, out)
        self.assertNotIn("Traceback", out)
        self.assertEqual(os.listdir(dest), ["notes.md"], "nothing written")
        with open(os.path.join(self.tmp, "a-file"), "w") as f:
            f.write("x")
        code, out = self.export(os.path.join(self.tmp, "a-file"))
        self.assertNotEqual(code, 0)
        self.assertIn("is not a directory", out)

    def test_an_empty_directory_is_fine_and_a_missing_bundle_writes_nothing(self):
        dest = os.path.join(self.tmp, "empty")
        os.makedirs(dest)
        self.assertEqual(self.export(dest)[0], 0)
        self.assertIn("index.html", os.listdir(dest))
        dest = os.path.join(self.tmp, "never")
        code, out = self.export(dest, root=os.path.join(self.tmp, "no-bundle"))
        self.assertNotEqual(code, 0)
        self.assertIn("no web bundle", out)
        self.assertFalse(os.path.exists(dest))

    def test_refuses_a_directory_overlapping_the_bundle(self):
        for dest in (self.root, os.path.join(self.root, "site"), TMP):
            with self.subTest(dest=dest):
                code, out = self.export(dest)
                self.assertNotEqual(code, 0)
                self.assertTrue("overlap" in out or "refusing" in out, out)
        self.assertFalse(os.path.exists(os.path.join(self.root, "site")))

    def test_a_re_export_replaces_its_own_files_and_leaves_the_others(self):
        dest = os.path.join(self.tmp, "site")
        self.assertEqual(self.export(dest)[0], 0)
        first = self.files(dest)
        with open(os.path.join(dest, "index.html"), "wb") as f:
            f.write(b"edited")
        with open(os.path.join(dest, "my-tutorial.html"), "wb") as f:
            f.write(b"the author's own page")
        # A file of an older export that the bundle no longer has: listed in the marker.
        with open(os.path.join(dest, "old.js"), "wb") as f:
            f.write(b"old")
        with open(os.path.join(dest, ".threadlab-export"), "a") as f:
            f.write("old.js\n")
        code, out = self.export(dest)
        self.assertEqual(code, 0, out)
        second = self.files(dest)
        self.assertEqual(second.pop("my-tutorial.html"), b"the author's own page")
        self.assertEqual(second, first)

    def test_never_writes_or_removes_outside_the_directory(self):
        dest = os.path.join(self.tmp, "site")
        self.assertEqual(self.export(dest)[0], 0)
        victim = os.path.join(self.tmp, "victim.txt")
        with open(victim, "w") as f:
            f.write("keep me")
        with open(os.path.join(dest, ".threadlab-export"), "a") as f:  # a tampered list
            f.write("../victim.txt\n%s\nimages/../../victim.txt\n" % victim)
        self.assertEqual(self.export(dest)[0], 0)
        self.assertTrue(os.path.exists(victim))
        # images/ made a symlink to a directory outside: refused, nothing written there.
        outside = os.path.join(self.tmp, "outside")
        os.makedirs(outside)
        shutil.rmtree(os.path.join(dest, "images"))
        os.symlink(outside, os.path.join(dest, "images"))
        code, out = self.export(dest)
        self.assertNotEqual(code, 0)
        self.assertIn("outside", out)
        self.assertNotIn("Traceback", out)
        self.assertEqual(os.listdir(outside), [])
        # A symlink where a file goes is replaced, not written through.
        os.unlink(os.path.join(dest, "images"))
        with open(os.path.join(self.root, "playground.js"), "rb") as f:
            js = f.read()
        os.unlink(os.path.join(dest, "playground.js"))
        os.symlink(victim, os.path.join(dest, "playground.js"))
        self.assertEqual(self.export(dest)[0], 0)
        with open(victim) as f:
            self.assertEqual(f.read(), "keep me")
        self.assertFalse(os.path.islink(os.path.join(dest, "playground.js")))
        with open(os.path.join(dest, "playground.js"), "rb") as f:
            self.assertEqual(f.read(), js)


class LifecycleTest(unittest.TestCase):
    def test_ctrl_c_stops_cleanly_even_with_a_hanging_request(self):
        srv = ServeProcess(["--no-build", "--quiet", "--root", os.path.join(TMP, "root")])
        conn = srv.connection(timeout=5)
        try:
            conn.request("GET", "/bytes/100000?hang=1")
            self.assertEqual(conn.getresponse().status, 200)
            t0 = time.monotonic()
            code = srv.stop(signal.SIGINT)
            self.assertLess(time.monotonic() - t0, 5)
            self.assertEqual(code, 0, srv.output)
            self.assertNotIn("Traceback", srv.output)
            self.assertIn("stopped", srv.output)
        finally:
            conn.close()
            srv.close()

    def test_sigterm_stops_cleanly(self):
        with ServeProcess(["--no-build", "--quiet", "--root", os.path.join(TMP, "root")]) as srv:
            self.assertEqual(srv.get("/healthz")[0], 200)
            self.assertEqual(srv.stop(signal.SIGTERM), 0, srv.output)
            self.assertNotIn("Traceback", srv.output)

    def test_quiet_suppresses_request_logs(self):
        with ServeProcess(["--no-build", "--quiet", "--root", os.path.join(TMP, "root")]) as srv:
            srv.get("/healthz")
            srv.get("/nope")
            srv.stop()
            self.assertNotIn("/healthz", srv.output)
            self.assertNotIn("/nope", srv.output)

    def test_default_logs_one_line_per_request(self):
        SRV.get("/playground.wasm?log-test")
        pattern = re.compile(r"\n\d\d:\d\d:\d\d 200 GET /playground\.wasm\?log-test %dB \d+\.\d+s\n"
                             % len(FAKE_WASM))
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and not pattern.search(SRV.output + "\n"):
            time.sleep(0.05)
        self.assertRegex(SRV.output + "\n", pattern)

    def test_control_characters_from_clients_are_escaped_in_the_log(self):
        # Terminal escape sequences (ESC [, and the one-byte CSI 0x9b) in request lines.
        SRV.raw(b"GET /esc-test-1\x1b[31mred\x1b]0;title\x07 HTTP/1.1\r\nHost: localhost\r\n\r\n")
        SRV.raw(b"\x1b[2J\x9b31mesc-test-2\r\n\r\n")
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and "esc-test-2" not in SRV.output:
            time.sleep(0.05)
        lines = [line for line in SRV.output.splitlines() if "esc-test-" in line]
        self.assertEqual(len(lines), 2, lines)
        for line in lines:
            self.assertFalse(re.search(r"[\x00-\x1f\x7f-\x9f]", line), repr(line))
        self.assertIn(r"GET /esc-test-1\x1b[31mred\x1b]0;title\x07 ", lines[0])
        self.assertIn(r"\x1b[2J\x9b31mesc-test-2", lines[1])

    def test_non_loopback_host_prints_a_warning(self):
        with ServeProcess(["--no-build", "--quiet", "--host", "0.0.0.0",
                           "--root", os.path.join(TMP, "root")]) as srv:
            self.assertIn("WARNING", srv.output)
            self.assertEqual(srv.host, "127.0.0.1")
            self.assertEqual(srv.get("/healthz")[::2], (200, b"ok"))

    def test_the_configured_host_name_is_served_too(self):
        # Bound to every address, the machine is reached by its LAN address from other machines:
        # IP addresses are served, DNS names other than localhost ones are not.
        with ServeProcess(["--no-build", "--quiet", "--host", "0.0.0.0",
                           "--root", os.path.join(TMP, "root")]) as srv:
            for host, status in (("0.0.0.0:%d" % srv.port, 200), ("localhost", 200), ("192.0.2.1", 200),
                                 ("evil.example", 421)):
                with self.subTest(host=host):
                    resp = srv.raw(b"GET /healthz HTTP/1.1\r\nHost: %s\r\n\r\n" % host.encode())
                    self.assertEqual(srv.raw_status(resp), status, resp[:300])
        # --host "" (every address) does not make an empty Host header one for the server.
        with ServeProcess(["--no-build", "--quiet", "--host", "", "--root", os.path.join(TMP, "root")]) as srv:
            self.assertEqual(srv.raw_status(srv.raw(b"GET /healthz HTTP/1.1\r\nHost: \r\n\r\n")), 421)

    def test_busy_port_is_a_clear_error(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen(1)
            port = s.getsockname()[1]
            import subprocess
            from servehelper import SERVE
            r = subprocess.run([sys.executable, SERVE, "--no-build", "--port", str(port)],
                               capture_output=True, timeout=20, stdin=subprocess.DEVNULL)
            self.assertEqual(r.returncode, 1)
            self.assertIn(b"cannot listen", r.stderr)
            self.assertNotIn(b"Traceback", r.stderr)


def raise_nofile(n):
    """Raise this process's soft limit on open files to n if it is lower (and the hard limit
    allows); returns the soft limit in force."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < n:
        resource.setrlimit(resource.RLIMIT_NOFILE, (n if hard == resource.RLIM_INFINITY else min(n, hard), hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return n if soft == resource.RLIM_INFINITY else soft


class HighDescriptorTest(unittest.TestCase):
    """Descriptors >= 1024 (FD_SETSIZE), which select() cannot take."""

    def test_pauses_and_lingering_close_work_on_descriptors_above_1024(self):
        if raise_nofile(1400) < 1400:  # serve.py inherits the limit
            self.skipTest("cannot open 1400 files")
        from servehelper import SERVE
        # serve.py started with descriptors 3..1099 taken, so its sockets are numbered above
        # 1100 however few connections it keeps open.
        wrapper = os.path.join(TMP, "high-fds.py")
        with open(wrapper, "w") as f:
            f.write("import os, sys\n"
                    "while True:\n"
                    "    fd = os.open(os.devnull, os.O_RDONLY)\n"
                    "    if fd >= 1100:\n"
                    "        break\n"
                    "    os.set_inheritable(fd, True)\n"
                    "os.execv(sys.executable, [sys.executable, %r] + sys.argv[1:])\n" % SERVE)
        srv = ServeProcess(["--no-build", "--quiet", "--root", os.path.join(TMP, "root")], serve=wrapper)
        with srv:
            t0 = time.monotonic()
            self.assertEqual(srv.get("/healthz?latency_ms=200")[::2], (200, b"ok"))
            self.assertGreaterEqual(time.monotonic() - t0, 0.2)
            status, _, body = srv.get("/bytes/20000?kbps=800")  # 0.2 s
            self.assertEqual((status, body), (200, bytes(i % 251 for i in range(20000))))
            # The lingering close keeps a 431 for an oversized header from being reset away.
            resp = srv.raw(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n")
            self.assertEqual(srv.raw_status(resp), 431, resp[:200])


def proc_stats(pid):
    """(threads, CPU seconds used) of a process, from /proc (Linux)."""
    with open("/proc/%d/status" % pid) as f:
        threads = int(re.search(r"(?m)^Threads:\s+(\d+)", f.read()).group(1))
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rpartition(")")[2].split()
    return threads, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def accept_queue(port):
    """How many connections wait in the accept queue of the socket listening on port (Linux)."""
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1].endswith(":%04X" % port) and fields[3] == "0A":  # LISTEN: rx_queue
                return int(fields[4].split(":")[1], 16)
    return 0


def open_idle(srv, n, seconds):
    """Up to n idle connections, opened no faster than the server accepts them: the connects
    that overflow its backlog (128) would wait 1 s for a SYN retransmission. Stops at the first
    that cannot connect within 2 s, or when the server accepts nothing for 2 s, or after seconds."""
    srv.get("/images/index.json", timeout=10)  # first, the start-up's image generation holds the GIL
    socks, deadline = [], time.monotonic() + seconds
    try:
        while len(socks) < n and time.monotonic() < deadline:
            stuck = time.monotonic() + 2
            while accept_queue(srv.port) > 64:
                if time.monotonic() > min(stuck, deadline):
                    return socks
                time.sleep(0.005)
            for _ in range(min(32, n - len(socks))):
                socks.append(socket.create_connection((srv.host, srv.port), timeout=2))
    except OSError:
        pass
    return socks


def nofile_limit(soft, hard=None):
    """A preexec_fn starting the server with these limits on open files."""
    def preexec():
        import resource
        resource.setrlimit(resource.RLIMIT_NOFILE,
                           (soft, resource.getrlimit(resource.RLIMIT_NOFILE)[1] if hard is None else hard))
    return preexec


@unittest.skipUnless(os.path.exists("/proc/self/stat"), "needs /proc")
class IdleConnectionsTest(unittest.TestCase):
    """Many idle connections (one thread each) must not lock the server up."""

    def get_within(self, srv, seconds, what):
        t0 = time.monotonic()
        try:
            status, _, body = srv.get("/healthz", timeout=5)
        except OSError as err:
            self.fail("%s: no answer to a GET (%r)" % (what, err))
        elapsed = time.monotonic() - t0
        self.assertEqual((status, body), (200, b"ok"))
        self.assertLess(elapsed, seconds, "%s: a GET took %.2f s" % (what, elapsed))
        return elapsed

    def test_two_thousand_idle_connections_leave_a_get_answered_within_1s(self):
        if raise_nofile(2600) < 2600:
            self.skipTest("cannot open 2600 files")
        # Started with the common default soft limit of 1024 open files.
        with ServeProcess(["--no-build", "--quiet", "--root", os.path.join(TMP, "root")],
                          preexec_fn=nofile_limit(1024)) as srv:
            socks = open_idle(srv, 2000, 10)
            try:
                opened = len(socks)
                elapsed = self.get_within(srv, 1.0, "%d idle connections open" % opened)
                threads, cpu = proc_stats(srv.proc.pid)
                sys.stderr.write("[%d idle: GET in %.3f s, server %d threads, %.2f s CPU] "
                                 % (opened, elapsed, threads, cpu))
                self.assertEqual(opened, 2000, "the server stopped accepting connections")
                self.assertLess(threads, 600, "one thread per idle connection, with no cap")
            finally:
                for s in socks:
                    s.close()

    def test_out_of_descriptors_it_does_not_spin_and_answers(self):
        # serve.py started under a hard limit of 256 open files with 200 of them taken, then
        # flooded with 300 idle connections: it runs out of descriptors.
        from servehelper import SERVE
        wrapper = os.path.join(TMP, "fds-taken.py")
        with open(wrapper, "w") as f:
            f.write("import os, sys\n"
                    "while os.open(os.devnull, os.O_RDONLY) < 200:\n"
                    "    pass\n"
                    "for fd in range(3, 201):\n"
                    "    os.set_inheritable(fd, True)\n"
                    "os.execv(sys.executable, [sys.executable, %r] + sys.argv[1:])\n" % SERVE)
        with ServeProcess(["--no-build", "--quiet", "--root", os.path.join(TMP, "root")], serve=wrapper,
                          preexec_fn=nofile_limit(256, 256)) as srv:
            socks = open_idle(srv, 300, 5)
            try:
                cpu0 = proc_stats(srv.proc.pid)[1]
                time.sleep(2)
                cpu = proc_stats(srv.proc.pid)[1] - cpu0
                sys.stderr.write("[%d idle: server used %.2f s CPU in 2 s] " % (len(socks), cpu))
                self.assertLess(cpu, 0.5, "the server spins while out of descriptors")
                self.get_within(srv, 1.0, "out of descriptors")
            finally:
                for s in socks:
                    s.close()
            self.get_within(srv, 1.0, "after the idle clients left")

    def test_idle_keep_alive_connection_is_closed_after_a_few_seconds(self):
        with socket.create_connection((SRV.host, SRV.port), timeout=10) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            got = b""
            while not got.endswith(b"\r\n\r\nok"):
                got += s.recv(4096)
            t0 = time.monotonic()
            self.assertEqual(s.recv(4096), b"")  # closed by the server
            self.assertLess(time.monotonic() - t0, 8)

    def test_when_every_connection_is_busy_a_new_one_gets_503(self):
        # Under a limit of 72 open files the server takes 8 connections.
        with ServeProcess(["--no-build", "--quiet", "--root", os.path.join(TMP, "root")],
                          preexec_fn=nofile_limit(72, 72)) as srv:
            busy = []  # the responses, which hold the connections
            try:
                for _ in range(8):
                    conn = srv.connection(timeout=5)
                    conn.request("GET", "/bytes/100000?hang=1")
                    busy.append(conn.getresponse())
                    self.assertEqual(busy[-1].status, 200)
                t0 = time.monotonic()
                resp = srv.raw(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
                self.assertEqual(srv.raw_status(resp), 503, resp)
                self.assertIn(b"try again", resp)
                self.assertLess(time.monotonic() - t0, 1)
            finally:
                for resp in busy:
                    resp.close()
            # The hanging requests notice their clients left; then it answers again.
            deadline = time.monotonic() + 5
            while srv.raw_status(srv.raw(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")) != 200:
                self.assertLess(time.monotonic(), deadline, "still 503 after the clients left")
                time.sleep(0.1)


FAKE_CMAKE = """#!/bin/sh
# Stands in for cmake: records its arguments; the configure step creates the cache, the build
# step writes the bundle's index.html (unless FAKE_CMAKE_NO_OUTPUT), FAKE_CMAKE_FAIL fails.
echo "cmake $*" >> "$FAKE_LOG"
echo "fake cmake: [50%] building playground_web"
if [ -n "$FAKE_CMAKE_FAIL" ]; then echo "fake cmake: error: boom" >&2; exit 2; fi
case "$1" in
  --preset) mkdir -p "build/$2" && touch "build/$2/CMakeCache.txt" ;;
  --build) [ -n "$FAKE_CMAKE_NO_OUTPUT" ] || { mkdir -p build/wasm/web && echo '<p>BUILT</p>' > build/wasm/web/index.html; } ;;
esac
"""
FAKE_SETUP = """#!/bin/sh
# Stands in for scripts/setup.sh: --check fails until setup has run once.
if [ "$1" = --check ]; then echo "setup --check" >> "$FAKE_LOG"; [ -f setup-done ] || exit 1; exit 0; fi
echo "setup" >> "$FAKE_LOG"
if [ -n "$FAKE_SETUP_FAIL" ]; then echo "fake setup: npm ci failed" >&2; exit 1; fi
touch setup-done
"""


class BuildTest(unittest.TestCase):
    """serve.py's build step, with serve.py and its package src/serve copied into a fake repository
    and a fake cmake."""

    def setUp(self):
        import subprocess
        self.subprocess = subprocess
        self.repo = tempfile.mkdtemp(prefix="threadlab-serve-build-")
        self.addCleanup(shutil.rmtree, self.repo, True)
        self.serve = os.path.join(self.repo, "serve.py")
        shutil.copy(SERVE, self.serve)
        shutil.copytree(os.path.join(REPO, "src", "serve"), os.path.join(self.repo, "src", "serve"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        for d in ("web", "scripts", "bin"):
            os.makedirs(os.path.join(self.repo, d))
        for name, text in {"bin/cmake": FAKE_CMAKE, "scripts/setup.sh": FAKE_SETUP}.items():
            with open(os.path.join(self.repo, name), "w") as f:
                f.write(text)
        os.chmod(os.path.join(self.repo, "bin", "cmake"), 0o755)
        self.log = os.path.join(self.repo, "fake.log")
        self.env = dict(os.environ, FAKE_LOG=self.log,
                        PATH=os.path.join(self.repo, "bin") + os.pathsep + os.environ["PATH"])

    def calls(self):
        if not os.path.exists(self.log):
            return []
        with open(self.log) as f:
            calls = f.read().splitlines()
        os.remove(self.log)
        return calls

    def serve_once(self):
        with ServeProcess(["--quiet"], serve=self.serve, env=self.env) as srv:
            status, _, body = srv.get("/")
            return srv.output, status, body

    def run_serve(self, **env):
        r = self.subprocess.run([sys.executable, self.serve, "--port", "0"], cwd=self.repo,
                                env=dict(self.env, **env), capture_output=True, timeout=20,
                                stdin=self.subprocess.DEVNULL)
        return r.returncode, r.stdout.decode() + r.stderr.decode()

    def test_first_run_sets_up_configures_builds_then_serves(self):
        out, status, body = self.serve_once()
        self.assertEqual((status, body), (200, b"<p>BUILT</p>\n"))
        self.assertEqual(self.calls(), ["setup --check", "setup", "cmake --preset wasm",
                                        "cmake --build --preset wasm --target playground_web",
                                        "cmake --preset wasm-sim",  # simulated threads, beside it
                                        "cmake --build --preset wasm-sim --target playground_web"])
        self.assertIn("fake cmake: [50%] building playground_web", out)  # build output streamed
        self.assertLess(out.index("fake cmake"), out.index("Threadlab playground: http://"))

    def test_a_second_start_builds_again_without_reconfiguring(self):
        # CMake, not serve.py, decides what is stale: every start calls cmake --build.
        self.serve_once()
        self.calls()
        out, status, _ = self.serve_once()
        self.assertEqual(status, 200)
        self.assertEqual(self.calls(), ["setup --check", "cmake --build --preset wasm --target playground_web",
                                        "cmake --build --preset wasm-sim --target playground_web"])
        self.assertIn("fake cmake: [50%] building playground_web", out)

    def test_no_build_never_builds(self):
        with ServeProcess(["--quiet", "--no-build"], serve=self.serve, env=self.env) as srv:
            self.assertEqual(srv.get("/")[0], 503)
        self.assertEqual(self.calls(), [])

    def test_failed_build_exits_nonzero_with_clear_error(self):
        code, out = self.run_serve(FAKE_CMAKE_FAIL="1")
        self.assertNotEqual(code, 0)
        self.assertIn("fake cmake: error: boom", out)
        self.assertIn("failed", out)
        self.assertIn("--no-build", out)
        self.assertNotIn("Threadlab playground: http", out)
        self.assertNotIn("Traceback", out)

    def test_failed_setup_warns_and_still_builds(self):
        self.env["FAKE_SETUP_FAIL"] = "1"
        out, status, body = self.serve_once()
        self.assertEqual((status, body), (200, b"<p>BUILT</p>\n"))
        self.assertIn("setup.sh failed; trying the build anyway", out)
        self.assertEqual(self.calls()[-1], "cmake --build --preset wasm-sim --target playground_web")

    def test_export_builds_the_bundle_first_and_not_after_a_failed_build(self):
        with open(os.path.join(self.repo, "web", "coi-sw.js"), "w") as f:
            f.write("// sw\n")
        dest = os.path.join(self.repo, "site")

        def export(**env):
            r = self.subprocess.run([sys.executable, self.serve, "--export", dest], cwd=self.repo,
                                    env=dict(self.env, **env), capture_output=True, timeout=30,
                                    stdin=self.subprocess.DEVNULL)
            return r.returncode, r.stdout.decode() + r.stderr.decode()
        code, out = export(FAKE_CMAKE_FAIL="1")
        self.assertNotEqual(code, 0)
        self.assertFalse(os.path.exists(dest))
        self.calls()
        code, out = export()
        self.assertEqual(code, 0, out)
        self.assertEqual(self.calls()[-1], "cmake --build --preset wasm-sim --target playground_web")
        with open(os.path.join(dest, "index.html")) as f:
            self.assertEqual(f.read(), "<p>BUILT</p>\n")
        self.assertNotIn("Threadlab playground: http", out)  # exported, not served

    def test_build_without_bundle_output_exits_nonzero(self):
        code, out = self.run_serve(FAKE_CMAKE_NO_OUTPUT="1")
        self.assertNotEqual(code, 0)
        self.assertIn("index.html", out)
        self.assertNotIn("Threadlab playground: http", out)


if __name__ == "__main__":
    unittest.main()
