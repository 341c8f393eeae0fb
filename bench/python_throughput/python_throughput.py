"""Images/s of labelite's Python API against the usual Python pipeline, and on Dask and Ray.

    PYTHONPATH=build/release/python build/venv/bin/python bench/python_throughput/python_throughput.py \
        [--model M] [--images N] [--rounds R] [--skip-ray]

Pipelines, all over the same N JPEG photos (made once from ../shared/testdata/images by
resizing and re-encoding variants into build/python_throughput/images, never committed):
  - labelite: Classifier.classify_batch(paths, threads=T) (decode, resize, inference on C++
    threads, GIL released);
  - PIL + LiteRT: what classifier code usually does: PIL open/convert/resize to the input size,
    numpy, ai_edge_litert Interpreter set_tensor/invoke/get_tensor, argsort top-5, labels;
    T threads = T Python threads with one interpreter each (invoke and PIL release the GIL);
  - Dask: labelite.dask.classify on a LocalCluster of W one-thread worker processes;
  - Ray: read_binary_files + map_batches(labelite.ray.Classifier) with an actor pool of W.
Each figure is the median of R timed rounds after a warm-up round; wall time includes file
reading and decoding. Cluster rounds exclude cluster start-up (Ray's include its actors'
start-up, which Ray Data does per execution).
"""

import argparse
import concurrent.futures
import os
import pathlib
import statistics
import sys
import time

import numpy as np
from PIL import Image

REPO = pathlib.Path(__file__).resolve().parents[2]
TESTDATA = pathlib.Path(os.environ.get("LABELITE_TESTDATA", REPO.parent / "shared" / "testdata"))
OUT = REPO / "build" / "python_throughput" / "images"
WIDTHS = (320, 480, 640, 800, 1024, 1280)
QUALITIES = (75, 92)


def make_images(n):
    """At least n JPEGs: every decodable shared image at several widths and qualities, then
    mirrored copies. Reused when already there."""
    existing = sorted(OUT.glob("*.jpg"))
    if len(existing) >= n:
        return [str(p) for p in existing[:n]]
    OUT.mkdir(parents=True, exist_ok=True)
    sources = sorted(p for p in (TESTDATA / "images").iterdir() if p.suffix.lower() in (".jpg", ".png", ".bmp"))
    made = []
    for flip in (False, True):
        for src in sources:
            with Image.open(src) as im:
                rgb = im.convert("RGB")
            if flip:
                rgb = rgb.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
            for w in WIDTHS:
                h = max(1, round(rgb.height * w / rgb.width))
                for q in QUALITIES:
                    path = OUT / f"{src.stem}_{'m' if flip else 'o'}_{w}_q{q}.jpg"
                    rgb.resize((w, h), Image.Resampling.LANCZOS).save(path, quality=q)
                    made.append(str(path))
        if len(made) >= n:
            break
    return sorted(made)[:n]


def timed(fn, rounds):
    fn()  # warm-up
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def labelite_batch(model, paths, threads):
    import labelite

    classifier = labelite.Classifier(model, top_k=5)
    return lambda: classifier.classify_batch(paths, threads=threads)


def pil_litert(model, paths, threads, interpreter_threads=1):
    from ai_edge_litert.interpreter import Interpreter

    import labelite.labels

    labels = labelite.labels.load(TESTDATA / "labels" / "imagenet_labels.txt")
    interpreters = []
    for _ in range(threads):
        it = Interpreter(model_path=model, num_threads=interpreter_threads)
        it.allocate_tensors()
        interpreters.append(it)
    inp = interpreters[0].get_input_details()[0]
    out = interpreters[0].get_output_details()[0]
    height, width = int(inp["shape"][1]), int(inp["shape"][2])

    def one(it, path):
        img = Image.open(path).convert("RGB").resize((width, height), Image.Resampling.BILINEAR)
        it.set_tensor(inp["index"], np.expand_dims(np.asarray(img), 0))
        it.invoke()
        scores = np.squeeze(it.get_tensor(out["index"]))
        return [(int(i), labels[int(i)]) for i in scores.argsort()[-5:][::-1]]

    def run_serial():
        return [one(interpreters[0], p) for p in paths]

    def run_threads():
        chunks = [paths[i::threads] for i in range(threads)]
        with concurrent.futures.ThreadPoolExecutor(threads) as pool:
            return list(pool.map(lambda ic: [one(interpreters[ic[0]], p) for p in ic[1]], enumerate(chunks)))

    return run_serial if threads == 1 else run_threads


def dask_runs(model, paths, workers_list, rounds):
    import dask.distributed

    import labelite.dask

    out = {}
    for workers in workers_list:
        with dask.distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                           dashboard_address=None, silence_logs=40) as cluster, \
                dask.distributed.Client(cluster) as client:
            out[workers] = timed(lambda: labelite.dask.classify(paths, model=model, client=client), rounds)
    return out


def ray_runs(model, paths, workers_list, rounds):
    import ray

    import labelite.ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    out = {}
    try:
        for workers in workers_list:
            def run():
                ds = ray.data.read_binary_files(paths, include_paths=True)
                ds = ds.map_batches(labelite.ray.Classifier, fn_constructor_kwargs={"model": model},
                                    compute=ray.data.ActorPoolStrategy(size=workers), batch_size=32,
                                    num_cpus=0.5)  # leaves a CPU for the read tasks
                return ds.select_columns(["path", "label"]).take_all()
            out[workers] = timed(run, rounds)
    finally:
        ray.shutdown()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(TESTDATA / "models" / "mobilenet_v2_1.0_224_quant.tflite"))
    ap.add_argument("--images", type=int, default=240)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--skip-ray", action="store_true")
    ap.add_argument("--skip-dask", action="store_true")
    ap.add_argument("--skip-local", action="store_true", help="only the cluster engines")
    args = ap.parse_args()
    paths = make_images(args.images)
    n = len(paths)
    print(f"{n} JPEGs in {OUT}; model {pathlib.Path(args.model).name}; median of {args.rounds} rounds "
          f"(best in brackets); {os.cpu_count()} CPUs", flush=True)
    rows = []

    def report(name, t):
        median, best = t
        rows.append((name, n / median))
        print(f"  {name:<44} {n / median:7.1f} images/s  ({n / best:6.1f})", flush=True)

    for threads in () if args.skip_local else (1, 2):
        report(f"labelite classify_batch, {threads} thread(s)", timed(labelite_batch(args.model, paths, threads),
                                                                      args.rounds))
        report(f"PIL + numpy + LiteRT, {threads} Python thread(s)", timed(pil_litert(args.model, paths, threads),
                                                                         args.rounds))
    if not args.skip_local:
        report("PIL + numpy + LiteRT, num_threads=2", timed(pil_litert(args.model, paths, 1, 2), args.rounds))
    if not args.skip_dask:
        for workers, t in dask_runs(args.model, paths, (1, 2), args.rounds).items():
            report(f"Dask LocalCluster, {workers} worker(s) x 1 thread", t)
    if not args.skip_ray:
        for workers, t in ray_runs(args.model, paths, (1, 2), args.rounds).items():
            report(f"Ray Data, actor pool of {workers}", t)
    r = dict(rows)
    if not args.skip_local:
        base = r["PIL + numpy + LiteRT, 1 Python thread(s)"]
        print(f"labelite / PIL+LiteRT at 1 thread: {r['labelite classify_batch, 1 thread(s)'] / base:.2f}x; at 2 "
              f"threads: {r['labelite classify_batch, 2 thread(s)'] / r['PIL + numpy + LiteRT, 2 Python thread(s)']:.2f}x")
    if not args.skip_dask:
        print(f"Dask 2 workers / 1 worker: {r['Dask LocalCluster, 2 worker(s) x 1 thread'] / r['Dask LocalCluster, 1 worker(s) x 1 thread']:.2f}x")
    if not args.skip_ray:
        print(f"Ray 2 actors / 1 actor: {r['Ray Data, actor pool of 2'] / r['Ray Data, actor pool of 1']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
