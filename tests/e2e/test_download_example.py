"""The tutorial's 15-image download (examples/download_images.cpp) against the real serve.py.

Needs the native build (tests/run.sh builds it in its native stage; by hand:
`cmake --preset native && cmake --build --preset native --target download_images`), and for the
same tests on simulated threads the sim build (its sim stage; `cmake --preset sim && cmake --build
--preset sim --target download_images`).
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from servehelper import REPO, ServeProcess

BINARY = os.path.join(os.environ.get("THREADLAB_NATIVE_BUILD", os.path.join(REPO, "build", "native")),
                      "examples", "download_images")
SIM_BINARY = os.path.join(REPO, "build", "sim", "examples", "download_images")
DOWNLOADED = re.compile(r"^photo-[0-9a-f]+-[0-9a-f]+ is downloaded\.\.\.$")
FINISHED = re.compile(r"^Finished in ([0-9.e-]+) seconds$")


def run_example(test, server_url, *args, timeout=60, env=None):
    out = tempfile.mkdtemp(prefix="threadlab-dl-")
    test.addCleanup(shutil.rmtree, out, True)
    started = time.monotonic()
    proc = subprocess.run([test.binary, "--server", server_url, "--out", out] + list(args),
                          capture_output=True, text=True, timeout=timeout, env=env)
    return proc, out, time.monotonic() - started


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DownloadExample(unittest.TestCase):
    binary, stage = BINARY, "native"

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(cls.binary):
            if not os.environ.get("CI"):
                raise unittest.SkipTest("%s build missing: %s" % (cls.stage, cls.binary))
            raise AssertionError("%s build missing: %s (run tests/run.sh --only %s)" % (cls.stage, cls.binary, cls.stage))
        cls.server = ServeProcess(["--no-build", "--quiet"])

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_fifteen_downloads_on_fifteen_workers_take_about_one_latency(self):
        proc, out, _ = run_example(self, self.server.url.rstrip("/"), "--workers", "15", "--latency-ms", "300")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        lines = proc.stdout.splitlines()
        self.assertEqual(len(lines), 16, proc.stdout)
        self.assertTrue(all(DOWNLOADED.match(line) for line in lines[:15]), proc.stdout)
        seconds = float(FINISHED.match(lines[15]).group(1))
        self.assertGreaterEqual(seconds, 0.29)
        self.assertLess(seconds, 1.5)
        files = sorted(os.listdir(out))
        self.assertEqual(len(files), 15)
        for name in files:
            with open(os.path.join(out, name), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n", name)
            status, _, body = self.server.get("/images/" + name[:-4] + ".png")
            self.assertEqual(status, 200)
            self.assertEqual(os.path.getsize(os.path.join(out, name)), len(body), name)

    def test_one_worker_downloads_one_after_another(self):
        proc, _, _ = run_example(self, self.server.url.rstrip("/"), "--workers", "1", "--latency-ms", "300")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        seconds = float(FINISHED.match(proc.stdout.splitlines()[-1]).group(1))
        self.assertGreaterEqual(seconds, 4.5)

    def test_refused_connection_is_reported_per_image_and_the_program_finishes(self):
        proc, out, _ = run_example(self, "http://127.0.0.1:%d" % free_port(), "--latency-ms", "0")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        lines = proc.stdout.splitlines()
        self.assertEqual(sum(line.endswith(" failed: connection refused") for line in lines), 15, proc.stdout)
        self.assertTrue(FINISHED.match(lines[-1]), proc.stdout)
        self.assertEqual(os.listdir(out), [])


class SimulatedThreadsDownloadExample(DownloadExample):
    """The same on simulated threads: every Thread a fiber of one OS thread, yet the 15 downloads
    overlap (each fiber waits while libcurl's multi interface moves its transfer on)."""
    binary, stage = SIM_BINARY, "sim"

    def test_on_the_virtual_clock_a_download_takes_the_time_it_really_takes(self):
        # Virtual time stands still while threads compute and jumps over sleeps, but a download
        # is the server's time: with every thread waiting for one, the clock follows the wall.
        env = dict(os.environ, THREADLAB_CLOCK="virtual")
        for workers, at_least in (("15", 0.29), ("5", 0.89)):  # one latency; three waves of five
            proc, _, _ = run_example(self, self.server.url.rstrip("/"), "--workers", workers, "--latency-ms", "300", env=env)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            seconds = float(FINISHED.match(proc.stdout.splitlines()[-1]).group(1))
            self.assertGreaterEqual(seconds, at_least, (workers, proc.stdout))
            self.assertLess(seconds, at_least + 1.5, (workers, proc.stdout))


if __name__ == "__main__":
    unittest.main()
