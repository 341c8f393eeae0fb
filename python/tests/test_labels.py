"""labelite.labels.load: every label source the CLI reads, checked against a model."""

import functools
import http.server
import json
import sqlite3
import threading

import pytest

import labelite
import labelite.labels
from conftest import TESTDATA, model_path

QUANT = model_path("mobilenet_v2_1.0_224_quant.tflite")
IMAGENET = TESTDATA / "labels" / "imagenet_labels.txt"


def lines(path):
    return path.read_text().splitlines()


def test_text_file_with_and_without_a_model():
    names = lines(IMAGENET)
    plain = labelite.labels.load(IMAGENET)
    assert list(plain) == names and len(plain) == 1001 and plain.format == "text"
    checked = labelite.labels.load(str(IMAGENET), model=QUANT)
    assert list(checked) == labelite.Classifier(QUANT, str(IMAGENET)).labels
    assert checked[286] == "Egyptian cat" and checked.offset == 0


def test_shift_past_background_matches_the_classifier(tmp_path):
    path = tmp_path / "labels1000.txt"
    path.write_text("\n".join(lines(IMAGENET)[1:]) + "\n")
    classifier = labelite.Classifier(QUANT, str(path))
    labels = labelite.labels.load(path, model=classifier)
    assert labels.offset == 1 and list(labels) == classifier.labels and labels[286] == "Egyptian cat"
    assert labels.notices and any("background" in n for n in labels.notices)


def test_json_csv_sqlite_bytes_and_http(tmp_path):
    names = lines(IMAGENET)
    keras = tmp_path / "imagenet_class_index.json"
    keras.write_text(json.dumps({str(i - 1): [f"n{i:08d}", n] for i, n in enumerate(names) if i > 0}))
    labels = labelite.labels.load(keras, model=QUANT)
    assert labels.format == "keras-class-index" and labels.offset == 1 and labels[1] == names[1]

    csv = tmp_path / "labels.csv"
    csv.write_text("index,label\n" + "".join(f"{i},\"{n}\"\n" for i, n in enumerate(names)))
    assert list(labelite.labels.load(csv, model=QUANT)) == names

    db = tmp_path / "labels.db"
    with sqlite3.connect(db) as con:
        con.execute("create table classes (id integer, name text)")
        con.executemany("insert into classes values (?, ?)", list(enumerate(names)))
    labels = labelite.labels.load(f"sqlite:{db}?table=classes&index=id&label=name", model=QUANT)
    assert labels.format == "sqlite" and list(labels) == names

    assert list(labelite.labels.load(IMAGENET.read_bytes(), format="text")) == names

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(IMAGENET.parent))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/imagenet_labels.txt"
        assert list(labelite.labels.load(url, model=QUANT)) == names
        with pytest.raises(labelite.LabelsError) as e:
            labelite.labels.load(url.replace("imagenet", "missing"))
        assert isinstance(e.value, FileNotFoundError)
    finally:
        server.shutdown()


def test_errors(tmp_path):
    with pytest.raises(labelite.LabelsError) as e:
        labelite.labels.load(tmp_path / "none.txt")
    assert isinstance(e.value, FileNotFoundError) and "none.txt" in str(e.value)
    coco = TESTDATA / "labels" / "coco_labels.txt"
    with pytest.raises(labelite.LabelsError) as e:
        labelite.labels.load(coco, model=QUANT)
    with pytest.raises(labelite.LabelsError) as from_classifier:
        labelite.Classifier(QUANT, str(coco))
    assert str(e.value) == str(from_classifier.value)
    mismatched = labelite.labels.load(coco, model=QUANT, allow_mismatch=True)
    assert len(mismatched) == 1001 and mismatched[1000] == "class_1000"
    with pytest.raises(ValueError):
        labelite.labels.load(coco, format="yaml")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(labelite.LabelsError, match="bad.json"):
        labelite.labels.load(bad, format="json-list")
