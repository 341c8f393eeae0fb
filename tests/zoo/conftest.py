"""pytest options for the zoo: which subset to test and where to write per-case results."""

import json
import pathlib

import pytest

RESULTS = {}


def pytest_addoption(parser):
    parser.addoption("--zoo-subset", choices=["ci", "full"], default="ci",
                     help="ci: every architecture as float32 and int8-uint8; full: all five conversions")
    parser.addoption("--zoo-arch", action="append", default=[], help="only these architectures")
    parser.addoption("--zoo-kind", action="append", default=[], help="only these conversions")
    parser.addoption("--zoo-results", help="write every case's figures to this JSON file")
    parser.addoption("--zoo-reference-oracle", choices=["builtin", "builtin-ref"], default="builtin",
                     help="the LiteRT kernels labelite's reference path must equal (default: builtin)")


@pytest.fixture
def record():
    """record(model_id, input_name, **figures) keeps figures for tests/zoo/report.py."""

    def add(model_id, input_name, **figures):
        RESULTS.setdefault(model_id, {}).setdefault(input_name, {}).update(figures)

    return add


def pytest_sessionfinish(session, exitstatus):
    path = session.config.getoption("--zoo-results")
    if path:
        pathlib.Path(path).write_text(json.dumps(RESULTS, indent=1, sort_keys=True) + "\n")


# Known, open gaps of labelite's reference path against LiteRT's optimized builtin kernels
# (issue 13), kept visible as strict expected failures: a fix makes them XPASS, which fails the
# run until the entry is removed here. int8 MEAN over H and W with keep_dims (the global pools
# and squeeze-excite blocks of these architectures) differs by 1 unit from LiteRT's optimized
# kernel; LiteRT's own reference kernels (BUILTIN_REF) disagree with that kernel too.
KNOWN_REFERENCE_GAPS = {
    arch: "int8 MEAN (H x W, keep_dims) is 1 unit off LiteRT's optimized builtin kernel (issue 13)"
    for arch in ("mobilenet_v1", "mobilenet_v3_small", "mobilenet_v3_large", "efficientnet_b0",
                 "nasnet_mobile")
}


def pytest_collection_modifyitems(config, items):
    if config.getoption("--zoo-reference-oracle") != "builtin":
        return
    for item in items:
        model = getattr(item, "callspec", None) and item.callspec.params.get("model")
        if (item.originalname == "test_reference" and model is not None and model.kind.startswith("int8")
                and model.arch in KNOWN_REFERENCE_GAPS):
            item.add_marker(pytest.mark.xfail(strict=True, reason=KNOWN_REFERENCE_GAPS[model.arch]))
