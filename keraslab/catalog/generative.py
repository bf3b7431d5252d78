"""Catalogue entries: generative models (autoencoder, VAE, GAN, diffusion) on 8x8 digits."""

import numpy as np

from keraslab.catalog import BadInput, Entry

SHAPE = (8, 8, 1)


def _images(n=4, seed=0):
    return np.random.default_rng(seed).uniform(size=(n, *SHAPE)).astype("float32")


def _fit_data():
    return _images(16, seed=1), None


def _conv_autoencoder(**overrides):
    from keraslab.models import Autoencoder

    config = dict(image_shape=SHAPE, latent_dim=4, kind="conv", filters=2, noise_stddev=0.1)
    return Autoencoder(**{**config, **overrides})


def _vae(**overrides):
    from keraslab.models import VAE

    return VAE(**{**dict(image_shape=SHAPE, latent_dim=2, kind="dense", filters=2), **overrides})


def _gan(**overrides):
    from keraslab.models import GAN

    return GAN(**{**dict(image_shape=SHAPE, latent_dim=4, filters=2), **overrides})


def _diffusion(**overrides):
    from keraslab.models import Diffusion

    return Diffusion(**{**dict(image_shape=SHAPE, timesteps=10, filters=2), **overrides})


def _autoencoder_bad_inputs():
    return [
        BadInput("zero latent_dim", lambda: _conv_autoencoder(latent_dim=0), "latent_dim"),
        BadInput("unknown kind", lambda: _conv_autoencoder(kind="rnn"), "kind"),
        BadInput(
            "conv image not divisible by 4",
            lambda: _conv_autoencoder(image_shape=(10, 10, 1)),
            "image_shape.*divisible by 4",
        ),
        BadInput("negative noise", lambda: _conv_autoencoder(noise_stddev=-1.0), "noise_stddev"),
        BadInput("rank-3 images", lambda: _conv_autoencoder()(np.zeros((2, 8, 8))), "images"),
    ]


def _vae_bad_inputs():
    return [
        BadInput("zero latent_dim", lambda: _vae(latent_dim=0), "latent_dim"),
        BadInput("negative beta", lambda: _vae(beta=-1.0), "beta"),
        BadInput("wrong image size", lambda: _vae()(np.zeros((2, 6, 6, 1))), "images"),
        BadInput("zero samples", lambda: _vae().sample(0), "Argument n"),
    ]


def _gan_bad_inputs():
    return [
        BadInput("zero latent_dim", lambda: _gan(latent_dim=0), "latent_dim"),
        BadInput("image not divisible by 4", lambda: _gan(image_shape=(6, 6, 1)), "image_shape"),
        BadInput("wrong latent width", lambda: _gan()(np.zeros((2, 5), "float32")), "latent"),
        BadInput(
            "optimizer dict without generator",
            lambda: _gan().compile(optimizer={"discriminator": "adam"}),
            "optimizer.*generator",
        ),
        BadInput("a compiled loss", lambda: _gan().compile(loss="mse"), "Argument loss"),
    ]


def _diffusion_bad_inputs():
    return [
        BadInput("unknown schedule", lambda: _diffusion(schedule="quadratic"), "schedule"),
        BadInput("one timestep", lambda: _diffusion(timesteps=1), "timesteps"),
        BadInput(
            "image not divisible by 4", lambda: _diffusion(image_shape=(6, 6, 1)), "image_shape"
        ),
        BadInput("unknown sampler", lambda: _diffusion().generate(2, sampler="euler"), "sampler"),
        BadInput(
            "more steps than timesteps",
            lambda: _diffusion().generate(2, steps=11, sampler="ddim"),
            "steps must be <= timesteps",
        ),
        BadInput("rank-3 images", lambda: _diffusion()(np.zeros((2, 8, 8))), "images"),
        BadInput(
            "ema_momentum of 1", lambda: _diffusion().compile(ema_momentum=1.0), "ema_momentum"
        ),
    ]


def _dense(inputs, units):
    return inputs * units + units


def _conv(kernel, inputs, filters):
    return kernel * kernel * inputs * filters + filters


def _batch_norm(channels):
    return 2 * channels


def _residual_block(inputs, filters, embedding):
    skip = 0 if inputs == filters else _dense(inputs, filters)
    return (
        skip + _conv(3, inputs, filters) + _dense(embedding, filters) + _conv(3, filters, filters)
    )


def denoise_at_fixed_timesteps(model, images):
    """A `Diffusion`'s deterministic output: its U-Net's noise prediction on `images` at
    fixed timesteps (its `call` draws timesteps and noise from the backend's streams)."""
    timesteps = (np.arange(len(images)) * 7 % model.timesteps).astype("int32")
    return model.network([images, timesteps], training=False)


def _digits_model(**fields):
    """An `Entry` for a generative model, with what all four share: they train on the
    digits with their own loss (`loss=None`, no targets), and their training steps draw
    their own random numbers, so backend losses cannot match (`parity_train=False`)."""
    shared = dict(
        kind="model",
        sample_input=_images,
        fit_data=_fit_data,
        compile_kwargs={"loss": None},
        default_dataset="digits",
        parity_train=False,
    )
    return Entry(**{**shared, **fields})


ENTRIES = [
    _digits_model(
        name="Autoencoder",
        description="Denoising convolutional autoencoder with encode/decode.",
        build=_conv_autoencoder,
        expected_params=(
            _conv(3, 1, 2)
            + _conv(3, 2, 4)
            + _dense(2 * 2 * 4, 4)
            + _dense(4, 2 * 2 * 4)
            + _conv(3, 4, 2)
            + _conv(3, 2, 1)
        ),
        bad_inputs=_autoencoder_bad_inputs,
        docs_page="generative/autoencoder.py",
    ),
    _digits_model(
        name="VAE",
        description="Variational autoencoder (reconstruction + beta * KL) with sample(n).",
        build=_vae,
        expected_params=_dense(64, 16) + _dense(16, 2 * 2) + _dense(2, 16) + _dense(16, 64),
        bad_inputs=_vae_bad_inputs,
        docs_page="generative/vae.py",
    ),
    _digits_model(
        name="GAN",
        description="DCGAN, optionally conditional: two networks, one optimizer each, plain fit().",
        build=_gan,
        sample_input=lambda: np.random.default_rng(0).normal(size=(4, 4)).astype("float32"),
        expected_params=(
            _dense(4, 2 * 2 * 4)
            + _batch_norm(4)
            + _conv(4, 4, 4)
            + _batch_norm(4)
            + _conv(4, 4, 2)
            + _batch_norm(2)
            + _conv(3, 2, 1)
            + _conv(4, 1, 2)
            + _conv(4, 2, 4)
            + _dense(2 * 2 * (4 + 1), 1)
        ),
        compile_kwargs={"optimizer": "adam", "loss": None},
        bad_inputs=_gan_bad_inputs,
        docs_page="generative/gan.py",
    ),
    _digits_model(
        name="Diffusion",
        description="DDPM with a small U-Net, DDPM/DDIM samplers and weight EMA.",
        build=_diffusion,
        expected_params=(
            2 * _dense(8, 8)
            + _conv(3, 1, 2)
            + _residual_block(2, 2, 8)
            + _conv(3, 2, 4)
            + _residual_block(4, 4, 8)
            + _conv(3, 4, 4)
            + _residual_block(4, 4, 8)
            + _residual_block(8, 4, 8)
            + _residual_block(6, 2, 8)
            + _conv(3, 2, 1)
        ),
        bad_inputs=_diffusion_bad_inputs,
        docs_page="generative/diffusion.py",
        # call() draws timesteps and noise from backend-specific random streams; the
        # U-Net at fixed timesteps is the deterministic part to compare.
        forward=denoise_at_fixed_timesteps,
    ),
]
