"""CNN: agreement with the same layers assembled by hand in Keras, feature-map shapes,
the first convolution against NumPy, and a reduced quality target on the digits."""

import keras
import numpy as np
import pytest

from keraslab.datasets import load_digits
from keraslab.models import CNN


def _images(shape, seed=0):
    return np.random.default_rng(seed).uniform(size=shape).astype("float32")


def _randomize_weights(model, seed=1):
    """Random values for every weight, batch-norm statistics included (variances > 0)."""
    rng = np.random.default_rng(seed)
    values = []
    for variable in model.weights:
        value = rng.uniform(0.5, 1.5, variable.shape)
        if "variance" not in variable.path:
            value *= rng.choice([-1.0, 1.0], variable.shape)
        values.append(value.astype("float32"))
    model.set_weights(values)


def test_matches_a_hand_assembled_sequential():
    x = _images((16, 12, 12, 3))
    model = CNN(
        filters=(4, 6),
        convs_per_block=2,
        global_pooling=True,
        dense_units=(5,),
        output_units=3,
    )
    model(x)
    _randomize_weights(model)
    layers = [keras.Input((12, 12, 3))]
    for channels in (4, 6):
        for _ in range(2):
            layers += [
                keras.layers.Conv2D(channels, 3, padding="same", use_bias=False),
                keras.layers.BatchNormalization(),
                keras.layers.ReLU(),
            ]
        layers.append(keras.layers.MaxPooling2D(2))
    layers += [
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(5, activation="relu"),
        keras.layers.Dense(3, activation="softmax"),
    ]
    reference = keras.Sequential(layers)
    reference.set_weights(model.get_weights())
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(model(x, training=False)),
        keras.ops.convert_to_numpy(reference(x, training=False)),
        rtol=1e-5,
        atol=1e-6,
    )


def test_first_convolution_matches_numpy_cross_correlation():
    x = _images((2, 6, 6, 1))
    model = CNN(filters=(3,), batch_norm=False, dense_units=(), output_units=2)
    model(x)
    kernel, bias = model.get_weights()[:2]
    padded = np.pad(x[..., 0], ((0, 0), (1, 1), (1, 1)))
    expected = np.zeros((2, 6, 6, 3), "float32")
    for i in range(6):
        for j in range(6):
            patch = padded[:, i : i + 3, j : j + 3]
            expected[:, i, j] = np.einsum("bhw,hwc->bc", patch, kernel[..., 0, :]) + bias
    feature_maps = keras.ops.convert_to_numpy(model.features(x, block=0))
    np.testing.assert_allclose(feature_maps, np.maximum(expected, 0), rtol=1e-5, atol=1e-6)


def test_feature_maps_shrink_by_the_pool_size_per_block():
    model = CNN(filters=(4, 8), pool_size=3, output_units=4)
    x = _images((2, 18, 18, 1))
    assert tuple(model.features(x, block=0).shape) == (2, 18, 18, 4)
    assert tuple(model.features(x, block=1).shape) == (2, 6, 6, 8)
    assert tuple(model(x).shape) == (2, 4)
    with pytest.raises(ValueError, match="block"):
        model.features(x, block=2)


@pytest.mark.slow
def test_reduced_quality_target_on_digits():
    (x_train, y_train), (x_test, y_test) = load_digits()
    model = CNN(filters=(16, 32), dense_units=(64,), output_units=10)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=4, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy >= 0.90
