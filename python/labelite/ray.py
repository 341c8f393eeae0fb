"""Classify images in Ray Data pipelines with labelite.

    import ray, labelite.ray
    ray.init("ray://head:10001")                    # or ray.init(num_cpus=2) locally
    ds = ray.data.read_binary_files("s3://bucket/photos/", include_paths=True)
    ds = ds.map_batches(labelite.ray.Classifier,
                        fn_constructor_kwargs={"model": "/shared/mobilenet_v2_1.0_224_quant.tflite"},
                        compute=ray.data.ActorPoolStrategy(size=4), batch_size=64)
    ds.select_columns(["path", "label", "score"]).show()

``Classifier`` is a callable class: each actor of the pool loads the model once in its
constructor, then classifies batches with ``labelite.Classifier.classify_batch`` (the GIL
released). A batch holds encoded images in a ``bytes`` column (``read_binary_files``) or
decoded uint8 arrays in an ``image`` column (``read_images``). The output keeps every other
column (``path``) and adds the top class (``index``, ``label``, ``score``), the top-k
(``indices``, ``labels``, ``scores``) and ``error`` (None, or the message of an image that
could not be classified; its top class is then index -1, label "" and score NaN).
"""

import numpy as np

import labelite

__all__ = ["Classifier"]


class Classifier:
    """``map_batches`` callable; takes labelite.Classifier's arguments plus ``column`` (the
    input column; default ``bytes`` if present, else ``image``), ``batch_threads`` (C++
    threads per batch, default 1: the actor pool is the parallelism) and ``keep_input``
    (keep the input column; default False)."""

    def __init__(self, model, labels=None, *, column=None, batch_threads=1, keep_input=False, **options):
        self._classifier = labelite.Classifier(model, labels, **options)
        self._column = column
        self._threads = batch_threads
        self._keep_input = keep_input

    def __call__(self, batch):
        column = self._column or ("bytes" if "bytes" in batch else "image")
        if column not in batch:
            raise KeyError(f"labelite.ray.Classifier: the batch has no {column!r} column "
                           f"(columns: {', '.join(batch)})")
        items = [self._item(x) for x in batch[column]]
        names = [str(p) for p in batch["path"]] if "path" in batch else None
        results = self._classifier.classify_batch(items, threads=self._threads, errors="return", names=names)
        out = {k: v for k, v in batch.items() if k != column or self._keep_input}
        ok = [r if not isinstance(r, labelite.Error) else [] for r in results]
        out["index"] = np.array([r[0].index if r else -1 for r in ok], dtype=np.int64)
        out["label"] = np.array([r[0].label if r else "" for r in ok], dtype=object)
        out["score"] = np.array([r[0].score if r else np.nan for r in ok], dtype=np.float32)
        out["indices"] = _lists([[c.index for c in r] for r in ok])
        out["labels"] = _lists([[c.label for c in r] for r in ok])
        out["scores"] = _lists([[c.score for c in r] for r in ok])
        out["error"] = np.array([str(r) if isinstance(r, labelite.Error) else None for r in results], dtype=object)
        return out

    @staticmethod
    def _item(x):
        if isinstance(x, np.ndarray) and x.dtype == object:  # a variable-shape image column
            x = x.item() if x.ndim == 0 else x
        return x


def _lists(rows):
    """One Python list per row in an object array (rows may differ in length; Ray stores
    them as Arrow list columns)."""
    out = np.empty(len(rows), dtype=object)
    for i, row in enumerate(rows):
        out[i] = row
    return out
