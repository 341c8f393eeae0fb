"""Shared fixtures for the end-to-end tests of `labelite serve` (run by tests/server/run.sh).

Each test module starts real servers (the built binary, on a free loopback port) over the
shared test models, and compares what the routes return with `labelite classify --format json`.
"""
import http.client
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

LABELITE = os.environ.get("LABELITE_CLI", "")
TESTDATA = Path(os.environ.get("LABELITE_TESTDATA", Path(__file__).resolve().parents[3] / "shared" / "testdata"))
MODELS = TESTDATA / "models"
IMAGES = TESTDATA / "images"
LABELS = TESTDATA / "labels"

MNV2 = MODELS / "mobilenet_v2_1.0_224_quant.tflite"           # uint8, embedded labels
V1_FLOAT = MODELS / "mobilenet_v1_0.25_224_1_metadata_1.tflite"  # float32, embedded labels
V1_BARE = MODELS / "mobilenet_v1_0.25_224_quant_without_subgraph_metadata.tflite"  # no labels
TINY = MODELS / "mobilenet_v1_0.25_128_quant.tflite"


class Server:
    """A `labelite serve` process on a free port; stopped with SIGTERM."""

    def __init__(self, *args, startup_s=120):
        assert LABELITE and Path(LABELITE).exists(), f"LABELITE_CLI={LABELITE!r} is not the built labelite"
        self.proc = subprocess.Popen([LABELITE, "serve", "--port", "0", *map(str, args)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.log = []
        deadline = time.monotonic() + startup_s
        self.port = None
        while self.port is None:
            line = self.proc.stderr.readline()
            if not line:
                raise AssertionError("labelite serve exited: " + "".join(self.log))
            self.log.append(line)
            if "listening on http://" in line:
                self.port = int(line.rsplit(":", 1)[1].strip().rstrip("/"))
            assert time.monotonic() < deadline, "labelite serve did not start: " + "".join(self.log)

    def conn(self, timeout=120):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, conn=None):
        """(status, headers dict, body bytes)."""
        c = conn or self.conn()
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        if conn is None:
            c.close()
        return r.status, hdrs, data

    def json(self, method, path, body=None, headers=None, conn=None):
        status, hdrs, data = self.request(method, path, body, headers, conn)
        assert hdrs.get("content-type", "").startswith("application/json"), (status, hdrs, data[:200])
        return status, json.loads(data)

    def stop(self, timeout=60):
        """SIGTERM; returns the exit code and the rest of stderr."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rest = self.proc.communicate(timeout=timeout)[1]
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rest = self.proc.communicate()[1]
            raise AssertionError("labelite serve did not exit within %d s of SIGTERM" % timeout)
        self.log.append(rest)
        return self.proc.returncode, rest

    def rss_kib(self):
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")


def cli_records(model, images, top_k=5, labels=None):
    """`labelite classify --format json` records, by file path."""
    # --threshold 0: the routes return k classes as Triton and TF Serving do, zero scores included
    # (the CLI leaves scores of exactly 0 out unless --threshold 0 is given).
    cmd = [LABELITE, "classify", "--model", str(model), "--format", "json", "--top-k", str(top_k), "-q",
           "--threshold", "0"]
    if labels:
        cmd += ["--labels", str(labels)]
    out = subprocess.run(cmd + [str(i) for i in images], check=True, capture_output=True, text=True).stdout
    return {r["file"]: r for r in json.loads(out)}


@pytest.fixture(scope="session")
def server():
    s = Server("--model", f"mnv2={MNV2}", "--model", f"v1float={V1_FLOAT}", "--model", f"v1bare={V1_BARE}",
               "--labels", f"v1bare={LABELS / 'mobilenet_labels_1001.txt'}", "--threads", "2")
    yield s
    code, _ = s.stop()
    assert code == 0
