"""Diffusion: schedules and timestep embedding against NumPy, samplers against a known
optimal denoiser, seeded sampling, and the EMA fit -> evaluate -> save sequence."""

import keras
import numpy as np
import pytest
from keras import ops

from keraslab.layers import SinusoidalPositionalEncoding
from keraslab.models import Diffusion
from keraslab.models._timestep import TimestepEmbedding
from keraslab.models.diffusion import noise_schedule


def test_linear_schedule_matches_the_ddpm_endpoints():
    betas = noise_schedule(1000, "linear")
    assert betas[0] == pytest.approx(1e-4) and betas[-1] == pytest.approx(0.02)
    short = noise_schedule(250, "linear")
    assert short[0] == pytest.approx(4e-4) and short[-1] == pytest.approx(0.08)
    model = Diffusion(image_shape=(8, 8, 1), timesteps=250, schedule="linear", filters=2)
    expected = np.array([np.prod([1 - b for b in short[: t + 1]]) for t in range(250)])
    np.testing.assert_allclose(model.alpha_bars, expected, rtol=1e-10)


def test_cosine_schedule_alpha_bar_follows_the_squared_cosine():
    model = Diffusion(image_shape=(8, 8, 1), timesteps=100, schedule="cosine", filters=2)
    t = np.arange(1, 101)
    s = 0.008
    closed_form = (
        np.cos((t / 100 + s) / (1 + s) * np.pi / 2) ** 2 / np.cos(s / (1 + s) * np.pi / 2) ** 2
    )
    unclipped = model.betas < 0.999
    np.testing.assert_allclose(model.alpha_bars[unclipped], closed_form[unclipped], rtol=1e-9)
    assert np.all(np.diff(model.alpha_bars) < 0) and model.alpha_bars[-1] < 1e-3


def test_timestep_embedding_is_the_positional_encoding_of_the_timesteps():
    positions = np.array([0, 1, 7, 150])
    embedding = ops.convert_to_numpy(TimestepEmbedding(6, max_wavelength=100)(positions))
    expected = np.zeros((4, 6))
    for row, p in enumerate(positions):
        for i in range(3):
            expected[row, 2 * i] = np.sin(p / 100 ** (i / 3))
            expected[row, 2 * i + 1] = np.cos(p / 100 ** (i / 3))
    np.testing.assert_allclose(embedding, expected, atol=1e-4)
    encoding = SinusoidalPositionalEncoding(max_wavelength=100)(np.zeros((1, 151, 6), "float32"))
    np.testing.assert_allclose(embedding, ops.convert_to_numpy(encoding)[0, positions], atol=1e-5)


class GaussianOracle(keras.Model):
    """The exact noise predictor when every pixel (in [-1, 1]) is N(0, std²) data."""

    def __init__(self, alpha_bars, std):
        super().__init__()
        self.alpha_bars = np.asarray(alpha_bars, "float32")
        self.std = std

    def call(self, inputs, training=None):
        x, t = inputs
        alpha_bar = ops.take(ops.convert_to_tensor(self.alpha_bars), t)[:, None, None, None]
        return ops.sqrt(1 - alpha_bar) * x / (alpha_bar * self.std**2 + 1 - alpha_bar)


@pytest.mark.parametrize("sampler", ["ddpm", "ddim"])
def test_samplers_reproduce_gaussian_data_with_the_optimal_denoiser(sampler):
    model = Diffusion(image_shape=(8, 8, 1), timesteps=1000, schedule="linear", filters=2)
    model.network = GaussianOracle(model.alpha_bars, std=0.3)
    images = model.generate(200, steps=1000, sampler=sampler, seed=0)
    pixels = images * 2.0 - 1.0
    assert abs(pixels.mean()) < 0.02
    assert pixels.std() == pytest.approx(0.3, rel=0.03)


def test_ddim_is_deterministic_given_its_seed_and_ddpm_adds_noise():
    model = Diffusion(image_shape=(8, 8, 1), timesteps=20, filters=2)
    model.network = GaussianOracle(model.alpha_bars, std=0.3)
    a = model.generate(3, steps=5, sampler="ddim", seed=1)
    np.testing.assert_array_equal(a, model.generate(3, steps=5, sampler="ddim", seed=1))
    assert not np.array_equal(a, model.generate(3, steps=5, sampler="ddim", seed=2))
    assert not np.array_equal(
        model.generate(3, steps=5, sampler="ddpm", seed=1),
        model.generate(3, steps=5, sampler="ddim", seed=1),
    )


def test_chain_runs_from_the_starting_noise_to_the_returned_images():
    model = Diffusion(image_shape=(8, 8, 1), timesteps=20, filters=2)
    model.network = GaussianOracle(model.alpha_bars, std=0.3)
    images, chain = model.generate(3, steps=5, sampler="ddim", seed=1, return_chain=True)
    assert chain.shape == (6, 3, 8, 8, 1)
    noise = ops.convert_to_numpy(
        keras.random.normal((3, 8, 8, 1), seed=keras.random.SeedGenerator(1))
    )
    np.testing.assert_allclose(chain[0], np.clip((noise + 1.0) / 2.0, 0.0, 1.0), atol=1e-6)
    np.testing.assert_array_equal(chain[-1], images)
    np.testing.assert_array_equal(images, model.generate(3, steps=5, sampler="ddim", seed=1))


def test_ema_fit_evaluate_save_load_sequence(tmp_path):
    images = np.random.default_rng(0).uniform(size=(16, 8, 8, 1)).astype("float32")
    model = Diffusion(image_shape=(8, 8, 1), timesteps=8, filters=2, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), ema_momentum=0.9)
    model.fit(images, epochs=2, batch_size=8, verbose=0)
    first = model.evaluate(images, verbose=0)
    assert first == pytest.approx(model.evaluate(images, verbose=0), rel=1e-6)
    path = str(tmp_path / "diffusion.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.optimizer.use_ema and loaded.optimizer.ema_momentum == 0.9
    np.testing.assert_allclose(
        loaded.generate(2, steps=2, sampler="ddim", seed=3),
        model.generate(2, steps=2, sampler="ddim", seed=3),
        atol=1e-5,
    )
