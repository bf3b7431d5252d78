"""Runs benchmark modules under the current backend and prints their rows as JSON.

Usage: KERAS_BACKEND=jax python -m benchmarks._runner [--quick] MODULE...
"""

import importlib
import json
import sys

import keras


def main(argv):
    quick = "--quick" in argv
    rows = []
    for name in [a for a in argv if not a.startswith("--")]:
        module = importlib.import_module(f"benchmarks.{name}")
        for row in module.run(quick=quick):
            rows.append({"backend": keras.backend.backend(), "module": name, **row})
    print("BENCH-JSON " + json.dumps(rows))


if __name__ == "__main__":
    main(sys.argv[1:])
