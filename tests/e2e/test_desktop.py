"""The desktop playground (GLFW + OpenGL 3.3) runs a scenario under Xvfb and takes a screenshot.

Needs the native build of threadlab-playground (tests/run.sh builds it in its native stage; by
hand: `cmake --preset native && cmake --build --preset native --target threadlab-playground`).
THREADLAB_NATIVE_BUILD names the build directory (default build/native). Without the binary the
tests are skipped, or fail when CI is set. The screenshot is kept in tests/artifacts/e2e/.
"""

import json
import os
import shutil
import struct
import subprocess
import tempfile
import unittest
import zlib

from servehelper import REPO

BUILD = os.environ.get("THREADLAB_NATIVE_BUILD", os.path.join(REPO, "build", "native"))
BINARY = os.path.join(BUILD if os.path.isabs(BUILD) else os.path.join(REPO, BUILD),
                      "src", "playground", "threadlab-playground")
ARTIFACTS = os.path.join(REPO, "tests", "artifacts", "e2e")
XVFB = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24"]


def read_png(path):
    """(width, height, rows as bytes) of an 8-bit RGB/RGBA non-interlaced PNG (stdlib only)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG: %r" % data[:8])
    pos, idat = 8, []
    width = height = color_type = bit_depth = None
    while pos < len(data):
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if ctype == b"IHDR":
            width, height, bit_depth, color_type = struct.unpack(">IIBB", chunk[:10])
        elif ctype == b"IDAT":
            idat.append(chunk)
        pos += 12 + length
    if bit_depth != 8 or color_type not in (2, 6):
        raise ValueError("unsupported PNG: depth %s colour type %s" % (bit_depth, color_type))
    bpp = 4 if color_type == 6 else 3
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        filt = raw[y * (stride + 1)]
        line = raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)]
        cur = bytearray(stride)
        for i in range(stride):
            a = cur[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if filt == 0:
                p = 0
            elif filt == 1:
                p = a
            elif filt == 2:
                p = b
            elif filt == 3:
                p = (a + b) >> 1
            else:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            cur[i] = (line[i] + p) & 255
        rows.append(bytes(cur))
        prev = cur
    return width, height, bpp, rows


@unittest.skipUnless(os.path.exists(BINARY) or os.environ.get("CI"), "desktop playground missing: " + BINARY)
class DesktopPlayground(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(BINARY):
            raise AssertionError("desktop playground missing: %s (run tests/run.sh --only native, "
                                 "or set THREADLAB_NATIVE_BUILD)" % BINARY)
        if shutil.which("xvfb-run") is None:
            raise AssertionError("xvfb-run missing (apt-get install xvfb)")

    def run_app(self, *args, timeout=120):
        return subprocess.run(XVFB + [BINARY] + list(args), cwd=REPO, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    def test_sleep_scenario_runs_and_is_screenshotted(self):
        os.makedirs(ARTIFACTS, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix="threadlab-desktop-")
        self.addCleanup(shutil.rmtree, tmp, True)
        report_path = os.path.join(tmp, "report.json")
        shot = os.path.join(ARTIFACTS, "desktop.png")
        if os.path.exists(shot):
            os.remove(shot)
        proc = self.run_app("--kind", "sleep", "--count", "5", "--seconds", "0.3", "--mode", "threads",
                            "--run", "--exit-when-done", "--size", "1280x800",
                            "--screenshot", shot, "--report", report_path)
        self.assertEqual(proc.returncode, 0, "stdout:\n%s\nstderr:\n%s" % (proc.stdout, proc.stderr))
        with open(report_path) as f:
            report = json.load(f)
        tasks = report["tasks"]
        self.assertEqual(len(tasks), 5, report)
        self.assertTrue(all(t["status"] == "done" for t in tasks), report)
        self.assertEqual(len({t["thread"] for t in tasks}), 5, report)
        print("\n# desktop 5 x 0.3 s threads: wall %s ms" % report["wall_ms"])
        self.assertGreaterEqual(report["wall_ms"], 300)
        self.assertLess(report["wall_ms"], 1500)
        # The speed-up is against the same 5 sleeps one after another (5 x 0.3 s), over the wall time.
        self.assertEqual(report["sequential_ms"], 1500.0, report)
        self.assertAlmostEqual(report["speedup"], 1500.0 / report["wall_ms"], delta=0.01)
        self.assertEqual(len([l for l in report["console"].splitlines() if "Sleeping 0.3 Second(s)..." in l]), 5,
                         report["console"])

        self.assertTrue(os.path.exists(shot), "no screenshot written")
        self.assertGreater(os.path.getsize(shot), 10_000, "screenshot suspiciously small")
        width, height, bpp, rows = read_png(shot)
        self.assertEqual((width, height), (1280, 800))
        colours = set()
        for row in rows[::8]:
            for x in range(0, width * bpp, bpp * 4):
                colours.add(row[x:x + 3])
        self.assertGreater(len(colours), 20, "the screenshot looks blank: %d colours" % len(colours))

    def test_window_fits_a_small_screen(self):
        # Without --size the window opens at 1280 x 800, or the screen's work area if smaller.
        tmp = tempfile.mkdtemp(prefix="threadlab-desktop-")
        self.addCleanup(shutil.rmtree, tmp, True)
        shot = os.path.join(tmp, "small.png")
        proc = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1024x600x24", BINARY, "--kind", "sleep", "--count", "1",
                               "--seconds", "0.1", "--run", "--exit-when-done", "--screenshot", shot],
                              cwd=REPO, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        width, height, _, _ = read_png(shot)
        self.assertEqual((width, height), (1024, 600))

    def report_of(self, *args):
        tmp = tempfile.mkdtemp(prefix="threadlab-desktop-")
        self.addCleanup(shutil.rmtree, tmp, True)
        path = os.path.join(tmp, "report.json")
        proc = self.run_app(*args, "--run", "--exit-when-done", "--report", path)
        self.assertEqual(proc.returncode, 0, "stdout:\n%s\nstderr:\n%s" % (proc.stdout, proc.stderr))
        with open(path) as f:
            return json.load(f)

    def test_gil_serialises_cpu_work_but_not_waiting(self):
        # 4 CPU tasks of 1 s: with the GIL (Python mode) no faster than one after another - a
        # busy machine only makes that slower, so the bound holds anywhere.
        report = self.report_of("--preset", "cpu-bound", "--gil")
        print("\n# desktop cpu-bound with the GIL: wall %s ms, speed-up %s" % (report["wall_ms"], report["speedup"]))
        self.assertEqual(report["done"], 4, report["console"])
        self.assertGreaterEqual(report["wall_ms"], 3600)
        self.assertIn("With the GIL, 4 CPU tasks took", report["lesson"])
        # Without it, C++ threads use both cores: faster than one after another (fastest of 3).
        walls = []
        for _ in range(3):
            free = self.report_of("--preset", "cpu-bound")
            walls.append(free["wall_ms"])
            if free["wall_ms"] < 4000 / 1.2:  # the assertion's own bound (speedup is rounded)
                break
        print("# desktop cpu-bound without a GIL: walls %s ms" % walls)
        self.assertLess(min(walls), 4000 / 1.2, "no gain from 2 cores in %s" % walls)
        # Sleeping threads give the GIL up: 10 x 1 s still take about 1 s.
        sleeps = self.report_of("--preset", "ten-threads", "--gil", "--seconds", "0.5")
        self.assertLess(sleeps["wall_ms"], 1500, sleeps["console"])
        self.assertIn("gives the GIL up", sleeps["lesson"])

    def test_deadlocks_are_named_broken_and_the_programs_end(self):
        # The tutorial's deadlock programs, as written, under the detector the playground installs.
        report = self.report_of("--preset", "deadlock")
        self.assertEqual(len(report["deadlocks"]), 1, report["console"])
        self.assertRegex(report["deadlocks"][0]["message"],
                         r"^Deadlock: Thread-\d+ \(first_[ab]_then_[ab]\) holds lock_[ab] and waits for lock_[ab]; "
                         r"Thread-\d+ \(first_[ab]_then_[ab]\) holds lock_[ab] and waits for lock_[ab]$")
        self.assertLess(report["deadlocks"][0]["at_ms"], 2000)
        self.assertTrue(report["console"].rstrip().endswith("both threads finished"), report["console"])
        pool = self.report_of("--preset", "pool-deadlock")
        self.assertEqual([d["message"] for d in pool["deadlocks"]],
                         ["Deadlock: ThreadPoolExecutor-0_0 runs a task that waits for a future queued behind it "
                          "on the same pool (max_workers=1)"], pool["console"])
        self.assertIn("DeadlockError: Deadlock:", pool["console"])
        print("\n# desktop deadlocks found at %s ms and %s ms" % (report["deadlocks"][0]["at_ms"], pool["deadlocks"][0]["at_ms"]))

    def test_trace_flag_writes_a_chrome_trace_with_a_named_thread_per_lane(self):
        tmp = tempfile.mkdtemp(prefix="threadlab-trace-")
        self.addCleanup(shutil.rmtree, tmp, True)
        trace_path = os.path.join(tmp, "trace.json")
        report = self.report_of("--preset", "producer-consumer", "--trace", trace_path)
        with open(trace_path) as f:
            events = json.load(f)["traceEvents"]
        named = {e["tid"]: e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
        # One named thread per lane of the run (the UI's own main thread may be in it too).
        self.assertTrue({t["thread"] for t in report["tasks"]} <= set(named.values()), (named, report["tasks"]))
        slices = [e for e in events if e["ph"] == "X"]
        self.assertTrue(all(e["tid"] in named for e in slices))
        self.assertIn("waiting on a Condition", {e["name"] for e in slices})  # get() on the empty Queue

    def test_tab_then_enter_runs_the_example(self):
        # Real key presses (xdotool, through the X server's XTEST) into the window: the first Tab
        # goes to Run and Enter presses it, as on the web. With no window manager, X gives the
        # keyboard to the window under the pointer.
        if shutil.which("xdotool") is None:
            raise AssertionError("xdotool missing (scripts/setup.sh installs it)")
        tmp = tempfile.mkdtemp(prefix="threadlab-keys-")
        self.addCleanup(shutil.rmtree, tmp, True)
        report_path = os.path.join(tmp, "report.json")
        script = """
            "$0" --preset ten-threads --seconds 0.2 --size 1024x700 --report "$1" &
            app=$!
            xdotool search --sync --onlyvisible --name "Threadlab playground" >/dev/null
            sleep 1
            [ -e "$1" ] && { echo "a report before any key"; kill $app; exit 3; }
            xdotool mousemove 500 350 key Tab key Return
            for i in $(seq 200); do [ -s "$1" ] && break; sleep 0.1; done
            kill $app
            wait $app
        """
        proc = subprocess.run(XVFB + ["sh", "-c", script, BINARY, report_path], cwd=REPO, capture_output=True,
                              text=True, timeout=120, stdin=subprocess.DEVNULL)
        self.assertNotIn("a report before any key", proc.stdout)
        self.assertTrue(os.path.exists(report_path), "Tab, Enter ran nothing:\n%s\n%s" % (proc.stdout, proc.stderr))
        with open(report_path) as f:
            report = json.load(f)
        self.assertEqual(report["done"], 10, report["console"])
        self.assertEqual(report["console"].count("Sleeping 0.2 Second(s)..."), 10, report["console"])

    def test_invalid_flag_exits_2_with_a_message(self):
        proc = self.run_app("--count", "0", timeout=60)
        self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
        self.assertIn("Invalid scenario: count must be 1..1000, got '0'", proc.stderr)
        proc = self.run_app("--no-such-flag", "x", timeout=60)
        self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
        self.assertIn("unknown key 'no_such_flag'", proc.stderr)


if __name__ == "__main__":
    unittest.main()
