"""MLP: NumPy reference forward pass, batch norm at inference, regression against
scikit-learn, the README example, and a reduced quality target on breast cancer."""

import os
import re

import keras
import numpy as np
import pytest

from keraslab.models import MLP
from tests.conftest import REPO_ROOT


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_forward_pass_matches_numpy():
    x = np.random.default_rng(0).normal(size=(6, 5)).astype("float32")
    model = MLP(hidden_units=(7, 4), activation="tanh", output_units=3, output_activation="softmax")
    out = keras.ops.convert_to_numpy(model(x))
    w1, b1, w2, b2, w3, b3 = model.get_weights()
    expected = _softmax(np.tanh(np.tanh(x @ w1 + b1) @ w2 + b2) @ w3 + b3)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_hidden_outputs_are_the_activations_of_each_layer():
    x = np.random.default_rng(3).normal(size=(5, 4)).astype("float32")
    model = MLP(hidden_units=(6, 3), output_units=2)
    model(x)
    first, second = (keras.ops.convert_to_numpy(h) for h in model.hidden_outputs(x))
    w1, b1, w2, b2, _, _ = model.get_weights()
    np.testing.assert_allclose(first, np.maximum(x @ w1 + b1, 0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(second, np.maximum(first @ w2 + b2, 0), rtol=1e-5, atol=1e-6)


def test_batch_norm_uses_moving_statistics_at_inference():
    x = np.random.default_rng(1).normal(size=(32, 4)).astype("float32")
    model = MLP(hidden_units=(6,), batch_norm=True, output_units=2)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.zeros((32, 2), "float32"), epochs=2, batch_size=8, verbose=0)
    kernel, gamma, beta, mean, variance, head_w, head_b = model.get_weights()
    assert not np.allclose(mean, 0)  # the moving statistics were updated by fit
    hidden = np.maximum((x @ kernel - mean) / np.sqrt(variance + 1e-3) * gamma + beta, 0)
    expected = hidden @ head_w + head_b
    out = keras.ops.convert_to_numpy(model(x, training=False))
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)


def test_dropout_only_acts_in_training():
    x = np.ones((4, 10), "float32")
    model = MLP(hidden_units=(64,), dropout=0.5, output_units=1)
    inference = keras.ops.convert_to_numpy(model(x, training=False))
    np.testing.assert_array_equal(inference, keras.ops.convert_to_numpy(model(x, training=False)))
    assert not np.allclose(keras.ops.convert_to_numpy(model(x, training=True)), inference)


def test_without_hidden_layers_it_is_linear_regression():
    from sklearn.linear_model import LinearRegression

    rng = np.random.default_rng(2)
    x = rng.normal(size=(128, 3)).astype("float32")
    y = (x @ np.array([1.5, -2.0, 0.5]) + 0.3 + rng.normal(0, 0.1, 128)).astype("float32")
    model = MLP(hidden_units=(), output_units=1)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    # Ten copies per epoch, unshuffled: 100 full-batch gradient steps in 10 epochs.
    repeats = 10
    model.fit(
        np.tile(x, (repeats, 1)),
        np.tile(y[:, None], (repeats, 1)),
        epochs=10,
        batch_size=128,
        shuffle=False,
        verbose=0,
    )
    reference = LinearRegression().fit(x, y)
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(kernel[:, 0], reference.coef_, atol=1e-3)
    np.testing.assert_allclose(bias[0], reference.intercept_, atol=1e-3)


@pytest.mark.slow
def test_readme_example_reaches_the_reduced_target_and_saves(tmp_path, monkeypatch):
    """The README example, run as written: 20 epochs on breast cancer, at least 93%."""
    with open(os.path.join(REPO_ROOT, "README.md")) as f:
        example = re.search(r"## Example\s+```python\n(.*?)```", f.read(), re.S).group(1)
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(example, namespace)
    loaded = keras.saving.load_model(tmp_path / "mlp.keras")
    x_test = namespace["x_test"]
    np.testing.assert_allclose(
        loaded.predict(x_test, verbose=0), namespace["model"].predict(x_test, verbose=0), atol=1e-6
    )
    _, accuracy = loaded.evaluate(x_test, namespace["y_test"], verbose=0)
    assert accuracy >= 0.93


@keras.saving.register_keras_serializable(package="keraslab_tests")
def scaled_tanh(x):
    return 2.0 * keras.ops.tanh(x)


def test_callable_activations_and_initializers_round_trip_through_a_keras_file(tmp_path):
    model = MLP(
        hidden_units=(6, 4),
        activation=scaled_tanh,
        kernel_initializer=keras.initializers.GlorotUniform(seed=3),
        output_activation=keras.activations.gelu,
    )
    x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    expected = keras.ops.convert_to_numpy(model(x))
    model.save(tmp_path / "mlp.keras")
    loaded = keras.saving.load_model(tmp_path / "mlp.keras")
    assert loaded.activation is scaled_tanh
    assert loaded.output_activation is keras.activations.gelu
    assert isinstance(loaded.kernel_initializer, keras.initializers.GlorotUniform)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loaded(x)), expected, atol=1e-6)
