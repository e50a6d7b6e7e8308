"""The simulated internet: the tutorial's 15 photos as generated PNGs (and a page showing them),
the byte pattern of /bytes/<n>, and the query parameters every simulated endpoint takes.

No sockets here: server.py serves what this module makes and applies the parameters.
"""

import json
import random
import re
import struct
import urllib.parse
import zlib

MAX_BYTES = 50 * 1024 * 1024  # the largest /bytes/<n>
HANG_FIRST_CHUNK = 16384  # hang=1 sends this much of the body, then nothing more
HANG_MAX_SECONDS = 120.0  # ... and closes the connection after this long

# The query parameters every simulated endpoint takes.
PARAMS = {  # name: (min, max, meaning)
    "latency_ms": (0, 60000, "milliseconds to wait before the headers"),
    "kbps": (1, 1000000, "kilobits per second for the body"),
    "status": (200, 599, "HTTP status to answer with"),
    "cut": (0, 1, "1 = close the connection after half the body"),
    "hang": (0, 1, "1 = send the first chunk of the body, then stall"),
}


class BadRequest(Exception):
    """A request answered with 400; the message says what was wrong."""


_INT = re.compile(r"[0-9]{1,10}")


def parse_params(query):
    """The simulation parameters of a query string: {name: int}. Raises BadRequest."""
    values = {}
    for name, value in urllib.parse.parse_qsl(query, keep_blank_values=True, errors="replace"):
        if name not in PARAMS:
            continue
        lo, hi, meaning = PARAMS[name]
        rule = "%s must be an integer from %d to %d (%s)" % (name, lo, hi, meaning)
        if name in values:
            raise BadRequest("%s is given more than once; %s." % (name, rule))
        if not _INT.fullmatch(value) or not lo <= int(value) <= hi:
            raise BadRequest("Bad value %r for %s: %s." % (value[:40], name, rule))
        values[name] = int(value)
    if values.get("cut") and values.get("hang"):
        raise BadRequest("cut=1 and hang=1 cannot be combined.")
    return values


# ------------------------------------------------------------------------------------------------
# /bytes/<n>


def bytes_count(text):
    """The n of /bytes/<n>, checked. Raises BadRequest."""
    if not _INT.fullmatch(text) or int(text) > MAX_BYTES:
        raise BadRequest("/bytes/<n>: n must be an integer from 0 to %d (50 MiB); got %r." % (MAX_BYTES, text[:40]))
    return int(text)


# Byte i of a /bytes body is i % 251 (a prime period, so a shifted or truncated body shows).
PERIOD = 251
_PERIOD_BYTES = bytes(range(PERIOD))


def pattern_slice(offset, size):
    """Bytes offset .. offset + size of the /bytes body."""
    start = offset % PERIOD
    return (_PERIOD_BYTES * ((start + size) // PERIOD + 1))[start:start + size]


# ------------------------------------------------------------------------------------------------
# Images: 320x240 RGB PNGs, encoded here with zlib + struct.

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
    """/images/: an HTML page showing the 15 images."""
    items = "\n".join(
        '<figure><img src="/images/%s.png" width="%d" height="%d" alt="image %d">'
        "<figcaption>%d. %s</figcaption></figure>" % (n, W, H, i + 1, i + 1, n)
        for i, n in enumerate(IMAGE_NAMES))
    return ("<!doctype html><meta charset=utf-8><title>Threadlab simulated images</title>"
            "<style>body{font-family:sans-serif;background:#222;color:#ddd}"
            "figure{display:inline-block;margin:8px}</style>"
            "<h1>The tutorial's 15 images (generated by serve.py)</h1>%s\n"
            '<p>List: <a href="/images/index.json">/images/index.json</a></p>' % items).encode()

