#!/usr/bin/env python3
"""labelite beside native LiteRT, operator by operator inside the whole model.

bench/layer_vs_litert.py times each operator alone, as a one-operator model. Alone, an operator
is not what it is inside the model: LiteRT's XNNPACK delegate sets a one-operator model up again
on every invoke (its convolutions rebuild their indirection buffers: MobileNet v2's RGB stem
took 28 us alone and 20 us inside the model), and the inputs sit in the cache where the model
would have them in another core's or in memory. This tool times prefixes of the model instead:
the model cut after operator k (operators 0..k, with the tensors they need; the outputs are the
tensors made and not read within the cut), for every k. Operator k's time inside the model is
then prefix k minus prefix k - 1, on each side:
  labelite bench PREFIX --threads T --runs N --json       (one process per prefix)
  LiteRT's Interpreter (default XNNPACK delegate, num_threads=T) on every prefix, one process
in interleaved rounds; each figure is the fastest round's median (a difference of two noisy
figures: the host's noise only adds time). Differences of about 1 us are noise, and an operator
one side fuses into the operator before it (an activation, a swish) shows its cost on either of
the two: compare sums over runs of operators, or the per-type totals printed at the end.
Generated prefixes are cached outside git, in $LABELITE_LAYER_CACHE or ~/.cache/labelite/layers.

  build/venv/bin/python bench/prefix_vs_litert.py --model M.tflite \\
      --labelite build/release/labelite [--threads 1] [--rounds 3] [--runs 200] [--cpu avx2]
--cpu avx2 runs both sides under bench/cpuid_mask.c as bench/vs_litert --cpu avx2 does.
"""

import argparse
import collections
import hashlib
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import layer_vs_litert as layers  # noqa: E402  (the model cutting and LiteRT's input pattern)

LITERT_CHILD = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import layer_vs_litert as layers
layers.litert_worker(json.loads(sys.argv[2]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[3]))
"""


def prefixes(model_path, cache):
    """The model's prefixes, cut after each operator: [(op index, op name, shapes, path)]."""
    s = layers.schema()
    with open(model_path, "rb") as f:
        buf = f.read()
    model = s.ModelT.InitFromPackedBuf(buf, 0)
    names = layers.op_names()
    sg = model.subgraphs[0]
    key = hashlib.sha256(buf).hexdigest()[:16]
    os.makedirs(cache, exist_ok=True)
    out = []
    for k, op in enumerate(sg.operators):
        path = os.path.join(cache, f"prefix-{key}-{k:04d}.tflite")
        if not os.path.exists(path):
            tmp = path + f".{os.getpid()}.tmp"
            with open(tmp, "wb") as f:
                f.write(layers.pack(layers.cut(model, list(range(k + 1)))))
            os.replace(tmp, path)
        out.append((k, names.get(layers.builtin_code(model, op), "?"),
                    layers.describe(model, [k]), path))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--labelite", default=os.path.join(os.path.dirname(HERE), "build", "release",
                                                       "labelite"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--cpu", choices=("avx2", "avxvnni"),
                    help="hide the ISA levels above this from CPUID, for both sides")
    ap.add_argument("--cpuid-mask", help="path of libcpuid_mask.so (default: beside --labelite)")
    args = ap.parse_args()

    cache = os.environ.get("LABELITE_LAYER_CACHE",
                           os.path.join(os.path.expanduser("~"), ".cache", "labelite", "layers"))
    cuts = prefixes(args.model, cache)
    env = layers.masked_env(args) or dict(os.environ)  # --cpu: vs_litert's mask, probed
    paths = [c[3] for c in cuts]
    lit = collections.defaultdict(list)
    lab = collections.defaultdict(list)
    for r in range(args.rounds):
        done = subprocess.run([sys.executable, "-c", LITERT_CHILD, HERE, json.dumps(paths),
                               str(args.threads), str(args.runs), str(args.warmup)],
                              env=env, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"prefix_vs_litert: LiteRT failed: {done.stderr.strip()[-400:]}")
        for p, ms in json.loads(done.stdout).items():
            lit[p].append(ms * 1000)
        for p in paths:
            done = subprocess.run([args.labelite, "bench", p, "--threads", str(args.threads),
                                   "--runs", str(args.runs), "--warmup", str(args.warmup),
                                   "--json"], env=env, capture_output=True, text=True)
            if done.returncode != 0:
                sys.exit(f"prefix_vs_litert: labelite bench {p!r} failed: "
                         f"{done.stderr.strip()[-400:]}")
            lab[p].append(json.loads(done.stdout)["latency_ms"]["median"] * 1000)
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)

    print(f"{os.path.basename(args.model)}: {len(cuts)} prefixes, {args.threads} thread(s), "
          f"{args.rounds} rounds x {args.runs} runs"
          + (f", CPUID masked to {args.cpu}" if args.cpu else ""))
    print(f"{'#':>4} {'op':18s} {'shapes (in, filter, out)':44s} {'LiteRT us':>9} {'labelite':>9}"
          f" {'cumulative LiteRT / labelite':>30}")
    by_type = collections.defaultdict(lambda: [0.0, 0.0, 0])
    prev_l = prev_b = 0.0
    for k, name, shapes, p in cuts:
        cum_l, cum_b = min(lit[p]), min(lab[p])
        d_l, d_b = cum_l - prev_l, cum_b - prev_b
        prev_l, prev_b = cum_l, cum_b
        t = by_type[name]
        t[0] += d_l
        t[1] += d_b
        t[2] += 1
        print(f"{k:4d} {name:18s} {shapes[:44]:44s} {d_l:9.1f} {d_b:9.1f} "
              f"{cum_l:14.1f} {cum_b:14.1f}")
    print(f"whole model: LiteRT {prev_l:.1f} us, labelite {prev_b:.1f} us, "
          f"ratio {prev_b / prev_l:.2f}")
    print("per operator type (sums of the differences):")
    for name, (l_us, b_us, n) in sorted(by_type.items(), key=lambda kv: -kv[1][0]):
        print(f"  {name:18s} x{n:<3d} LiteRT {l_us:8.1f} us  labelite {b_us:8.1f} us")


if __name__ == "__main__":
    main()
