#!/usr/bin/env python3
"""labelite beside native LiteRT, layer by layer: where does each side win?

LiteRT's Python interpreter has no per-operator profiler, so this cuts the model instead: every
operator of each model becomes a one-operator .tflite with the same tensors, options and weights
(and each LOGISTIC followed by the MUL of its input and output, a swish, becomes a two-operator
model too). Layers with the same signature (operator, options, tensor shapes and types) are timed
once and counted as often as they occur. Then, in interleaved rounds:
  labelite bench LAYER --threads 1 --runs N --json     (one process per layer)
  LiteRT's Interpreter (default XNNPACK delegate, num_threads=1) on every layer, one process
and the figure per layer and side is the median of the per-round medians. Both sides also time
an empty model (one ADD of two 1-element tensors): its median is the fixed cost of one invoke
(LiteRT's Python call, labelite's clock and loop), which the "net" columns subtract, as a whole
model pays it once and not once per layer.
The table is sorted by what each layer shape loses (or wins) in the whole model:
  count x (labelite net - LiteRT net).
Generated models are cached outside git, in $LABELITE_LAYER_CACHE or ~/.cache/labelite/layers.

  build/venv/bin/python bench/layer_vs_litert.py --model M.tflite [--model ...] \\
      --labelite build/release/labelite [--rounds 3] [--runs 200] [--ops CONV_2D,MUL] \\
      [--cpu avx2]
--cpu avx2 runs both sides under bench/cpuid_mask.c as bench/vs_litert --cpu avx2 does (CPUID
shows no AVX-512, so labelite and LiteRT's XNNPACK both pick their AVX2 kernels).
Default models: efficientnet_b0, densenet121 and efficientnet_lite float32 of the zoo cache.
"""

import argparse
import glob
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_ZOO = ("efficientnet_b0", "densenet121", "efficientnet_lite")


def schema():
    from ai_edge_litert import schema_py_generated as s
    return s


def op_names():
    s = schema()
    return {v: k for k, v in vars(s.BuiltinOperator).items() if not k.startswith("_")}


def builtin_code(model, op):
    oc = model.operatorCodes[op.opcodeIndex]
    return max(oc.builtinCode, oc.deprecatedBuiltinCode)


def options_repr(op):
    o = op.builtinOptions
    if o is None:
        return ""
    return type(o).__name__ + repr(sorted((k, v) for k, v in vars(o).items()
                                          if not hasattr(v, "__len__") or isinstance(v, str)))


def is_const(model, tensor):
    b = model.buffers[tensor.buffer] if tensor.buffer < len(model.buffers) else None
    return b is not None and b.data is not None and len(b.data) > 0


def tensor_sig(model, t):
    return (tuple(int(d) for d in t.shape) if t.shape is not None else (), int(t.type),
            is_const(model, t))


def cut(model, op_indices):
    """A new ModelT holding only operators op_indices of subgraph 0, with their tensors."""
    s = schema()
    import copy
    sg = model.subgraphs[0]
    ops = [sg.operators[i] for i in op_indices]
    produced = {o for op in ops for o in op.outputs if o >= 0}
    consumed = {i for op in ops for i in op.inputs if i >= 0}
    # Inputs: non-constant tensors read here and made elsewhere. Outputs: made here and not
    # consumed here (the last operator's output at least).
    inputs = sorted(i for i in consumed if i not in produced and not is_const(model, sg.tensors[i]))
    outputs = sorted(o for o in produced if o not in consumed) or [ops[-1].outputs[0]]
    old = sorted(consumed | produced)
    remap = {t: n for n, t in enumerate(old)}
    new = s.ModelT()
    new.version = model.version
    new.description = "labelite layer cut"
    new.buffers = [s.BufferT()]
    new.operatorCodes = []
    code_map = {}
    tensors = []
    for t in old:
        nt = copy.copy(sg.tensors[t])
        if is_const(model, sg.tensors[t]):
            b = s.BufferT()
            b.data = model.buffers[sg.tensors[t].buffer].data
            new.buffers.append(b)
            nt.buffer = len(new.buffers) - 1
        else:
            nt.buffer = 0
        tensors.append(nt)
    new_ops = []
    for op in ops:
        no = copy.copy(op)
        if op.opcodeIndex not in code_map:
            code_map[op.opcodeIndex] = len(new.operatorCodes)
            new.operatorCodes.append(model.operatorCodes[op.opcodeIndex])
        no.opcodeIndex = code_map[op.opcodeIndex]
        no.inputs = [remap[i] if i >= 0 else -1 for i in op.inputs]
        no.outputs = [remap[o] for o in op.outputs]
        new_ops.append(no)
    g = s.SubGraphT()
    g.tensors = tensors
    g.operators = new_ops
    g.inputs = [remap[i] for i in inputs]
    g.outputs = [remap[o] for o in outputs]
    g.name = "main"
    new.subgraphs = [g]
    return new


def empty_model():
    """One ADD of a 1-element float tensor to itself: the fixed cost of an invoke."""
    s = schema()
    m = s.ModelT()
    m.version = 3
    m.buffers = [s.BufferT()]
    oc = s.OperatorCodeT()
    oc.builtinCode = s.BuiltinOperator.ADD
    oc.deprecatedBuiltinCode = s.BuiltinOperator.ADD
    oc.version = 1
    m.operatorCodes = [oc]
    ts = []
    for name in ("x", "y"):
        t = s.TensorT()
        t.shape = [1]
        t.type = s.TensorType.FLOAT32
        t.buffer = 0
        t.name = name
        ts.append(t)
    op = s.OperatorT()
    op.opcodeIndex = 0
    op.inputs = [0, 0]
    op.outputs = [1]
    op.builtinOptionsType = s.BuiltinOptions.AddOptions
    op.builtinOptions = s.AddOptionsT()
    g = s.SubGraphT()
    g.tensors, g.operators, g.inputs, g.outputs, g.name = ts, [op], [0], [1], "main"
    m.subgraphs = [g]
    return m


def pack(model):
    import flatbuffers
    b = flatbuffers.Builder(1024)
    b.Finish(model.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def layer_units(model, wanted):
    """(name, signature, [op indices]) for every operator and swish pair of subgraph 0."""
    names = op_names()
    sg = model.subgraphs[0]
    units = []
    for i, op in enumerate(sg.operators):
        name = names.get(builtin_code(model, op), "?")
        if wanted and name not in wanted:
            continue
        units.append((name, i, [i]))
    # Swish: LOGISTIC(x) -> y, then MUL(x, y) or MUL(y, x).
    for i, op in enumerate(sg.operators[:-1]):
        nxt = sg.operators[i + 1]
        if (names.get(builtin_code(model, op)) == "LOGISTIC" and
                names.get(builtin_code(model, nxt)) == "MUL" and
                sorted(nxt.inputs) == sorted([op.inputs[0], op.outputs[0]])):
            if not wanted or "SWISH" in wanted:
                units.append(("SWISH", i, [i, i + 1]))
    out = []
    for name, first, idx in units:
        ops = [sg.operators[k] for k in idx]
        sig = (name, tuple(options_repr(o) for o in ops),
               tuple(tensor_sig(model, sg.tensors[t]) for o in ops for t in
                     list(o.inputs) + list(o.outputs) if t >= 0))
        out.append((name, sig, idx, first))
    return out


def describe(model, idx):
    sg = model.subgraphs[0]
    op = sg.operators[idx[0]]
    shapes = []
    for t in list(op.inputs)[:2] + list(op.outputs)[:1]:
        if t < 0:
            continue
        shapes.append("x".join(str(int(d)) for d in sg.tensors[t].shape))
    extra = ""
    o = op.builtinOptions
    if o is not None and hasattr(o, "strideH"):
        extra = f" s{o.strideH}"
    return " ".join(shapes) + extra


def generate(models, wanted, cache):
    """{layer path: {"name", "desc", "count": {model: n}}} and the empty model's path."""
    os.makedirs(cache, exist_ok=True)
    s = schema()
    layers = {}
    for path in models:
        with open(path, "rb") as f:
            buf = f.read()
        model = s.ModelT.InitFromPackedBuf(buf, 0)
        base = os.path.basename(path).removesuffix(".tflite")
        for name, sig, idx, first in layer_units(model, wanted):
            key = hashlib.sha256(repr(sig).encode()).hexdigest()[:16]
            out = os.path.join(cache, f"{name.lower()}-{key}.tflite")
            if out not in layers:
                if not os.path.exists(out):
                    tmp = out + f".{os.getpid()}.tmp"
                    with open(tmp, "wb") as f:
                        f.write(pack(cut(model, idx)))
                    os.replace(tmp, out)
                layers[out] = {"name": name, "desc": describe(model, idx), "count": {},
                               "first": f"{base}#{first}"}
            layers[out]["count"][base] = layers[out]["count"].get(base, 0) + 1
    empty = os.path.join(cache, "empty-add.tflite")
    if not os.path.exists(empty):
        with open(empty, "wb") as f:
            f.write(pack(empty_model()))
    return layers, empty


def pattern37(shape, dtype):
    import numpy as np
    n = int(np.prod(shape))
    b = (np.arange(n, dtype=np.int64) * 37 + 11) % 256
    v = b.astype(np.float32) / 255.0 if dtype == np.float32 else np.zeros(n, dtype=dtype)
    return v.reshape(shape)


def litert_worker(paths, runs, warmup, threads=1):
    """Child process: LiteRT's median per model, one JSON object {path: ms}."""
    from ai_edge_litert.interpreter import Interpreter
    out = {}
    for p in paths:
        it = Interpreter(model_path=p, num_threads=threads)
        it.allocate_tensors()
        for d in it.get_input_details():
            it.set_tensor(d["index"], pattern37(d["shape"], d["dtype"]))
        for _ in range(warmup):
            it.invoke()
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            it.invoke()
            times.append((time.perf_counter() - t) * 1e3)
        out[p] = statistics.median(times)
    print(json.dumps(out))


def masked_env(args):
    """bench/vs_litert's environment for --cpu (LD_PRELOAD of libcpuid_mask.so), or None."""
    if not args.cpu:
        return None
    import importlib.machinery
    import importlib.util
    loader = importlib.machinery.SourceFileLoader("vs_litert", os.path.join(HERE, "vs_litert"))
    vs = importlib.util.module_from_spec(importlib.util.spec_from_loader("vs_litert", loader))
    loader.exec_module(vs)
    return vs.masked_cpu_env(args)


def labelite_time(labelite, path, runs, warmup, isa, env=None):
    cmd = [labelite, "bench", path, "--threads", "1", "--runs", str(runs), "--warmup",
           str(warmup), "--json"]
    if isa:
        cmd += ["--isa", isa]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()[:300]}")
    return json.loads(r.stdout)["latency_ms"]["median"]


def default_models():
    sys.path.insert(0, os.path.join(REPO, "tests", "zoo"))
    import generate as zoo_generate
    zoo = zoo_generate.zoo_dir()
    found = [os.path.join(zoo, f"{m}.float32.tflite") for m in DEFAULT_ZOO]
    return [m for m in found if os.path.exists(m)]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--labelite", default=os.path.join(REPO, "build", "release", "labelite"))
    p.add_argument("--model", action="append", help="a .tflite (repeatable)")
    p.add_argument("--ops", help="comma-separated operator names to cut (SWISH: the pair)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--runs", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--isa", help="passed to labelite bench --isa")
    p.add_argument("--cpu", choices=("avx2", "avxvnni"),
                   help="hide the ISA levels above this from CPUID, for both sides")
    p.add_argument("--cpuid-mask", help="path of libcpuid_mask.so (default: beside --labelite)")
    p.add_argument("--min-ms", type=float, default=0.0,
                   help="print only layers whose total (count x time) on either side reaches this")
    p.add_argument("--cache", default=os.environ.get(
        "LABELITE_LAYER_CACHE", os.path.expanduser("~/.cache/labelite/layers")))
    p.add_argument("--litert-worker", nargs="+", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.litert_worker:
        litert_worker(args.litert_worker, args.runs, args.warmup)
        return 0
    models = args.model or default_models()
    if not models:
        print("layer_vs_litert: no models (pass --model)", file=sys.stderr)
        return 1
    wanted = set(args.ops.split(",")) if args.ops else None
    env = masked_env(args)
    layers, empty = generate(models, wanted, args.cache)
    paths = [empty] + sorted(layers)
    print(f"{len(layers)} layer shapes from {len(models)} model(s), cache {args.cache}",
          file=sys.stderr)
    load_start = os.getloadavg()
    lab = {p: [] for p in paths}
    lrt = {p: [] for p in paths}
    errors = {}
    for rnd in range(args.rounds):
        worker = [sys.executable, os.path.abspath(__file__), "--runs", str(args.runs),
                  "--warmup", str(args.warmup), "--litert-worker"] + paths
        def run_litert():
            r = subprocess.run(worker, capture_output=True, text=True, env=env)
            if r.returncode != 0:
                raise SystemExit(f"LiteRT worker failed: {r.stderr.strip()[-500:]}")
            for k, v in json.loads(r.stdout).items():
                lrt[k].append(v)
        if rnd % 2:
            run_litert()
        for path in paths:
            if path in errors:
                continue
            try:
                lab[path].append(labelite_time(args.labelite, path, args.runs, args.warmup,
                                               args.isa, env))
            except RuntimeError as e:
                errors[path] = str(e)
        if rnd % 2 == 0:
            run_litert()
        print(f"round {rnd + 1}/{args.rounds} done", file=sys.stderr)
    load_end = os.getloadavg()
    e_lab = statistics.median(lab[empty])
    e_lrt = statistics.median(lrt[empty])
    print(f"{args.rounds} rounds x {args.runs} runs, 1 thread"
          f"{f', CPUID masked to {args.cpu} for both' if args.cpu else ''}, load average {load_start[0]:.2f} "
          f"at start, {load_end[0]:.2f} at end; empty invoke: labelite {e_lab * 1e3:.1f} us, "
          f"LiteRT {e_lrt * 1e3:.1f} us (subtracted in the net columns)")
    rows = []
    for path, info in layers.items():
        if path in errors or not lab[path]:
            rows.append((0, info, path, None, None))
            continue
        lm = statistics.median(lab[path]) - e_lab
        rm = statistics.median(lrt[path]) - e_lrt
        n = sum(info["count"].values())
        rows.append((n * (lm - rm), info, path, lm, rm))
    rows.sort(key=lambda r: -r[0])
    for m in models:
        base = os.path.basename(m).removesuffix(".tflite")
        tl = sum(info["count"].get(base, 0) * lm for _, info, _, lm, _ in rows
                 if lm is not None and info["name"] != "SWISH")
        tr = sum(info["count"].get(base, 0) * rm for _, info, _, lm, rm in rows
                 if lm is not None and info["name"] != "SWISH")
        print(f"{base}: sum over single operators (net): labelite {tl:.3f} ms, LiteRT {tr:.3f} ms, "
              f"ratio {tl / tr if tr else float('nan'):.2f}")
    print(f"{'layer':<9} {'shapes (in, filter, out)':<34} {'count':<28} {'labelite us':>11} "
          f"{'LiteRT us':>9} {'ratio':>6} {'x count us':>10}  file")
    for loss, info, path, lm, rm in rows:
        counts = ",".join(f"{m.split('.')[0][:14]}:{c}" for m, c in info["count"].items())
        if lm is None:
            print(f"{info['name']:<9} {info['desc']:<34} {counts:<28} error: "
                  f"{errors.get(path, 'no result')[:200]}")
            continue
        n = sum(info["count"].values())
        if max(n * lm, n * rm) < args.min_ms:
            continue
        ratio = lm / rm if rm > 0 else float("nan")
        print(f"{info['name']:<9} {info['desc']:<34} {counts:<28} {lm * 1e3:>11.1f} "
              f"{rm * 1e3:>9.1f} {ratio:>6.2f} {loss * 1e3:>+10.1f}  {os.path.basename(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
