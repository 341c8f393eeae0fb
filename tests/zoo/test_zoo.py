"""labelite against native LiteRT on every zoo model (tests/zoo/generate.py makes them).

For each model and each of two inputs (a seeded random tensor, a real photo):
  test_reference  labelite --kernels reference equals LiteRT's builtin kernels: bit for bit on
                  quantized outputs and, in quantized models, on every intermediate tensor too; on float outputs within 1e-4 of the output's range, or
                  within LiteRT's own builtin-vs-builtin-ref gap when that is larger (its optimized
                  float kernels sum in another order). Dynamic-range models included: LiteRT's
                  hybrid arithmetic.
  test_fast       labelite --kernels fast differs from LiteRT's builtin kernels by no more than
                  LiteRT's own builtin-vs-XNNPACK gap on that model and input (at least 1 unit, or
                  1e-4 of the range for floats), and names a top-1 class that LiteRT scores within
                  that same bound of its own top score (random weights make near-ties common).
A model labelite refuses fails with the model, the conversion and labelite's message (the op or
type it lacks); a mismatch names the first differing tensor (tools/diff_dumps.py).

  build/venv/bin/python -m pytest tests/zoo [--zoo-subset ci|full] [--zoo-arch A] [--zoo-kind K]
                                            [--zoo-results FILE]
"""

import functools
import pathlib
import tempfile

import numpy as np
import pytest

import zoolib  # noqa: I001 (first: puts tools/ on sys.path)

import diff_dumps

FLOAT_RANGE_TOLERANCE = 1e-4
RANDOM_SEED = 7
INPUTS = ["random", "image"]
NO_DIFFERENCE = "no intermediate tensor differs"


def pytest_generate_tests(metafunc):
    if "model" not in metafunc.fixturenames:
        return
    cfg = metafunc.config
    models = [m for m in zoolib.zoo_models(cfg.getoption("--zoo-subset"))
              if (not cfg.getoption("--zoo-arch") or m.arch in cfg.getoption("--zoo-arch"))
              and (not cfg.getoption("--zoo-kind") or m.kind in cfg.getoption("--zoo-kind"))]
    metafunc.parametrize("model", models, ids=[m.id for m in models])
    metafunc.parametrize("input_name", INPUTS)


class Case:
    """One model on one input: records figures for the report and fails with a crisp message."""

    def __init__(self, model, input_name, record, test):
        self.model, self.input_name, self._record, self.test = model, input_name, record, test

    def record(self, **figures):
        self._record(self.model.id, self.input_name, **figures)

    def fail(self, message):
        lines = message.splitlines()
        self.record(**{f"{self.test}_error": lines[0]})
        if len(lines) > 1:
            self.record(**{f"{self.test}_first_diff": lines[1]})
        pytest.fail(message, pytrace=False)

    def require_model(self):
        m = self.model
        if not m.meta:
            self.fail(f"{m.id}: not generated: run tests/zoo/generate.py "
                      f"(looked in {zoolib.generate.zoo_dir()})")
        if "error" in m.meta:
            self.fail(f"{m.id}: the TFLite converter failed: {m.meta['error']}")
        if not zoolib.labelite_bin().is_file():
            self.fail(f"no labelite binary at {zoolib.labelite_bin()} (build it or set LABELITE_BIN)")


@functools.lru_cache(maxsize=None)
def model_input(model_path, input_name):
    detail = zoolib.input_details(model_path)[0]
    if input_name == "random":
        return zoolib.random_input(detail, RANDOM_SEED)
    return zoolib.image_input(detail, zoolib.testdata_dir() / "images" / zoolib.REAL_IMAGE)


@functools.lru_cache(maxsize=None)
def _litert(model_path, input_name, path):
    return zoolib.run_litert(model_path, [model_input(model_path, input_name)], path)


def litert(case, path):
    run = _litert(case.model.path, case.input_name, path)
    if not run.ok:
        case.fail(f"{case.model.id}: LiteRT ({path}) failed: {run.error}")
    return run


def labelite(case, kernels, tmp):
    model = case.model
    input_file = pathlib.Path(tmp) / "input0.bin"
    input_file.write_bytes(model_input(model.path, case.input_name).tobytes())
    run = zoolib.run_labelite(model.path, input_file, kernels, threads=2 if kernels == "fast" else 1)
    if not run.ok:
        msg = run.error.replace(str(model.path), model.path.name)
        case.fail(f"{model.id}: labelite --kernels {kernels} refuses it: {msg}")
    return run


def output_diff(a, b, record):
    """Largest |a-b| in the output's units (quantized steps or float values), and the bound that
    counts as equal for floats (1e-4 of a's range)."""
    if np.dtype(record["dtype"]).kind == "f":
        diff = float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))) if a.size else 0.0
        value_range = float(a.max() - a.min()) if a.size else 0.0
        return diff, FLOAT_RANGE_TOLERANCE * value_range
    return float(np.max(np.abs(a.astype(np.int64) - b.astype(np.int64)))) if a.size else 0.0, 0.0


def first_difference(model, input_name, kernels, tolerance, range_tolerance, oracle="builtin"):
    """Runs both with tensor dumps and describes the first tensor that differs."""
    with tempfile.TemporaryDirectory() as tmp:
        ours, theirs = pathlib.Path(tmp, "labelite"), pathlib.Path(tmp, "litert")
        input_file = pathlib.Path(tmp, "input0.bin")
        input_file.write_bytes(model_input(model.path, input_name).tobytes())
        zoolib.run_labelite(model.path, input_file, kernels, dump_dir=ours)
        zoolib.run_litert(model.path, [model_input(model.path, input_name)], oracle, dump_dir=theirs)
        try:
            results, _, _ = diff_dumps.diff_dumps(theirs, ours, tolerance, range_tolerance)
        except diff_dumps.DumpError as e:
            return f"(no layer diff: {e})"
        for rec, res in results:
            if res is not None:
                return (f"first differing tensor (A = LiteRT {oracle}, B = labelite): "
                        + diff_dumps.describe(rec, res))
    return NO_DIFFERENCE


def top1_agrees(ours, theirs, allowed):
    """LiteRT scores our top-1 class within `allowed` of its own top score: with random weights
    near-ties are common, and LiteRT's XNNPACK path itself picks another of the tied classes."""
    a, b = ours.reshape(-1).astype(np.float64), theirs.reshape(-1).astype(np.float64)
    return bool(b[int(np.argmax(a))] >= b.max() - allowed)


def test_reference(model, input_name, record, tmp_path, request):
    case = Case(model, input_name, record, "reference")
    case.require_model()
    oracle = request.config.getoption("--zoo-reference-oracle")
    theirs = litert(case, oracle)
    their_ref = litert(case, "builtin-ref" if oracle == "builtin" else "builtin")
    ours = zoolib.as_arrays(labelite(case, "reference", tmp_path), theirs.records)
    worst, worst_gap, failures = 0.0, 0.0, []
    for i, (a, r, b, rec) in enumerate(zip(theirs.outputs, their_ref.outputs, ours, theirs.records)):
        diff, float_bound = output_diff(a, b, rec)
        # Floats: LiteRT's optimized kernels are themselves only this close to its reference ones.
        gap, _ = output_diff(a, r, rec)
        bound = max(float_bound, gap) if np.dtype(rec["dtype"]).kind == "f" else 0.0
        worst, worst_gap = max(worst, diff), max(worst_gap, gap)
        if diff > bound:
            failures.append(f"output {i} ({rec['dtype']}): max |LiteRT - labelite| = {diff:g}"
                            + (f" > {bound:g} (1e-4 of the range, or LiteRT's builtin-vs-builtin-ref "
                               f"gap {gap:g})" if bound or float_bound else ", must be 0"))
    # For the report: how close labelite comes to the other LiteRT kernels (builtin-ref or builtin).
    vs_ref = max((output_diff(r, b, rec)[0] for r, b, rec in zip(their_ref.outputs, ours, theirs.records)),
                 default=0.0)
    case.record(reference_max_diff=worst, reference_exact=not failures, litert_ref_gap=worst_gap,
                vs_other_max_diff=vs_ref, reference_oracle=oracle)
    if failures:
        where = first_difference(model, input_name, "reference", 0.0, FLOAT_RANGE_TOLERANCE, oracle)
        case.fail(f"{model.id} on {input_name} input: " + "; ".join(failures) + f"\n{where}")
    # Quantized models: every tensor, not only the output (a saturated softmax hides a lot).
    if all(np.dtype(rec["dtype"]).kind in "iu" for rec in theirs.records):
        where = first_difference(model, input_name, "reference", 0.0, 0.0, oracle)
        case.record(intermediates_exact=where == NO_DIFFERENCE)
        if where != NO_DIFFERENCE:
            case.fail(f"{model.id} on {input_name} input: outputs equal, an intermediate tensor differs\n{where}")


def test_fast(model, input_name, record, tmp_path):
    case = Case(model, input_name, record, "fast")
    case.require_model()
    builtin = litert(case, "builtin")
    xnnpack = litert(case, "xnnpack")
    ours = zoolib.as_arrays(labelite(case, "fast", tmp_path), builtin.records)
    worst, worst_gap, failures, agree = 0.0, 0.0, [], True
    for i, (a, x, b, rec) in enumerate(zip(builtin.outputs, xnnpack.outputs, ours, builtin.records)):
        gap, float_bound = output_diff(a, x, rec)
        allowed = max(gap, float_bound if np.dtype(rec["dtype"]).kind == "f" else 1.0)
        if np.dtype(rec["dtype"]).kind == "f":
            # The outputs are float32: differences that agree to float32 precision are equal
            # (a saturated softmax that both runtimes flip differs from LiteRT's by ~1e-16).
            allowed = float(np.nextafter(np.float32(allowed), np.float32(np.inf)))
        diff, _ = output_diff(a, b, rec)
        worst, worst_gap = max(worst, diff), max(worst_gap, gap)
        if diff > allowed:
            failures.append(f"output {i} ({rec['dtype']}): max |LiteRT builtin - labelite fast| = "
                            f"{diff:g} > {allowed:g} (LiteRT's own builtin-vs-XNNPACK gap {gap:g})")
        if i == 0:
            case.record(top1_same=int(np.argmax(b)) == int(np.argmax(a)))
            if not top1_agrees(b, a, allowed):
                agree = False
                failures.append(f"top-1: labelite fast says class {int(np.argmax(b))}, LiteRT builtin "
                                f"{int(np.argmax(a))} (XNNPACK {int(np.argmax(x))}); LiteRT scores them "
                                f"{a.reshape(-1)[int(np.argmax(b))]} and {a.max()}")
    case.record(fast_max_diff=worst, litert_gap=worst_gap, top1_agree=agree)
    if failures:
        quantized = np.dtype(builtin.records[0]["dtype"]).kind in "iu"
        where = first_difference(model, input_name, "fast", 1.0 if quantized else 0.0, FLOAT_RANGE_TOLERANCE)
        case.fail(f"{model.id} on {input_name} input: " + "; ".join(failures) + f"\n{where}")

