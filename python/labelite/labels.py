"""Class names from every label source the CLI reads, optionally fitted to a model.

    names = labelite.labels.load("imagenet_labels.txt", model="mobilenet_v2_1.0_224_quant.tflite")
    print(names[int(np.argmax(scores))])

Sources: a file (plain text, ``0 cat``, ``0: cat``, ``0,cat``, ImageNet synsets, JSON lists or
objects, Keras ``imagenet_class_index.json``, ``{"labels": [...]}``, CSV/TSV with a header),
``sqlite:PATH?table=T&label=C[&index=C]``, ``http://HOST:PORT/PATH``, or the bytes of a file.
With ``model`` (a path, model bytes or a labelite.Classifier) the names are checked against the
model's class count and aligned as the CLI aligns them (a 1000-name file on a 1001-class model
is shifted past "background"; other mismatches raise LabelsError unless
``allow_mismatch=True``).
"""

import os
from collections.abc import Sequence

from . import _labelite
from ._errors import UsageError

__all__ = ["Labels", "load", "formats"]


def formats():
    """The format names ``load(format=...)`` accepts."""
    return list(_labelite.label_formats())


class Labels(Sequence):
    """Class names by index (``labels[i]``; "class_<i>" where the source has none), with
    ``display_names``, the ``format`` and ``source`` read, and what alignment did
    (``notices``, ``warnings``, ``offset``: +1 shifted past "background", -1 dropped one)."""

    def __init__(self, d):
        self.names = list(d["names"])
        self.display_names = list(d["display_names"])
        self.format = d["format"]
        self.source = d["source"]
        self.notices = list(d["notices"])
        self.warnings = list(d["warnings"])
        self.offset = d["offset"]

    def __getitem__(self, index):
        return self.names[index]

    def __len__(self):
        return len(self.names)

    def __repr__(self):
        return f"<labelite.labels.Labels {len(self)} names from {self.source!r} ({self.format})>"


def _num_classes(model):
    from . import Classifier  # a cycle at import time otherwise

    if model is None:
        return -1
    if not isinstance(model, Classifier):
        model = Classifier(model, allow_label_mismatch=True)
    return model.summary["num_classes"][0]


def load(source, *, format=None, model=None, allow_mismatch=False):
    """Reads labels from ``source`` (see the module's documentation). Raises LabelsError
    (LabelsNotFoundError, also a FileNotFoundError, when the file does not exist)."""
    fmt = format or ""
    if fmt and fmt not in formats():
        raise UsageError(f"format: {fmt!r} is not one of {', '.join(formats())}", code="invalid argument")
    num_classes = _num_classes(model)
    if isinstance(source, (bytes, bytearray, memoryview)):
        import numpy as np

        d = _labelite.load_labels("", np.frombuffer(source, dtype=np.uint8), "<labels bytes>", fmt,
                                  num_classes, bool(allow_mismatch))
    elif isinstance(source, (str, os.PathLike)):
        d = _labelite.load_labels(os.fspath(source), None, "", fmt, num_classes, bool(allow_mismatch))
    else:
        raise TypeError(f"source must be a path, sqlite:..., http://... or bytes, not {type(source).__name__}")
    return Labels(d)
