"""The web page (GET /) in headless Chromium: a real file upload through the page's own form
handling, the top classes it draws (same as `labelite classify`), no request leaving the
server, and a screenshot whose score bars have the lengths of the scores.

Chromium is driven over the DevTools protocol on a pipe (--remote-debugging-pipe: fds 3 and 4,
NUL-terminated JSON messages), so no driver package is needed."""
import base64
import io
import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest
from PIL import Image

from conftest import IMAGES, MNV2, Server, cli_records


def find_chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    message = "no chromium (Debian package chromium; scripts/install-deps.sh installs it)"
    if os.environ.get("LABELITE_REQUIRE_ORACLE") == "1":
        pytest.fail(message)
    pytest.skip(message)


class Chromium:
    def __init__(self, path, user_dir):
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def wire():  # the child's fds 3 (commands in) and 4 (replies out)
            a, b = os.dup(to_child_r), os.dup(from_child_w)  # above 4, so neither dup2 clobbers the other
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [path, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars",
             f"--user-data-dir={user_dir}", "--remote-debugging-pipe", "--window-size=900,700", "about:blank"],
            preexec_fn=wire, pass_fds=(3, 4),  # fds are closed after preexec_fn, except these stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def send(self, method, params=None, session=True, timeout=60):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.to_child, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self.read(deadline)
            if reply.get("id") == self.next_id:
                assert "error" not in reply, (method, reply)
                return reply.get("result", {})
            self.events.append(reply)

    def read(self, deadline):
        while b"\0" not in self.buf:
            assert time.monotonic() < deadline, "no reply from chromium"
            chunk = os.read(self.from_child, 1 << 20)
            assert chunk, "chromium closed the pipe"
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def eval(self, expression):
        r = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return r["result"].get("value")

    def close(self):
        try:
            self.send("Browser.close", session=False, timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_child)
        os.close(self.from_child)


def test_page_upload_shows_the_top_classes_with_bars(tmp_path):
    chromium = find_chromium()
    img = IMAGES / "burger.jpg"
    want = cli_records(MNV2, [img], top_k=5)[str(img)]["results"]
    s = Server("--model", f"mnv2={MNV2}", "--threads", "1")
    browser = Chromium(chromium, tmp_path / "profile")
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        browser.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                       session=False)["sessionId"]
        for domain in ("Page", "Network", "Runtime", "DOM"):
            browser.send(domain + ".enable")
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": 900, "height": 700, "deviceScaleFactor": 1, "mobile": False})
        base = f"http://127.0.0.1:{s.port}/"
        browser.send("Page.navigate", {"url": base})
        deadline = time.monotonic() + 30
        while browser.eval("document.readyState") != "complete":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert browser.eval("document.title") == "labelite"
        assert browser.eval("document.getElementById('model').value") == "mnv2"

        root = browser.send("DOM.getDocument")["root"]["nodeId"]
        node = browser.send("DOM.querySelector", {"nodeId": root, "selector": "#file"})["nodeId"]
        upload = tmp_path / "upload" / img.name  # a plain file of its own (Chromium refuses some symlinked paths)
        upload.parent.mkdir()
        shutil.copyfile(img, upload)
        browser.send("DOM.setFileInputFiles", {"nodeId": node, "files": [str(upload)]})
        deadline = time.monotonic() + 60
        while browser.eval("document.getElementById('results').dataset.done") != "1":
            error = browser.eval("document.getElementById('error').textContent")
            assert error == "", (error, [e["params"] for e in browser.events if e.get("method") == "Network.loadingFailed"])
            assert time.monotonic() < deadline, "the page showed no result"
            time.sleep(0.1)
        shown = browser.eval("""Array.from(document.querySelectorAll('#results .cls')).map(d => ({
              label: d.querySelector('.name span').textContent,
              score: d.querySelector('.name span:last-child').textContent,
              width: d.querySelector('.fill').getBoundingClientRect().width,
              track: d.querySelector('.bar').getBoundingClientRect().width}))""")
        assert [r["label"] for r in shown] == [c["label"] for c in want]
        assert [r["score"] for r in shown] == ["%.1f%%" % (100 * c["score"]) for c in want]
        for r, c in zip(shown, want):
            assert abs(r["width"] / r["track"] - c["score"]) < 0.01
        # The preview shows the uploaded picture.
        assert browser.eval("document.getElementById('preview').naturalWidth") == Image.open(img).width

        # Nothing was fetched from anywhere but this server (and the blob preview).
        urls = [e["params"]["request"]["url"] for e in browser.events if e.get("method") == "Network.requestWillBeSent"]
        assert any(u.startswith(base + "v1/classify") for u in urls), urls
        assert all(u.startswith(base) or u.startswith("blob:") or u.startswith("data:") for u in urls), urls

        shot = browser.send("Page.captureScreenshot", {"format": "png"})["data"]
        png = Image.open(io.BytesIO(base64.b64decode(shot))).convert("RGB")
        (tmp_path / "page.png").write_bytes(base64.b64decode(shot))
        check_screenshot(png, browser, want)

        # A file that is not an image: the server's one-line error is shown, no stale bars.
        notes = tmp_path / "upload" / "notes.txt"
        notes.write_text("not a picture\n")
        browser.send("DOM.setFileInputFiles", {"nodeId": node, "files": [str(notes)]})
        deadline = time.monotonic() + 30
        while not browser.eval("document.getElementById('error').textContent"):
            assert time.monotonic() < deadline, "the page showed no error"
            time.sleep(0.1)
        error = browser.eval("document.getElementById('error').textContent")
        assert "unrecognized image format" in error, error
        assert browser.eval("document.querySelectorAll('#results .cls').length") == 0
    finally:
        browser.close()
        assert s.stop()[0] == 0


def check_screenshot(png, browser, want):
    """The first bar in the picture: blue (#2f6fde) fill over a grey (#dde2ea) track, the fill's
    share of the track's pixels equal to the top score."""
    box = browser.eval("""(() => { const r = document.querySelector('#results .bar').getBoundingClientRect();
                               return [r.left, r.top, r.width, r.height]; })()""")
    left, top, width, height = box
    y = int(top + height / 2)
    row = [png.getpixel((x, y)) for x in range(int(left) + 1, int(left + width) - 1)]

    def near(p, q):
        return all(abs(a - b) <= 12 for a, b in zip(p, q))

    blue = sum(near(p, (0x2f, 0x6f, 0xde)) for p in row)
    grey = sum(near(p, (0xdd, 0xe2, 0xea)) for p in row)
    assert blue + grey >= 0.9 * len(row), (blue, grey, len(row))
    assert abs(blue / (blue + grey) - want[0]["score"]) < 0.02, (blue, grey, want[0]["score"])
    # The preview image is drawn (not a blank area): many distinct colours.
    prev = browser.eval("""(() => { const r = document.getElementById('preview').getBoundingClientRect();
                                return [r.left, r.top, r.width, r.height]; })()""")
    crop = png.crop((int(prev[0]), int(prev[1]), int(prev[0] + prev[2]), int(prev[1] + prev[3])))
    assert len(crop.getcolors(maxcolors=1 << 24)) > 500
