"""labelite.interpreter against LiteRT's own Interpreter (ai_edge_litert): the same
tflite_runtime-style code, run unchanged on both modules, gives the same outputs."""

import pathlib

import ai_edge_litert.interpreter as litert
import numpy as np
import pytest
from PIL import Image

import labelite
import labelite.interpreter as tflite
from conftest import TESTDATA, model_path

MODELS = {  # model -> exact (quantized) or float tolerance
    "mobilenet_v1_0.25_128_quant.tflite": 0,
    "mobilenet_v2_1.0_224_quant.tflite": 0,
    "mobilenet_v1_0.25_224_1_metadata_1.tflite": 1e-5,
    "tf2_mobilenet_v2_1.0_224_ptq.tflite": 0,
}
# labelite's reference kernels against LiteRT's BUILTIN_REF. The int8 model differs by up to 2
# output steps there (measured 2026-12-06; the fast path above is exact): a kernel matter for
# the reference-kernel work, not for the Python binding, which only copies tensors.
REFERENCE_TOLERANCE = {name: tol for name, tol in MODELS.items()}
REFERENCE_TOLERANCE["tf2_mobilenet_v2_1.0_224_ptq.tflite"] = 2
IMAGES = ["cat.bmp", "parrot.jpg", "hot_dog.jpg"]


def classify_like_tflite_examples(module, model, image_path, **kwargs):
    """What tflite_runtime's label_image.py does; `module` stands for `tflite_runtime.interpreter`."""
    interpreter = module.Interpreter(model_path=model, **kwargs)
    interpreter.allocate_tensors()
    input_details = interpreter.get_input_details()
    output_details = interpreter.get_output_details()
    floating_model = input_details[0]["dtype"] == np.float32
    height, width = input_details[0]["shape"][1], input_details[0]["shape"][2]
    img = Image.open(image_path).convert("RGB").resize((width, height))
    input_data = np.expand_dims(img, axis=0)
    if floating_model:
        input_data = (np.float32(input_data) - 127.5) / 127.5
    elif input_details[0]["dtype"] == np.int8:
        scale, zero_point = input_details[0]["quantization"]
        input_data = np.clip(np.round(input_data / 255.0 / scale + zero_point), -128, 127).astype(np.int8)
    interpreter.set_tensor(input_details[0]["index"], input_data)
    interpreter.invoke()
    output_data = interpreter.get_tensor(output_details[0]["index"])
    results = np.squeeze(output_data)
    top_k = results.argsort()[-5:][::-1]
    return results, top_k


@pytest.mark.parametrize("name", MODELS)
def test_tflite_runtime_code_runs_unchanged(name):
    model = model_path(name)
    for image in IMAGES:
        ours, our_top = classify_like_tflite_examples(tflite, model, TESTDATA / "images" / image)
        theirs, their_top = classify_like_tflite_examples(litert, model, TESTDATA / "images" / image)
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
        if MODELS[name] == 0:
            assert np.array_equal(ours, theirs)
            assert list(our_top) == list(their_top)
        else:
            np.testing.assert_allclose(ours, theirs, atol=MODELS[name])
            assert our_top[0] == their_top[0]
    # BUILTIN_REF: labelite's reference kernels against TFLite's own reference kernels.
    ref, _ = classify_like_tflite_examples(
        tflite, model, TESTDATA / "images" / IMAGES[0],
        experimental_op_resolver_type=tflite.OpResolverType.BUILTIN_REF, num_threads=2)
    theirs, _ = classify_like_tflite_examples(
        litert, model, TESTDATA / "images" / IMAGES[0],
        experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF)
    if REFERENCE_TOLERANCE[name] == 0:
        assert np.array_equal(ref, theirs)
    else:
        np.testing.assert_allclose(ref.astype(np.float64), theirs, atol=REFERENCE_TOLERANCE[name])


def _same_details(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], np.ndarray):
            assert a[key].dtype == b[key].dtype and np.array_equal(a[key], b[key]), key
        elif key == "quantization_parameters":
            _same_details(a[key], b[key])
        else:
            assert a[key] == b[key], key


@pytest.mark.parametrize("name", MODELS)
def test_details_and_signatures_equal_litert(name):
    ours, theirs = tflite.Interpreter(model_path=model_path(name)), litert.Interpreter(model_path=model_path(name))
    ours.allocate_tensors()
    theirs.allocate_tensors()
    for a, b in zip(ours.get_input_details() + ours.get_output_details(),
                    theirs.get_input_details() + theirs.get_output_details()):
        _same_details(a, b)
    assert len(ours.get_input_details()) == len(theirs.get_input_details())
    our_tensors, their_tensors = ours.get_tensor_details(), theirs.get_tensor_details()
    assert len(our_tensors) == len(their_tensors)
    for a, b in zip(our_tensors, their_tensors):
        _same_details(a, b)
    assert ours.get_signature_list() == theirs.get_signature_list()


def test_errors_and_states_are_tflites():
    model = model_path("mobilenet_v1_0.25_128_quant.tflite")
    ours, theirs = tflite.Interpreter(model_path=model), litert.Interpreter(model_path=model)
    index = ours.get_input_details()[0]["index"]
    good = np.zeros((1, 128, 128, 3), np.uint8)

    def message(fn, *args):
        with pytest.raises(Exception) as e:
            fn(*args)
        return type(e.value), str(e.value)

    assert message(ours.set_tensor, index, good) == message(theirs.set_tensor, index, good)
    assert message(ours.get_tensor, index) == message(theirs.get_tensor, index)
    ours.allocate_tensors()
    theirs.allocate_tensors()
    for bad in (good.astype(np.float32), good[0], np.zeros((1, 129, 128, 3), np.uint8), [[1]]):
        (t1, m1), (t2, m2) = message(ours.set_tensor, index, bad), message(theirs.set_tensor, index, bad)
        assert issubclass(t1, ValueError) and issubclass(t2, ValueError) and m1 == m2
    assert message(ours.get_tensor, 9999)[1] == message(theirs.get_tensor, 9999)[1]
    # Holding a numpy view of a tensor blocks invoke, as in TFLite.
    view = ours.tensor(index)()
    with pytest.raises(RuntimeError, match="reference to internal data"):
        ours.invoke()
    del view
    ours.invoke()
    with pytest.raises(ValueError, match="model_path"):
        tflite.Interpreter()
    with pytest.raises(ValueError):
        tflite.Interpreter(num_threads=0, model_path=model)
    with pytest.raises(ValueError):
        tflite.load_delegate("libedgetpu.so.1")


def test_model_errors_are_value_errors_and_labelite_errors(tmp_path):
    with pytest.raises(ValueError) as e:
        tflite.Interpreter(model_path=str(tmp_path / "none.tflite"))
    assert isinstance(e.value, labelite.ModelError) and isinstance(e.value, FileNotFoundError)
    with pytest.raises(ValueError) as e:
        tflite.Interpreter(model_content=b"garbage" * 10)
    assert isinstance(e.value, labelite.ModelError) and "not a TFLite model" in str(e.value)
    with pytest.raises(labelite.ModelError, match="unsupported|custom"):
        tflite.Interpreter(model_path=model_path("model_invoking_error.tflite"))


def test_views_and_model_content():
    path = model_path("mobilenet_v1_0.25_128_quant.tflite")
    it = tflite.Interpreter(model_content=pathlib.Path(path).read_bytes(), num_threads=2)
    it.allocate_tensors()
    inp, out = it.get_input_details()[0]["index"], it.get_output_details()[0]["index"]
    image = np.random.default_rng(7).integers(0, 256, (128, 128, 3), dtype=np.uint8)
    it.tensor(inp)()[0] = image  # write through the view, as the Coral examples do
    it.invoke()
    ours = it.tensor(out)()[0].copy()
    reference = litert.Interpreter(model_path=path)
    reference.allocate_tensors()
    reference.set_tensor(inp, image[None])
    reference.invoke()
    assert np.array_equal(ours, reference.get_tensor(out)[0])
    # This graph reshapes to [1, 1001]: a batch of 2 is refused with the operator named.
    with pytest.raises(ValueError, match="RESHAPE"):
        it.resize_tensor_input(inp, [2, 128, 128, 3])
    with pytest.raises(ValueError, match="batch"):
        it.resize_tensor_input(inp, [1, 100, 128, 3])


def test_batch_resize_gives_the_single_image_outputs():
    path = model_path("mobilenet_v2_1.0_224_inat_bird_quant.tflite")
    it = tflite.Interpreter(model_path=path)
    it.allocate_tensors()
    inp, out = it.get_input_details()[0]["index"], it.get_output_details()[0]["index"]
    images = np.random.default_rng(3).integers(0, 256, (3, 224, 224, 3), dtype=np.uint8)
    singles = []
    for image in images:
        it.set_tensor(inp, image[None])
        it.invoke()
        singles.append(it.get_tensor(out)[0])
    it.resize_tensor_input(inp, [3, 224, 224, 3])
    with pytest.raises(RuntimeError, match="not ready"):
        it.invoke()
    it.allocate_tensors()
    assert list(it.get_input_details()[0]["shape"]) == [3, 224, 224, 3]
    it.set_tensor(inp, images)
    it.invoke()
    batch = it.get_tensor(out)
    assert batch.shape == (3, 965)
    for i in range(3):
        assert np.array_equal(batch[i], singles[i])
