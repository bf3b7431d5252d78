"""DCGAN: a convolutional generator and discriminator trained against each other."""

import keras
from keras import layers, ops

from keraslab.models._checks import check_image_shape, check_int
from keraslab.training import MultiOptimizerModel


@keras.saving.register_keras_serializable(package="keraslab")
class MinibatchStddev(layers.Layer):
    """Appends one channel holding the batch's average feature standard deviation.

    A generator that collapses onto a few images produces batches with too little
    variation; this channel lets the discriminator see that and penalise it
    (Karras et al., 2017, [Progressive GANs](https://arxiv.org/abs/1710.10196)).

    Call arguments:
        features: float tensor `(batch, height, width, channels)`.

    Returns:
        `(batch, height, width, channels + 1)`.
    """

    def call(self, features):
        spread = ops.mean(ops.std(features, axis=0))
        return ops.concatenate([features, ops.ones_like(features[..., :1]) * spread], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 1)


@keras.saving.register_keras_serializable(package="keraslab")
class GAN(MultiOptimizerModel):
    """A deep convolutional GAN (DCGAN) trained with plain `fit()` on every backend.

    The generator maps a Gaussian latent vector to an image through a dense layer and
    two stride-2 transposed convolutions; the discriminator mirrors it with two stride-2
    convolutions and returns one logit. Each batch takes one discriminator step (real
    images labelled 1, generated ones 0) and then one generator step (the
    non-saturating loss: make the discriminator answer 1), each with its own optimizer,
    through `keraslab.training.MultiOptimizerModel`. `d_loss` and `g_loss` appear in the
    progress bar and in the history.

    Paper: [Radford et al., 2015](https://arxiv.org/abs/1511.06434).

    Args:
        image_shape: `(height, width, channels)` of the images, height and width
            divisible by 4; pixel values in `[0, 1]`.
        latent_dim: int, size of the latent vector. Defaults to `32`.
        filters: int, filters of the first discriminator convolution (the last
            generator one); the other has twice as many. Defaults to `32`.
        seed: int or None, seed of the latent draws during training and of
            `generate` when it gets no seed. Defaults to `None`.
        **kwargs: passed to `keras.Model` (for example `name`).

    Call arguments:
        latent: float tensor `(batch, latent_dim)`.
        training: bool, training mode. Defaults to `None`.

    Returns:
        Generated images `(batch, height, width, channels)` in `[0, 1]`.

    Example:

    >>> gan = GAN(image_shape=(8, 8, 1), latent_dim=16, filters=8)
    >>> gan.compile(optimizer={"discriminator": "adam", "generator": "adam"})
    >>> tuple(gan.generate(3, seed=0).shape)
    (3, 8, 8, 1)

    References:
        - Goodfellow et al., 2014, [Generative Adversarial Networks](https://arxiv.org/abs/1406.2661).
        - Keras example [DCGAN overriding train_step](https://keras.io/examples/generative/dcgan_overriding_train_step/).
    """

    def __init__(self, image_shape, latent_dim=32, filters=32, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.image_shape = check_image_shape(image_shape, 2)
        self.latent_dim = check_int("latent_dim", latent_dim)
        self.filters = check_int("filters", filters)
        self.seed = seed
        height, width, channels = self.image_shape
        self.generator = keras.Sequential(
            [
                keras.Input((latent_dim,)),
                layers.Dense(height // 4 * width // 4 * 2 * filters, name="project"),
                layers.Reshape((height // 4, width // 4, 2 * filters), name="reshape"),
                layers.BatchNormalization(name="norm_0"),
                layers.LeakyReLU(0.2, name="act_0"),
                layers.Conv2DTranspose(2 * filters, 4, 2, padding="same", name="up_1"),
                layers.BatchNormalization(name="norm_1"),
                layers.LeakyReLU(0.2, name="act_1"),
                layers.Conv2DTranspose(filters, 4, 2, padding="same", name="up_2"),
                layers.BatchNormalization(name="norm_2"),
                layers.LeakyReLU(0.2, name="act_2"),
                layers.Conv2D(channels, 3, padding="same", activation="sigmoid", name="to_image"),
            ],
            name="generator",
        )
        self.discriminator = keras.Sequential(
            [
                keras.Input(self.image_shape),
                layers.Conv2D(filters, 4, 2, padding="same", name="down_1"),
                layers.LeakyReLU(0.2, name="act_1"),
                layers.Conv2D(2 * filters, 4, 2, padding="same", name="down_2"),
                layers.LeakyReLU(0.2, name="act_2"),
                MinibatchStddev(name="minibatch_stddev"),
                layers.Flatten(name="flatten"),
                layers.Dropout(0.2, name="dropout"),
                layers.Dense(1, name="logit"),
            ],
            name="discriminator",
        )
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.built = True

    def call(self, latent, training=None):
        if len(latent.shape) != 2 or latent.shape[-1] != self.latent_dim:
            raise ValueError(
                f"Argument latent must have shape (batch, {self.latent_dim}); "
                f"received {tuple(latent.shape)}."
            )
        return self.generator(latent, training=training)

    def optimizer_roles(self):
        return {"discriminator": self.discriminator, "generator": self.generator}

    def compute_role_loss(self, role, x, training=True):
        latent = keras.random.normal((ops.shape(x)[0], self.latent_dim), seed=self.seed_generator)
        fake_logits = self.discriminator(
            self.generator(latent, training=training), training=training
        )
        if role == "discriminator":
            real_logits = self.discriminator(x, training=training)
            loss = _bce(real_logits, 1.0) + _bce(fake_logits, 0.0)
            self.d_loss_tracker.update_state(loss)
        else:
            loss = _bce(fake_logits, 1.0)
            self.g_loss_tracker.update_state(loss)
        return loss

    def generate(self, n, seed=None):
        """Returns `n` generated images, reproducible when `seed` is an int."""
        check_int("n", n)
        latent = keras.random.normal(
            (n, self.latent_dim), seed=self.seed_generator if seed is None else seed
        )
        return self.generator(latent, training=False)

    def get_config(self):
        return {
            **super().get_config(),
            "image_shape": self.image_shape,
            "latent_dim": self.latent_dim,
            "filters": self.filters,
            "seed": self.seed,
        }


def _bce(logits, label):
    """Mean binary cross-entropy of `logits` against the constant `label`."""
    return ops.mean(ops.binary_crossentropy(ops.full_like(logits, label), logits, from_logits=True))
