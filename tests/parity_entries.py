"""Two small Keras models in catalogue form, so the parity and CLI tests have entries to
run on whatever the catalogue holds. They use built-in layers only; the classifier builds
on its first input, so `keraslab train` can fit it to any table."""

import keras
import numpy as np

from keraslab.catalog import Entry

_RNG_SEED = 0


def _features(n=16, width=6):
    return np.random.default_rng(_RNG_SEED).normal(size=(n, width)).astype("float32")


def _dense_classifier():
    return keras.Sequential(
        [
            keras.layers.Dense(8, activation="relu"),
            keras.layers.BatchNormalization(),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(3, activation="softmax"),
        ],
        name="dense_classifier",
    )


def _sequence_regressor():
    return keras.Sequential(
        [
            keras.Input((5,), dtype="int32"),
            keras.layers.Embedding(11, 4),
            keras.layers.GRU(6),
            keras.layers.Dense(1),
        ],
        name="sequence_regressor",
    )


def _tokens(n=16):
    return np.random.default_rng(_RNG_SEED).integers(0, 11, size=(n, 5)).astype("int32")


ENTRIES = [
    Entry(
        name="DemoDenseClassifier",
        kind="model",
        description="Dense, batch norm and dropout classifier (test fixture).",
        build=_dense_classifier,
        sample_input=lambda: _features(4),
        expected_params=6 * 8 + 8 + 2 * 8 + 8 * 3 + 3,
        fit_data=lambda: (_features(), np.arange(16, dtype="int32") % 3),
        compile_kwargs={"loss": "sparse_categorical_crossentropy"},
        default_dataset="wine",
    ),
    Entry(
        name="DemoSequenceRegressor",
        kind="model",
        description="Embedding and GRU regressor (test fixture).",
        build=_sequence_regressor,
        sample_input=lambda: _tokens(4),
        expected_params=11 * 4 + 3 * (4 * 6 + 6 * 6 + 2 * 6) + 6 + 1,
        fit_data=lambda: (_tokens(), np.linspace(-1, 1, 16, dtype="float32")[:, None]),
    ),
]
