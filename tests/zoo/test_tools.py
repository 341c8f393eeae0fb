"""tools/litert_oracle.py, tools/diff_dumps.py and `labelite invoke --dump-dir` on a shared model."""

import json
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

import zoolib  # noqa: I001 (first: puts tools/ on sys.path)

import diff_dumps

TOOLS = zoolib.REPO / "tools"
MODEL = "mobilenet_v1_0.25_128_quant.tflite"


def model_path():
    path = zoolib.testdata_dir() / "models" / MODEL
    if not path.is_file():
        pytest.fail(f"missing test model {path}", pytrace=False)
    return path


def oracle(*args):
    return subprocess.run([sys.executable, str(TOOLS / "litert_oracle.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def dumps(tmp_path_factory):
    """LiteRT builtin-ref and labelite reference dumps of one seeded random input."""
    tmp = tmp_path_factory.mktemp("dumps")
    p = oracle(model_path(), "--random-seed", 5, "--path", "builtin-ref", "--output-dir", tmp / "out",
               "--dump-dir", tmp / "litert")
    assert p.returncode == 0, p.stderr
    (tmp / "labelite").mkdir()
    q = subprocess.run([str(zoolib.labelite_bin()), "invoke", str(model_path()), "--input",
                        str(tmp / "out" / "input0.bin"), "--kernels", "reference", "--dump-dir",
                        str(tmp / "labelite")], capture_output=True, text=True, timeout=300)
    assert q.returncode == 0, q.stderr
    return tmp


def test_oracle_writes_outputs_and_index(dumps):
    index = json.loads((dumps / "out" / "index.json").read_text())
    out = index["outputs"][0]
    assert (out["dtype"], out["shape"], out["scale"], out["zero_point"]) == ("uint8", [1, 1001], 0.00390625, 0)
    values = np.frombuffer((dumps / "out" / "output0.bin").read_bytes(), np.uint8)
    assert values.size == 1001 and int(values.sum()) > 200  # softmax over 256ths sums to about 256
    assert index["inputs"][0]["shape"] == [1, 128, 128, 3]
    assert (dumps / "out" / "input0.bin").stat().st_size == 128 * 128 * 3


def test_oracle_dump_is_in_execution_order(dumps):
    records = json.loads((dumps / "litert" / "index.json").read_text())
    assert records[0]["op"] == "input"
    operators = [r["operator"] for r in records]
    assert operators == sorted(operators) and operators[-1] == 30  # 31 operators
    assert [r["op"] for r in records[1:3]] == ["CONV_2D", "DEPTHWISE_CONV_2D"]


def test_labelite_reference_dump_equals_litert_reference(dumps):
    results, only_litert, only_labelite = diff_dumps.diff_dumps(dumps / "litert", dumps / "labelite")
    assert len(results) == 32 and not only_litert and not only_labelite
    assert [r["index"] for r, res in results if res is not None] == []


def test_litert_builtin_differs_from_its_reference_on_this_input(dumps, tmp_path):
    """LiteRT's optimized uint8 CONV_2D rounds one logit of this input differently from its
    reference kernel: the diff names that tensor (operator 28) and nothing before it."""
    p = oracle(model_path(), "--input", dumps / "out" / "input0.bin", "--path", "builtin",
               "--dump-dir", tmp_path)
    assert p.returncode == 0, p.stderr
    results, _, _ = diff_dumps.diff_dumps(dumps / "litert", tmp_path)
    differing = [(r["operator"], res["max_diff"], res["differing"]) for r, res in results if res]
    assert differing == [(28, 1.0, 1), (29, 1.0, 1)]


def test_diff_names_the_first_changed_tensor(dumps, tmp_path):
    changed = tmp_path / "changed"
    shutil.copytree(dumps / "labelite", changed)
    records = {r["operator"]: r for r in json.loads((changed / "index.json").read_text())}
    victim, later = records[5], records[9]
    for rec, delta in ((victim, 3), (later, 1)):
        path = changed / f"tensor{rec['index']}.bin"
        data = bytearray(path.read_bytes())
        data[100] = (data[100] + delta) % 256
        path.write_bytes(bytes(data))
    p = subprocess.run([sys.executable, str(TOOLS / "diff_dumps.py"), str(dumps / "litert"), str(changed)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 1
    first = p.stdout.splitlines()[1]
    assert first.startswith(f"first difference: tensor {victim['index']} ")
    assert "(operator 5)" in first and "max |A-B| = 3 units over 1 of" in first
    assert p.stdout.startswith("compared 32 tensors; 2 differ")
    ok = subprocess.run([sys.executable, str(TOOLS / "diff_dumps.py"), str(dumps / "litert"), str(changed),
                         "--tolerance", "3"], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and ok.stdout.startswith("compared 32 tensors; 0 differ")


def test_oracle_rejects_wrong_input_size(tmp_path):
    bad = tmp_path / "short.bin"
    bad.write_bytes(b"\0" * 10)
    p = oracle(model_path(), "--input", bad)
    assert p.returncode == 1
    assert p.stderr.strip() == (f"litert_oracle: '{bad}': 10 bytes, but input 'input' (uint8 "
                                f"[1, 128, 128, 3]) takes 49152 bytes")


def test_oracle_paths_agree_on_a_quantized_model(tmp_path):
    outs = {}
    for path in ("builtin-ref", "builtin", "xnnpack"):
        p = oracle(model_path(), "--random-seed", 9, "--path", path, "--output-dir", tmp_path / path)
        assert p.returncode == 0, p.stderr
        outs[path] = np.frombuffer((tmp_path / path / "output0.bin").read_bytes(), np.uint8).astype(int)
    assert np.array_equal(outs["builtin-ref"], outs["builtin"])  # uint8 MobileNet v1: same arithmetic
    assert np.abs(outs["builtin"] - outs["xnnpack"]).max() <= 8
    assert np.argmax(outs["builtin"]) == np.argmax(outs["xnnpack"])


def test_oracle_dumps_xnnpack_tensors_that_labelite_fast_equals(tmp_path):
    """LiteRT's XNNPACK delegate, run on a copy of the model whose outputs are all its tensors,
    and labelite's fast path compute the same bytes in every tensor of the quantized MobileNet
    (LiteRT's builtin kernels differ from both by a unit here and there)."""
    p = oracle(model_path(), "--random-seed", 1, "--path", "xnnpack", "--output-dir", tmp_path / "out",
               "--dump-dir", tmp_path / "xnnpack")
    assert p.returncode == 0, p.stderr
    index = json.loads((tmp_path / "out" / "index.json").read_text())
    assert [o["shape"] for o in index["outputs"]] == [[1, 1001]]  # only the model's own output
    records = json.loads((tmp_path / "xnnpack" / "index.json").read_text())
    assert records[0]["op"] == "input" and len(records) == 32
    last = records[-1]
    assert last["index"] == index["outputs"][0]["index"]
    assert (tmp_path / "xnnpack" / last["file"]).read_bytes() == (tmp_path / "out" / "output0.bin").read_bytes()
    (tmp_path / "labelite").mkdir()
    q = subprocess.run([str(zoolib.labelite_bin()), "invoke", str(model_path()), "--input",
                        str(tmp_path / "out" / "input0.bin"), "--kernels", "fast", "--dump-dir",
                        str(tmp_path / "labelite")], capture_output=True, text=True, timeout=300)
    assert q.returncode == 0, q.stderr
    results, _, _ = diff_dumps.diff_dumps(tmp_path / "xnnpack", tmp_path / "labelite", 0.0, 0.0)
    assert len(results) == 32
    assert [diff_dumps.describe(rec, res) for rec, res in results if res is not None] == []
    b = oracle(model_path(), "--input", tmp_path / "out" / "input0.bin", "--path", "builtin",
               "--dump-dir", tmp_path / "builtin")
    assert b.returncode == 0, b.stderr
    results, _, _ = diff_dumps.diff_dumps(tmp_path / "builtin", tmp_path / "xnnpack", 0.0, 0.0)
    assert sum(res is not None for _, res in results) > 10


def test_diff_rejects_a_folder_without_index(tmp_path):
    p = subprocess.run([sys.executable, str(TOOLS / "diff_dumps.py"), str(tmp_path), str(tmp_path)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and p.stderr.startswith("diff_dumps: ") and "index.json" in p.stderr


def raw_builtin_goldens():
    folder = zoolib.testdata_dir() / "golden" / "raw-builtin"
    return sorted(folder.glob("*.pattern37.json"))


@pytest.mark.parametrize("golden", raw_builtin_goldens(), ids=lambda p: p.name.split(".pattern37")[0])
def test_oracle_reproduces_the_committed_builtin_goldens(golden):
    """The shared raw-builtin goldens (TFLite 2.19's builtin kernels, no XNNPACK) hold, value for
    value, what LiteRT 2.3 computes on the pattern input with its optimized builtin kernels or
    with its reference ones: the uint8 MobileNet v2 models (and automl_labeler_model) match only
    BUILTIN_REF (LiteRT 2.3's optimized uint8 kernels differ by up to 8), the float and int8
    ones only BUILTIN."""
    expected = json.loads(golden.read_text())
    model = zoolib.testdata_dir() / "models" / (golden.name.split(".pattern37")[0] + ".tflite")
    matches = []
    for path in ("builtin", "builtin-ref"):
        p = oracle(model, "--pattern37", "--path", path, "--json")
        assert p.returncode == 0, p.stderr
        got = json.loads(p.stdout)
        assert got["runtime"].endswith(" " + path)
        assert [o["shape"] for o in got["outputs"]] == [o["shape"] for o in expected["outputs"]]
        if [o["values"] for o in got["outputs"]] == [o["values"] for o in expected["outputs"]]:
            matches.append(path)
    assert matches, f"{golden.name}: neither LiteRT builtin nor builtin-ref gives the golden values"


def test_there_are_builtin_goldens():
    assert len(raw_builtin_goldens()) >= 10
