"""Classify many image files on a Dask cluster, one labelite.Classifier per worker.

    from dask.distributed import Client
    import labelite.dask
    client = Client("tcp://scheduler:8786")           # or Client(LocalCluster(n_workers=2))
    records = labelite.dask.classify(paths, model="/shared/mobilenet_v2_1.0_224_quant.tflite",
                                     client=client, top_k=3)
    # [{"file": "a.jpg", "results": [{"index": 286, "label": "Egyptian cat", "score": 0.78}, ...],
    #   "error": None}, ...]                           # in the order of `paths`

How it runs: a worker plugin (registered once per model and options) loads the Classifier
when each worker starts or joins, so the model is read once per worker and never shipped with
tasks (model bytes travel once per worker, with the plugin). Tasks carry chunks of paths; each
chunk runs through ``Classifier.classify_batch`` on as many C++ threads as the worker has Dask
threads, with the GIL released. Paths must be readable on the workers (a shared filesystem or
object-store mount); records come back in input order, failures as ``"error"`` with the CLI's
message.
"""

import hashlib
import math
import os
import pickle

from dask.distributed import WorkerPlugin, get_client, get_worker

import labelite

__all__ = ["classify", "ClassifierPlugin"]

# Worker process state: plugin key -> labelite.Classifier.
_CLASSIFIERS = {}


def _key(model, labels, options):
    h = hashlib.sha256()
    h.update(model if isinstance(model, bytes) else os.fspath(model).encode())
    h.update(pickle.dumps((None if labels is None else os.fspath(labels), sorted(options.items()))))
    return "labelite-" + h.hexdigest()[:16]


class ClassifierPlugin(WorkerPlugin):
    """Loads one labelite.Classifier in every worker (at registration, and on workers that
    join later) under ``name``; tasks find it with ``classifier_for(name)``. Registering the
    same name again changes nothing (``idempotent``)."""

    idempotent = True

    def __init__(self, name, model, labels=None, **options):
        self.name = name
        self.model = model
        self.labels = labels
        self.options = options

    def setup(self, worker):
        if self.name not in _CLASSIFIERS:  # re-registration must not reload the model
            _CLASSIFIERS[self.name] = labelite.Classifier(self.model, self.labels, **self.options)

    def teardown(self, worker):
        _CLASSIFIERS.pop(self.name, None)


def classifier_for(name):
    """The worker's Classifier registered under ``name`` (inside a task)."""
    try:
        return _CLASSIFIERS[name]
    except KeyError:
        raise RuntimeError(f"no labelite classifier {name!r} on this worker (plugin not set up)") from None


def _record(path, result):
    if isinstance(result, labelite.Error):
        return {"file": path, "results": [], "error": str(result)}
    return {"file": path, "results": [c.to_dict() for c in result], "error": None}


def _classify_chunk(name, paths):
    classifier = classifier_for(name)
    threads = max(1, get_worker().state.nthreads)
    results = classifier.classify_batch(paths, threads=threads, errors="return")
    return [_record(p, r) for p, r in zip(paths, results)]


def classify(paths, model, *, client=None, labels=None, chunk_size=None, **classifier_options):
    """Classifies every path on the cluster of ``client`` (default: the current client, see
    ``dask.distributed.get_client``). ``model`` is a path readable on the workers or the
    model's bytes; ``labels`` and ``classifier_options`` are labelite.Classifier's. Each chunk
    of ``chunk_size`` paths runs on as many C++ threads as its worker has Dask threads. Returns one record per path, in input order:
    ``{"file", "results": [{"index", "label", "score"}, ...], "error": None or message}``.
    A model or labels that cannot be loaded raise their labelite.Error."""
    paths = [os.fspath(p) for p in paths]
    if not paths:
        return []
    client = client or get_client()
    if isinstance(model, (bytes, bytearray, memoryview)):
        model = bytes(model)
    else:
        model = os.fspath(model)
    name = _key(model, labels, classifier_options)
    try:  # workers load the model now (once: the plugin is idempotent); a failure is raised here
        client.register_plugin(ClassifierPlugin(name, model, labels, **classifier_options), name=name)
    except BaseException:
        try:
            client.unregister_worker_plugin(name)
        except Exception:  # noqa: BLE001  (keep the load error, not this one)
            pass
        raise
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    if chunk_size is None:  # a few chunks per worker so that fast workers take more
        chunk_size = max(1, min(64, math.ceil(len(paths) / (4 * workers))))
    chunks = [paths[i:i + chunk_size] for i in range(0, len(paths), chunk_size)]
    futures = client.map(_classify_chunk, [name] * len(chunks), chunks, pure=False)
    records = []
    for chunk_records in client.gather(futures):
        records.extend(chunk_records)
    return records

