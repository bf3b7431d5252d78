"""Autoencoder: compress an image to a small code and rebuild it; optionally denoising."""

import math

import keras
from keras import layers, ops

from keraslab import _validation as check
from keraslab.presets import FromPreset

KINDS = ("dense", "conv")


def stack_arguments(image_shape, kind, latent_dim, filters):
    """Checked `(image_shape, kind, latent_dim, filters)` of a model built on the stacks
    below; a conv stack halves the images twice, so their height and width must divide by 4."""
    check.one_of("kind", kind, KINDS)
    return (
        check.image_shape(image_shape, 2 if kind == "conv" else 0),
        kind,
        check.positive_int("latent_dim", latent_dim),
        check.positive_int("filters", filters),
    )


def encoder_stack(image_shape, kind, filters, units, name, dtype=None):
    """The shared encoder body: images -> `units` features, dense or convolutional."""
    stack = [keras.Input(image_shape)]
    if kind == "conv":
        stack += [
            layers.Conv2D(
                filters, 3, 2, padding="same", activation="relu", name="conv_1", dtype=dtype
            ),
            layers.Conv2D(
                2 * filters, 3, 2, padding="same", activation="relu", name="conv_2", dtype=dtype
            ),
            layers.Flatten(name="flatten", dtype=dtype),
        ]
    else:
        stack += [
            layers.Flatten(name="flatten", dtype=dtype),
            layers.Dense(8 * filters, activation="relu", name="hidden", dtype=dtype),
        ]
    stack.append(layers.Dense(units, name="code", dtype=dtype))
    return keras.Sequential(stack, name=name)


def decoder_stack(image_shape, kind, filters, latent_dim, name, dtype=None):
    """The shared decoder body: a code of `latent_dim` -> images in `[0, 1]`."""
    height, width, channels = image_shape
    stack = [keras.Input((latent_dim,))]
    if kind == "conv":
        stack += [
            layers.Dense(
                height // 4 * width // 4 * 2 * filters,
                activation="relu",
                name="expand",
                dtype=dtype,
            ),
            layers.Reshape((height // 4, width // 4, 2 * filters), name="reshape", dtype=dtype),
            layers.Conv2DTranspose(
                filters, 3, 2, padding="same", activation="relu", name="up_1", dtype=dtype
            ),
            layers.Conv2DTranspose(
                channels, 3, 2, padding="same", activation="sigmoid", name="up_2", dtype=dtype
            ),
        ]
    else:
        stack += [
            layers.Dense(8 * filters, activation="relu", name="hidden", dtype=dtype),
            layers.Dense(math.prod(image_shape), activation="sigmoid", name="pixels", dtype=dtype),
            layers.Reshape(image_shape, name="reshape", dtype=dtype),
        ]
    return keras.Sequential(stack, name=name)


@keras.saving.register_keras_serializable(package="keraslab")
class Autoencoder(FromPreset, keras.Model):
    """An image autoencoder, dense or convolutional, optionally denoising.

    The encoder compresses each image to a `latent_dim` code; the decoder rebuilds
    the image from it, with a sigmoid so pixels stay in `[0, 1]`. Training minimises the
    mean squared error to the target (the input itself when `fit` gets no `y`). With
    `noise_stddev > 0` the model is a *denoising* autoencoder: during training only,
    Gaussian noise corrupts the input, while the target stays clean, so the model
    learns to remove noise it has never seen twice.

    Paper: [Vincent et al., 2008](https://www.cs.toronto.edu/~larocheh/publications/icml-2008-denoising-autoencoders.pdf).

    Args:
        image_shape: `(height, width, channels)`; for `kind="conv"` height and width
            must be divisible by 4.
        latent_dim: int, size of the code. Defaults to `16`.
        kind: `"dense"` (a hidden layer of `8 * filters` units) or `"conv"` (two
            stride-2 convolutions with `filters` and `2 * filters` filters).
            Defaults to `"conv"`.
        filters: int, width of the network (see `kind`). Defaults to `16`.
        noise_stddev: float, standard deviation of the training-time input noise;
            `0` for a plain autoencoder. Defaults to `0.0`.
        seed: int or None, seed of the noise. Defaults to `None`.
        **kwargs: passed to `keras.Model`.

    Call arguments:
        images: float tensor `(batch, height, width, channels)`.
        training: bool; noise is added only when true. Defaults to `None`.

    Returns:
        Reconstructions with the shape of `images`, in `[0, 1]`.

    Example:

    >>> model = Autoencoder(image_shape=(8, 8, 1), latent_dim=4, kind="dense", filters=4)
    >>> model.compile(optimizer="adam")
    >>> tuple(model.encode(keras.ops.zeros((2, 8, 8, 1))).shape)
    (2, 4)

    References:
        - Hinton and Salakhutdinov, 2006, [Reducing the dimensionality of data with neural networks](https://www.cs.toronto.edu/~hinton/absps/science.pdf).
        - Keras example [Convolutional autoencoder for image denoising](https://keras.io/examples/vision/autoencoder/).
    """

    def __init__(
        self,
        image_shape,
        latent_dim=16,
        kind="conv",
        filters=16,
        noise_stddev=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.image_shape, self.kind, self.latent_dim, self.filters = stack_arguments(
            image_shape, kind, latent_dim, filters
        )
        self.noise_stddev = check.non_negative("noise_stddev", noise_stddev)
        self.seed = seed
        self.encoder = encoder_stack(
            self.image_shape, self.kind, self.filters, self.latent_dim, "encoder", self.dtype_policy
        )
        self.decoder = decoder_stack(
            self.image_shape, self.kind, self.filters, self.latent_dim, "decoder", self.dtype_policy
        )
        self.noise = layers.GaussianNoise(
            self.noise_stddev, seed=seed, name="noise", dtype=self.dtype_policy
        )
        self.built = True

    def call(self, images, training=None):
        check.images(images, self.image_shape)
        if self.noise_stddev > 0:
            images = self.noise(images, training=training)
        return self.decoder(self.encoder(images, training=training), training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        target = x if y is None else y
        return ops.mean(ops.square(ops.convert_to_tensor(target) - y_pred))

    def encode(self, images):
        """Returns the codes `(batch, latent_dim)` of clean `images`."""
        check.images(images, self.image_shape)
        return self.encoder(images, training=False)

    def decode(self, codes):
        """Returns the images rebuilt from `codes` `(batch, latent_dim)`."""
        return self.decoder(codes, training=False)

    def get_config(self):
        return {
            **super().get_config(),
            "image_shape": self.image_shape,
            "latent_dim": self.latent_dim,
            "kind": self.kind,
            "filters": self.filters,
            "noise_stddev": self.noise_stddev,
            "seed": self.seed,
        }
