"""The backend-parity checks under one backend; `keraslab.parity` starts one per backend.

Usage (through `keraslab._workers.run_worker`, as `keraslab.parity.run` does):
    python -m keraslab.parity.worker WORKDIR (--dump | --load BACKEND...)
        [--entries MODULE:ATTRIBUTE]... [--only NAME]... [--steps N] [--batch-size N]

It returns (see `keraslab._workers`) `{"environment": ..., "records": {NAME: ...}}`: the
backend's versions and random streams, and one record per entry, holding `"error"` if
that entry failed.

`--dump` builds every catalogue entry (a preset: loads it) with a fixed seed, then
overwrites its weights with the shared initial weights in `WORKDIR/init/NAME.npz` (writing
that file first if no other backend has), so all backends start from identical weights
whatever their random streams.
It then records, under `WORKDIR/BACKEND/`: the forward output on the sample input, the
gradient of `mean(output²)` with respect to the trainable weights, the losses of a few SGD
steps on fixed batches with dropout and noise switched off, the median time per training
step, and the trained model saved as `NAME.keras` with its output.

`--load BACKEND...` loads the `NAME.keras` each of those backends saved and records its
output on the same input in `WORKDIR/BACKEND/loaded-SOURCE-NAME.npz`. Comparisons happen
in `keraslab.parity.harness`, with NumPy only.
"""

import argparse
import importlib
import os
import statistics
import time
import traceback

import keras
import numpy as np
from keras import tree

from keraslab._info import environment
from keraslab._workers import serve
from keraslab.parity.harness import DEFAULT_ENTRIES
from keraslab.training import value_and_grad

SEED = 1234
LEARNING_RATE = 0.01
TIMED_STEPS = 5
# Attributes holding the rate or scale of a layer's random noise: Keras's own (Dropout's
# `rate`, GaussianNoise's `stddev`, an RNN cell's `dropout` and `recurrent_dropout`) and
# keraslab's (`dropout`, read by attention layers at call time).
_NOISE_ATTRIBUTES = ("rate", "stddev", "dropout", "recurrent_dropout", "dropout_rate")
_NOISE_LAYERS = (
    keras.layers.Dropout,
    keras.layers.SpatialDropout1D,
    keras.layers.SpatialDropout2D,
    keras.layers.SpatialDropout3D,
    keras.layers.GaussianDropout,
    keras.layers.GaussianNoise,
    keras.layers.AlphaDropout,
)


def load_entries(spec):
    """Entries named by `"module:attribute"` (a list, or a callable returning one)."""
    module, _, attribute = spec.partition(":")
    found = getattr(importlib.import_module(module), attribute)
    return list(found() if callable(found) else found)


def _functional(layer, x):
    inputs = tree.map_structure(lambda a: keras.Input(shape=a.shape[1:], dtype=str(a.dtype)), x)
    outputs = layer(*inputs) if isinstance(inputs, tuple) else layer(inputs)
    return keras.Model(inputs, outputs)


def build_model(entry, x):
    """A seeded, built instance; a layer is wrapped in a functional model on inputs like `x`."""
    keras.utils.clear_session()
    keras.utils.set_random_seed(SEED)
    instance = entry.build()
    if entry.kind == "layer":
        return _functional(instance, x)
    entry.output(instance, x)
    return instance


def forward(entry, model, x):
    """The inference-mode outputs of `model` on `x`, as a flat list of float32 tensors."""
    outputs = model(x, training=False) if entry.kind == "layer" else entry.output(model, x)
    return [keras.ops.cast(o, "float32") for o in tree.flatten(outputs)]


def to_numpy(tensors):
    return [np.asarray(keras.ops.convert_to_numpy(t)) for t in tensors]


def save_arrays(path, prefix_arrays):
    np.savez(
        path, **{f"{p}_{i}": a for p, arrays in prefix_arrays.items() for i, a in enumerate(arrays)}
    )


def set_shared_weights(model, path):
    """Writes `model.weights` to `path` if it does not exist, else loads them from it."""
    if not os.path.exists(path):
        np.savez(path, *to_numpy(model.weights))
        return
    with np.load(path) as stored:
        values = [stored[f"arr_{i}"] for i in range(len(stored.files))]
    if len(values) != len(model.weights):
        raise ValueError(
            f"{path} holds {len(values)} weights; this backend built {len(model.weights)}."
        )
    for variable, value in zip(model.weights, values):
        if tuple(variable.shape) != value.shape:
            raise ValueError(
                f"Weight {variable.path} has shape {tuple(variable.shape)} here and "
                f"{value.shape} in {path}."
            )
        variable.assign(value)


def switch_off_noise(model):
    """Sets every dropout rate and noise scale in `model` to 0; returns what to restore.

    Random streams differ by backend, so training can only match without them. A layer's
    `rate` or `stddev` counts only in Keras's noise layers; `dropout`-like attributes count
    in any layer.
    """
    changed = []
    for layer in model._flatten_layers(include_self=False):
        for name in _NOISE_ATTRIBUTES:
            if name in ("rate", "stddev") and not isinstance(layer, _NOISE_LAYERS):
                continue
            value = getattr(layer, name, None)
            if isinstance(value, float) and value > 0:
                changed.append((layer, name, value))
                setattr(layer, name, 0.0)
    return changed


def restore(changed):
    for layer, name, value in changed:
        setattr(layer, name, value)


def gradients(entry, model, x):
    """Gradient of mean(output²), summed over outputs, for each trainable weight."""

    def loss():
        return sum(keras.ops.mean(keras.ops.square(o)) for o in forward(entry, model, x))

    if not model.trainable_weights:
        return []
    _, grads = value_and_grad(loss, model.trainable_weights)
    return to_numpy(grads)


def _batches(data, batch_size, steps):
    for step in range(steps):
        window = slice(step * batch_size, (step + 1) * batch_size)
        yield tree.map_structure(lambda a, w=window: a[w], data)


def train(entry, model, steps, batch_size):
    """SGD on the first `steps` batches of `fit_data()`; returns the losses and one batch."""
    x, y = entry.fit_data()
    available = len(tree.flatten(x)[0])
    if available < steps * batch_size:
        raise ValueError(
            f"{entry.name}.fit_data() holds {available} examples; the parity run needs "
            f"steps * batch_size = {steps * batch_size}."
        )
    compile_kwargs = {"loss": "mse", **entry.compile_kwargs}
    compile_kwargs["optimizer"] = keras.optimizers.SGD(LEARNING_RATE)
    compile_kwargs.pop("metrics", None)
    model.compile(**compile_kwargs)
    changed = switch_off_noise(model)
    xs = list(_batches(x, batch_size, steps))
    ys = list(_batches(y, batch_size, steps)) if y is not None else [None] * steps
    losses = [_loss(model.train_on_batch(a, b, return_dict=True)) for a, b in zip(xs, ys)]
    restore(changed)
    return losses, (xs[0], ys[0])


def _loss(logs):
    return float(np.asarray(logs["loss"] if "loss" in logs else next(iter(logs.values()))))


def time_per_step_ms(model, x, y):
    model.train_on_batch(x, y, return_dict=True)
    times = []
    for _ in range(TIMED_STEPS):
        start = time.perf_counter()
        _loss(model.train_on_batch(x, y, return_dict=True))
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def dump(entry, workdir, backend, steps, batch_size):
    x = entry.sample_input()
    model = build_model(entry, x)
    set_shared_weights(model, os.path.join(workdir, "init", f"{entry.name}.npz"))
    outputs = to_numpy(forward(entry, model, x))
    grads = gradients(entry, model, x)
    record = {"parameters": int(sum(np.prod(w.shape) for w in model.trainable_weights))}
    record["losses"], batch = train(entry, model, steps, batch_size) if grads else (None, None)
    model.save(os.path.join(workdir, backend, f"{entry.name}.keras"))
    saved_outputs = to_numpy(forward(entry, model, x))
    save_arrays(
        os.path.join(workdir, backend, f"{entry.name}.npz"),
        {"forward": outputs, "grad": grads, "saved": saved_outputs},
    )
    record["ms_per_step"] = time_per_step_ms(model, *batch) if grads else None
    if not entry.parity_train:
        record["losses"] = None
    return record


def load(entry, workdir, backend, sources):
    x = entry.sample_input()
    entry.build()  # imports, and so registers with Keras, every class the entry uses
    for source in sources:
        keras.utils.clear_session()
        model = keras.saving.load_model(os.path.join(workdir, source, f"{entry.name}.keras"))
        path = os.path.join(workdir, backend, f"loaded-{source}-{entry.name}.npz")
        save_arrays(path, {"out": to_numpy(forward(entry, model, x))})
    return {"loaded_from": sources}


def _run(entries, phase):
    results = {}
    for entry in entries:
        try:
            results[entry.name] = {"kind": entry.kind, **phase(entry)}
        except Exception as error:  # one broken entry must not hide the others' results
            message = f"{type(error).__name__}: {error}".splitlines()[0][:500]
            results[entry.name] = {"kind": entry.kind, "error": message}
            traceback.print_exc()
    return results


def random_streams(seed=0, size=4):
    """The first numbers of Keras's random functions and initializers from one seed."""
    keras.utils.set_random_seed(seed)
    dense = keras.layers.Dense(size)
    dense.build((None, 1))
    draws = {
        "Dense kernel after set_random_seed": dense.kernel,
        "GlorotUniform(seed)": keras.initializers.GlorotUniform(seed=seed)((1, size)),
        "keras.random.normal": keras.random.normal((size,), seed=seed),
        "keras.random.uniform": keras.random.uniform((size,), seed=seed),
        "keras.random.dropout, rate 0.5": keras.random.dropout(
            keras.ops.ones((size,)), 0.5, seed=seed
        ),
    }
    return {name: np.ravel(to_numpy([v])[0]).round(6).tolist() for name, v in draws.items()}


def main(argv):
    parser = argparse.ArgumentParser(description="Backend-parity checks under one backend.")
    parser.add_argument("workdir")
    phase = parser.add_mutually_exclusive_group(required=True)
    phase.add_argument("--dump", action="store_true")
    phase.add_argument("--load", nargs="+", metavar="BACKEND")
    parser.add_argument("--entries", action="append")
    parser.add_argument("--only", action="append")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=4)
    args = parser.parse_args(argv)
    backend = keras.backend.backend()
    entries = [
        entry
        for spec in args.entries or DEFAULT_ENTRIES
        for entry in load_entries(spec)
        if not args.only or entry.name in args.only
    ]
    os.makedirs(os.path.join(args.workdir, "init"), exist_ok=True)
    os.makedirs(os.path.join(args.workdir, backend), exist_ok=True)
    if args.dump:
        records = _run(
            entries, lambda e: dump(e, args.workdir, backend, args.steps, args.batch_size)
        )
    else:
        records = _run(entries, lambda e: load(e, args.workdir, backend, args.load))
    return {
        "environment": {**environment(), "random_streams": random_streams()},
        "records": records,
    }


if __name__ == "__main__":
    serve(main)
