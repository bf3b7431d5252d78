"""Generative models: milliseconds per training step (batch 64 of 8x8 digits), and
sampling time, with the configurations of the docs pages."""

import keras
import numpy as np

from benchmarks._timing import median_ms, row
from keraslab.datasets import load_digits
from keraslab.models import GAN, VAE, Autoencoder, Diffusion


def _models(quick):
    width = 8 if quick else 32
    return {
        "Autoencoder (conv, denoising)": (
            Autoencoder(
                image_shape=(8, 8, 1), latent_dim=32, filters=width, noise_stddev=0.3, seed=0
            ),
            {"optimizer": "adam"},
        ),
        "VAE (conv, 2-D code)": (
            VAE(image_shape=(8, 8, 1), latent_dim=2, filters=width, seed=0),
            {"optimizer": "adam"},
        ),
        "GAN (two optimizers)": (
            GAN(image_shape=(8, 8, 1), latent_dim=32, filters=width, seed=0),
            {"optimizer": keras.optimizers.Adam(1e-3, beta_1=0.5)},
        ),
        "Diffusion (U-Net, EMA)": (
            Diffusion(
                image_shape=(8, 8, 1), timesteps=20 if quick else 100, filters=width // 2, seed=0
            ),
            {"optimizer": "adam", "ema_momentum": 0.995},
        ),
    }


def run(quick):
    (x_train, _), _ = load_digits()
    batch = x_train[:64]
    n = 50 if quick else 1000
    repeats = 3 if quick else 7
    rows = []
    models = _models(quick)
    for name, (model, compile_kwargs) in models.items():
        model.compile(**compile_kwargs)
        model.fit(batch, batch_size=64, epochs=1, verbose=0)
        ms = median_ms(lambda m=model: m.train_on_batch(batch), warmup=2, repeats=repeats)
        rows.append(row("generative: train step", name, ms, "ms/step", batch=64))
    samplers = {
        "VAE sample": lambda: models["VAE (conv, 2-D code)"][0].sample(n, seed=0),
        "GAN generate": lambda: models["GAN (two optimizers)"][0].generate(n, seed=0),
        "Diffusion DDIM 50 steps": lambda: models["Diffusion (U-Net, EMA)"][0].generate(
            n, steps=10 if quick else 50, sampler="ddim", seed=0
        ),
    }
    for name, sample in samplers.items():
        ms = median_ms(sample, warmup=1, repeats=3)
        rows.append(row(f"generative: sampling {n} images", name, ms, "ms", samples=n))
    return rows


if __name__ == "__main__":
    for r in run(quick=True):
        print(r, np.round(r["value"], 2))
