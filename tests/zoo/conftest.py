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
