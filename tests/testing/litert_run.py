"""Runs a .tflite model through native LiteRT for labelite's C++ tests (testing/litert.cc).

  litert_run.py MODEL PATHS INPUT0.bin [INPUT1.bin ...]

PATHS is a comma-separated list of builtin-ref (OpResolverType.BUILTIN_REF) and builtin
(BUILTIN_WITHOUT_DEFAULT_DELEGATES). Prints one JSON object per path on stdout, one per line:
{"runtime": ..., "outputs": [{name, dtype, shape, values}]}.
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

    resolvers = {"builtin-ref": litert.OpResolverType.BUILTIN_REF,
                 "builtin": litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES}
    for path in argv[2].split(","):
        if path not in resolvers:
            print("unknown path " + repr(path), file=sys.stderr)
            return 1
        status = run(litert, argv[1], resolvers[path], path, argv[3:])
        if status:
            return status
    return 0


def run(litert, model, resolver, path, inputs):
    try:
        interp = litert.Interpreter(model_path=model, experimental_op_resolver_type=resolver)
        interp.allocate_tensors()
        details = interp.get_input_details()
        if len(inputs) != len(details):
            print("the model takes %d inputs, got %d" % (len(details), len(inputs)), file=sys.stderr)
            return 1
        for d, file in zip(details, inputs):
            data = np.fromfile(file, dtype=d["dtype"]).reshape(d["shape"])
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
    json.dump({"runtime": "LiteRT " + path, "outputs": outputs}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
