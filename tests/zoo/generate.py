#!/usr/bin/env python3
"""Builds the model zoo: real Keras architectures with seeded random weights, each converted to
.tflite in five ways.

  python tests/zoo/generate.py [--subset ci|full] [--arch NAME ...] [--kind KIND ...]
                               [--cache DIR] [--print-dir] [--list]

Models go to CACHE/<key>/<arch>.<kind>.tflite, each with <arch>.<kind>.json (architecture,
conversion, input size, seconds, or the converter's error). CACHE is --cache, else
$LABELITE_ZOO_CACHE, else ~/.cache/labelite/zoo. <key> hashes this generator's files and the
versions of the packages that shape the output, so a change to either starts a fresh folder and
an unchanged one reuses what is there. Nothing is downloaded (Keras `weights=None`).

Steps per architecture:
  1. Seed everything and build the Keras model (architectures.py).
  2. Give every BatchNormalization a random scale and shift, then set its moving statistics
     from one training-mode pass over seeded images (momentum 0), so activations keep a sane
     range through the depth of the net, as trained weights would.
  3. Export a SavedModel (Keras 3: model.export) and convert it with TFLiteConverter in each
     requested way; full-integer conversions calibrate on the same seeded image generator.
"""

import argparse
import concurrent.futures
import hashlib
import importlib.metadata
import json
import multiprocessing
import os
import pathlib
import shutil
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # the same float arithmetic on every CPU

import numpy as np  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SEED = 1234
KINDS = ["float32", "float16", "dynamic", "int8-uint8", "int8-int8"]
CI_KINDS = ["float32", "int8-uint8"]
VERSIONED = ["tensorflow-cpu", "keras", "numpy"]
CALIBRATION_SAMPLES = 8
# Generation cost order on a 2-core machine (measured, see tests/zoo/RESULTS.md).
SLOWEST_FIRST = ["nasnet_mobile", "densenet121", "inception_v3", "efficientnet_b0",
                 "mobilenet_v3_large", "mobilenet_v2", "efficientnet_lite", "resnet50_style"]


def package_version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "none"


def cache_key():
    """Hash of this generator's source files and the versions of the packages it runs on."""
    h = hashlib.sha256()
    for name in ("generate.py", "architectures.py"):
        h.update((HERE / name).read_bytes())
    for name in VERSIONED:
        h.update(f"{name}=={package_version(name)}\n".encode())
    return h.hexdigest()[:16]


def cache_root(override=None):
    if override:
        return pathlib.Path(override)
    env = os.environ.get("LABELITE_ZOO_CACHE")
    if env:
        return pathlib.Path(env)
    return pathlib.Path.home() / ".cache" / "labelite" / "zoo"


def zoo_dir(override=None):
    return cache_root(override) / cache_key()


def sample_images(rng, n, size):
    """n seeded 'photos': smooth random colour fields at a few scales plus grain, in [0, 255].
    The first one holds exact 0 and 255 so calibrated input ranges cover the whole byte."""
    images = np.empty((n, size, size, 3), np.float32)
    for i in range(n):
        img = np.zeros((size, size, 3), np.float32)
        for cells in (2, 4, 8):
            grid = rng.uniform(-1.0, 1.0, (cells + 1, cells + 1, 3)).astype(np.float32)
            pos = np.linspace(0.0, cells, size, dtype=np.float32)
            i0 = np.minimum(pos.astype(int), cells - 1)
            f = (pos - i0)[:, None]
            rows = grid[i0] * (1 - f[..., None]) + grid[i0 + 1] * f[..., None]
            cols = rows[:, i0] * (1 - f[None, :, :]) + rows[:, i0 + 1] * f[None, :, :]
            img += cols * (96.0 / cells)
        img += rng.normal(0.0, 12.0, img.shape).astype(np.float32)
        images[i] = np.clip(img + 128.0, 0.0, 255.0)
    images[0, 0, 0, :] = 0.0
    images[0, -1, -1, :] = 255.0
    return images


def randomize_batch_norm(model, rng, size):
    """Step 2: random BN scale/shift, then moving statistics from one training-mode pass."""
    import keras

    bns = [l for l in _all_layers(model) if isinstance(l, keras.layers.BatchNormalization)]
    if not bns:
        return
    for bn in bns:
        if bn.gamma is not None:
            bn.gamma.assign(rng.uniform(0.5, 1.5, bn.gamma.shape).astype(np.float32))
        if bn.beta is not None:
            bn.beta.assign(rng.normal(0.0, 0.2, bn.beta.shape).astype(np.float32))
    momentum = [bn.momentum for bn in bns]
    for bn in bns:
        bn.momentum = 0.0
    model(sample_images(rng, 4, size), training=True)
    for bn, m in zip(bns, momentum):
        bn.momentum = m


def _all_layers(model):
    out = []
    for layer in model.layers:
        out.append(layer)
        if hasattr(layer, "layers"):
            out.extend(_all_layers(layer))
    return out


def build(arch):
    import keras

    import architectures

    builder, size = architectures.ARCHITECTURES[arch]
    keras.utils.set_random_seed(SEED)
    model = builder(size)
    randomize_batch_norm(model, np.random.default_rng(SEED), size)
    return model, size


def convert(saved_model_dir, kind, size):
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_saved_model(str(saved_model_dir))
    if kind == "float16":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    elif kind == "dynamic":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    elif kind in ("int8-uint8", "int8-int8"):
        images = sample_images(np.random.default_rng(SEED + 1), CALIBRATION_SAMPLES, size)

        def representative():
            for img in images:
                yield [img[None]]

        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = representative
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        io = tf.uint8 if kind == "int8-uint8" else tf.int8
        converter.inference_input_type = io
        converter.inference_output_type = io
    elif kind != "float32":
        raise ValueError(kind)
    return converter.convert()


def write_atomic(path, data):
    """Readers (and a concurrent generator) see the whole file or none of it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def generate(arch, kinds, out_dir, force=False):
    """Builds `arch` once and writes every conversion in `kinds` that is not there yet."""
    todo = [k for k in kinds if force or not (out_dir / f"{arch}.{k}.json").exists()]
    if not todo:
        return
    import keras

    t0, cpu0 = time.monotonic(), time.process_time()
    try:
        model, size = build(arch)
    except Exception as e:  # a broken builder fails its models, not the whole zoo
        error = f"{type(e).__name__}: {str(e).strip().splitlines()[0][:500]}"
        print(f"{arch}: cannot build: {error}", flush=True)
        for kind in todo:
            meta = {"arch": arch, "kind": kind, "error": "building the Keras model: " + error}
            write_atomic(out_dir / f"{arch}.{kind}.json", (json.dumps(meta, indent=1) + "\n").encode())
        return
    with tempfile.TemporaryDirectory() as tmp:
        saved = pathlib.Path(tmp) / "saved_model"
        # A fixed batch of 1, as classifiers ship: Keras' default signature leaves the batch
        # dynamic, which makes the converter keep SHAPE/STRIDED_SLICE/PACK for every Reshape.
        import tensorflow as tf

        signature = [tf.TensorSpec((1, size, size, 3), tf.float32, name="image")]
        model.export(str(saved), format="tf_saved_model", verbose=False, input_signature=signature)
        build_seconds, build_cpu = time.monotonic() - t0, time.process_time() - cpu0
        print(f"{arch}: built and exported in {build_seconds:.1f} s ({build_cpu:.1f} s CPU)", flush=True)
        for kind in todo:
            t1, cpu1 = time.monotonic(), time.process_time()
            meta = {"arch": arch, "kind": kind, "input_size": size, "seed": SEED,
                    "params": int(model.count_params()), "build_seconds": round(build_seconds, 2),
                    "build_cpu_seconds": round(build_cpu, 2)}
            try:
                data = convert(saved, kind, size)
                write_atomic(out_dir / f"{arch}.{kind}.tflite", data)
                meta["bytes"] = len(data)
            except Exception as e:  # the converter's own message is the result
                meta["error"] = f"{type(e).__name__}: {str(e).strip().splitlines()[0][:500]}"
            meta["convert_seconds"] = round(time.monotonic() - t1, 2)
            meta["convert_cpu_seconds"] = round(time.process_time() - cpu1, 2)
            # The .json last: its presence marks a finished model.
            write_atomic(out_dir / f"{arch}.{kind}.json", (json.dumps(meta, indent=1) + "\n").encode())
            status = meta.get("error", f"{meta.get('bytes')} bytes")
            print(f"  {arch}.{kind}: {meta['convert_seconds']:.1f} s ({meta['convert_cpu_seconds']:.1f} s CPU), "
                  f"{status}", flush=True)
    del model
    keras.backend.clear_session()


def main(argv=None):
    import architectures

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--subset", choices=["ci", "full"], default="full",
                   help="ci: every architecture as float32 and int8-uint8 only")
    p.add_argument("--arch", action="append", choices=sorted(architectures.ARCHITECTURES))
    p.add_argument("--kind", action="append", choices=KINDS)
    p.add_argument("--cache", help="cache root (default $LABELITE_ZOO_CACHE or ~/.cache/labelite/zoo)")
    p.add_argument("--force", action="store_true", help="regenerate models already in the cache")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                   help="architectures built at once, one process each (default: %(default)s)")
    p.add_argument("--print-dir", action="store_true", help="print the model folder and exit")
    p.add_argument("--list", action="store_true", help="list architectures and sizes and exit")
    a = p.parse_args(argv)
    out_dir = zoo_dir(a.cache)
    if a.print_dir:
        print(out_dir)
        return 0
    if a.list:
        for name, (_, size) in architectures.ARCHITECTURES.items():
            print(f"{name} {size}")
        return 0
    kinds = a.kind or (CI_KINDS if a.subset == "ci" else KINDS)
    archs = a.arch or list(architectures.ARCHITECTURES)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    # The converter runs on one core most of the time: build several architectures at once,
    # the slowest first so that they do not finish last alone.
    archs.sort(key=lambda arch: SLOWEST_FIRST.index(arch) if arch in SLOWEST_FIRST else len(SLOWEST_FIRST))
    if a.jobs <= 1 or len(archs) == 1:
        for arch in archs:
            generate(arch, kinds, out_dir, a.force)
    else:
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(a.jobs, mp_context=context) as pool:
            futures = {pool.submit(generate, arch, kinds, out_dir, a.force): arch for arch in archs}
            for future in concurrent.futures.as_completed(futures):
                future.result()  # a crashed worker (out of memory) stops the run with its error
    print(f"zoo: {out_dir} ({time.monotonic() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
