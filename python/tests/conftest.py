"""Shared fixtures: the shared test data, the CLI of the same build, its JSON results.

Environment: LABELITE_TESTDATA (default ../shared/testdata beside the repository) and
LABELITE_CLI (default build/release/labelite), as scripts/test-python.sh sets them.
"""

import json
import os
import pathlib
import subprocess

import numpy as np
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
TESTDATA = pathlib.Path(os.environ.get("LABELITE_TESTDATA", REPO.parent / "shared" / "testdata"))
CLI = pathlib.Path(os.environ.get("LABELITE_CLI", REPO / "build" / "release" / "labelite"))
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif")


def model_path(name):
    return str(TESTDATA / "models" / name)


def images():
    """Every image file of the shared set that the CLI picks from the folder, sorted."""
    return sorted(str(p) for p in (TESTDATA / "images").iterdir() if p.suffix.lower() in IMAGE_EXTENSIONS)


def run_cli(*args, check=True):
    """Runs the CLI; returns (exit code, stdout, stderr)."""
    if not CLI.exists():
        raise RuntimeError(f"the CLI {CLI} does not exist: build it (scripts/test-python.sh does)")
    p = subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True, timeout=600)
    if check and p.returncode != 0:
        raise AssertionError(f"labelite {' '.join(map(str, args))} exited {p.returncode}: {p.stderr}")
    return p.returncode, p.stdout, p.stderr


def cli_json(model, inputs, *options):
    """The CLI's `classify --format json` records, keyed by file."""
    _, out, _ = run_cli("classify", "--model", model, "--format", "json", "--threads", "2", *options, *inputs)
    return {r["file"]: r for r in json.loads(out)}


def assert_same_results(categories, cli_results):
    """labelite.Category list == the CLI's JSON results (scores as float32, exactly)."""
    got = [c.to_dict() for c in categories]
    assert [(g["index"], g["label"], g.get("display_name"), g.get("head")) for g in got] == \
           [(r["index"], r["label"], r.get("display_name"), r.get("head")) for r in cli_results]
    assert [np.float32(g["score"]) for g in got] == [np.float32(r["score"]) for r in cli_results]


@pytest.fixture(scope="session")
def testdata():
    if not (TESTDATA / "models").is_dir():
        raise RuntimeError(f"shared test data not found at {TESTDATA} (set LABELITE_TESTDATA)")
    return TESTDATA
