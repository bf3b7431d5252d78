"""The conformance battery: every catalogue entry, on the current backend.

Each public layer and model must survive a config round-trip and a `.keras` round-trip
with identical outputs, agree between symbolic and eager calls, fit briefly without NaN,
be deterministic under a seed, have the parameter count computed by hand, and reject bad
input with a `ValueError` or `TypeError` that names the argument.
"""

import math
import os
import re

import keras
import numpy as np
import pytest
from keras import tree

from keraslab import catalog

ENTRIES = catalog.entries()
BAD_INPUTS = [(entry, bad) for entry in ENTRIES for bad in entry.bad_inputs()]


def by_name(entry):
    return entry.name


def built(entry):
    instance = entry.build()
    entry.output(instance, entry.sample_input())
    return instance


def outputs_numpy(entry, instance, x):
    return [keras.ops.convert_to_numpy(o) for o in tree.flatten(entry.output(instance, x))]


def assert_outputs_close(actual, expected, atol=1e-6):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(a, e, rtol=1e-5, atol=atol)


def test_catalogue_names_are_unique_and_registered():
    names = [e.name for e in ENTRIES]
    assert len(names) == len(set(names))
    for entry in ENTRIES:
        cls = type(entry.build())
        assert keras.saving.get_registered_name(cls) == f"keraslab>{cls.__name__}"
        assert entry.kind in ("layer", "model")


@pytest.mark.parametrize("entry", ENTRIES, ids=by_name)
def test_config_round_trip(entry):
    instance = built(entry)
    config = instance.get_config()
    clone = type(instance).from_config(config)
    assert clone.get_config() == config


def _symbolic_inputs(x):
    return tree.map_structure(lambda a: keras.Input(shape=a.shape[1:], dtype=str(a.dtype)), x)


def _functional(instance, x):
    """Wraps a layer (or model) called on symbolic inputs shaped like `x` in a Model."""
    inputs = _symbolic_inputs(x)
    outputs = instance(*inputs) if isinstance(inputs, tuple) else instance(inputs)
    return keras.Model(inputs, outputs)


def _numpy(outputs):
    return [keras.ops.convert_to_numpy(o) for o in tree.flatten(outputs)]


@pytest.mark.parametrize("entry", ENTRIES, ids=by_name)
def test_saved_file_round_trip(entry, tmp_path):
    """Models save as themselves; a layer saves inside a functional model."""
    x = entry.sample_input()
    instance = built(entry)
    path = os.path.join(tmp_path, f"{entry.name}.keras")
    if entry.kind == "model":
        expected = outputs_numpy(entry, instance, x)
        instance.save(path)
        actual = outputs_numpy(entry, keras.saving.load_model(path), x)
    else:
        model = _functional(instance, x)
        expected = _numpy(model(x, training=False))
        model.save(path)
        actual = _numpy(keras.saving.load_model(path)(x, training=False))
    assert_outputs_close(actual, expected)


@pytest.mark.parametrize("entry", ENTRIES, ids=by_name)
def test_symbolic_and_eager_calls_agree(entry):
    x = entry.sample_input()
    instance = built(entry)
    eager = _numpy(
        instance(*x, training=False) if isinstance(x, tuple) else instance(x, training=False)
    )
    functional = _functional(instance, x)
    symbolic_shapes = [tuple(o.shape[1:]) for o in tree.flatten(functional.outputs)]
    assert symbolic_shapes == [o.shape[1:] for o in eager]
    assert_outputs_close(_numpy(functional(x, training=False)), eager, atol=1e-5)


@pytest.mark.parametrize("entry", ENTRIES, ids=by_name)
def test_short_fit_has_no_nan(entry):
    x, y = entry.fit_data()
    instance = entry.build()
    model = instance if isinstance(instance, keras.Model) else _functional(instance, x)
    compile_kwargs = {"optimizer": "adam", "loss": "mse", **entry.compile_kwargs}
    model.compile(**compile_kwargs)
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    losses = history.history["loss"]
    assert len(losses) == 2 and all(math.isfinite(v) for v in losses), losses
    for weight in model.weights:
        assert np.all(np.isfinite(keras.ops.convert_to_numpy(weight))), weight.path


@pytest.mark.parametrize("entry", ENTRIES, ids=by_name)
def test_fixed_seed_gives_identical_weights_and_outputs(entry):
    x = entry.sample_input()
    runs = []
    for _ in range(2):
        keras.utils.set_random_seed(7)
        instance = built(entry)
        weights = [keras.ops.convert_to_numpy(w) for w in instance.weights]
        runs.append((weights, outputs_numpy(entry, instance, x)))
    (weights_a, out_a), (weights_b, out_b) = runs
    assert len(weights_a) == len(weights_b)
    if entry.expected_params > 0:
        assert len(weights_a) > 0
    for a, b in zip(weights_a, weights_b):
        np.testing.assert_array_equal(a, b)
    assert_outputs_close(out_a, out_b, atol=0)


@pytest.mark.parametrize("entry", ENTRIES, ids=by_name)
def test_trainable_parameter_count(entry):
    instance = built(entry)
    count = sum(int(np.prod(w.shape)) for w in instance.trainable_weights)
    assert count == entry.expected_params


@pytest.mark.parametrize(
    "entry, bad", BAD_INPUTS, ids=[f"{e.name}-{b.description}" for e, b in BAD_INPUTS]
)
def test_bad_input_raises_a_clear_error(entry, bad):
    with pytest.raises(bad.error) as info:
        bad.call()
    assert re.search(bad.match, str(info.value)), str(info.value)
