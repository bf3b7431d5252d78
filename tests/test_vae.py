"""VAE: KL in closed form against NumPy, reparameterised draws, metrics, seeded sampling."""

import keras
import numpy as np
import pytest
from keras import ops

from keraslab.datasets import load_digits
from keraslab.models import VAE, Reparameterization


def test_kl_loss_matches_numpy_closed_form():
    rng = np.random.default_rng(0)
    mean = rng.normal(size=(6, 3)).astype("float32")
    log_var = rng.normal(size=(6, 3)).astype("float32")
    layer = Reparameterization(seed=0)
    layer([mean, log_var])
    (kl,) = layer.losses
    var = np.exp(log_var.astype("float64"))
    expected = np.mean(np.sum(0.5 * (var + mean**2 - 1.0 - np.log(var)), axis=1))
    assert float(ops.convert_to_numpy(kl)) == pytest.approx(expected, rel=1e-5)


def test_reparameterised_draws_have_the_encoded_mean_and_spread():
    n = 20000
    mean = np.full((n, 2), [1.5, -0.5], "float32")
    log_var = np.full((n, 2), np.log([4.0, 0.25]), "float32")
    layer = Reparameterization(seed=1)
    z = ops.convert_to_numpy(layer([mean, log_var], training=True))
    np.testing.assert_allclose(z.mean(axis=0), [1.5, -0.5], atol=0.05)
    np.testing.assert_allclose(z.std(axis=0), [2.0, 0.5], rtol=0.03)
    np.testing.assert_array_equal(ops.convert_to_numpy(layer([mean, log_var])), mean)


def test_history_tracks_reconstruction_and_kl_and_loss_is_their_sum():
    (x_train, _), _ = load_digits()
    vae = VAE(image_shape=(8, 8, 1), latent_dim=2, kind="dense", filters=8, beta=0.5, seed=0)
    vae.compile(optimizer="adam")
    history = vae.fit(x_train[:256], epochs=2, batch_size=64, verbose=0)
    assert {"loss", "reconstruction", "kl"} <= set(history.history)
    assert history.history["reconstruction"][-1] < history.history["reconstruction"][0]
    logs = vae.evaluate(x_train[:64], batch_size=64, verbose=0, return_dict=True)
    assert logs["kl"] > 0
    assert logs["loss"] == pytest.approx(logs["reconstruction"] + 0.5 * logs["kl"], rel=1e-5)


def test_seeded_samples_survive_save_and_load(tmp_path):
    vae = VAE(image_shape=(8, 8, 1), latent_dim=2, kind="conv", filters=4)
    first = ops.convert_to_numpy(vae.sample(4, seed=5))
    np.testing.assert_array_equal(first, ops.convert_to_numpy(vae.sample(4, seed=5)))
    assert not np.array_equal(first, ops.convert_to_numpy(vae.sample(4, seed=6)))
    path = str(tmp_path / "vae.keras")
    vae.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(ops.convert_to_numpy(loaded.sample(4, seed=5)), first, atol=1e-6)
    mean, log_var = loaded.encode(np.zeros((3, 8, 8, 1), "float32"))
    assert tuple(mean.shape) == tuple(log_var.shape) == (3, 2)
