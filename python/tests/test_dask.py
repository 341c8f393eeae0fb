"""labelite.dask on a local Dask cluster (2 worker processes) gives the CLI's results."""

import os

import dask.distributed as dask_distributed
import pytest

import labelite
import labelite.dask
from conftest import TESTDATA, cli_json, images, model_path

QUANT = model_path("mobilenet_v2_1.0_224_quant.tflite")


@pytest.fixture(scope="module")
def client():
    cluster = dask_distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                            dashboard_address=None, silence_logs=40)
    with cluster, dask_distributed.Client(cluster) as c:
        yield c


def loaded_classifiers(client):
    return client.run(lambda: {k: id(v) for k, v in labelite.dask._CLASSIFIERS.items()})


def test_folder_equals_the_cli_and_models_load_once_per_worker(client, tmp_path):
    paths = images()
    expected = cli_json(QUANT, [str(TESTDATA / "images")], "--top-k", "3")
    missing = str(tmp_path / "missing.jpg")
    records = labelite.dask.classify(paths + [missing], model=QUANT, client=client, top_k=3, chunk_size=4)
    assert [r["file"] for r in records] == paths + [missing]
    for r in records[:-1]:
        assert r["error"] is None
        assert r["results"] == expected[r["file"]]["results"]
    assert records[-1]["results"] == [] and records[-1]["error"].startswith(missing + ":")
    # Every worker holds one classifier for this model and options, loaded once: a second
    # run reuses the same objects.
    first = loaded_classifiers(client)
    assert len(first) == 2 and all(len(v) == 1 for v in first.values())
    again = labelite.dask.classify(paths[:3], model=QUANT, client=client, top_k=3)
    assert [r["results"] for r in again] == [expected[p]["results"] for p in paths[:3]]
    assert loaded_classifiers(client) == first


def test_model_bytes_and_load_errors(client, tmp_path):
    with open(QUANT, "rb") as f:
        data = f.read()
    paths = images()[:4]
    expected = cli_json(QUANT, paths, "--top-k", "1")
    records = labelite.dask.classify(paths, model=data, client=client, top_k=1)
    assert [r["results"] for r in records] == [expected[p]["results"] for p in paths]
    with pytest.raises(labelite.ModelError) as e:
        labelite.dask.classify(paths, model=str(tmp_path / "none.tflite"), client=client)
    assert isinstance(e.value, FileNotFoundError)
    with pytest.raises(labelite.LabelsError):
        labelite.dask.classify(paths, model=QUANT, labels=os.fspath(TESTDATA / "labels" / "coco_labels.txt"),
                               client=client)
