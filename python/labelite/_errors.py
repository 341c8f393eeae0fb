"""labelite's exceptions: one class per origin of a failure, as the CLI's exit codes.

    Error            every failure labelite reports (the message is the CLI's one-line message)
      UsageError     a bad option value or call (also a ValueError)
      ModelError     the model cannot be read, validated or run (CLI exit code 3)
      LabelsError    the labels cannot be read or do not fit the model (CLI exit code 4)
      InputError     an image (path, bytes or array) cannot be read or decoded

A file, table or URL that does not exist raises a subclass that is also a FileNotFoundError.
Every instance has ``origin`` ("usage", "model", "labels", "input") and ``code`` (labelite's
status code name, e.g. "not found", "invalid image").
"""


class Error(Exception):
    """A labelite failure; ``str(e)`` is the one-line message the CLI prints."""

    origin = "unknown"

    def __init__(self, message, *, code="unknown"):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self):
        return self.message

    def __reduce__(self):  # picklable across processes (Dask, Ray), subclasses included
        return (_rebuild, (type(self).__name__, self.message, self.code))


class UsageError(Error, ValueError):
    """A bad option value or call."""

    origin = "usage"


class ModelError(Error):
    """The model cannot be read, validated or run."""

    origin = "model"


class LabelsError(Error):
    """The labels cannot be read or do not fit the model."""

    origin = "labels"


class InputError(Error):
    """An input image cannot be read or decoded."""

    origin = "input"


class ModelNotFoundError(ModelError, FileNotFoundError):
    """The model file does not exist."""


class LabelsNotFoundError(LabelsError, FileNotFoundError):
    """The label file, database table or URL does not exist."""


class InputNotFoundError(InputError, FileNotFoundError):
    """The image file does not exist."""


_BY_ORIGIN = {"usage": UsageError, "model": ModelError, "labels": LabelsError, "input": InputError}
_NOT_FOUND = {"model": ModelNotFoundError, "labels": LabelsNotFoundError, "input": InputNotFoundError}
_ALL = {c.__name__: c for c in (Error, *_BY_ORIGIN.values(), *_NOT_FOUND.values())}


def _rebuild(name, message, code):
    return _ALL.get(name, Error)(message, code=code)


def from_status(origin, code, message):
    """The exception for a failed labelite Status (called by the extension module)."""
    if code == "not found" and origin in _NOT_FOUND:
        cls = _NOT_FOUND[origin]
    else:
        cls = _BY_ORIGIN.get(origin, Error)
    return cls(message, code=code)
