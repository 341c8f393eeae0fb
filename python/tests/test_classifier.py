"""labelite.Classifier against the CLI of the same build, on the shared models and images."""

import pathlib
import pickle
import threading

import numpy as np
import pytest
from PIL import Image

import labelite
from conftest import TESTDATA, assert_same_results, cli_json, images, model_path, run_cli

QUANT = "mobilenet_v2_1.0_224_quant.tflite"
FLOAT = "mobilenet_v1_0.25_224_1_metadata_1.tflite"
MODELS = [QUANT, FLOAT, "mobilenet_v1_0.5_160_quant.tflite", "mobilenet_v2_1.0_224_inat_bird_quant.tflite"]


@pytest.fixture(scope="module", params=MODELS)
def model_and_cli(request, testdata):
    model = model_path(request.param)
    return model, cli_json(model, [str(testdata / "images")])


def test_classify_and_batch_equal_the_cli(model_and_cli):
    model, expected = model_and_cli
    paths = images()
    assert sorted(expected) == paths and len(paths) >= 15
    classifier = labelite.Classifier(model)
    for path in paths:
        assert expected[path]["error"] is None
        assert_same_results(classifier.classify(path), expected[path]["results"])
    for threads in (1, 2):
        batch = classifier.classify_batch(paths, threads=threads)
        for path, result in zip(paths, batch):
            assert_same_results(result, expected[path]["results"])


def test_bytes_pathlike_and_lossless_arrays_equal_the_path(testdata):
    classifier = labelite.Classifier(model_path(QUANT))
    for name in ("cat.bmp", "burger-224.png", "parrot.jpg"):
        path = testdata / "images" / name
        want = classifier.classify(str(path))
        assert classifier.classify(path) == want  # PathLike
        assert classifier.classify(path.read_bytes()) == want
        assert classifier.classify(bytearray(path.read_bytes())) == want
    # BMP and PNG decode to the same pixels in PIL and labelite.
    for name in ("cat.bmp", "grace_hopper.bmp", "burger-224.png"):
        path = str(testdata / "images" / name)
        want = classifier.classify(path)
        with Image.open(path) as im:
            assert classifier.classify(im) == want
            assert classifier.classify(np.asarray(im.convert("RGB"))) == want


def test_rgba_and_gray_arrays_match_the_decoders(tmp_path, testdata):
    classifier = labelite.Classifier(model_path(QUANT))
    with Image.open(testdata / "images" / "cat.bmp") as im:
        rgb = np.asarray(im.convert("RGB"))
    alpha = np.tile(np.linspace(0, 255, rgb.shape[1], dtype=np.uint8), (rgb.shape[0], 1))[..., None]
    rgba = np.concatenate([rgb, alpha], axis=2)
    png = tmp_path / "cat_rgba.png"
    Image.fromarray(rgba, "RGBA").save(png)
    # The PNG decoder composites alpha over white; arrays and PIL images get the same.
    expected = cli_json(model_path(QUANT), [str(png)])[str(png)]["results"]
    assert_same_results(classifier.classify(rgba), expected)
    with Image.open(png) as im:
        assert_same_results(classifier.classify(im), expected)
    assert classifier.classify(rgba) != classifier.classify(rgb)  # alpha mattered
    gray = np.asarray(Image.fromarray(rgb).convert("L"))
    gray_png = tmp_path / "cat_gray.png"
    Image.fromarray(gray, "L").save(gray_png)
    expected = cli_json(model_path(QUANT), [str(gray_png)])[str(gray_png)]["results"]
    assert_same_results(classifier.classify(gray), expected)
    assert_same_results(classifier.classify(gray[..., None]), expected)


@pytest.mark.parametrize("options,flags", [
    (dict(top_k=2), ["--top-k", "2"]),
    (dict(score_threshold=0.05, top_k=10), ["--threshold", "0.05", "--top-k", "10"]),
    (dict(resize="crop"), ["--resize", "crop"]),
    (dict(resize="pad"), ["--resize", "pad"]),
    (dict(kernels="reference"), ["--kernels", "reference"]),
    (dict(allow=["tabby, tabby cat", "tiger cat"]), ["--allow", "tabby, tabby cat", "--allow", "tiger cat"]),
    (dict(deny="Egyptian cat"), ["--deny", "Egyptian cat"]),
    (dict(threads=2), []),
])
def test_options_equal_the_cli_flags(options, flags, testdata):
    if "allow" in options:  # the CLI before issue 12 takes one comma-separated --allow
        code, _, _ = run_cli("classify", "--model", model_path(QUANT), "--format", "json", "--allow",
                             "tabby, tabby cat", "--allow", "tiger cat", str(testdata / "images" / "cat.bmp"),
                             check=False)
        if code != 0:
            flags = ["--allow", "tiger cat"]
            options = dict(allow=["tiger cat"])
    paths = [str(testdata / "images" / n) for n in ("cat.bmp", "cat_720p.jpg", "kite_and_cold.jpg")]
    expected = cli_json(model_path(QUANT), paths, *flags)
    classifier = labelite.Classifier(model_path(QUANT), **options)
    for path, result in zip(paths, classifier.classify_batch(paths)):
        assert_same_results(result, expected[path]["results"])


def test_normalization_and_labels_options_equal_the_cli(testdata):
    model = model_path(FLOAT)
    paths = [str(testdata / "images" / "parrot.jpg"), str(testdata / "images" / "cat.bmp")]
    expected = cli_json(model, paths, "--mean", "127", "--std", "128", "--labels",
                        str(testdata / "labels" / "imagenet_labels.txt"))
    classifier = labelite.Classifier(model, str(testdata / "labels" / "imagenet_labels.txt"), mean=127, std=128)
    for path in paths:
        assert_same_results(classifier.classify(path), expected[path]["results"])
    assert classifier.labels[286] == "Egyptian cat" and len(classifier.labels) == 1001


def test_model_bytes_labels_notices_summary(tmp_path, testdata):
    path = model_path(QUANT)
    from_bytes = labelite.Classifier(pathlib.Path(path).read_bytes())
    from_path = labelite.Classifier(path)
    image = str(testdata / "images" / "hot_dog.jpg")
    assert from_bytes.classify(image) == from_path.classify(image)
    assert from_path.classify(image)[0].label == "hotdog, hot dog, red hot"
    assert len(from_path.labels) == 1001 and from_path.labels[0] == "background"
    s = from_path.summary
    assert (s["input_width"], s["input_height"], s["input_channels"], s["input_type"]) == (224, 224, 3, "uint8")
    assert s["num_classes"] == [1001]
    assert "embedded" in s["label_source"]
    # A 1000-name file on a 1001-class model is shifted past background, with a notice.
    names = (testdata / "labels" / "imagenet_labels.txt").read_text().splitlines()[1:]
    labels = tmp_path / "labels1000.txt"
    labels.write_text("\n".join(names) + "\n")
    shifted = labelite.Classifier(path, str(labels))
    assert shifted.labels[0] == "background" and shifted.labels[286] == "Egyptian cat"
    assert any("background" in n for n in shifted.notices)


def test_errors_are_the_cli_messages_with_classes_by_origin(tmp_path, testdata):
    missing = str(tmp_path / "missing.tflite")
    with pytest.raises(labelite.ModelError) as e:
        labelite.Classifier(missing)
    assert isinstance(e.value, FileNotFoundError)
    code, _, err = run_cli("classify", "--model", missing, str(testdata / "images" / "cat.bmp"), check=False)
    assert code == 3 and str(e.value) in err

    not_a_model = str(testdata / "images" / "parrot.jpg")
    with pytest.raises(labelite.ModelError) as e:
        labelite.Classifier(not_a_model)
    assert not isinstance(e.value, FileNotFoundError)
    code, _, err = run_cli("classify", "--model", not_a_model, str(testdata / "images" / "cat.bmp"), check=False)
    assert code == 3 and err.strip().endswith(str(e.value))

    with pytest.raises(labelite.LabelsError) as e:
        labelite.Classifier(model_path(QUANT), str(tmp_path / "none.txt"))
    assert isinstance(e.value, FileNotFoundError)
    coco = str(testdata / "labels" / "coco_labels.txt")
    with pytest.raises(labelite.LabelsError) as e:
        labelite.Classifier(model_path(QUANT), coco)
    code, _, err = run_cli("classify", "--model", model_path(QUANT), "--labels", coco,
                           str(testdata / "images" / "cat.bmp"), check=False)
    assert code == 4 and err.strip().endswith(str(e.value))

    classifier = labelite.Classifier(model_path(QUANT))
    with pytest.raises(labelite.InputError) as e:
        classifier.classify(str(tmp_path / "none.jpg"))
    assert isinstance(e.value, FileNotFoundError) and "none.jpg" in str(e.value)
    with pytest.raises(labelite.InputError):
        classifier.classify(b"not an image")
    with pytest.raises(labelite.InputError, match="1, 3 or 4 channels"):
        classifier.classify(np.zeros((4, 4, 2), np.uint8))
    with pytest.raises(labelite.UsageError, match="uint8"):
        classifier.classify(np.zeros((4, 4, 3), np.float32))
    with pytest.raises(TypeError):
        classifier.classify(12)
    for bad in (dict(top_k=0), dict(kernels="gpu"), dict(resize="fit"), dict(threads=0), dict(mean=1.0)):
        with pytest.raises(ValueError):
            labelite.Classifier(model_path(QUANT), **bad)
    with pytest.raises(labelite.UsageError):
        labelite.Classifier(model_path(QUANT), allow=["no such class"])


def test_batch_errors_name_the_item(tmp_path, testdata):
    classifier = labelite.Classifier(model_path(QUANT))
    good = str(testdata / "images" / "cat.bmp")
    missing = str(tmp_path / "gone.jpg")
    items = [good, missing, b"junk", np.zeros((8, 8, 3), np.uint8)]
    with pytest.raises(labelite.InputError) as e:
        classifier.classify_batch(items, threads=2)
    assert str(e.value).startswith(missing + ":") and isinstance(e.value, FileNotFoundError)
    out = classifier.classify_batch(items, threads=2, errors="return")
    assert out[0] == classifier.classify(good)
    assert isinstance(out[1], labelite.InputError) and str(out[1]).startswith(missing)
    assert isinstance(out[2], labelite.InputError) and str(out[2]).startswith("item 2: ")
    assert out[3] == classifier.classify(np.zeros((8, 8, 3), np.uint8))
    named = classifier.classify_batch([b"junk"], errors="return", names=["upload.jpg"])
    assert str(named[0]).startswith("upload.jpg: ")
    assert classifier.classify_batch([]) == []


def test_pickle_and_threads(testdata):
    classifier = labelite.Classifier(model_path(QUANT), top_k=3)
    copy = pickle.loads(pickle.dumps(classifier))
    paths = images()
    want = classifier.classify_batch(paths)
    assert copy.classify_batch(paths) == want and copy.options["top_k"] == 3
    by_bytes = labelite.Classifier(pathlib.Path(model_path(QUANT)).read_bytes(), top_k=3)
    assert pickle.loads(pickle.dumps(by_bytes)).classify_batch(paths) == want
    err = pickle.loads(pickle.dumps(labelite.InputError("x.jpg: bad", code="invalid image")))
    assert isinstance(err, labelite.InputError) and str(err) == "x.jpg: bad" and err.code == "invalid image"
    # Python threads sharing one Classifier take turns and get the serial answers.
    got = [None] * 4

    def work(i):
        got[i] = [classifier.classify(p) for p in paths]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(g == want for g in got)
