"""A drop-in for ``tflite_runtime.interpreter`` / ``ai_edge_litert.interpreter``.

    import labelite.interpreter as tflite
    interpreter = tflite.Interpreter(model_path="mobilenet_v2_1.0_224_quant.tflite")
    interpreter.allocate_tensors()
    inp = interpreter.get_input_details()[0]
    interpreter.set_tensor(inp["index"], pixels)
    interpreter.invoke()
    scores = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])

The API, the detail dicts and the error messages are TFLite's, so code written for
tflite_runtime runs unchanged; labelite's kernels do the work (the reference kernels with
``experimental_op_resolver_type=OpResolverType.BUILTIN_REF``, or ``kernels="reference"``).

Differences: labelite runs on the CPU only (no delegates), and ``resize_tensor_input`` changes
only the batch dimension. Failures are labelite errors that are also the exception TFLite
raises there: loading a model raises a ModelError that is a ValueError, invoke a ModelError
that is a RuntimeError.
"""

import enum
import functools
import os
import sys

import numpy as np

from . import _labelite
from ._errors import Error

__all__ = ["Interpreter", "OpResolverType", "SignatureRunner", "load_delegate"]

# labelite's type names (types.h) -> numpy types, as TFLite's details report them.
_NUMPY = {
    "float32": np.float32, "float16": np.float16, "float64": np.float64, "int8": np.int8,
    "uint8": np.uint8, "int16": np.int16, "int32": np.int32, "int64": np.int64, "bool": np.bool_,
    "complex64": np.complex64, "string": np.object_,
}
# numpy dtypes -> TFLite's type names in set_tensor's messages.
_TFLITE_NAME = {
    np.dtype(np.float32): "FLOAT32", np.dtype(np.float16): "FLOAT16", np.dtype(np.float64): "FLOAT64",
    np.dtype(np.int8): "INT8", np.dtype(np.uint8): "UINT8", np.dtype(np.int16): "INT16",
    np.dtype(np.uint16): "UINT16", np.dtype(np.int32): "INT32", np.dtype(np.uint32): "UINT32",
    np.dtype(np.int64): "INT64", np.dtype(np.uint64): "UINT64", np.dtype(np.bool_): "BOOL",
    np.dtype(np.complex64): "COMPLEX64", np.dtype(np.complex128): "COMPLEX128",
}


class OpResolverType(enum.Enum):
    """TFLite's op resolver choice; BUILTIN_REF selects labelite's reference kernels."""

    AUTO = 0
    BUILTIN = 1
    BUILTIN_REF = 2
    BUILTIN_WITHOUT_DEFAULT_DELEGATES = 3


def load_delegate(library, options=None):
    """TFLite delegates (Edge TPU, GPU) cannot run in labelite: always a ValueError."""
    raise ValueError(f"Failed to load delegate from {library}\n"
                     "labelite runs models on the CPU with its own kernels and loads no TFLite delegates")


@functools.cache
def _also(cls, base):
    """``cls`` (a labelite error class) that is also ``base`` (ValueError, RuntimeError)."""
    if issubclass(cls, base):
        return cls
    return type(cls.__name__, (cls, base), {"__module__": cls.__module__, "__doc__": cls.__doc__})


def _reraise_as(e, base):
    raise _also(type(e), base)(e.message, code=e.code) from None


def _tflite_type_name(dtype):
    return _TFLITE_NAME.get(np.dtype(dtype), str(np.dtype(dtype)).upper())


class Interpreter:
    """TFLite's Interpreter over labelite's runtime (see the module's documentation)."""

    def __init__(self, model_path=None, model_content=None, experimental_delegates=None, num_threads=None,
                 experimental_op_resolver_type=OpResolverType.AUTO, experimental_preserve_all_tensors=False,
                 experimental_disable_delegate_clustering=False,
                 experimental_default_delegate_latest_features=False,
                 experimental_compress_quantization_zero_points=False,
                 experimental_disable_delegate_node_fusion=False,
                 experimental_force_delegate_node_profiling=False, *, kernels=None):
        if not isinstance(experimental_op_resolver_type, OpResolverType):
            raise ValueError(f"Unrecognized passed in op resolver type: {experimental_op_resolver_type}")
        if num_threads is not None:
            if not isinstance(num_threads, int):
                raise ValueError("type of num_threads should be int")
            if num_threads < 1:
                raise ValueError("num_threads should >= 1")
        if experimental_delegates:
            raise ValueError("labelite runs models on the CPU with its own kernels: "
                             "experimental_delegates is not supported")
        if kernels is None:
            kernels = "reference" if experimental_op_resolver_type == OpResolverType.BUILTIN_REF else "fast"
        if kernels not in ("fast", "reference"):
            raise ValueError(f"kernels: {kernels!r} is not one of fast, reference")
        try:
            if model_path and not model_content:
                self._impl = _labelite._Interpreter(os.fspath(model_path), None, "", int(num_threads or 1),
                                                    kernels, bool(experimental_preserve_all_tensors))
            elif model_content and not model_path:
                data = np.frombuffer(model_content, dtype=np.uint8)
                self._impl = _labelite._Interpreter("", data, "<model_content>", int(num_threads or 1),
                                                    kernels, bool(experimental_preserve_all_tensors))
            elif not model_content and not model_path:
                raise ValueError("`model_path` or `model_content` must be specified.")
            else:
                raise ValueError("Can't both provide `model_path` and `model_content`")
        except Error as e:
            _reraise_as(e, ValueError)
        self._allocated = False
        self._signature_defs = self.get_signature_list()

    # --- memory safety, as tflite_runtime: numpy views of tensors hold a reference to _impl --
    def _safe_to_run(self):
        return sys.getrefcount(self._impl) == 2

    def _ensure_safe(self):
        if not self._safe_to_run():
            raise RuntimeError("""There is at least 1 reference to internal data
      in the interpreter in the form of a numpy array or slice. Be sure to
      only hold the function returned from tensor() if you are using raw
      data access.""")

    def allocate_tensors(self):
        self._ensure_safe()
        self._allocated = True  # labelite plans memory when the model loads or is resized

    # --- details ---------------------------------------------------------------------------
    def _get_tensor_details(self, tensor_index, subgraph_index=0):
        if int(subgraph_index) != 0:
            raise ValueError(f"subgraph_index is out of range: {subgraph_index} for the model, "
                             "which has 1 subgraphs.")
        name, index, shape, signature, dtype, scales, zero_points, qdim = self._impl.details(int(tensor_index))
        per_tensor = len(scales) == 1
        return {
            "name": name,
            "index": index,
            "shape": np.array(shape, dtype=np.int32),
            "shape_signature": np.array(signature, dtype=np.int32),
            "dtype": _NUMPY[dtype],
            "quantization": (scales[0], int(zero_points[0])) if per_tensor else (0.0, 0),
            "quantization_parameters": {
                "scales": np.array(scales, dtype=np.float32),
                "zero_points": np.array(zero_points, dtype=np.int32),
                "quantized_dimension": qdim,
                "block_size": 0,
            },
            "sparsity_parameters": {},
        }

    def get_input_details(self):
        return [self._get_tensor_details(i) for i in self._impl.inputs()]

    def get_output_details(self):
        return [self._get_tensor_details(i) for i in self._impl.outputs()]

    def get_tensor_details(self, subgraph_index=0):
        return [self._get_tensor_details(i, subgraph_index) for i in range(self._impl.num_tensors())]

    def num_subgraphs(self):
        return 1

    # --- tensors ---------------------------------------------------------------------------
    def set_tensor(self, tensor_index, value):
        details = self._get_tensor_details(tensor_index)
        if not self._allocated:
            raise ValueError("Cannot set tensor: Tensor is unallocated. Try calling allocate_tensors() first")
        value = np.asarray(value)
        expected = np.dtype(details["dtype"])
        if value.dtype != expected:
            raise ValueError(f"Cannot set tensor: Got value of type {_tflite_type_name(value.dtype)} but expected "
                             f"type {_tflite_type_name(expected)} for input {tensor_index}, name: {details['name']} ")
        shape = details["shape"]
        if value.ndim != len(shape):
            raise ValueError(f"Cannot set tensor: Dimension mismatch. Got {value.ndim} but expected {len(shape)} "
                             f"for input {tensor_index}.")
        for i, (got, want) in enumerate(zip(value.shape, shape)):
            if got != want:
                raise ValueError(f"Cannot set tensor: Dimension mismatch. Got {got} but expected {want} "
                                 f"for dimension {i} of input {tensor_index}.")
        self._impl.set_bytes(int(tensor_index), np.ascontiguousarray(value))

    def _view(self, tensor_index):
        details = self._get_tensor_details(tensor_index)
        dtype = np.dtype(details["dtype"])
        shape = tuple(int(d) for d in details["shape"])
        raw = self._impl.view(int(tensor_index)) if self._allocated else None
        if raw is None or raw.size != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
            del raw  # a traceback must not keep a view (and so the interpreter) referenced
            raise ValueError("Tensor data is null. Run allocate_tensors() first")
        return raw.view(dtype).reshape(shape)

    def get_tensor(self, tensor_index, subgraph_index=0):
        if int(subgraph_index) != 0:
            raise ValueError(f"subgraph_index is out of range: {subgraph_index} for the model, "
                             "which has 1 subgraphs.")
        return self._view(tensor_index).copy()

    def tensor(self, tensor_index):
        return lambda: self._view(tensor_index)

    def resize_tensor_input(self, input_index, tensor_size, strict=False):
        self._ensure_safe()
        details = self._get_tensor_details(input_index)
        shape = np.array(tensor_size, dtype=np.int32)
        if np.array_equal(shape, details["shape"]):
            return
        if strict:
            for i, (got, sig) in enumerate(zip(shape, details["shape_signature"])):
                if sig != -1 and got != details["shape"][i]:
                    raise RuntimeError(
                        f"Attempting to resize dimension {i} of tensor {input_index} with value "
                        f"{details['shape'][i]} to {got}. ResizeInputTensorStrict only allows mutating "
                        "unknown dimensions identified by -1.")
        try:
            self._impl.resize_input(int(input_index), [int(d) for d in shape])
        except Error as e:
            _reraise_as(e, ValueError)
        self._allocated = False

    def invoke(self):
        self._ensure_safe()
        if not self._allocated:
            raise RuntimeError("Invoke called on model that is not ready.")
        try:
            self._impl.invoke()
        except Error as e:
            _reraise_as(e, RuntimeError)

    # --- signatures ------------------------------------------------------------------------
    def _get_full_signature_list(self):
        out = {}
        for key, inputs, outputs in self._impl.signatures():
            out[key] = {"inputs": dict(sorted(inputs)), "outputs": dict(sorted(outputs))}
        return out

    def get_signature_list(self):
        return {key: {"inputs": list(s["inputs"]), "outputs": list(s["outputs"])}
                for key, s in self._get_full_signature_list().items()}

    def get_signature_runner(self, signature_key=None):
        if signature_key is None:
            if len(self._signature_defs) != 1:
                raise ValueError(
                    f"SignatureDef signature_key is None and model has {len(self._signature_defs)} Signatures. "
                    "None is only allowed when the model has 1 SignatureDef")
            signature_key = next(iter(self._signature_defs))
        return SignatureRunner(interpreter=self, signature_key=signature_key)


class SignatureRunner:
    """Runs one SignatureDef by argument names, as TFLite's SignatureRunner."""

    def __init__(self, interpreter=None, signature_key=None):
        if not interpreter:
            raise ValueError("None interpreter provided.")
        if not signature_key:
            raise ValueError("None signature_key provided.")
        full = interpreter._get_full_signature_list()
        if signature_key not in full:
            raise ValueError(f'Invalid signature_key provided: "{signature_key}".')
        self._interpreter = interpreter
        self._inputs = full[signature_key]["inputs"]
        self._outputs = full[signature_key]["outputs"]

    def __call__(self, **kwargs):
        if len(kwargs) != len(self._inputs):
            raise ValueError("Invalid number of inputs provided for running a SignatureDef, "
                             f"expected {len(self._inputs)} vs provided {len(kwargs)}")
        it = self._interpreter
        for name, value in kwargs.items():
            if name not in self._inputs:
                raise ValueError(f"Invalid Input name ({name}) for SignatureDef")
            it.resize_tensor_input(self._inputs[name], np.shape(value))
        it.allocate_tensors()
        for name, value in kwargs.items():
            it.set_tensor(self._inputs[name], value)
        it.invoke()
        return {name: it.get_tensor(index) for name, index in self._outputs.items()}

    def get_input_details(self):
        return {name: self._interpreter._get_tensor_details(i) for name, i in self._inputs.items()}

    def get_output_details(self):
        return {name: self._interpreter._get_tensor_details(i) for name, i in self._outputs.items()}
