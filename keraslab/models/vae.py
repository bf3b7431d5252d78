"""Variational autoencoder: an encoder that outputs a distribution, trained on the ELBO."""

import keras
from keras import layers, ops

from keraslab import _validation as check
from keraslab.models.autoencoder import decoder_stack, encoder_stack, stack_arguments
from keraslab.presets import FromPreset


@keras.saving.register_keras_serializable(package="keraslab")
class Reparameterization(layers.Layer):
    """Draws `z = mean + exp(log_var / 2) * eps` and adds the KL divergence as a loss.

    Writing the sample as a deterministic function of the encoder's outputs and an
    independent `eps ~ N(0, I)` lets gradients flow through the draw (the
    reparameterisation trick). The layer also adds, with `add_loss`, the
    Kullback-Leibler divergence from `N(mean, exp(log_var))` to `N(0, I)` in closed form,
    summed over latent dimensions and averaged over the batch:

        KL = mean over batch of -1/2 Σ (1 + log_var - mean² - exp(log_var))

    Paper: [Kingma and Welling, 2013](https://arxiv.org/abs/1312.6114).

    Args:
        seed: int or None, seed of `eps`. Defaults to `None`.
        **kwargs: passed to `keras.layers.Layer`.

    Call arguments:
        inputs: list `[mean, log_var]`, two float tensors `(batch, latent_dim)`.
        training: bool; when false the layer returns `mean` (no draw). Defaults to `None`.

    Returns:
        `z`, float tensor `(batch, latent_dim)`.

    Example:

    >>> layer = Reparameterization(seed=0)
    >>> z = layer([keras.ops.zeros((2, 3)), keras.ops.zeros((2, 3))], training=True)
    >>> tuple(z.shape)
    (2, 3)

    References:
        - Keras example [Variational AutoEncoder](https://keras.io/examples/generative/vae/).
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        mean, log_var = inputs
        kl = -0.5 * ops.sum(1.0 + log_var - ops.square(mean) - ops.exp(log_var), axis=-1)
        self.add_loss(ops.mean(kl))
        if not training:
            return mean
        eps = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_var) * eps

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


@keras.saving.register_keras_serializable(package="keraslab")
class VAE(FromPreset, keras.Model):
    """A variational autoencoder trained on reconstruction + beta * KL.

    The encoder (the `Autoencoder`'s dense or convolutional stack) outputs the mean and
    log-variance of a Gaussian over the latent code; `Reparameterization` draws from it
    and adds its KL divergence to the prior `N(0, I)`; the decoder rebuilds the image.
    The loss is the per-image binary cross-entropy summed over pixels plus
    `beta` times the KL, both averaged over the batch; `reconstruction` and `kl` appear
    as metrics beside `loss`. Since the prior is `N(0, I)`, decoding standard normal
    draws gives new images (`sample`).

    Paper: [Kingma and Welling, 2013](https://arxiv.org/abs/1312.6114).

    Args:
        image_shape: `(height, width, channels)`, pixels in `[0, 1]`; for `kind="conv"`
            height and width must be divisible by 4.
        latent_dim: int, size of the latent code. Defaults to `2`.
        kind: `"dense"` or `"conv"`, as in `Autoencoder`. Defaults to `"conv"`.
        filters: int, width of the network, as in `Autoencoder`. Defaults to `16`.
        beta: float, weight of the KL term (`beta > 1` gives a beta-VAE).
            Defaults to `1.0`.
        seed: int or None, seed of the latent draws. Defaults to `None`.
        **kwargs: passed to `keras.Model`.

    Call arguments:
        images: float tensor `(batch, height, width, channels)`.
        training: bool; the code is sampled when true, the mean otherwise.
            Defaults to `None`.

    Returns:
        Reconstructions with the shape of `images`, in `[0, 1]`.

    Example:

    >>> vae = VAE(image_shape=(8, 8, 1), latent_dim=2, kind="dense", filters=4)
    >>> vae.compile(optimizer="adam")
    >>> tuple(vae.sample(5, seed=0).shape)
    (5, 8, 8, 1)

    References:
        - Higgins et al., 2017, [beta-VAE](https://openreview.net/forum?id=Sy2fzU9gl).
        - Keras example [Variational AutoEncoder](https://keras.io/examples/generative/vae/).
    """

    def __init__(
        self, image_shape, latent_dim=2, kind="conv", filters=16, beta=1.0, seed=None, **kwargs
    ):
        super().__init__(**kwargs)
        self.image_shape, self.kind, self.latent_dim, self.filters = stack_arguments(
            image_shape, kind, latent_dim, filters
        )
        self.beta = check.non_negative("beta", beta)
        self.seed = seed
        self.encoder = encoder_stack(
            self.image_shape,
            self.kind,
            self.filters,
            2 * self.latent_dim,
            "encoder",
            self.dtype_policy,
        )
        self.decoder = decoder_stack(
            self.image_shape, self.kind, self.filters, self.latent_dim, "decoder", self.dtype_policy
        )
        self.reparameterization = Reparameterization(
            seed=seed, name="reparameterization", dtype=self.dtype_policy
        )
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")
        self.kl_tracker = keras.metrics.Mean(name="kl")
        self.built = True

    def call(self, images, training=None):
        mean, log_var = self.encode(images, training=training)
        code = self.reparameterization([mean, log_var], training=training)
        return self.decoder(code, training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        target = ops.convert_to_tensor(x if y is None else y)
        per_pixel = ops.binary_crossentropy(target, ops.clip(y_pred, 1e-7, 1 - 1e-7))
        reconstruction = ops.mean(ops.sum(ops.reshape(per_pixel, (ops.shape(target)[0], -1)), -1))
        kl = sum(self.losses)
        self.reconstruction_tracker.update_state(reconstruction)
        self.kl_tracker.update_state(kl)
        return reconstruction + self.beta * kl

    def encode(self, images, training=None):
        """Returns `(mean, log_var)` of the code, each `(batch, latent_dim)`."""
        check.images(images, self.image_shape)
        statistics = self.encoder(images, training=training)
        return statistics[:, : self.latent_dim], statistics[:, self.latent_dim :]

    def decode(self, codes):
        """Returns the images decoded from `codes` `(batch, latent_dim)`."""
        return self.decoder(codes, training=False)

    def sample(self, n, seed=None):
        """Decodes `n` draws from the prior `N(0, I)`; reproducible when `seed` is an int."""
        check.positive_int("n", n)
        codes = keras.random.normal(
            (n, self.latent_dim), seed=self.seed_generator if seed is None else seed
        )
        return self.decode(codes)

    def get_config(self):
        return {
            **super().get_config(),
            "image_shape": self.image_shape,
            "latent_dim": self.latent_dim,
            "kind": self.kind,
            "filters": self.filters,
            "beta": self.beta,
            "seed": self.seed,
        }
