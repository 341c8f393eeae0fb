#!/usr/bin/env python3
"""Writes tests/zoo/RESULTS.md from a zoo test run (pytest --zoo-results FILE).

  python tests/zoo/report.py RESULTS_JSON... [--subset ci|full] [--out tests/zoo/RESULTS.md]
                             [--note TEXT]
"""

import argparse
import datetime
import json
import pathlib
import platform
import re
import subprocess
import sys

import inventory
import zoolib


def fmt(x):
    if x is None:
        return "-"
    if float(x) == int(x):
        return str(int(x))
    return f"{x:.2g}"


def cell_reference(cases):
    out = []
    for name in ("random", "image"):
        c = cases.get(name, {})
        if "reference_exact" in c:
            out.append(("yes" if c["reference_exact"] else f"no ({fmt(c['reference_max_diff'])})"))
        else:
            out.append("-")
    return " / ".join(out)


def cell_vs_ref(cases):
    out = []
    for name in ("random", "image"):
        c = cases.get(name, {})
        out.append(fmt(c.get("vs_other_max_diff")) + " vs " + fmt(c.get("litert_ref_gap"))
                   if "vs_other_max_diff" in c else "-")
    return " / ".join(out)


def cell_fast(cases):
    out = []
    for name in ("random", "image"):
        c = cases.get(name, {})
        out.append(f"{fmt(c['fast_max_diff'])} vs {fmt(c['litert_gap'])}" if "fast_max_diff" in c else "-")
    return " / ".join(out)


def cell_top1(cases):
    out = []
    for name in ("random", "image"):
        c = cases.get(name, {})
        out.append(("yes" if c["top1_agree"] else "**no**") if "top1_agree" in c else "-")
    return " / ".join(out)


def short_diff(where):
    m = re.search(r"output of (\w+) \(operator (\d+)\), (\w+) \[[^]]*\]: max \|A-B\| = ([^ ]+)", where)
    return f"first differs at {m.group(1)} (operator {m.group(2)}, {m.group(3)}) by {m.group(4)}" if m else ""


def problem(model, cases):
    if not model.meta:
        return "not generated"
    if "error" in model.meta:
        return "converter: " + model.meta["error"][:200]
    errors = []
    for name in ("random", "image"):
        for test in ("reference", "fast"):
            e = cases.get(name, {}).get(f"{test}_error")
            if e:
                e = e.split(": ", 1)[1] if e.startswith(model.id) else e
                e = inventory.compress(e.replace(f"labelite: {model.path.name}: ", ""))
                e = re.sub(r"^labelite --kernels \w+ refuses it: ", "labelite refuses it: ", e)
                e = re.sub(r"^not generated: .*", "not generated", e)
                where = short_diff(cases.get(name, {}).get(f"{test}_first_diff", ""))
                if where:
                    e = f"{test}: {where}"
                if e not in errors:
                    errors.append(e)
    return "; ".join(f"{x}" for x in errors).replace("|", "\\|")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("results", nargs="+", help="one or more --zoo-results files; later ones win per model")
    p.add_argument("--subset", choices=["ci", "full"], default="full")
    p.add_argument("--out", default=str(zoolib.HERE / "RESULTS.md"))
    p.add_argument("--note", default="")
    a = p.parse_args(argv)
    results = {}
    for path in a.results:
        for model_id, cases in json.loads(pathlib.Path(path).read_text()).items():
            if any(k.endswith("_error") and "not generated" in v for c in cases.values() for k, v in c.items()) \
                    and model_id in results:
                continue  # an earlier run that had the model is better than one that had not
            results[model_id] = cases
    models = zoolib.zoo_models(a.subset)
    commit = subprocess.run(["git", "-C", str(zoolib.REPO), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    passed = sum(1 for m in models if m.meta and "error" not in m.meta and not problem(m, results.get(m.id, {}))
                 and len(results.get(m.id, {})) == 2)
    lines = [
        "# Zoo results: labelite against native LiteRT",
        "",
        f"Written by `scripts/zoo.sh` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
        f"labelite {commit}, {platform.machine()}; LiteRT (ai-edge-litert) "
        f"{zoolib.generate.package_version('ai-edge-litert')}, TensorFlow "
        f"{zoolib.generate.package_version('tensorflow-cpu')}, Keras {zoolib.generate.package_version('keras')}.",
        f"Zoo folder key {zoolib.generate.cache_key()} (tests/zoo/generate.py, seeded random weights).",
        "",
        f"**{passed} of {len(models)} models pass every check.**" + (f" {a.note}" if a.note else ""),
        "",
        "Each cell reads `random input / real image` (grace_hopper.bmp resized).",
        "- reference exact: `labelite --kernels reference` output equals LiteRT's builtin kernels "
        "(OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES) bit for bit on quantized outputs (and "
        "quantized models must match on every intermediate tensor too), within 1e-4 of the range "
        "(or LiteRT's own builtin-vs-builtin-ref gap) on float outputs; else the max output difference.",
        "- vs builtin-ref: max |LiteRT builtin-ref - labelite reference| vs max |LiteRT builtin - "
        "LiteRT builtin-ref| (BUILTIN_REF: TFLite's reference kernels; not a pass criterion; with "
        "`--zoo-reference-oracle builtin-ref` the roles of the two swap).",
        "- fast vs gap: max |LiteRT builtin - labelite fast| vs max |LiteRT builtin - LiteRT XNNPACK| "
        "(quantized units or float values); passes when within max(gap, 1 unit or 1e-4 of the range) "
        "(floats: to float32 precision).",
        "- top-1: labelite fast's top class is LiteRT builtin's top class (ties included).",
        "",
        "| model | conversion | ops | reference exact | vs builtin-ref | fast vs LiteRT gap | top-1 | problem |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for m in models:
        cases = results.get(m.id, {})
        ops = ", ".join(zoolib.op_signatures(m.path)) if m.meta and "error" not in m.meta else "-"
        lines.append(f"| {m.arch} | {m.kind} | {ops} | {cell_reference(cases)} | {cell_vs_ref(cases)} | {cell_fast(cases)} | "
                     f"{cell_top1(cases)} | {problem(m, cases)} |")
    lines += ["", "## Generation (this machine)", "",
              "Seconds are wall / CPU (CPU: all of TensorFlow's threads; the host was shared).",
              "",
              "| model | conversion | input | parameters | .tflite bytes | build + export s | convert s |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for m in models:
        if m.meta:
            md = m.meta
            lines.append(f"| {m.arch} | {m.kind} | {md.get('input_size')} | {md.get('params')} | "
                         f"{md.get('bytes', '-')} | {md.get('build_seconds')} / {md.get('build_cpu_seconds')} | "
                         f"{md.get('convert_seconds')} / {md.get('convert_cpu_seconds')} |")
    pathlib.Path(a.out).write_text("\n".join(lines) + "\n")
    print(f"report: {a.out} ({passed} of {len(models)} pass)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
