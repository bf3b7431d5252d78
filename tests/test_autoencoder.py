"""Autoencoder: denoising beats the noisy input, encode/decode shapes, inference is clean."""

import keras
import numpy as np
from keras import ops

from keraslab.datasets import load_digits
from keraslab.models import Autoencoder


def mse(a, b):
    return float(np.mean((ops.convert_to_numpy(a) - ops.convert_to_numpy(b)) ** 2))


def test_denoising_autoencoder_output_is_closer_to_clean_than_its_noisy_input():
    (x_train, _), (x_test, _) = load_digits()
    model = Autoencoder(
        image_shape=(8, 8, 1), latent_dim=16, kind="dense", filters=16, noise_stddev=0.3, seed=0
    )
    model.compile(optimizer=keras.optimizers.Adam(3e-3))
    model.fit(x_train[:512], epochs=10, batch_size=64, verbose=0)
    noisy = x_test + np.random.default_rng(0).normal(0.0, 0.3, x_test.shape).astype("float32")
    assert mse(model(noisy), x_test) < 0.8 * mse(noisy, x_test)


def test_dense_encode_decode_shapes_and_inference_has_no_noise():
    model = Autoencoder(
        image_shape=(8, 8, 1), latent_dim=3, kind="dense", filters=4, noise_stddev=0.5
    )
    x = np.random.default_rng(1).uniform(size=(5, 8, 8, 1)).astype("float32")
    codes = model.encode(x)
    assert tuple(codes.shape) == (5, 3)
    np.testing.assert_allclose(
        ops.convert_to_numpy(model(x)), ops.convert_to_numpy(model.decode(codes)), atol=1e-6
    )
    assert mse(model(x, training=True), model(x)) > 0


def test_fit_with_explicit_targets_uses_them():
    model = Autoencoder(image_shape=(8, 8, 1), latent_dim=2, kind="dense", filters=2)
    model.compile(optimizer="adam")
    x = np.random.default_rng(2).uniform(size=(8, 8, 8, 1)).astype("float32")
    zeros = np.zeros_like(x)
    logs = model.evaluate(x, zeros, verbose=0, return_dict=True)
    assert (
        logs["loss"] == np.float32(mse(model(x), zeros)).item()
        or abs(logs["loss"] - mse(model(x), zeros)) < 1e-6
    )
