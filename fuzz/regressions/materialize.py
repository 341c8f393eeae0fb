#!/usr/bin/env python3
"""Writes the regression inputs of fuzz/regressions/ into OUT (one folder per target).

Plain files are copied. A NAME.patch file describes an input made from a shared test model
(`base MODEL`, then `offset old new` byte changes, decimal): the model is read from
TESTDATA/models, each old byte is checked, and the changed bytes are written to OUT/TARGET/NAME.
Models are never committed; the crash inputs found in them are kept as these patches.

    fuzz/regressions/materialize.py TESTDATA OUT
"""
import pathlib
import shutil
import sys


def apply_patch(patch, models):
    data = None
    for line in patch.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        if fields[0] == "base":
            data = bytearray((models / fields[1]).read_bytes())
            continue
        offset, old, new = (int(x) for x in fields)
        if data is None or offset >= len(data) or data[offset] != old:
            sys.exit(f"materialize.py: {patch}: byte {offset} is not {old} in its base model")
        data[offset] = new
    if data is None:
        sys.exit(f"materialize.py: {patch}: no 'base MODEL' line")
    return bytes(data)


def main():
    here = pathlib.Path(__file__).resolve().parent
    testdata, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    for target in sorted(p for p in here.iterdir() if p.is_dir()):
        dest = out / target.name
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        for f in sorted(target.iterdir()):
            if f.suffix == ".patch":
                (dest / f.stem).write_bytes(apply_patch(f, testdata / "models"))
            else:
                shutil.copyfile(f, dest / f.name)


if __name__ == "__main__":
    main()
