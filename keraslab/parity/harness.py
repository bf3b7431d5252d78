"""Cross-backend parity: the same model gives the same numbers on TensorFlow, PyTorch and JAX.

`run()` starts one process per backend (`keraslab.parity.worker`) and compares what they
wrote: the first backend writes the shared initial weights, then the others run, then each
backend loads every backend's saved files. For every catalogue entry and shipped preset it
reports:

* **save anywhere, load anywhere**: a 3x3 matrix whose cell (row `S`, column `L`) is the
  error of the model trained and saved under `S`, loaded under `L`, on a fixed input,
  against its output under `S`;
* **forward**: the largest error between backends of the output of identical weights;
* **gradients**: the same for the gradient of `mean(output²)` with respect to each weight;
* **training**: the largest gap between backends in the losses of a few SGD steps from the
  same weights on the same batches, with dropout switched off;
* the median time of one training step on each backend.

Entries without trainable weights are compared on their forward pass and saved files.

Every error is `max|a − b| / max(1, max|b|)`: absolute for values of order one or less,
relative for larger ones. It is measured in float32.

Random streams differ by backend: `keras.random` draws different numbers from the same
seed on each one, so the same seed builds different initial weights. The workers therefore
copy one set of initial weights to every backend, switch dropout off, and train on fixed
batches. Models whose training step draws its own random numbers (`Entry.parity_train` is
False) are compared on everything but their losses.

This module uses NumPy only, so it runs under any backend; `scripts/parity` is its command.
"""

import concurrent.futures
import datetime
import os

import numpy as np

from keraslab._backend import SUPPORTED_BACKENDS
from keraslab._workers import machine, run_worker

# The architectures, then the shipped presets (trained weights, the same on every backend).
DEFAULT_ENTRIES = ("keraslab.catalog:entries", "keraslab.catalog:preset_entries")
TOLERANCES = {
    "save_load": 1e-5,
    "forward": 1e-5,
    "gradients": 1e-4,
    "training": 1e-4,
}


def _workers(backends, workdir, phase, options):
    """Runs one worker per backend, in parallel; returns each backend's result."""
    args = [workdir, *phase, *options]
    with concurrent.futures.ThreadPoolExecutor(len(backends)) as pool:
        futures = {b: pool.submit(run_worker, "keraslab.parity.worker", b, args) for b in backends}
    return {backend: future.result() for backend, future in futures.items()}


def error(actual, expected):
    """`max|a − b| / max(1, max|b|)` over lists of arrays; `inf` if their shapes differ."""
    if len(actual) != len(expected) or any(a.shape != e.shape for a, e in zip(actual, expected)):
        return float("inf")
    worst = 0.0
    for a, e in zip(actual, expected):
        if e.size:
            scale = max(1.0, float(np.max(np.abs(e))))
            worst = max(worst, float(np.max(np.abs(a - e))) / scale)
    return worst


def _arrays(path, prefix):
    with np.load(path) as stored:
        count = sum(1 for key in stored.files if key.startswith(f"{prefix}_"))
        return [stored[f"{prefix}_{i}"] for i in range(count)]


def _largest_gap(values_by_backend, reference):
    others = [b for b in values_by_backend if b != reference]
    return max(
        (error(values_by_backend[b], values_by_backend[reference]) for b in others), default=0.0
    )


def _compare_entry(name, workdir, backends, dumps, loads):
    errors = {}
    for records in (dumps, loads):
        for backend, record in records.items():
            if "error" in record.get(name, {}):
                errors[backend] = record[name]["error"]
    first = dumps[backends[0]].get(name, {})
    result = {"kind": first.get("kind"), "parameters": first.get("parameters"), "errors": errors}
    if errors:
        return result
    files = {b: os.path.join(workdir, b, f"{name}.npz") for b in backends}
    reference = backends[0]
    result["save_load"] = {
        source: {
            target: error(
                _arrays(os.path.join(workdir, target, f"loaded-{source}-{name}.npz"), "out"),
                _arrays(files[source], "saved"),
            )
            for target in backends
        }
        for source in backends
    }
    result["forward"] = _largest_gap({b: _arrays(files[b], "forward") for b in backends}, reference)
    result["gradients"] = _largest_gap({b: _arrays(files[b], "grad") for b in backends}, reference)
    losses = {b: dumps[b][name]["losses"] for b in backends}
    result["parity_train"] = losses[reference] is not None
    result["losses"] = losses if result["parity_train"] else None
    result["training"] = (
        _largest_gap({b: [np.asarray(v, dtype="float32")] for b, v in losses.items()}, reference)
        if result["parity_train"]
        else None
    )
    result["ms_per_step"] = {b: dumps[b][name]["ms_per_step"] for b in backends}
    return result


def failures(report):
    """Human-readable lines for every check in `report` that exceeds its tolerance."""
    tolerances = report["tolerances"]
    found = []
    for name, result in report["models"].items():
        for backend, message in result["errors"].items():
            found.append(f"{name} failed under {backend}: {message}")
        if result["errors"]:
            continue
        for source, row in result["save_load"].items():
            for target, value in row.items():
                if not value <= tolerances["save_load"]:
                    found.append(f"{name} saved under {source}, loaded under {target}: {value:.3g}")
        for check in ("forward", "gradients", "training"):
            value = result[check]
            if value is not None and not value <= tolerances[check]:
                found.append(f"{name} {check}: {value:.3g} > {tolerances[check]:g}")
    return found


def run(
    workdir,
    backends=SUPPORTED_BACKENDS,
    entries=DEFAULT_ENTRIES,
    only=None,
    steps=3,
    batch_size=4,
):
    """Runs the parity checks, one process per backend, and returns the report (a dict).

    Args:
        workdir: an empty folder for the weights, outputs and `.keras` files exchanged.
        backends: the backends to compare; the first one writes the initial weights.
        entries: strings `"module:attribute"`, each naming a list of catalogue entries or
            a function returning one. Defaults to the whole catalogue and the presets.
        only: names of the entries to check. Defaults to all.
        steps: training steps compared.
        batch_size: examples per training step.

    Raises:
        keraslab._workers.WorkerError: a backend's worker process failed as a whole (one
            entry failing is reported under its `errors` instead).
    """
    backends = list(backends)
    unknown = [b for b in backends if b not in SUPPORTED_BACKENDS]
    if unknown or len(backends) < 2:
        raise ValueError(
            f"Argument backends must list at least two of {SUPPORTED_BACKENDS}; "
            f"received {backends!r}."
        )
    options = ["--steps", str(steps), "--batch-size", str(batch_size)]
    options += [flag for spec in entries for flag in ("--entries", spec)]
    options += [flag for name in only or () for flag in ("--only", name)]
    first = _workers(backends[:1], workdir, ["--dump"], options)
    results = {**first, **_workers(backends[1:], workdir, ["--dump"], options)}
    loaded = _workers(backends, workdir, ["--load", *backends], options)
    dumps = {b: results[b]["records"] for b in backends}
    loads = {b: loaded[b]["records"] for b in backends}
    environments = {b: results[b]["environment"] for b in backends}
    return {
        "date": datetime.date.today().isoformat(),
        "machine": machine(),
        "versions": {
            "keras": environments[backends[0]]["keras"],
            **{b: environments[b]["backend_version"] for b in backends},
        },
        "backends": backends,
        "random_streams": {b: environments[b]["random_streams"] for b in backends},
        "tolerances": TOLERANCES,
        "steps": steps,
        "batch_size": batch_size,
        "models": {
            name: _compare_entry(name, workdir, backends, dumps, loads)
            for name in dumps[backends[0]]
        },
    }
