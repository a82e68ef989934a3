"""`svcgen graph --format html` in a real headless browser (Debian's chromium): the page's script
runs and opens the service named in the URL (`#service=ledger`), and the page draws something.

chromium is run twice on the file (no server, no network): --dump-dom prints the DOM after the
script ran, --screenshot writes a PNG of a 1400x900 window. Skipped when chromium is not installed
(.ci/run installs it).
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from html import unescape
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TIMEOUT_S = 90

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium); "
                                                          "the HTML graph's browser test needs a headless browser")]


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    from generator.cli import main

    out = tmp_path_factory.mktemp("graph") / "fleet graph.html"  # a space: the file URL must be quoted
    assert main(["graph", str(ROOT / "specs"), "--format", "html", "--out", str(out)]) == 0
    return out


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    command = [CHROMIUM, "--headless=new", "--disable-gpu", "--no-sandbox", "--no-first-run",
               "--disable-extensions", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def panel_html(dom: str) -> str:
    m = re.search(r'<aside id="panel"[^>]*>(.*?)</aside>', dom, re.S)
    assert m, "no side panel in the DOM"
    return m.group(1)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def panel_text(dom: str) -> str:
    return text_of(panel_html(dom))


def table_rows(html: str) -> dict[str, list[str]]:
    """The panel's table rows by their first cell's first word (a function's name)."""
    rows = [[text_of(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in re.findall(r"<tr>(.*?)</tr>", html, re.S)]
    return {r[0].split()[0]: r for r in rows if r}


def test_service_in_the_url_opens_its_panel(page, tmp_path):
    dom = chromium(tmp_path, "--dump-dom", page.as_uri() + "#service=ledger").stdout
    assert re.search(r'<aside id="panel"[^>]*data-service="ledger"', dom), "the script did not select ledger"
    text = panel_text(dom)
    assert text.startswith("ledger The bank's double-entry ledger")
    assert "Owner team-core-banking" in text and "Runtime python3.12" in text
    for function in ("get-balance", "post-transaction", "project-balance", "settle-balance"):
        assert function in text
    functions, queues = re.findall(r"<table[^>]*>.*?</table>", panel_html(dom), re.S)[:2]
    post = table_rows(functions)["post-transaction"]
    assert post[1:] == ["queue", "python3.12", "512 MB", "10 s"]  # trigger, runtime, memory, timeout
    assert "PaymentSettled from payments" in post[0]  # what triggers it
    assert "Queues (3)" in text
    assert table_rows(queues)["settle-balance"] == ["settle-balance", "yes", "5"]  # FIFO, max receives
    assert "notify-customer [amount: >= 10000]" in text  # who gets its store events, with the filter
    assert "team-accounts" not in text and "check-kyc" not in text  # only ledger's
    assert re.search(r'<g class="service selected" data-service="ledger"', dom)
    assert 'class="has-selection"' in dom or re.search(r'<svg[^>]*class="[^"]*has-selection', dom)


def test_no_service_in_the_url_shows_the_hint(page, tmp_path):
    text = panel_text(chromium(tmp_path, "--dump-dom", page.as_uri()).stdout)
    assert text == "Click a service to see its functions, queues, workflows, owner and runtime."


def test_screenshot_is_not_blank(page, tmp_path):
    shot = tmp_path / "graph.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=1400,900", page.as_uri() + "#service=ledger")
    width, height, pixels = png_pixels(shot.read_bytes())
    assert (width, height) == (1400, 900)
    colours = {p for row in pixels for p in row}
    graph = {p for row in pixels[120:500] for p in row[:900]}  # where the boxes and arrows are
    assert len(colours) > 500, f"only {len(colours)} colours: blank?"
    assert len(graph) > 100, f"only {len(graph)} colours where the graph should be"


def png_pixels(data: bytes) -> tuple[int, int, list[list[bytes]]]:
    """The RGB pixels of an 8-bit, non-interlaced RGB or RGBA PNG (what chromium writes), by row."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    width, height, depth, colour_type, _, _, interlace = header
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, header
    bpp = 3 if colour_type == 2 else 4
    raw, stride = zlib.decompress(b"".join(idat)), width * bpp
    prev, rows = bytearray(stride), []
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if kind == 1:  # Sub
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:  # Up
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif kind == 3:  # Average
            for i in range(stride):
                line[i] = (line[i] + ((line[i - bpp] if i >= bpp else 0) + prev[i]) // 2) & 255
        elif kind == 4:  # Paeth
            for i in range(stride):
                a, b, c = (line[i - bpp], prev[i], prev[i - bpp]) if i >= bpp else (0, prev[i], 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([bytes(line[i:i + 3]) for i in range(0, stride, bpp)])
        prev = line
    return width, height, rows
