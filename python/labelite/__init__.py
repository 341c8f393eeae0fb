"""labelite: run TensorFlow Lite image classifiers on CPUs and name the right class.

    import labelite
    classifier = labelite.Classifier("mobilenet_v2_1.0_224_quant.tflite")
    for c in classifier.classify("cat.jpg"):
        print(c.label, c.score)

``labelite.Classifier`` is the CLI's ``labelite classify`` as an object (same decisions, same
results); ``labelite.interpreter`` is a drop-in for ``tflite_runtime.interpreter``;
``labelite.labels.load`` reads every label source the CLI reads; ``labelite.dask`` and
``labelite.ray`` classify on clusters.
"""

import dataclasses
import os

import numpy as np

from . import _errors, _labelite
from ._errors import (
    Error,
    InputError,
    InputNotFoundError,
    LabelsError,
    LabelsNotFoundError,
    ModelError,
    ModelNotFoundError,
    UsageError,
)

__all__ = [
    "Category",
    "Classifier",
    "Error",
    "InputError",
    "LabelsError",
    "ModelError",
    "UsageError",
    "interpreter",
    "labels",
]
__version__ = "0.1.0"

_KERNELS = ("fast", "reference")
_RESIZE = ("stretch", "crop", "pad")
_PREPROCESS = ("labelite", "mediapipe", "tasklib", "keras")


@dataclasses.dataclass(frozen=True, slots=True)
class Category:
    """One class of a result: ``index`` in the output, ``label`` as the CLI prints it,
    ``score`` in [0, 1], ``display_name`` (localized or short name, "" when none) and
    ``head`` (the output head, 0 for single-output models)."""

    index: int
    label: str
    score: float
    display_name: str = ""
    head: int = 0

    def to_dict(self):
        """The CLI's JSON record of this class (display_name and head only when set)."""
        d = {"index": self.index, "label": self.label, "score": self.score}
        if self.display_name:
            d["display_name"] = self.display_name
        if self.head:
            d["head"] = self.head
        return d


def _categories(rows):
    return [Category(*row) for row in rows]


def _floats(name, value):
    if value is None:
        return []
    if isinstance(value, (int, float)):
        return [float(value)]
    values = [float(v) for v in value]
    if len(values) not in (1, 3):
        raise UsageError(f"{name} takes one value or three (one per channel), not {len(values)}",
                         code="invalid argument")
    return values


def _names(name, value):
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _choice(name, value, choices):
    if value not in choices:
        raise UsageError(f"{name}: {value!r} is not one of {', '.join(choices)}", code="invalid argument")
    return value


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise UsageError(f"{name} must be an integer of at least 1, not {value!r}", code="invalid argument")
    return int(value)


def _pixels(array):
    """An image array as labelite takes it: uint8, C-contiguous, HxW / HxWx3, RGBA
    composited over white as the decoders composite transparent PNGs."""
    a = np.asarray(array)
    if a.dtype != np.uint8:
        raise UsageError(f"an image array must be uint8, not {a.dtype}", code="invalid argument")
    if a.ndim == 3 and a.shape[2] == 4:
        alpha = a[..., 3:4].astype(np.uint32)
        rgb = a[..., :3].astype(np.uint32)
        a = ((rgb * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)
    return np.ascontiguousarray(a)


def _pil_pixels(image):
    mode = image.mode
    if mode in ("RGB", "L"):
        return _pixels(np.asarray(image))
    if mode == "RGBA" or "A" in mode or (mode == "P" and "transparency" in image.info):
        return _pixels(np.asarray(image.convert("RGBA")))
    return _pixels(np.asarray(image.convert("RGB")))


def _is_pil(x):
    return type(x).__module__.startswith("PIL.") and hasattr(x, "mode") and hasattr(x, "convert")


def _item(x):
    """(kind, payload) for the extension: 0 path, 1 encoded bytes, 2 pixels."""
    if isinstance(x, (str, os.PathLike)):
        return (0, os.fspath(x))
    if isinstance(x, (bytes, bytearray, memoryview)):
        return (1, x if isinstance(x, bytes) else bytes(x))
    if isinstance(x, np.ndarray):
        return (2, _pixels(x))
    if _is_pil(x):
        return (2, _pil_pixels(x))
    raise TypeError(
        "classify() takes a path (str or PathLike), bytes of an encoded image, a uint8 numpy array "
        f"(HxW, HxWx3 or HxWx4) or a PIL image, not {type(x).__name__}")


def _name_of(x, i):
    if isinstance(x, (str, os.PathLike)):
        return os.fspath(x)
    return f"item {i}"


class Classifier:
    """An image classifier: a .tflite model, its labels and how to feed and read it.

    ``model`` is a path or the bytes of a .tflite file; ``labels`` a label source as the CLI
    takes it (a file, ``sqlite:PATH?table=...``, ``http://...``), by default the labels
    embedded in the model. Keyword options are the CLI's, with its defaults:
    ``top_k``, ``score_threshold`` (None: as the CLI, results scoring exactly 0 are left out;
    0 keeps them), ``preprocess`` ("labelite", "mediapipe", "tasklib", "keras"), ``threads``
    (threads of one classification; batches run
    that many images at once), ``kernels`` ("fast" or "reference"), ``resize`` ("stretch",
    "crop", "pad"), ``mean``/``std`` (normalization override), ``allow``/``deny`` (class
    names), ``locale``, ``allow_label_mismatch``, ``labels_format``, ``softmax`` (None: when
    the output is logits; True/False: always/never) and ``max_pixels``. ``preprocess`` takes
    "labelite" (the CLI's default pipeline; other presets come with the CLI's --preprocess).

    Calls release the GIL. One object serves one call at a time (concurrent calls from several
    Python threads take turns); for parallel work use ``classify_batch`` or one Classifier per
    thread. Classifiers pickle as their model (path or bytes) and options, so Dask and Ray can
    ship them; the receiving process loads the model again.
    """

    def __init__(self, model, labels=None, *, top_k=5, score_threshold=None, threads=1, kernels="fast",
                 resize="stretch", preprocess="labelite", mean=None, std=None, allow=None, deny=None,
                 locale=None, allow_label_mismatch=False, labels_format=None, softmax=None,
                 max_pixels=100_000_000, allow_any_output=False):
        self._args = dict(model=model, labels=labels, top_k=top_k, score_threshold=score_threshold,
                          threads=threads, kernels=kernels, resize=resize, preprocess=preprocess, mean=mean,
                          std=std, allow=allow, deny=deny, locale=locale,
                          allow_label_mismatch=allow_label_mismatch, labels_format=labels_format,
                          softmax=softmax, max_pixels=max_pixels, allow_any_output=allow_any_output)
        if isinstance(model, (bytes, bytearray, memoryview)):
            model_path, model_bytes = "<model bytes>", bytes(model)
            if not model_bytes:
                raise ModelError("<model bytes>: the file is empty", code="invalid model")
        elif isinstance(model, (str, os.PathLike)):
            model_path, model_bytes = os.fspath(model), None
        else:
            raise TypeError(f"model must be a path or the bytes of a .tflite file, not {type(model).__name__}")
        if labels is not None and not isinstance(labels, (str, os.PathLike)):
            raise TypeError(f"labels must be a label source (path, sqlite:..., http://...), not {type(labels).__name__}")
        _choice("preprocess", preprocess, _PREPROCESS)
        if softmax not in (None, True, False):
            raise UsageError(f"softmax must be None, True or False, not {softmax!r}", code="invalid argument")
        if (mean is None) != (std is None):
            raise UsageError("mean and std go together", code="invalid argument")
        if allow and deny:
            raise UsageError("allow and deny are exclusive", code="invalid argument")
        self._threads = _positive_int("threads", threads)
        options = {
            "model_path": model_path,
            "model_bytes": model_bytes,
            "labels": "" if labels is None else os.fspath(labels),
            "labels_format": labels_format or "",
            "locale": locale or "",
            "allow_label_mismatch": bool(allow_label_mismatch),
            "top_k": _positive_int("top_k", top_k),
            # As the CLI: results scoring exactly 0 (a quantized output at its floor) are left
            # out unless score_threshold=0 is given explicitly.
            "score_threshold": 0.0 if score_threshold is None else float(score_threshold),
            "skip_zero_scores": score_threshold is None,
            "preprocess": preprocess,
            "allow_any_output": bool(allow_any_output),
            "allow": _names("allow", allow),
            "deny": _names("deny", deny),
            "threads": self._threads,
            "kernels": _choice("kernels", kernels, _KERNELS),
            "mean": _floats("mean", mean),
            "std": _floats("std", std),
            "resize": _choice("resize", resize, _RESIZE),
            "softmax": {None: "auto", True: "always", False: "never"}[softmax],
            "max_pixels": _positive_int("max_pixels", max_pixels),
        }
        self._impl = _labelite._Classifier(options)

    def classify(self, x):
        """Classifies one image: a path, encoded bytes, a uint8 array or a PIL image.
        Returns the top classes of every head as a list of Category, best first."""
        kind, payload = _item(x)
        if kind == 0:
            return _categories(self._impl.classify_file(payload))
        if kind == 1:
            return _categories(self._impl.classify_encoded(payload))
        return _categories(self._impl.classify_pixels(payload))

    def classify_batch(self, items, threads=None, *, errors="raise", names=None):
        """Classifies many images on ``threads`` C++ threads (default: the Classifier's
        ``threads``) with the GIL released; returns one list of Category per item, in input
        order. A failing item raises its labelite.Error (the message names the file, or
        "item N" for bytes and arrays) after the whole batch ran; with ``errors="return"``
        the error takes the item's place in the returned list instead. ``names`` (one string
        per item) names bytes and array items in messages instead of "item N"."""
        _choice("errors", errors, ("raise", "return"))
        threads = self._threads if threads is None else _positive_int("threads", threads)
        items = list(items)
        if names is not None and len(names) != len(items):
            raise UsageError(f"names: {len(names)} names for {len(items)} items", code="invalid argument")
        packed = [_item(x) for x in items]
        out = []
        for i, r in enumerate(self._impl.classify_batch(packed, threads)):
            if isinstance(r, tuple):
                origin, code, message = r
                if packed[i][0] != 0:
                    message = f"{names[i] if names is not None else _name_of(items[i], i)}: {message}"
                err = _errors.from_status(origin, code, message)
                if errors == "raise":
                    raise err
                out.append(err)
            else:
                out.append(_categories(r))
        return out

    @property
    def labels(self):
        """The name of every class of the first head, as results print them."""
        return self._impl.labels(0)

    @property
    def notices(self):
        """One line per decision taken (normalization, label alignment, softmax, ...)."""
        return self._impl.notices()

    @property
    def summary(self):
        """What labelite concluded about the model (input size and type, normalization,
        classes and score handling per head, label source and warnings)."""
        return self._impl.summary()

    @property
    def options(self):
        """The arguments this Classifier was made with (what pickling ships)."""
        return dict(self._args)

    def __reduce__(self):
        args = dict(self._args)
        model = args.pop("model")
        labels = args.pop("labels")
        return (_restore, (model, labels, args))

    def __repr__(self):
        model = self._args["model"]
        name = "<model bytes>" if isinstance(model, (bytes, bytearray, memoryview)) else os.fspath(model)
        return f"labelite.Classifier({name!r}, threads={self._threads})"


def _restore(model, labels, kwargs):
    return Classifier(model, labels, **kwargs)


from . import interpreter, labels  # noqa: E402,F401
