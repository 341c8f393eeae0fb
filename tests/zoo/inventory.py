#!/usr/bin/env python3
"""Lists, per zoo model, the ops and operand types it uses and what labelite lacks for it.

  python tests/zoo/inventory.py [--subset ci|full] [--out FILE]

For every generated model: each op with its distinct signatures ('uint8,int8[c,pc],int32[c] ->
uint8': operand types, [c] constant, pc per-channel), '!! not in kernel_list.inc' for ops
labelite does not know, and what `labelite invoke` says on each kernel path (the first op or
type it refuses). Needs a built labelite ($LABELITE_BIN, default build/release/labelite).
"""

import argparse
import collections
import json
import pathlib
import re
import subprocess
import sys
import tempfile

import numpy as np

import zoolib


def compress(verdict):
    """'unsupported operators: NEG (operator 2), GELU (operator 9), NEG (operator 13)' ->
    'unsupported operators: NEG x2, GELU x1'."""
    head, sep, tail = verdict.partition("unsupported operators: ")
    if not sep:
        return verdict
    counts = collections.Counter(re.findall(r"([A-Z0-9_]+) \(operator \d+\)", tail))
    return head + sep + ", ".join(f"{op} x{n}" for op, n in counts.items())


def labelite_verdict(model, kernels):
    details = zoolib.input_details(model.path)
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i, d in enumerate(details):
            f = pathlib.Path(tmp, f"in{i}.bin")
            f.write_bytes(np.zeros(d["shape"], np.dtype(d["dtype"])).tobytes())
            files.append(f)
        cmd = [str(zoolib.labelite_bin()), "invoke", str(model.path), "--kernels", kernels,
               "--threads", "1", "--output-dir", tmp]
        for f in files:
            cmd += ["--input", str(f)]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if p.returncode == 0:
        return "runs"
    msg = (p.stderr.strip() or p.stdout.strip() or f"exit {p.returncode}").splitlines()[-1]
    return compress(msg.replace(str(model.path), model.path.name))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--subset", choices=["ci", "full"], default="full")
    p.add_argument("--out", default="-")
    p.add_argument("--extra", action="append", default=[], help="another .tflite to include")
    p.add_argument("--results", help="a zoo test run's --zoo-results JSON: adds where outputs differ")
    a = p.parse_args(argv)
    known = zoolib.labelite_ops()
    models = zoolib.zoo_models(a.subset)
    for extra in a.extra:
        path = pathlib.Path(extra)
        models.append(zoolib.ZooModel(path.stem, "shared", {"input_size": None}, path))
    missing_by_op = collections.defaultdict(list)
    failures = collections.defaultdict(list)
    sections = []
    for m in models:
        head = f"### {m.id}"
        if not m.meta and m.kind != "shared":
            sections.append(f"{head}\n  not generated (run tests/zoo/generate.py)\n")
            continue
        if "error" in m.meta:
            sections.append(f"{head}\n  conversion failed: {m.meta['error']}\n")
            continue
        sigs = zoolib.op_signatures(m.path)
        d = zoolib.input_details(m.path)[0]
        lines = [f"{head}  (input {np.dtype(d['dtype']).name} {[int(x) for x in d['shape']]})"]
        for op, variants in sigs.items():
            flag = "" if op in known else "   !! not in kernel_list.inc"
            if op not in known:
                missing_by_op[op].append(m.id)
            for v in variants:
                lines.append(f"  {op:<30} {v}{flag}")
        for kernels in ("reference", "fast"):
            verdict = labelite_verdict(m, kernels)
            lines.append(f"  labelite --kernels {kernels}: {verdict}")
            if verdict != "runs":
                failures[verdict].append(f"{m.id}({kernels})")
        sections.append("\n".join(lines) + "\n")
        print(f"inventory: {m.id}", file=sys.stderr)
    out = ["# Ops and operand types each zoo model uses, and what labelite lacks",
           f"# zoo {zoolib.generate.zoo_dir()}; labelite {zoolib.labelite_bin()}",
           f"# labelite commit {labelite_commit()}",
           "# signature: operand dtypes -> result dtypes; [c] constant, pc per-channel quantized, - absent",
           "",
           "## Ops not in kernel_list.inc, and the models that use them"]
    for op, ids in sorted(missing_by_op.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        out.append(f"{op:<30} {len(ids):>3} models: {' '.join(ids)}")
    out += ["", "## What labelite invoke says (first refusal), and on which models/paths"]
    for verdict, ids in sorted(failures.items(), key=lambda kv: -len(kv[1])):
        out.append(f"{verdict}\n    {' '.join(ids)}")
    if a.results:
        out += ["", "## Where labelite first differs from LiteRT builtin (tests/zoo/test_zoo.py)"]
        out += exactness(json.loads(pathlib.Path(a.results).read_text()))
    out += ["", "## Per model", ""] + sections
    text = "\n".join(out) + "\n"
    if a.out == "-":
        sys.stdout.write(text)
    else:
        pathlib.Path(a.out).write_text(text)
    return 0


def exactness(results):
    """Per test and op: the models whose first differing tensor that op wrote."""
    by_op = collections.defaultdict(set)
    lines = []
    for model_id, inputs in sorted(results.items()):
        for input_name, figures in sorted(inputs.items()):
            for test in ("reference", "fast"):
                where = figures.get(f"{test}_first_diff")
                if not where:
                    continue
                m = re.search(r"output of (\w+) \(operator (\d+)\), (\w+) ", where)
                key = f"{test}: {m.group(1)} {m.group(3)}" if m else f"{test}: ?"
                by_op[key].add(model_id)
                lines.append(f"  {model_id} {input_name} {test}: {figures.get(test + '_error', '')}\n"
                             f"      {where[:400]}")
    summary = [f"{k:<40} {' '.join(sorted(v))}" for k, v in sorted(by_op.items())]
    return summary + ["", "Details:"] + lines


def labelite_commit():
    try:
        return subprocess.run(["git", "-C", str(zoolib.REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
