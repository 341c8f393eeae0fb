"""Shared by the zoo's test, inventory and report: finding models, their op signatures, the
inputs they are tested on, and running labelite and LiteRT on them."""

import dataclasses
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tools"))

import generate  # noqa: E402

KERNEL_LIST = REPO / "src" / "kernels" / "kernel_list.inc"
REAL_IMAGE = "grace_hopper.bmp"


def testdata_dir():
    env = os.environ.get("LABELITE_TESTDATA")
    return pathlib.Path(env) if env else REPO.parent / "shared" / "testdata"


def labelite_bin():
    env = os.environ.get("LABELITE_BIN")
    return pathlib.Path(env) if env else REPO / "build" / "release" / "labelite"


@dataclasses.dataclass
class ZooModel:
    arch: str
    kind: str
    meta: dict
    path: pathlib.Path  # the .tflite (absent when the conversion failed)

    @property
    def id(self):
        return f"{self.arch}.{self.kind}"


def zoo_models(subset="full", cache=None):
    """Every (arch, kind) of the subset, in the order generate.py lists them, whether or not it
    has been generated (meta is {} then)."""
    import architectures

    kinds = generate.CI_KINDS if subset == "ci" else generate.KINDS
    out_dir = generate.zoo_dir(cache)
    models = []
    for arch in architectures.ARCHITECTURES:
        for kind in kinds:
            meta_path = out_dir / f"{arch}.{kind}.json"
            meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
            models.append(ZooModel(arch, kind, meta, out_dir / f"{arch}.{kind}.tflite"))
    return models


def labelite_ops():
    """The ops in kernel_list.inc: {name: has a fast path}."""
    ops = {}
    for m in re.finditer(r"^KERNEL\((\w+),\s*\d+,\s*\w+,\s*(\w+)\)", KERNEL_LIST.read_text(), re.M):
        ops[m.group(1)] = m.group(2) == "XNN"
    return ops


def _type_name(t):
    return np.dtype(t).name


def op_signatures(model_path):
    """{op: sorted list of distinct signatures} where a signature reads like
    'uint8,int8[c,pc],int32[c] -> uint8': operand dtypes, [c] for constants, pc for per-channel
    quantization."""
    from ai_edge_litert import interpreter as litert

    interp = litert.Interpreter(model_path=str(model_path))
    details = {d["index"]: d for d in interp.get_tensor_details()}
    ops = interp._get_ops_details()
    produced = {int(t) for op in ops for t in op["outputs"]}
    graph_inputs = {d["index"] for d in interp.get_input_details()}

    def operand(t):
        d = details[t]
        tags = []
        if t not in produced and t not in graph_inputs:
            tags.append("c")
        if len(d["quantization_parameters"]["scales"]) > 1:
            tags.append("pc")
        return _type_name(d["dtype"]) + (f"[{','.join(tags)}]" if tags else "")

    sigs = {}
    for op in ops:
        ins = ",".join(operand(int(t)) if t >= 0 else "-" for t in op["inputs"]).rstrip(",-")
        outs = ",".join(operand(int(t)) for t in op["outputs"])
        sigs.setdefault(op["op_name"], set()).add(f"{ins} -> {outs}")
    return {k: sorted(v) for k, v in sorted(sigs.items())}


def input_details(model_path):
    from ai_edge_litert import interpreter as litert

    interp = litert.Interpreter(model_path=str(model_path))
    return interp.get_input_details()


def random_input(detail, seed):
    """A seeded input in the model's own domain: pixels in [0, 255] for float models, the whole
    range of the type for quantized ones."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype(detail["dtype"])
    shape = tuple(detail["shape"])
    if dtype.kind == "f":
        return rng.uniform(0.0, 255.0, shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, shape, endpoint=True).astype(dtype)


def image_input(detail, image_path):
    """A real photo resized to the model's input and expressed in its input type: float models
    take pixel values in [0, 255]; quantized inputs get round(pixel / scale) + zero_point."""
    from PIL import Image

    _, h, w, _ = detail["shape"]
    img = Image.open(image_path).convert("RGB").resize((int(w), int(h)), Image.BILINEAR)
    pixels = np.asarray(img, np.float32)[None]
    dtype = np.dtype(detail["dtype"])
    if dtype.kind == "f":
        return pixels.astype(dtype)
    scale, zero_point = detail["quantization"]
    info = np.iinfo(dtype)
    q = np.round(pixels / scale) + zero_point
    return np.clip(q, info.min, info.max).astype(dtype)


@dataclasses.dataclass
class Run:
    ok: bool
    outputs: list  # numpy arrays
    records: list  # dicts: name, dtype, shape, scale, zero_point
    error: str = ""


def run_labelite(model_path, input_file, kernels, dump_dir=None, threads=1):
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [str(labelite_bin()), "invoke", str(model_path), "--input", str(input_file),
               "--kernels", kernels, "--threads", str(threads), "--output-dir", tmp]
        if dump_dir:
            pathlib.Path(dump_dir).mkdir(parents=True, exist_ok=True)
            cmd += ["--dump-dir", str(dump_dir)]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            return Run(False, [], [], (p.stderr.strip() or p.stdout.strip()).splitlines()[-1:][0]
                       if (p.stderr.strip() or p.stdout.strip()) else f"exit code {p.returncode}")
        outputs = []
        for i in range(len(list(pathlib.Path(tmp).glob("output*.bin")))):
            outputs.append(pathlib.Path(tmp, f"output{i}.bin").read_bytes())
        return Run(True, outputs, [])


def run_litert(model_path, inputs, path, dump_dir=None, threads=1):
    """Runs LiteRT in this process (the oracle tool's functions). inputs: list of arrays."""
    import litert_oracle

    try:
        interp = litert_oracle.make_interpreter(model_path, path, threads, bool(dump_dir))
        interp.allocate_tensors()
        for d, value in zip(interp.get_input_details(), inputs):
            interp.set_tensor(d["index"], value)
        interp.invoke()
    except (ValueError, RuntimeError) as e:
        return Run(False, [], [], str(e).strip().splitlines()[0])
    records, outputs = [], []
    for d in interp.get_output_details():
        records.append(litert_oracle.tensor_record(d))
        outputs.append(interp.get_tensor(d["index"]).copy())
    if dump_dir:
        pathlib.Path(dump_dir).mkdir(parents=True, exist_ok=True)
        litert_oracle.dump_all(interp, pathlib.Path(dump_dir))
    return Run(True, outputs, records)


def as_arrays(run, records):
    return [np.frombuffer(b, np.dtype(r["dtype"])).reshape(r["shape"]) for b, r in zip(run.outputs, records)]
