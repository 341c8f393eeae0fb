"""labelite.ray in Ray Data pipelines on a local Ray (num_cpus=2) gives the CLI's results."""

import numpy as np
import pytest
import ray
from PIL import Image

import labelite
import labelite.ray
from conftest import TESTDATA, cli_json, images, model_path

QUANT = model_path("mobilenet_v2_1.0_224_quant.tflite")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield
    ray.shutdown()


def test_binary_files_equal_the_cli(local_ray):
    expected = cli_json(QUANT, [str(TESTDATA / "images")], "--top-k", "3")
    ds = ray.data.read_binary_files(str(TESTDATA / "images"), include_paths=True,
                                    file_extensions=["jpg", "png", "bmp"])
    ds = ds.map_batches(labelite.ray.Classifier, fn_constructor_kwargs={"model": QUANT, "top_k": 3},
                        compute=ray.data.ActorPoolStrategy(size=2), batch_size=4, num_cpus=0.5)
    rows = sorted(ds.take_all(), key=lambda r: r["path"])
    assert [r["path"] for r in rows] == images()
    assert "bytes" not in rows[0]
    for r in rows:
        want = expected[r["path"]]["results"]
        assert r["error"] is None
        assert (r["index"], r["label"], np.float32(r["score"])) == \
               (want[0]["index"], want[0]["label"], np.float32(want[0]["score"]))
        assert list(r["indices"]) == [w["index"] for w in want]
        assert list(r["labels"]) == [w["label"] for w in want]
        assert [np.float32(s) for s in r["scores"]] == [np.float32(w["score"]) for w in want]


def test_read_images_equal_classify_on_the_same_pixels(local_ray):
    paths = [str(TESTDATA / "images" / n) for n in ("cat.bmp", "grace_hopper.bmp", "burger-224.png")]
    ds = ray.data.read_images(paths, include_paths=True, mode="RGB")
    ds = ds.map_batches(labelite.ray.Classifier, fn_constructor_kwargs={"model": QUANT, "top_k": 2},
                        compute=ray.data.ActorPoolStrategy(size=1), batch_size=2, num_cpus=0.5)
    rows = {r["path"]: r for r in ds.take_all()}
    classifier = labelite.Classifier(QUANT, top_k=2)
    # BMP and PNG decode to the same pixels in PIL and labelite: the CLI's answer.
    expected = cli_json(QUANT, paths, "--top-k", "2")
    assert len(rows) == 3
    for path in paths:
        row = rows[path.split("://")[-1]] if path not in rows else rows[path]
        with Image.open(path) as im:
            want = classifier.classify(im.convert("RGB"))
        assert row["error"] is None
        assert list(row["indices"]) == [c.index for c in want] == [w["index"] for w in expected[path]["results"]]
        assert np.float32(row["score"]) == np.float32(want[0].score)
