"""The conformance battery: every catalogue entry, on the current backend.

Each public layer and model must survive a config round-trip and a `.keras` round-trip
with identical outputs, agree between symbolic and eager calls, fit briefly without NaN,
be deterministic under a seed, have the parameter count computed by hand, start with no
two weight tensors equal, compute every sublayer in a `mixed_bfloat16` policy when asked,
load from its `.keras` file in a fresh interpreter that ran only `import keras, keraslab`,
and reject bad input with a `ValueError` or `TypeError` that names the argument.

The shipped presets (`catalog.preset_entries()`) run every check that applies to a trained
model; the two that are about freshly initialised weights (the parameter count by hand,
distinct initial weights) run on the architectures alone.

The checks that only read an instance share one built instance per entry
(`shared_built`), and the `.keras` file of each entry is written once (`saved_file`).
"""

import itertools
import math
import os
import re

import keras
import numpy as np
import pytest
from keras import tree

from keraslab import catalog, presets
from tests.conftest import run_python

ENTRIES = catalog.entries()
TRAINED = ENTRIES + catalog.preset_entries()  # with the presets, for the checks that apply
BAD_INPUTS = [(entry, bad) for entry in TRAINED for bad in entry.bad_inputs()]
MIXED_POLICY = "mixed_bfloat16"


def by_name(entry):
    return entry.name


def built(entry):
    instance = entry.build()
    entry.output(instance, entry.sample_input())
    return instance


_SHARED = {}


def shared_built(entry):
    """`built(entry)`, made once per entry for the checks that only read it (none trains it
    or changes its weights)."""
    if entry.name not in _SHARED:
        _SHARED[entry.name] = built(entry)
    return _SHARED[entry.name]


def outputs_numpy(entry, instance, x):
    return [keras.ops.convert_to_numpy(o) for o in tree.flatten(entry.output(instance, x))]


def assert_outputs_close(actual, expected, atol=1e-6, name=""):
    assert len(actual) == len(expected), name
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(a, e, rtol=1e-5, atol=atol, err_msg=name)


def test_catalogue_names_are_unique_and_registered():
    names = [e.name for e in TRAINED]
    assert len(names) == len(set(names))
    for entry in TRAINED:
        cls = type(shared_built(entry))
        assert keras.saving.get_registered_name(cls) == f"keraslab>{cls.__name__}"
        assert entry.kind in ("layer", "model", "preset")


@pytest.mark.parametrize("entry", TRAINED, ids=by_name)
def test_config_round_trip(entry):
    instance = shared_built(entry)
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


def saved_outputs(entry, loaded, x):
    """The outputs of what `saved_file` wrote, once loaded: a model's own, or a layer's
    functional wrapper's."""
    if entry.kind != "layer":
        return outputs_numpy(entry, loaded, x)
    return _numpy(loaded(x, training=False))


@pytest.fixture(scope="module")
def saved_file(tmp_path_factory):
    """`saved_file(entry)` writes the shared instance's `.keras` file once (a model as
    itself, a layer inside a functional model) and returns `(path, expected outputs)`."""
    directory = tmp_path_factory.mktemp("saved")
    files = {}

    def save(entry):
        if entry.name not in files:
            x = entry.sample_input()
            instance = shared_built(entry)
            saved = _functional(instance, x) if entry.kind == "layer" else instance
            path = os.path.join(directory, f"{entry.name}.keras")
            saved.save(path)
            files[entry.name] = path, saved_outputs(entry, saved, x)
        return files[entry.name]

    return save


@pytest.mark.parametrize("entry", TRAINED, ids=by_name)
def test_saved_file_round_trip(entry, saved_file):
    path, expected = saved_file(entry)
    actual = saved_outputs(entry, keras.saving.load_model(path), entry.sample_input())
    assert_outputs_close(actual, expected)


# Loads every file before anything but `import keras, keraslab` has run, then computes the
# outputs with this module's helper and writes them next to each file.
_BARE_IMPORT_LOADER = """
import keras, keraslab

paths = {paths!r}
loaded = {{name: keras.saving.load_model(path) for name, path in paths.items()}}

import numpy as np
from keraslab import catalog
from tests.test_conformance import saved_outputs

entries = {{e.name: e for e in catalog.entries() + catalog.preset_entries()}}
for name, model in loaded.items():
    entry = entries[name.removesuffix({shipped!r})]
    np.savez(paths[name] + ".npz", *saved_outputs(entry, model, entry.sample_input()))
"""
SHIPPED = " (shipped)"


def test_saved_files_load_after_a_bare_import(saved_file, tmp_path):
    """Like `import keras_hub`, `import keraslab` alone registers every class a `.keras` file
    may name: one fresh interpreter per backend loads every entry's file, and every shipped
    preset's own file, which gives the outputs of the preset loaded here."""
    expected = {entry.name: saved_file(entry) for entry in TRAINED}
    paths = {name: path for name, (path, _) in expected.items()}
    for entry in catalog.preset_entries():
        paths[entry.name + SHIPPED] = shipped = str(tmp_path / f"{entry.name}.keras")
        os.symlink(presets.path(entry.name), shipped)
        expected[entry.name + SHIPPED] = expected[entry.name]
    result = run_python(_BARE_IMPORT_LOADER.format(paths=paths, shipped=SHIPPED))
    assert result.returncode == 0, result.stderr[-3000:]
    for name, path in paths.items():
        with np.load(path + ".npz") as actual:
            actual = [actual[f"arr_{i}"] for i in range(len(actual.files))]
        assert_outputs_close(actual, expected[name][1], atol=1e-5, name=name)


@pytest.mark.parametrize("entry", TRAINED, ids=by_name)
def test_symbolic_and_eager_calls_agree(entry):
    x = entry.sample_input()
    instance = shared_built(entry)
    eager = _numpy(
        instance(*x, training=False) if isinstance(x, tuple) else instance(x, training=False)
    )
    functional = _functional(instance, x)
    symbolic_shapes = [tuple(o.shape[1:]) for o in tree.flatten(functional.outputs)]
    assert symbolic_shapes == [o.shape[1:] for o in eager]
    assert_outputs_close(_numpy(functional(x, training=False)), eager, atol=1e-5)


@pytest.mark.parametrize("entry", TRAINED, ids=by_name)
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


@pytest.mark.parametrize("entry", TRAINED, ids=by_name)
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
    instance = shared_built(entry)
    count = sum(int(np.prod(w.shape)) for w in instance.trainable_weights)
    assert count == entry.expected_params


@pytest.mark.parametrize("entry", ENTRIES, ids=by_name)
def test_initial_weights_are_distinct(entry):
    """Every weight draws its own initial values: an initializer object shared between
    sublayers gives same-shaped weights identical values. Tensors that are not random draws
    are left out, told by their values: most values repeat in a constant (zeros or ones:
    biases, norm scales and offsets, moving statistics) or a pattern (a GRU bias whose
    update-gate slice holds `forget_bias`), while random draws are all distinct. A
    single-value tensor (a one-unit bias) cannot be told apart, so it is left out too."""
    weights = [(w.path, keras.ops.convert_to_numpy(w)) for w in shared_built(entry).weights]
    drawn = [
        (path, value)
        for path, value in weights
        if value.size > 1 and np.unique(value).size > value.size // 2
    ]
    equal = [
        (path_a, path_b)
        for (path_a, a), (path_b, b) in itertools.combinations(drawn, 2)
        if a.shape == b.shape and np.array_equal(a, b)
    ]
    assert not equal, f"weights with identical initial values: {equal}"


@pytest.mark.parametrize("entry", TRAINED, ids=by_name)
def test_mixed_precision_reaches_every_sublayer(entry):
    """Built with `dtype="mixed_bfloat16"`, every sublayer computes in that policy, and with
    the float32 build's weights copied in, the outputs stay within bfloat16 rounding."""
    x = entry.sample_input()
    reference = shared_built(entry)
    mixed = type(reference).from_config({**reference.get_config(), "dtype": MIXED_POLICY})
    entry.output(mixed, x)
    other_policies = [
        f"{layer.path or layer.name} ({type(layer).__name__}): {layer.dtype_policy.name}"
        for layer in mixed._flatten_layers()
        # An InputLayer only names the input's dtype, and a Sequential or functional
        # container computes nothing of its own (Keras keeps it float32 whatever it is
        # given): the layers inside them, which this loop also visits, do the computing.
        if not isinstance(layer, keras.layers.InputLayer)
        and type(layer).__name__ not in ("Sequential", "Functional")
        and layer.dtype_policy.name != MIXED_POLICY
    ]
    assert other_policies == []
    mixed.set_weights(reference.get_weights())
    expected = outputs_numpy(entry, reference, x)
    actual = outputs_numpy(entry, mixed, x)
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        error = np.max(np.abs(a.astype("float32") - e))
        assert error <= entry.mixed_tolerance * np.max(np.abs(e)), (error, np.max(np.abs(e)))


@pytest.mark.parametrize(
    "entry, bad", BAD_INPUTS, ids=[f"{e.name}-{b.description}" for e, b in BAD_INPUTS]
)
def test_bad_input_raises_a_clear_error(entry, bad):
    with pytest.raises(bad.error) as info:
        bad.call()
    assert re.search(bad.match, str(info.value)), str(info.value)
