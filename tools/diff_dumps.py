#!/usr/bin/env python3
"""Compares two tensor dumps of one model and names the first tensor, in execution order, that
differs, and by how much.

  diff_dumps.py A B [--tolerance T] [--range-tolerance R] [--all] [--json]

A and B are folders written by `labelite invoke --dump-dir` or `tools/litert_oracle.py
--dump-dir` (tensor<i>.bin + index.json). Tensors are matched by their index in the model and
visited in the order of the operator that writes them (graph inputs first). A tensor differs
when some element differs by more than T (in the tensor's own units: quantized steps, or float
values; default 0) and, for float tensors, by more than R times the tensor's value range in A
(default 0).

Exit codes: 0 every common tensor matches; 1 some tensor differs; 2 bad usage or a folder that
is not a dump (one line on stderr).
"""

import argparse
import json
import pathlib
import sys

import numpy as np


class DumpError(Exception):
    pass


def load_index(folder):
    path = pathlib.Path(folder) / "index.json"
    try:
        records = json.loads(path.read_text())
    except OSError as e:
        raise DumpError(f"{str(path)!r}: cannot read ({e.strerror})") from None
    except json.JSONDecodeError as e:
        raise DumpError(f"{str(path)!r}: not JSON ({e.msg} at line {e.lineno})") from None
    if not isinstance(records, list):
        raise DumpError(f"{str(path)!r}: expected a list of tensors")
    out = {}
    for position, r in enumerate(records):
        try:
            out[int(r["index"])] = dict(r, position=position)
        except (KeyError, TypeError, ValueError):
            raise DumpError(f"{str(path)!r}: entry {position} has no tensor index") from None
    return out


def load_tensor(folder, record):
    name = record.get("file") or f"tensor{record['index']}.bin"
    path = pathlib.Path(folder) / name
    try:
        dtype = np.dtype(record["dtype"])
        data = np.frombuffer(path.read_bytes(), dtype)
    except OSError as e:
        raise DumpError(f"{str(path)!r}: cannot read ({e.strerror})") from None
    except (TypeError, ValueError) as e:
        raise DumpError(f"{str(path)!r}: {e}") from None
    shape = [int(d) for d in record["shape"]]
    if data.size != int(np.prod(shape)):
        raise DumpError(f"{str(path)!r}: {data.size} elements, shape {shape} needs {int(np.prod(shape))}")
    return data.reshape(shape)


def execution_key(record):
    return (int(record.get("operator", -1)), record["position"])


def compare(a, b, tolerance, range_tolerance):
    """Returns None when equal within the bounds, else a dict describing the difference."""
    if a.dtype != b.dtype or a.shape != b.shape:
        return {"reason": f"{a.dtype.name} {list(a.shape)} vs {b.dtype.name} {list(b.shape)}"}
    if a.size == 0:
        return None
    if a.dtype.kind == "b":
        a, b = a.astype(np.int8), b.astype(np.int8)
    if a.dtype.kind == "f":
        x, y = a.astype(np.float64), b.astype(np.float64)
        both_nan = np.isnan(x) & np.isnan(y)
        diff = np.where(both_nan, 0.0, np.abs(x - y))
        diff = np.where(np.isnan(diff), np.inf, diff)
        finite = x[np.isfinite(x)]
        value_range = float(finite.max() - finite.min()) if finite.size else 0.0
        bound = max(tolerance, range_tolerance * value_range)
    else:
        diff = np.abs(a.astype(np.int64) - b.astype(np.int64)).astype(np.float64)
        value_range = None
        bound = tolerance
    bad = diff > bound
    if not bad.any():
        return None
    first = np.unravel_index(int(np.argmax(bad)), a.shape)
    worst = np.unravel_index(int(np.argmax(diff)), a.shape)
    out = {"max_diff": float(diff.max()), "differing": int(bad.sum()), "elements": int(a.size),
           "first_at": [int(i) for i in first], "first_a": a[first].item(), "first_b": b[first].item(),
           "worst_at": [int(i) for i in worst], "worst_a": a[worst].item(), "worst_b": b[worst].item()}
    if value_range is not None:
        out["range_a"] = value_range
    return out


def describe(record, result):
    where = f"tensor {record['index']} '{record.get('name', '')}'"
    op = record.get("op", "?")
    operator = record.get("operator", -1)
    who = "graph input" if operator == -1 else f"output of {op} (operator {operator})"
    head = f"{where}, {who}, {record.get('dtype')} {record.get('shape')}"
    if "reason" in result:
        return f"{head}: {result['reason']}"
    units = "" if str(record.get("dtype", "")).startswith("float") else " units"
    text = (f"{head}: max |A-B| = {result['max_diff']:g}{units} over {result['differing']} of "
            f"{result['elements']} elements; first at {result['first_at']} (A {result['first_a']}, "
            f"B {result['first_b']}), worst at {result['worst_at']} (A {result['worst_a']}, "
            f"B {result['worst_b']})")
    if "range_a" in result:
        text += f"; A's range {result['range_a']:g}"
    return text


def diff_dumps(dir_a, dir_b, tolerance=0.0, range_tolerance=0.0):
    """Yields (record, result) for every tensor present in both dumps, in execution order, and
    returns the indices found in only one of them."""
    ia, ib = load_index(dir_a), load_index(dir_b)
    common = sorted(set(ia) & set(ib), key=lambda t: execution_key(ia[t]))
    results = []
    for t in common:
        res = compare(load_tensor(dir_a, ia[t]), load_tensor(dir_b, ib[t]), tolerance, range_tolerance)
        results.append((ia[t], res))
    return results, sorted(set(ia) - set(ib)), sorted(set(ib) - set(ia))


def main(argv=None):
    p = argparse.ArgumentParser(description="Name the first tensor where two dumps differ.")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--tolerance", type=float, default=0.0,
                   help="allowed |A-B| per element in the tensor's units (default 0)")
    p.add_argument("--range-tolerance", type=float, default=0.0,
                   help="float tensors: allowed |A-B| as a fraction of A's value range")
    p.add_argument("--all", action="store_true", help="list every differing tensor, not only the first")
    p.add_argument("--json", action="store_true")
    a = p.parse_args(argv)
    try:
        results, only_a, only_b = diff_dumps(a.a, a.b, a.tolerance, a.range_tolerance)
    except DumpError as e:
        print(f"diff_dumps: {e}", file=sys.stderr)
        return 2
    differing = [(r, res) for r, res in results if res is not None]
    if a.json:
        print(json.dumps({"compared": len(results), "differing": [
            dict(index=r["index"], name=r.get("name"), op=r.get("op"), operator=r.get("operator"), **res)
            for r, res in differing], "only_a": only_a, "only_b": only_b}))
    else:
        print(f"compared {len(results)} tensors; {len(differing)} differ"
              + (f"; only in A: {only_a}" if only_a else "") + (f"; only in B: {only_b}" if only_b else ""))
        for r, res in differing if a.all else differing[:1]:
            print(("first difference: " if r is differing[0][0] else "") + describe(r, res))
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
