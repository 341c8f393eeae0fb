#!/usr/bin/env python3
"""Runs a .tflite model through native LiteRT (ai_edge_litert) and writes what it computes.

  litert_oracle.py MODEL (--input FILE ... | --random-seed N [--random-range LO HI] | --pattern37)
                   [--path builtin-ref|builtin|xnnpack] [--threads N]
                   [--output-dir DIR] [--dump-dir DIR] [--json]

Paths (LiteRT's op resolvers):
  builtin-ref  OpResolverType.BUILTIN_REF: TFLite's reference kernels
  builtin      OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES: its optimized builtin kernels
  xnnpack      OpResolverType.AUTO: builtin kernels plus the default XNNPACK delegate

--pattern37 feeds every input the pattern of the golden *.pattern37.json files (byte j is
(37 j + 11) mod 256; int8 subtracts 128, float32 divides by 255), as the WebAssembly oracle does.
--output-dir DIR writes DIR/output<i>.bin (raw tensor bytes) and DIR/index.json, a list of
{index, name, dtype, shape, scale, zero_point, file}. With --random-seed, the generated inputs are
written too (DIR/input<i>.bin), so another runtime can be fed the same bytes.
--dump-dir DIR writes every tensor that an operator writes or the model takes as input, as
DIR/tensor<i>.bin plus DIR/index.json in the format of `labelite invoke --dump-dir`: {index,
name, dtype, shape, scale, zero_point, operator, op}, in execution order. tools/diff_dumps.py
compares two such folders. With --path xnnpack the delegate would hide its tensors, so LiteRT
runs a copy of the model whose graph outputs are every tensor an operator writes (the original
outputs first; TensorFlow's flatbuffer schema module rewrites it): XNNPACK then computes each
operator as before, only without fusing an operator into the next across such a tensor.

Exit codes: 0 ok; 1 bad usage or input (one line on stderr); 2 LiteRT refused the model.
"""

import argparse
import json
import os
import pathlib
import sys

import numpy as np

PATHS = ("builtin-ref", "builtin", "xnnpack")


class UsageError(Exception):
    pass


def make_interpreter(model, path, threads, preserve, model_content=None):
    from ai_edge_litert import interpreter as litert

    resolver = {
        "builtin-ref": litert.OpResolverType.BUILTIN_REF,
        "builtin": litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
        "xnnpack": litert.OpResolverType.AUTO,
    }[path]
    source = {"model_content": model_content} if model_content else {"model_path": str(model)}
    return litert.Interpreter(**source, num_threads=threads,
                              experimental_op_resolver_type=resolver,
                              experimental_preserve_all_tensors=preserve)


def with_every_tensor_as_output(model):
    """The model's bytes with every tensor an operator of the main graph writes appended to the
    graph outputs, those tensors as (tensor, operator, op name) in execution order, and the
    number of original outputs."""
    try:
        import flatbuffers
        from tensorflow.lite.python import schema_py_generated as schema
    except ImportError as e:
        raise UsageError(f"--dump-dir with --path xnnpack needs tensorflow's schema module ({e})") from None
    data = pathlib.Path(model).read_bytes()
    try:
        m = schema.ModelT.InitFromObj(schema.Model.GetRootAs(data, 0))
    except Exception as e:  # noqa: BLE001 (the generated reader raises anything on bad bytes)
        raise UsageError(f"{model!r}: not a readable .tflite model ({e})") from None
    names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    graph = m.subgraphs[0]
    outputs = [int(t) for t in graph.outputs]
    originals = len(outputs)
    written = []
    for k, op in enumerate(graph.operators or []):
        code = m.operatorCodes[op.opcodeIndex]
        name = names.get(max(code.builtinCode, code.deprecatedBuiltinCode), "CUSTOM")
        for t in op.outputs:
            t = int(t)
            if t < 0:
                continue
            written.append((t, k, name))
            if t not in outputs:
                outputs.append(t)
    graph.outputs = outputs
    builder = flatbuffers.Builder(len(data) + 4096)
    builder.Finish(m.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output()), written, originals


def litert_version():
    import importlib.metadata

    try:
        return importlib.metadata.version("ai-edge-litert")
    except importlib.metadata.PackageNotFoundError:
        return "?"


def tensor_record(detail):
    scale, zero_point = detail["quantization"]
    return {"index": int(detail["index"]), "name": detail["name"],
            "dtype": np.dtype(detail["dtype"]).name,
            "shape": [int(d) for d in detail["shape"]],
            "scale": float(scale), "zero_point": int(zero_point)}


def random_input(detail, rng, value_range):
    dtype = np.dtype(detail["dtype"])
    shape = tuple(detail["shape"])
    if dtype.kind == "f":
        lo, hi = value_range if value_range else (-1.0, 1.0)
        return rng.uniform(lo, hi, shape).astype(dtype)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        lo, hi = value_range if value_range else (info.min, info.max)
        return rng.integers(int(lo), int(hi), shape, endpoint=True).astype(dtype)
    if dtype == np.bool_:
        return rng.integers(0, 1, shape, endpoint=True).astype(np.bool_)
    raise UsageError(f"input '{detail['name']}': cannot make random {dtype.name} values")


def pattern37_input(detail):
    dtype = np.dtype(detail["dtype"])
    shape = tuple(int(d) for d in detail["shape"])
    pattern = (np.arange(int(np.prod(shape)), dtype=np.int64) * 37 + 11) % 256
    if dtype == np.uint8:
        return pattern.astype(np.uint8).reshape(shape)
    if dtype == np.int8:
        return (pattern - 128).astype(np.int8).reshape(shape)
    if dtype == np.float32:
        return (pattern.astype(np.float32) / np.float32(255)).reshape(shape)
    raise UsageError(f"input '{detail['name']}': no pattern for {dtype.name}, pass --input FILE")


def read_input(path, detail):
    dtype = np.dtype(detail["dtype"])
    shape = tuple(int(d) for d in detail["shape"])
    try:
        data = pathlib.Path(path).read_bytes()
    except OSError as e:
        raise UsageError(f"{path!r}: cannot read input file ({e.strerror})") from None
    want = int(np.prod(shape)) * dtype.itemsize
    if len(data) != want:
        raise UsageError(f"{path!r}: {len(data)} bytes, but input '{detail['name']}' "
                         f"({dtype.name} {list(shape)}) takes {want} bytes")
    return np.frombuffer(data, dtype).reshape(shape)


def write_tensor(directory, filename, array):
    (directory / filename).write_bytes(np.ascontiguousarray(array).tobytes())


def dump_all(interp, directory, written=None):
    """Every graph input and operator output, in execution order (written: the operator outputs
    as (tensor, operator, op name), when the interpreter cannot list its nodes)."""
    details = {d["index"]: d for d in interp.get_tensor_details()}
    records = []
    seen = set()

    def add(t, op_index, op_name):
        if t < 0 or t in seen or t not in details:
            return
        seen.add(t)
        rec = tensor_record(details[t])
        rec.update({"operator": op_index, "op": op_name, "file": f"tensor{t}.bin"})
        write_tensor(directory, rec["file"], interp.get_tensor(t))
        records.append(rec)

    for d in interp.get_input_details():
        add(d["index"], -1, "input")
    if written is None:  # the public API has no per-node view
        written = [(int(t), int(op["index"]), op["op_name"])
                   for op in interp._get_ops_details() for t in op["outputs"]]
    for t, op_index, op_name in written:
        add(t, op_index, op_name)
    (directory / "index.json").write_text(json.dumps(records, indent=1) + "\n")
    return records


def run(a):
    if not pathlib.Path(a.model).is_file():
        raise UsageError(f"{a.model!r}: no such model file")
    content, written, originals = None, None, None
    if a.dump_dir and a.path == "xnnpack":
        content, written, originals = with_every_tensor_as_output(a.model)
    try:
        interp = make_interpreter(a.model, a.path, a.threads, bool(a.dump_dir) and not content,
                                  model_content=content)
        interp.allocate_tensors()
    except (ValueError, RuntimeError) as e:
        print(f"{a.model}: LiteRT cannot load the model: {str(e).strip().splitlines()[0]}",
              file=sys.stderr)
        return 2
    inputs = interp.get_input_details()
    if a.input and len(a.input) != len(inputs):
        raise UsageError(f"{a.model}: model has {len(inputs)} input(s), {len(a.input)} --input given")
    rng = np.random.default_rng(a.random_seed)
    out_dir = pathlib.Path(a.output_dir) if a.output_dir else None
    for d in (a.output_dir, a.dump_dir):
        if d:
            pathlib.Path(d).mkdir(parents=True, exist_ok=True)
    input_records = []
    for i, d in enumerate(inputs):
        if a.input:
            value = read_input(a.input[i], d)
        elif a.pattern37:
            value = pattern37_input(d)
        else:
            value = random_input(d, rng, a.random_range)
        interp.set_tensor(d["index"], value)
        if out_dir and not a.input:  # generated inputs are written for other runtimes
            write_tensor(out_dir, f"input{i}.bin", value)
            input_records.append(dict(tensor_record(d), file=f"input{i}.bin"))
    try:
        interp.invoke()
    except RuntimeError as e:
        print(f"{a.model}: LiteRT invoke failed: {str(e).strip().splitlines()[0]}", file=sys.stderr)
        return 2
    records = []
    for i, d in enumerate(interp.get_output_details()[:originals]):
        rec = dict(tensor_record(d), file=f"output{i}.bin")
        value = interp.get_tensor(d["index"])
        if out_dir:
            write_tensor(out_dir, rec["file"], value)
        if a.json:
            rec["values"] = value.reshape(-1).tolist()
        records.append(rec)
    if out_dir:
        index = {"model": str(a.model), "path": a.path, "outputs": records, "inputs": input_records}
        (out_dir / "index.json").write_text(json.dumps(index, indent=1) + "\n")
    if a.dump_dir:
        dump_all(interp, pathlib.Path(a.dump_dir), written)
    if a.json:
        print(json.dumps({"runtime": f"ai-edge-litert {litert_version()} {a.path}", "outputs": records}))
    elif not out_dir:
        for rec in records:
            print(f"output '{rec['name']}': {rec['dtype']} {rec['shape']}")
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description="Run a .tflite model through native LiteRT.")
    p.add_argument("model")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--input", action="append", help="raw bytes of one input tensor (repeat, in order)")
    src.add_argument("--random-seed", type=int, help="seeded uniform random inputs instead")
    src.add_argument("--pattern37", action="store_true", help="the golden files' input pattern")
    p.add_argument("--random-range", type=float, nargs=2, metavar=("LO", "HI"),
                   help="value range for random inputs (default: the type's range; float [-1, 1])")
    p.add_argument("--path", choices=PATHS, default="builtin")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--output-dir")
    p.add_argument("--dump-dir")
    p.add_argument("--json", action="store_true", help="print {outputs: [{..., values}]}")
    a = p.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        return run(a)
    except UsageError as e:
        print(f"litert_oracle: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
