#!/usr/bin/env python3
"""labelite --preprocess mediapipe against the real MediaPipe Tasks ImageClassifier (PyPI).

Every shared (model, image) pair MediaPipe accepts is classified by both, top 5:
  - the same indices in the same order, tie order included;
  - the same scores: bit for bit for quantized outputs, within 1e-5 for float outputs.
The raw *.rgb files (224x224 RGB bytes) go to both as lossless PNG copies, and JPEG copies of
one image tagged with each EXIF orientation check the rotation. The test asserts the number of
pairs compared and which models MediaPipe refuses.

  mediapipe_preset_test.py LABELITE_CLI TESTDATA            the test (exit 0 pass, 1 fail)
  mediapipe_preset_test.py LABELITE_CLI TESTDATA --agreement
      prints, for every preset, on how many pairs labelite's top-1 and whole top-5 (indices
      in order) equal MediaPipe's: the README table.

  mediapipe_preset_test.py LABELITE_CLI TESTDATA --keras
      checks --preprocess keras instead, against PIL decode + tf.image.resize (bilinear, no
      antialiasing) + (x - 127.5) / 127.5 + LiteRT on the float model, opaque images: the same
      top 5 within 1e-5.

Without the mediapipe package: exit 77 (CTest's skip, with the reason), or a failure when
LABELITE_REQUIRE_ORACLE=1 (CI).
"""
import glob
import json
import os
import subprocess
import sys

TOP_K = 5
FLOAT_TOLERANCE = 1e-5
# What MediaPipe refuses in the shared set (exact messages are checked loosely).
EXPECTED_REFUSED_MODELS = {
    "keras_lstm_mnist_ptq.tflite": "BHWD",             # not an image model
    "model_invoking_error.tflite": "BHWD",
    "mobilenet_v1_0.25_224_1_default_1.tflite": "NormalizationOptions",  # float, no metadata
}
# 9 classifiers x 28 images: 19 files MediaPipe's reader takes, the 2 raw 224x224 RGB files
# (*.rgb) handed to both as lossless PNG copies of their pixels, and 7 JPEG copies of
# burger.jpg tagged with EXIF orientations 2..8 (the shared set has no rotated JPEG).
EXIF_SOURCE = "burger.jpg"
EXPECTED_PAIRS = 9 * 28
RAW_SIZE = 224
PRESETS = ["labelite", "mediapipe", "tasklib", "keras"]


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def load_mediapipe():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("GLOG_minloglevel", "2")
    try:
        import mediapipe as mp
        from mediapipe.tasks import python as mp_tasks
        from mediapipe.tasks.python import vision
    except ImportError as e:
        reason = "the mediapipe package is not installed (%s)" % e
        if os.environ.get("LABELITE_REQUIRE_ORACLE") == "1":
            fail(reason + " and LABELITE_REQUIRE_ORACLE=1")
        print("SKIP: " + reason)
        sys.exit(77)
    return mp, mp_tasks, vision


def raw_as_png(path):
    """A PNG with the pixels of a raw 224x224 RGB file, in a temporary folder."""
    from PIL import Image
    data = open(path, "rb").read()
    if len(data) != RAW_SIZE * RAW_SIZE * 3:
        fail("%s: %d bytes, expected raw %dx%d RGB" % (path, len(data), RAW_SIZE, RAW_SIZE))
    out = os.path.join(temp_dir(), os.path.basename(path)[:-4] + "_rgb.png")
    Image.frombytes("RGB", (RAW_SIZE, RAW_SIZE), data).save(out)
    return out


TEMP_DIR = None


def temp_dir():
    import tempfile
    global TEMP_DIR
    if TEMP_DIR is None:
        TEMP_DIR = tempfile.TemporaryDirectory(prefix="labelite_mp_")
    return TEMP_DIR.name


def exif_variants(testdata):
    """JPEG copies of EXIF_SOURCE tagged with EXIF orientations 2..8."""
    from PIL import Image
    source = Image.open(os.path.join(testdata, "images", EXIF_SOURCE))
    paths = []
    for orientation in range(2, 9):
        exif = Image.Exif()
        exif[0x0112] = orientation
        path = os.path.join(temp_dir(), "exif%d.jpg" % orientation)
        source.save(path, exif=exif, quality=90)
        paths.append(path)
    return paths
MAX_FLOAT_DIFF = [0.0]


def mediapipe_results(testdata):
    """{(model, image): [(index, score), ...]}, refused models and refused images."""
    mp, mp_tasks, vision = load_mediapipe()
    models = sorted(glob.glob(os.path.join(testdata, "models", "*.tflite")))
    images = sorted(glob.glob(os.path.join(testdata, "images", "*"))) + exif_variants(testdata)
    decoded, refused_images = {}, {}
    for path in images:
        if path.endswith(".rgb"):
            path = raw_as_png(path)
        try:
            decoded[path] = mp.Image.create_from_file(path)
        except Exception as e:
            refused_images[os.path.basename(path)] = str(e)
    results, refused_models = {}, {}
    for model in models:
        options = vision.ImageClassifierOptions(
            base_options=mp_tasks.BaseOptions(model_asset_path=model), max_results=TOP_K)
        try:
            classifier = vision.ImageClassifier.create_from_options(options)
        except Exception as e:
            refused_models[os.path.basename(model)] = str(e)
            continue
        with classifier:
            for path, image in decoded.items():
                r = classifier.classify(image)
                cats = r.classifications[0].categories
                results[(os.path.basename(model), os.path.basename(path))] = [
                    (c.index, c.score) for c in cats]
    return results, refused_models, refused_images, list(decoded)


def labelite_results(cli, testdata, model, images, preset):
    """{image: [(index, score), ...]} from one `labelite classify` run over all images."""
    cmd = [cli, "classify", "-m", os.path.join(testdata, "models", model), "--top-k", str(TOP_K),
           "--format", "json", "--preprocess", preset] + images
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        fail("%s exited %d: %s" % (" ".join(cmd), p.returncode, p.stderr.strip()[-500:]))
    out = {}
    for rec in json.loads(p.stdout):
        if rec.get("error"):
            fail("labelite on %s %s: %s" % (model, rec["file"], rec["error"]))
        out[os.path.basename(rec["file"])] = [(c["index"], c["score"]) for c in rec["results"]]
    return out


def float_output(cli, testdata, model):
    """Whether the model's first output is float32 (scores compared within FLOAT_TOLERANCE)."""
    p = subprocess.run([cli, "inspect", os.path.join(testdata, "models", model), "--json"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        fail("labelite inspect %s exited %d: %s" % (model, p.returncode, p.stderr.strip()))
    return json.loads(p.stdout)["outputs"][0]["dtype"] == "float32"


def compare(expected, got, exact):
    """None when equal, else a description. Zero-score entries MediaPipe pads the top 5 with
    may be missing from labelite's output (it need not print zero-score padding)."""
    if len(got) < len(expected):
        missing = expected[len(got):]
        if any(score != 0.0 for _, score in missing):
            return "labelite gave %d results, MediaPipe %d" % (len(got), len(expected))
        expected = expected[:len(got)]
    if [i for i, _ in got] != [i for i, _ in expected]:
        return "indices differ"
    for (_, a), (_, b) in zip(got, expected):
        if (a != b) if exact else (abs(a - b) > FLOAT_TOLERANCE):
            return "scores differ by %.3g" % abs(a - b)
    return None


def keras_reference(cli, testdata):
    """--preprocess keras against a Keras-style pipeline run by TensorFlow itself."""
    try:
        import numpy as np
        import tensorflow as tf
        from PIL import Image
        from ai_edge_litert.interpreter import Interpreter
    except ImportError as e:
        if os.environ.get("LABELITE_REQUIRE_ORACLE") == "1":
            fail("%s and LABELITE_REQUIRE_ORACLE=1" % e)
        print("SKIP: %s" % e)
        return 77
    model = "mobilenet_v1_0.25_224_1_metadata_1.tflite"  # float input, mean/std 127.5
    images = [p for p in sorted(glob.glob(os.path.join(testdata, "images", "*")))
              if not p.endswith(".rgb") and Image.open(p).mode in ("RGB", "L", "P")]
    got = labelite_results(cli, testdata, model, images, "keras")
    interpreter = Interpreter(model_path=os.path.join(testdata, "models", model))
    interpreter.allocate_tensors()
    inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    worst = 0.0
    for path in images:
        pixels = np.asarray(Image.open(path).convert("RGB"))
        x = tf.image.resize(pixels, inp["shape"][1:3], method="bilinear", antialias=False).numpy()
        interpreter.set_tensor(inp["index"], ((x - 127.5) / 127.5)[None].astype(np.float32))
        interpreter.invoke()
        scores = interpreter.get_tensor(out["index"])[0]
        mine = got[os.path.basename(path)]
        expected = [int(i) for i in np.argsort(-scores, kind="stable")[:TOP_K]]
        if [i for i, _ in mine] != expected:
            fail("%s: labelite --preprocess keras %s, TensorFlow %s" % (path, mine, expected))
        worst = max(worst, max(abs(score - float(scores[i])) for i, score in mine))
    if worst > FLOAT_TOLERANCE:
        fail("scores differ from TensorFlow's by up to %.3g" % worst)
    if len(images) < 18:
        fail("only %d opaque images compared" % len(images))
    print("--preprocess keras: the same top %d as PIL + tf.image.resize + LiteRT on %d images, "
          "scores within %.2g" % (TOP_K, len(images), worst))
    print("1 passed, 0 failed")
    return 0


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    cli, testdata = sys.argv[1], os.environ.get("LABELITE_TESTDATA") or sys.argv[2]
    agreement = "--agreement" in sys.argv[3:]
    if "--keras" in sys.argv[3:]:
        return keras_reference(cli, testdata)
    results, refused_models, refused_images, image_paths = mediapipe_results(testdata)

    if set(refused_models) != set(EXPECTED_REFUSED_MODELS):
        fail("MediaPipe refused %s, expected %s" % (sorted(refused_models), sorted(EXPECTED_REFUSED_MODELS)))
    for m, word in EXPECTED_REFUSED_MODELS.items():
        if word not in refused_models[m]:
            fail("MediaPipe refused %s for another reason: %s" % (m, refused_models[m]))
    if refused_images:
        fail("MediaPipe could not read %s" % sorted(refused_images))
    if len(results) != EXPECTED_PAIRS:
        fail("MediaPipe classified %d pairs, expected %d" % (len(results), EXPECTED_PAIRS))

    models = sorted({m for m, _ in results})
    presets = PRESETS if agreement else ["mediapipe"]
    table = {}
    for preset in presets:
        compared = top1 = top5 = set5 = 0
        mismatches = []
        for model in models:
            got = labelite_results(cli, testdata, model, image_paths, preset)
            exact = not float_output(cli, testdata, model)
            for (m, image), expected in sorted(results.items()):
                if m != model:
                    continue
                mine = got.get(image)
                if mine is None:
                    fail("labelite gave no result for %s %s" % (model, image))
                compared += 1
                top1 += bool(mine) and bool(expected) and mine[0][0] == expected[0][0]
                problem = compare(expected, mine, exact)
                if not exact and preset == "mediapipe":
                    for (_, a), (_, b) in zip(mine, expected):
                        MAX_FLOAT_DIFF[0] = max(MAX_FLOAT_DIFF[0], abs(a - b))
                top5 += [i for i, _ in mine] == [i for i, _ in expected][:len(mine)]
                set5 += {i for i, _ in mine} == {i for i, _ in expected}
                if problem:
                    mismatches.append("%s %s: %s\n    labelite  %s\n    MediaPipe %s" %
                                      (model, image, problem, mine, expected))
        table[preset] = (compared, top1, set5, top5, len(mismatches))
        if preset == "mediapipe":
            if compared != EXPECTED_PAIRS:
                fail("compared %d pairs, expected %d" % (compared, EXPECTED_PAIRS))
            if mismatches and not agreement:
                print("\n".join(mismatches))
                fail("%d of %d pairs differ from MediaPipe" % (len(mismatches), compared))
    if agreement:
        print("| `--preprocess` | top-1 class | top-5 classes (as a set) | top-5 in order | top-5 and scores |")
        print("|---|---|---|---|---|")
        pct = lambda k, n: "%d/%d (%.0f%%)" % (k, n, 100.0 * k / n)
        for preset, (n, t1, s5, t5, bad) in table.items():
            print("| `%s` | %s | %s | %s | %s |" % (preset, pct(t1, n), pct(s5, n), pct(t5, n), pct(n - bad, n)))
        return 0
    print("MediaPipe %d pairs (%d models x %d images; it refuses %s): "
          "labelite --preprocess mediapipe identical top-%d indices and scores on all" %
          (EXPECTED_PAIRS, len(models), len(image_paths), ", ".join(sorted(refused_models)), TOP_K))
    print("quantized outputs bit-identical; float outputs within %.2g" % MAX_FLOAT_DIFF[0])
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
