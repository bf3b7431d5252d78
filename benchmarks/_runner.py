"""Runs benchmark modules under the current backend and returns their rows.

Usage (through `keraslab._workers.run_worker`, as `scripts/bench` does):
    run_worker("benchmarks._runner", "jax", ["--quick", "attention"])

Each module in `benchmarks/` exposes `run(quick)`, returning rows made with
`benchmarks._timing.row`; this runner adds the backend and the module name to each.
"""

import importlib

import keras

from keraslab._workers import serve


def main(argv):
    quick = "--quick" in argv
    rows = []
    for name in [a for a in argv if not a.startswith("--")]:
        module = importlib.import_module(f"benchmarks.{name}")
        for row in module.run(quick=quick):
            rows.append({"backend": keras.backend.backend(), "module": name, **row})
    return rows


if __name__ == "__main__":
    serve(main)
