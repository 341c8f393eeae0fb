"""Runs a .tflite model through native LiteRT for labelite's C++ tests (testing/litert.cc).

  litert_run.py MODEL PATH INPUT0.bin [INPUT1.bin ...]

PATH is builtin-ref (OpResolverType.BUILTIN_REF) or builtin (BUILTIN_WITHOUT_DEFAULT_DELEGATES).
Prints {"runtime": ..., "outputs": [{name, dtype, shape, values}]} as JSON on stdout.
Exit codes: 0 ok; 1 bad usage; 2 LiteRT refused or failed to run the model (message on stderr).
"""

import json
import sys

import numpy as np


def main(argv):
    if len(argv) < 3:
        print("usage: litert_run.py MODEL PATH [INPUT.bin ...]", file=sys.stderr)
        return 1
    from ai_edge_litert import interpreter as litert

    resolver = {"builtin-ref": litert.OpResolverType.BUILTIN_REF,
                "builtin": litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES}.get(argv[2])
    if resolver is None:
        print("unknown path " + repr(argv[2]), file=sys.stderr)
        return 1
    try:
        interp = litert.Interpreter(model_path=argv[1], experimental_op_resolver_type=resolver)
        interp.allocate_tensors()
        details = interp.get_input_details()
        if len(argv) - 3 != len(details):
            print("the model takes %d inputs, got %d" % (len(details), len(argv) - 3), file=sys.stderr)
            return 1
        for d, path in zip(details, argv[3:]):
            data = np.fromfile(path, dtype=d["dtype"]).reshape(d["shape"])
            interp.set_tensor(d["index"], data)
        interp.invoke()
    except (RuntimeError, ValueError) as e:
        print(str(e).replace("\n", " "), file=sys.stderr)
        return 2
    outputs = []
    for d in interp.get_output_details():
        v = interp.get_tensor(d["index"])
        values = [None if isinstance(x, float) and not np.isfinite(x) else x
                  for x in v.astype(np.float64).ravel().tolist()]
        outputs.append({"name": d["name"], "dtype": np.dtype(d["dtype"]).name,
                        "shape": [int(s) for s in v.shape], "values": values})
    json.dump({"runtime": "LiteRT " + argv[2], "outputs": outputs}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
