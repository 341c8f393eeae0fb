"""Every route of `labelite serve` on real models: results identical to `labelite classify`."""
import base64
import json
import struct
import subprocess
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import IMAGES, LABELS, MNV2, TINY, V1_BARE, V1_FLOAT, Server, cli_records

PHOTOS = [IMAGES / n for n in ("burger.jpg", "cat.bmp", "sparrow.png", "parrot.jpg", "burger-224.png")]
MNV2_OUT = "MobilenetV2/Predictions/Softmax"


@pytest.fixture(scope="module")
def cli_mnv2():
    return cli_records(MNV2, PHOTOS, top_k=5)


def b64(path):
    return base64.b64encode(Path(path).read_bytes()).decode()


def multipart(field, filename, data):
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def kserve_output(reply, name):
    return next(o for o in reply["outputs"] if o["name"] == name)


def triton_string(c):
    return "%f:%d:%s" % (np.float32(c["score"]), c["index"], c["label"])


# --- plain route ------------------------------------------------------------------------------

def test_plain_raw_body_is_the_cli_record(server, cli_mnv2):
    for img in PHOTOS:
        status, rec = server.json("POST", "/v1/classify?model=mnv2", Path(img).read_bytes(),
                                  {"Content-Type": "application/octet-stream"})
        assert status == 200
        want = cli_mnv2[str(img)]
        assert rec["results"] == want["results"], img
        assert rec["model"] == want["model"] == MNV2.name
        assert rec["error"] is None and rec["file"] == "-"


def test_plain_curl_default_content_type_and_top_k(server):
    # curl --data-binary sends application/x-www-form-urlencoded; the image must still be read whole.
    status, rec = server.json("POST", "/v1/classify?model=mnv2&top_k=2", (IMAGES / "parrot.jpg").read_bytes(),
                              {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200
    want = cli_records(MNV2, [IMAGES / "parrot.jpg"], top_k=2)[str(IMAGES / "parrot.jpg")]
    assert rec["results"] == want["results"] and len(rec["results"]) == 2


def test_plain_multipart_keeps_the_file_name(server, cli_mnv2):
    body, headers = multipart("file", "my cat.bmp", (IMAGES / "cat.bmp").read_bytes())
    status, rec = server.json("POST", "/v1/classify?model=mnv2", body, headers)
    assert status == 200
    assert rec["file"] == "my cat.bmp"
    assert rec["results"] == cli_mnv2[str(IMAGES / "cat.bmp")]["results"]


def test_plain_with_labels_option_and_float_model(server):
    imgs = [IMAGES / "burger.jpg", IMAGES / "grace_hopper.bmp"]
    bare = cli_records(V1_BARE, imgs, labels=LABELS / "mobilenet_labels_1001.txt")
    flt = cli_records(V1_FLOAT, imgs)
    for img in imgs:
        _, rec = server.json("POST", "/v1/classify?model=v1bare", img.read_bytes())
        assert rec["results"] == bare[str(img)]["results"]
        assert not rec["results"][0]["label"].startswith("class_")
        _, rec = server.json("POST", "/v1/classify?model=v1float", img.read_bytes())
        assert rec["results"] == flt[str(img)]["results"]


def test_keep_alive_serves_many_requests_on_one_connection(server, cli_mnv2):
    conn = server.conn()
    conn.connect()
    sock = conn.sock
    for i in range(20):
        img = PHOTOS[i % len(PHOTOS)]
        status, hdrs, data = server.request("POST", "/v1/classify?model=mnv2", img.read_bytes(), conn=conn)
        assert status == 200 and json.loads(data)["results"] == cli_mnv2[str(img)]["results"]
        assert hdrs.get("connection", "").lower() != "close"
        assert conn.sock is sock  # the same TCP connection, never reopened
    conn.close()


# --- KServe v2 --------------------------------------------------------------------------------

def test_kserve_metadata_and_health(server):
    assert server.json("GET", "/v2") == (200, {"name": "labelite", "version": "0.1.0",
                                               "extensions": ["classification", "binary_tensor_data"]})
    assert server.json("GET", "/v2/health/live") == (200, {"live": True})
    assert server.json("GET", "/v2/health/ready") == (200, {"ready": True})
    status, md = server.json("GET", "/v2/models/mnv2")
    assert status == 200 and md["name"] == "mnv2" and md["versions"] == ["1"]
    assert md["inputs"][0]["name"] == "input" and md["inputs"][0]["datatype"] == "BYTES"
    assert md["inputs"][0]["parameters"]["tensor_shape"] == [-1, 224, 224, 3]
    assert md["outputs"] == [{"name": MNV2_OUT, "datatype": "FP32", "shape": [-1, 1001]}]
    assert server.json("GET", "/v2/models/mnv2/versions/1/ready") == (200, {"name": "mnv2", "ready": True})
    assert server.json("GET", "/v2/models/v1float/ready") == (200, {"name": "v1float", "ready": True})


def test_kserve_json_bytes_scores_and_classification(server, cli_mnv2):
    req = {"id": "r1",
           "inputs": [{"name": "input", "datatype": "BYTES", "shape": [len(PHOTOS)],
                       "data": [b64(p) for p in PHOTOS[:-1]] + [{"b64": b64(PHOTOS[-1])}]}],
           "outputs": [{"name": MNV2_OUT}, {"name": MNV2_OUT, "parameters": {"classification": 5}}]}
    status, reply = server.json("POST", "/v2/models/mnv2/infer", json.dumps(req))
    assert status == 200, reply
    assert reply["model_name"] == "mnv2" and reply["id"] == "r1"
    scores, classes = reply["outputs"]
    assert scores["datatype"] == "FP32" and scores["shape"] == [len(PHOTOS), 1001]
    assert classes["datatype"] == "BYTES" and classes["shape"] == [len(PHOTOS), 5]
    table = np.array(scores["data"], dtype=np.float32).reshape(len(PHOTOS), 1001)
    for i, img in enumerate(PHOTOS):
        want = cli_mnv2[str(img)]["results"]
        assert classes["data"][i * 5:(i + 1) * 5] == [triton_string(c) for c in want]
        for c in want:
            assert table[i, c["index"]] == np.float32(c["score"])
        assert int(np.argmax(table[i])) == want[0]["index"]


def test_kserve_uint8_and_fp32_tensors_equal_the_image_route(server):
    img = IMAGES / "burger-224.png"  # already 224x224: the tensor is exactly what the CLI feeds
    pixels = np.asarray(Image.open(img).convert("RGB"), dtype=np.uint8)
    assert pixels.shape == (224, 224, 3)
    want_q = cli_records(MNV2, [img])[str(img)]["results"]
    req = {"inputs": [{"name": "input", "datatype": "UINT8", "shape": [1, 224, 224, 3],
                       "data": pixels.flatten().tolist()}],
           "outputs": [{"name": MNV2_OUT, "parameters": {"classification": 5}}]}
    status, reply = server.json("POST", "/v2/models/mnv2/infer", json.dumps(req))
    assert status == 200, reply
    assert reply["outputs"][0]["data"] == [triton_string(c) for c in want_q]
    # The float model takes (p - 127.5) / 127.5 (its metadata's normalization).
    status, md = server.json("GET", "/v2/models/v1float")
    name, out = md["inputs"][0]["name"], md["outputs"][0]["name"]
    assert md["inputs"][0]["parameters"]["tensor_datatype"] == "FP32"
    x = (pixels.astype(np.float32) - np.float32(127.5)) / np.float32(127.5)
    header = json.dumps({"inputs": [{"name": name, "datatype": "FP32", "shape": [224, 224, 3],
                                     "parameters": {"binary_data_size": x.nbytes}}],
                         "outputs": [{"name": out, "parameters": {"classification": 3, "binary_data": False}}]}).encode()
    status, hdrs, data = server.request("POST", "/v2/models/v1float/infer", header + x.tobytes(),
                                        {"Inference-Header-Content-Length": str(len(header))})
    assert status == 200, data
    want_f = cli_records(V1_FLOAT, [img], top_k=3)[str(img)]["results"]
    assert json.loads(data)["outputs"][0]["data"] == [triton_string(c) for c in want_f]


def test_tritonclient_binary_bytes_and_class_count(server, cli_mnv2):
    import tritonclient.http as httpclient
    client = httpclient.InferenceServerClient(url=f"127.0.0.1:{server.port}")
    assert client.is_server_live() and client.is_model_ready("mnv2")
    name = client.get_model_metadata("mnv2")["inputs"][0]["name"]
    batch = np.array([p.read_bytes() for p in PHOTOS], dtype=np.object_)
    inp = httpclient.InferInput(name, [len(PHOTOS)], "BYTES")
    inp.set_data_from_numpy(batch, binary_data=True)
    outs = [httpclient.InferRequestedOutput(MNV2_OUT, binary_data=True, class_count=3)]
    result = client.infer("mnv2", [inp], outputs=outs)
    got = result.as_numpy(MNV2_OUT)
    assert got.shape == (len(PHOTOS), 3)
    for i, img in enumerate(PHOTOS):
        want = cli_mnv2[str(img)]["results"][:3]
        assert [s.decode() for s in got[i]] == [triton_string(c) for c in want]
    # The whole score tensor, binary; BYTES in the request's JSON (base64 text).
    inp = httpclient.InferInput(name, [2], "BYTES")
    inp.set_data_from_numpy(np.array([b64(p) for p in PHOTOS[:2]], dtype=np.object_), binary_data=False)
    result = client.infer("mnv2", [inp], outputs=[httpclient.InferRequestedOutput(MNV2_OUT, binary_data=True)])
    table = result.as_numpy(MNV2_OUT)
    assert table.dtype == np.float32 and table.shape == (2, 1001)
    for i, img in enumerate(PHOTOS[:2]):
        for c in cli_mnv2[str(img)]["results"]:
            assert table[i, c["index"]] == np.float32(c["score"])
    client.close()


# --- TF Serving -------------------------------------------------------------------------------

def test_tf_serving_classify_predict_and_status(server, cli_mnv2):
    status, st = server.json("GET", "/v1/models/mnv2")
    assert status == 200 and st["model_version_status"][0]["state"] == "AVAILABLE"
    req = {"examples": [{"image": {"b64": b64(p)}} for p in PHOTOS]}
    status, reply = server.json("POST", "/v1/models/mnv2:classify", json.dumps(req))
    assert status == 200, reply
    for i, img in enumerate(PHOTOS):
        assert reply["result"][i] == [[c["label"], c["score"]] for c in cli_mnv2[str(img)]["results"]]
    req = {"instances": [{"b64": b64(PHOTOS[0])}, {"image": {"b64": b64(PHOTOS[1])}}]}
    status, reply = server.json("POST", "/v1/models/mnv2/versions/1:predict", json.dumps(req))
    assert status == 200, reply
    for i, img in enumerate(PHOTOS[:2]):
        pred = np.array(reply["predictions"][i], dtype=np.float32)
        assert pred.shape == (1001,)
        for c in cli_mnv2[str(img)]["results"]:
            assert pred[c["index"]] == np.float32(c["score"])


# --- malformed requests -----------------------------------------------------------------------

def still_serving(server):
    assert server.json("GET", "/v2/health/live") == (200, {"live": True})
    status, rec = server.json("POST", "/v1/classify?model=mnv2&top_k=1", (IMAGES / "burger.jpg").read_bytes())
    assert status == 200 and rec["results"][0]["label"] == "cheeseburger"


def infer_req(inputs, **extra):
    return json.dumps({"inputs": inputs, **extra})


BAD = [
    # (method, path, body, headers, status, words in the error)
    ("POST", "/v2/models/mnv2/infer", b'{"inputs": [', {}, 400, "invalid JSON"),
    ("POST", "/v2/models/mnv2/infer", b"[1, 2]", {}, 400, "JSON object"),
    ("POST", "/v2/models/mnv2/infer", b'{"inputs": ' + b"[" * 100000 + b"]" * 100000 + b"}", {}, 400, "nested deeper"),
    ("POST", "/v2/models/mnv2/infer", infer_req([{"name": "input", "datatype": "FP32", "shape": [1, 224, 224, 3],
                                                  "data": [0.0]}]), {}, 400, "datatype"),
    ("POST", "/v2/models/mnv2/infer", infer_req([{"name": "input", "datatype": "UINT8", "shape": [1, 100, 100, 3],
                                                  "data": [0] * 30000}]), {}, 400, "shape"),
    ("POST", "/v2/models/mnv2/infer", infer_req([{"name": "input", "datatype": "UINT8", "shape": [1, 224, 224, 3],
                                                  "data": [0, 1, 2]}]), {}, 400, "elements"),
    ("POST", "/v2/models/mnv2/infer", infer_req([{"name": "input", "datatype": "UINT8", "shape": [1, 224, 224, 3],
                                                  "data": [300] * (224 * 224 * 3)}]), {}, 400, "UINT8 value"),
    ("POST", "/v2/models/v1float/infer", infer_req([{"name": "input", "datatype": "FP32", "shape": [224, 224, 3],
                                                     "data": [1e300] * (224 * 224 * 3)}]), {}, 400, "float32 range"),
    ("POST", "/v2/models/mnv2/infer", infer_req([{"name": "pixels", "datatype": "BYTES", "shape": [1],
                                                  "data": ["aGVsbG8="]}]), {}, 400, "unknown input"),
    ("POST", "/v2/models/mnv2/infer", infer_req([{"name": "input", "datatype": "BYTES", "shape": [1],
                                                  "data": ["aGVsbG8="]}]), {}, 400, "unrecognized image format"),
    ("POST", "/v2/models/mnv2/infer", infer_req([{"name": "input", "datatype": "BYTES", "shape": [1],
                                                  "data": ["not base64!"]}]), {}, 400, "base64"),
    ("POST", "/v2/models/mnv2/infer", infer_req([{"name": "input", "datatype": "BYTES", "shape": [2],
                                                  "data": ["aGVsbG8="]}]), {}, 400, "elements"),
    ("POST", "/v2/models/mnv2/infer", infer_req([{"name": "input", "datatype": "BYTES", "shape": [1],
                                                  "data": ["aGVsbG8="]}], outputs=[{"name": "nope"}]), {}, 400,
     "unknown output"),
    ("POST", "/v2/models/mnv2/infer", infer_req([{"name": "input", "datatype": "BYTES", "shape": [1],
                                                  "data": ["aGVsbG8="]}],
                                                outputs=[{"name": MNV2_OUT, "parameters": {"classification": 0}}]),
     {}, 400, "classification"),
    ("POST", "/v2/models/nosuch/infer", b"{}", {}, 404, "no model named 'nosuch'"),
    ("GET", "/v2/models/mnv2/versions/7", None, {}, 404, "version"),
    ("GET", "/v1/models/nosuch", None, {}, 404, "no model"),
    ("GET", "/no/such/route", None, {}, 404, "no route"),
    ("POST", "/v1/classify?model=mnv2", b"GIF89a-truncated", {}, 400, "GIF"),
    ("POST", "/v1/classify?model=mnv2", b"", {}, 400, "empty"),
    ("POST", "/v1/classify?model=mnv2&top_k=zero", b"x", {}, 400, "top_k"),
    ("POST", "/v1/classify", b"x", {}, 400, "several models"),
    ("POST", "/v1/models/mnv2:classify", b'{"examples": [{"image": "raw"}]}', {}, 400, "encoded image"),
    ("POST", "/v1/models/mnv2:predict", b'{"instances": [[1, 2, 3]]}', {}, 400, "shape"),
    ("POST", "/v1/models/mnv2:predict", b'{"signature_name": "x"}', {}, 400, "instances"),
]


@pytest.mark.parametrize("method,path,body,headers,status,words", BAD, ids=[f"{b[1]}:{b[5]}" for b in BAD])
def test_malformed_request_gets_its_4xx(server, method, path, body, headers, status, words):
    got, hdrs, data = server.request(method, path, body, headers)
    assert got == status, data
    assert hdrs["content-type"].startswith("application/json")
    err = json.loads(data)["error"]
    assert words in err, err
    assert "\n" not in err
    still_serving(server)


def test_binary_extension_cut_short_and_lying_header(server):
    img = (IMAGES / "burger.jpg").read_bytes()
    element = struct.pack("<I", len(img)) + img
    header = json.dumps({"inputs": [{"name": "input", "datatype": "BYTES", "shape": [1],
                                     "parameters": {"binary_data_size": len(element)}}]}).encode()
    # The binary data ends early.
    status, _, data = server.request("POST", "/v2/models/mnv2/infer", header + element[:-100],
                                     {"Inference-Header-Content-Length": str(len(header))})
    assert status == 400 and "cut short" in json.loads(data)["error"]
    # An element's own length prefix runs past its tensor.
    short = struct.pack("<I", len(img) + 50) + img
    status, _, data = server.request("POST", "/v2/models/mnv2/infer", header + short,
                                     {"Inference-Header-Content-Length": str(len(header))})
    assert status == 400 and "cut short" in json.loads(data)["error"]
    # The JSON header length is longer than the body, or not a number.
    for value, words in ((str(len(header) + len(element) + 1), "exceeds"), ("12abc", "byte count")):
        status, _, data = server.request("POST", "/v2/models/mnv2/infer", header + element,
                                         {"Inference-Header-Content-Length": value})
        assert status == 400 and words in json.loads(data)["error"]
    # Extra bytes after the announced data.
    status, _, data = server.request("POST", "/v2/models/mnv2/infer", header + element + b"xx",
                                     {"Inference-Header-Content-Length": str(len(header))})
    assert status == 400 and "follow" in json.loads(data)["error"]
    # And the whole thing, right, works.
    status, _, data = server.request("POST", "/v2/models/mnv2/infer", header + element,
                                     {"Inference-Header-Content-Length": str(len(header))})
    assert status == 200, data
    still_serving(server)


def test_body_and_pixel_limits():
    s = Server("--model", f"tiny={TINY}", "--max-body", "150000", "--max-pixels", "500000", "--threads", "1")
    try:
        big = (IMAGES / "cat_1080p.jpg").read_bytes()
        assert len(big) > 150000
        status, _, data = s.request("POST", "/v1/classify", big)
        assert status == 413 and "150000" in json.loads(data)["error"]
        status, _, data = s.request("POST", "/v2/models/tiny/infer", b"{" + b" " * 200000 + b"}")
        assert status == 413
        # 720p is 921600 pixels > --max-pixels 500000, though the body fits.
        mid = (IMAGES / "cat_720p.jpg").read_bytes()
        assert len(mid) <= 150000
        status, _, data = s.request("POST", "/v1/classify", mid)
        assert status == 400, data
        status, _, _ = s.request("POST", "/v1/classify", (IMAGES / "burger.jpg").read_bytes())
        assert status == 200
    finally:
        assert s.stop()[0] == 0


def test_model_dir_serves_one_model_per_folder(tmp_path):
    (tmp_path / "birds").mkdir()
    (tmp_path / "birds" / "model.tflite").symlink_to(MNV2)
    (tmp_path / "bare").mkdir()
    (tmp_path / "bare" / "m.tflite").symlink_to(V1_BARE)
    (tmp_path / "bare" / "labels.txt").symlink_to(LABELS / "mobilenet_labels_1001.txt")
    (tmp_path / "empty").mkdir()
    s = Server("--model-dir", tmp_path, "--model", f"folder={tmp_path / 'bare'}", "--threads", "1")
    try:
        img = IMAGES / "burger.jpg"
        want = cli_records(V1_BARE, [img], labels=LABELS / "mobilenet_labels_1001.txt")[str(img)]["results"]
        status, rec = s.json("POST", "/v1/classify?model=bare", img.read_bytes())
        assert status == 200 and rec["results"] == want
        assert s.json("GET", "/v2/models/birds/ready")[0] == 200
        status, rec = s.json("POST", "/v1/classify?model=folder", img.read_bytes())  # --model NAME=FOLDER
        assert status == 200 and rec["results"] == want
        assert s.json("GET", "/v2/models/empty")[0] == 404
    finally:
        assert s.stop()[0] == 0
    assert "empty: no .tflite file, skipped" in "".join(s.log)


def test_bad_model_and_bad_flags_exit_with_documented_codes(tmp_path):
    import subprocess as sp
    from conftest import LABELITE
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"not a model")
    r = sp.run([LABELITE, "serve", "--port", "0", "--model", f"x={bad}"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 3 and "bad.tflite" in r.stderr
    r = sp.run([LABELITE, "serve", "--port", "0", "--model", f"x y={MNV2}"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "model name" in r.stderr
    r = sp.run([LABELITE, "serve", "--port", "0"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "--model" in r.stderr


# --- overload, timeout, drain -----------------------------------------------------------------

def kserve_batch(n, img="cat_720p.jpg"):
    data = b64(IMAGES / img)
    return json.dumps({"inputs": [{"name": "input", "datatype": "BYTES", "shape": [n], "data": [data] * n}]})


def test_full_queue_gets_503_with_retry_after_and_recovers():
    # One slow interpreter (reference kernels), one waiting place: of 6 requests sent at once at
    # most 2 are taken; the others get 503 at once.
    s = Server("--model", f"mnv2={MNV2}", "--threads", "1", "--queue", "1", "--kernels", "reference")
    try:
        results = [None] * 6
        body = kserve_batch(2)

        def send(i):
            results[i] = s.request("POST", "/v2/models/mnv2/infer", body)

        threads = [threading.Thread(target=send, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = sorted(r[0] for r in results)
        assert codes.count(200) >= 1 and codes.count(503) >= 3, codes
        assert set(codes) <= {200, 503}, codes
        for status, hdrs, data in results:
            if status == 503:
                assert hdrs["retry-after"] == "1" and "overloaded" in json.loads(data)["error"]
        metrics = s.request("GET", "/metrics")[2].decode()
        assert 'labelite_requests_total{route="kserve_v2_infer",model="mnv2",code="503"}' in metrics
        assert s.request("POST", "/v2/models/mnv2/infer", kserve_batch(1))[0] == 200
    finally:
        assert s.stop()[0] == 0


def test_timeout_while_queued_gets_503():
    s = Server("--model", f"mnv2={MNV2}", "--threads", "1", "--kernels", "reference", "--timeout-ms", "300")
    try:
        results = [None] * 3

        def send(i):
            results[i] = s.request("POST", "/v2/models/mnv2/infer", kserve_batch(4))

        threads = [threading.Thread(target=send, args=(i,)) for i in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        errors = [json.loads(r[2])["error"] for r in results if r[0] == 503]
        assert errors and all("timed out" in e for e in errors), [r[0] for r in results]
    finally:
        assert s.stop()[0] == 0


def test_sigterm_drains_requests_in_flight_and_exits_0():
    s = Server("--model", f"mnv2={MNV2}", "--threads", "1", "--kernels", "reference")
    result = {}

    def send():
        result["r"] = s.request("POST", "/v2/models/mnv2/infer", kserve_batch(3))

    t = threading.Thread(target=send)
    t.start()
    time.sleep(0.5)  # the request is being classified (3 images on reference kernels take seconds)
    assert s.proc.poll() is None
    code, err = s.stop()
    t.join()
    assert code == 0, err
    status, _, data = result["r"]
    assert status == 200, data
    assert len(json.loads(data)["outputs"][0]["data"]) == 3 * 1001
    assert "SIGTERM: finishing the requests in flight" in err and "stopped" in err


def test_sigint_stops_an_idle_server_with_exit_0():
    import signal
    s = Server("--model", f"tiny={TINY}", "--threads", "1")
    assert s.json("GET", "/v2/health/ready") == (200, {"ready": True})
    s.proc.send_signal(signal.SIGINT)
    code, err = s.stop()
    assert code == 0 and "SIGINT: finishing the requests in flight" in err


# --- metrics ----------------------------------------------------------------------------------

def test_metrics_count_routes_statuses_images_and_latency(server):
    before = server.request("GET", "/metrics")[2].decode()

    def value(text, series):
        for line in text.splitlines():
            if line.startswith(series + " "):
                return float(line.split()[-1])
        return 0.0

    ok = 'labelite_requests_total{route="plain_classify",model="mnv2",code="200"}'
    bad = 'labelite_requests_total{route="plain_classify",model="mnv2",code="400"}'
    images = 'labelite_images_classified_total{model="mnv2"}'
    for _ in range(3):
        assert server.request("POST", "/v1/classify?model=mnv2", (IMAGES / "cat.bmp").read_bytes())[0] == 200
    assert server.request("POST", "/v1/classify?model=mnv2", b"nonsense")[0] == 400
    status, hdrs, text = server.request("GET", "/metrics")
    text = text.decode()
    assert status == 200 and hdrs["content-type"].startswith("text/plain; version=0.0.4")
    assert value(text, ok) - value(before, ok) == 3
    assert value(text, bad) - value(before, bad) == 1
    assert value(text, images) - value(before, images) == 3
    assert "# TYPE labelite_request_duration_seconds histogram" in text
    count = value(text, 'labelite_request_duration_seconds_count{route="plain_classify",model="mnv2"}')
    inf = value(text, 'labelite_request_duration_seconds_bucket{route="plain_classify",model="mnv2",le="+Inf"}')
    assert count == inf >= 4
    assert 'labelite_queue_depth{model="mnv2"} 0' in text
    # Requests no route takes are counted too, under route "none".
    unrouted = 'labelite_requests_total{route="none",model="",code="404"}'
    assert server.request("GET", "/nope")[0] == 404
    assert value(server.request("GET", "/metrics")[2].decode(), unrouted) - value(text, unrouted) == 1
