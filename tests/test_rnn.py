"""RNN: parameter counts from the cell equations, a SimpleRNN recurrence in NumPy, the
forecast head's naive starting point, output shapes, and reduced quality targets."""

import keras
import numpy as np
import pytest

from keraslab.datasets import load_time_series, make_long_range_task
from keraslab.models import RNN

# The reduced long-range check: the label is set by step 0 of 15; after the same 48 updates
# the LSTM has learned it and the SimpleRNN is still at chance (the page uses 50 steps).
LONG_RANGE_LENGTH = 15
LONG_RANGE_SAMPLES = 1536 + 256
LONG_RANGE_EPOCHS = 1


def _sequences(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _trainable_count(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


# Weights per direction of a layer with d inputs and u units: SimpleRNN u(d + u + 1),
# LSTM 4u(d + u + 1) (four gates), GRU 3u(d + u + 2) (three gates, two biases each).
@pytest.mark.parametrize(
    "cell_type, per_layer",
    [
        ("simple", lambda d, u: u * (d + u + 1)),
        ("lstm", lambda d, u: 4 * u * (d + u + 1)),
        ("gru", lambda d, u: 3 * u * (d + u + 2)),
    ],
)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_parameter_count_follows_the_cell_equations(cell_type, per_layer, bidirectional):
    d, u, outputs = 3, 5, 2
    directions = 2 if bidirectional else 1
    model = RNN(cell_type, units=u, num_layers=2, bidirectional=bidirectional, output_units=outputs)
    model(_sequences((2, 7, d)))
    expected = directions * (per_layer(d, u) + per_layer(directions * u, u))
    expected += directions * u * outputs + outputs
    assert _trainable_count(model) == expected


def test_simple_rnn_matches_the_numpy_recurrence():
    x = _sequences((3, 6, 2))
    model = RNN("simple", units=4, task="regression", output_units=1)
    out = keras.ops.convert_to_numpy(model(x))
    kernel, recurrent, bias, head_w, head_b = model.get_weights()
    h = np.zeros((3, 4), "float32")
    for t in range(6):
        h = np.tanh(x[:, t] @ kernel + h @ recurrent + bias)
    np.testing.assert_allclose(out, h @ head_w + head_b, rtol=1e-5, atol=1e-5)


def test_forecast_starts_from_the_last_value():
    x = _sequences((4, 9, 2))
    model = RNN("gru", units=3, task="forecast", output_units=2)
    model(x)
    model.head.set_weights([np.zeros_like(w) for w in model.head.get_weights()])
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(model(x)), np.repeat(x[:, -1, :1], 2, axis=1), atol=1e-7
    )


@pytest.mark.parametrize(
    "kwargs, shape",
    [
        ({"output_units": 3}, (2, 3)),
        ({"output_units": 3, "return_sequences": True}, (2, 7, 3)),
        ({"task": "forecast", "output_units": 4, "bidirectional": True}, (2, 4)),
        ({"num_layers": 3, "bidirectional": True, "task": "regression"}, (2, 1)),
    ],
)
def test_output_shapes(kwargs, shape):
    assert tuple(RNN(units=4, **kwargs)(_sequences((2, 7, 2))).shape) == shape


@pytest.mark.parametrize(
    "output_units, activation, check",
    [
        (3, "auto", lambda p: np.allclose(p.sum(axis=-1), 1.0, atol=1e-5)),  # softmax
        (1, "auto", lambda p: np.all((p > 0) & (p < 1))),  # sigmoid
        (1, None, lambda p: np.any((p < 0) | (p > 1))),  # logits
    ],
)
def test_classification_head_activation(output_units, activation, check):
    model = RNN(units=8, output_units=output_units, output_activation=activation)
    assert check(keras.ops.convert_to_numpy(model(3.0 * _sequences((16, 5, 2)))))


def test_forget_bias_sets_the_kept_fraction_of_the_gate():
    x = _sequences((2, 5, 3))
    lstm = RNN("lstm", units=4, forget_bias=3.0)
    gru = RNN("gru", units=4, forget_bias=3.0, bidirectional=True)
    lstm(x), gru(x)
    lstm_bias = keras.ops.convert_to_numpy(lstm.recurrent_layers[0].cell.bias)
    np.testing.assert_array_equal(lstm_bias, np.repeat([0.0, 3.0, 0.0, 0.0], 4))
    for direction in (
        gru.recurrent_layers[0].forward_layer,
        gru.recurrent_layers[0].backward_layer,
    ):
        bias = keras.ops.convert_to_numpy(direction.cell.bias)
        np.testing.assert_array_equal(bias[0], np.repeat([3.0, 0.0, 0.0], 4))
        np.testing.assert_array_equal(bias[1], np.zeros(12))
    default = RNN("lstm", units=4)
    default(x)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(default.recurrent_layers[0].cell.bias),
        np.repeat([0.0, 1.0, 0.0, 0.0], 4),  # Keras's unit_forget_bias
    )


def _accuracy_after_training(cell_type, x, y, epochs, **kwargs):
    model = RNN(cell_type, units=32, output_units=2, **kwargs)
    model.compile(
        optimizer=keras.optimizers.Adam(0.01, clipnorm=1.0),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(x[:-256], y[:-256], epochs=epochs, batch_size=32, verbose=0)
    return model.evaluate(x[-256:], y[-256:], verbose=0)[1]


@pytest.mark.slow
def test_lstm_remembers_the_first_step_where_a_simple_rnn_cannot():
    x, y = make_long_range_task(num_samples=LONG_RANGE_SAMPLES, length=LONG_RANGE_LENGTH)
    simple = _accuracy_after_training("simple", x, y, epochs=LONG_RANGE_EPOCHS)
    lstm = _accuracy_after_training("lstm", x, y, epochs=LONG_RANGE_EPOCHS, forget_bias=3.0)
    assert lstm >= 0.85 and simple <= 0.65, (lstm, simple)


@pytest.mark.slow
def test_forecast_beats_the_naive_last_value():
    (x_train, y_train), (x_test, y_test) = load_time_series(window=12)
    model = RNN("gru", units=16, task="forecast")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    model.fit(x_train[::2], y_train[::2], epochs=4, batch_size=32, verbose=0)
    model_error = np.abs(model.predict(x_test, verbose=0) - y_test).mean()
    naive_error = np.abs(x_test[:, -1] - y_test).mean()
    assert model_error < 0.92 * naive_error, (model_error, naive_error)
