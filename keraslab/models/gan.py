"""DCGAN: a convolutional generator and discriminator trained against each other."""

import keras
import numpy as np
from keras import layers, ops

from keraslab import _validation as check
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

    With `num_classes`, it is a *conditional* GAN: `fit(images, labels)`, the generator
    gets the one-hot label next to the latent vector, the discriminator gets it as extra
    image channels, and `generate(n, labels=...)` draws images of the classes asked for.

    Paper: [Radford et al., 2015](https://arxiv.org/abs/1511.06434).

    Args:
        image_shape: `(height, width, channels)` of the images, height and width
            divisible by 4; pixel values in `[0, 1]`.
        latent_dim: int, size of the latent vector. Defaults to `32`.
        filters: int, filters of the first discriminator convolution (the last
            generator one); the other has twice as many. Defaults to `32`.
        num_classes: int >= 2 or None, the number of classes of a conditional GAN;
            None for an unconditional one. Defaults to `None`.
        seed: int or None, seed of the latent draws during training and of
            `generate` when it gets no seed. Defaults to `None`.
        **kwargs: passed to `keras.Model` (for example `name`).

    Call arguments:
        inputs: float tensor `latent` of shape `(B, latent_dim)`; for a conditional GAN,
            the list `[latent, labels]` with int labels of shape `(B,)`.
        training: bool, training mode. Defaults to `None`.

    Returns:
        Generated images `(B, height, width, channels)` in `[0, 1]`.

    Example:

    >>> gan = GAN(image_shape=(8, 8, 1), latent_dim=16, filters=8)
    >>> gan.compile(optimizer={"discriminator": "adam", "generator": "adam"})
    >>> tuple(gan.generate(3, seed=0).shape)
    (3, 8, 8, 1)
    >>> conditional = GAN(image_shape=(8, 8, 1), latent_dim=16, filters=8, num_classes=10)
    >>> tuple(conditional.generate(3, labels=[0, 5, 9], seed=0).shape)
    (3, 8, 8, 1)

    References:
        - Goodfellow et al., 2014, [Generative Adversarial Networks](https://arxiv.org/abs/1406.2661).
        - Mirza and Osindero, 2014, [Conditional GANs](https://arxiv.org/abs/1411.1784).
        - Keras example [DCGAN overriding train_step](https://keras.io/examples/generative/dcgan_overriding_train_step/).
    """

    def __init__(
        self, image_shape, latent_dim=32, filters=32, num_classes=None, seed=None, **kwargs
    ):
        super().__init__(**kwargs)
        self.image_shape = check.image_shape(image_shape, 2)
        self.latent_dim = check.positive_int("latent_dim", latent_dim)
        self.filters = check.positive_int("filters", filters)
        self.num_classes = (
            None
            if num_classes is None
            else check.positive_int("num_classes", num_classes, minimum=2)
        )
        self.seed = seed
        # Weight paths start with the network's name, which routes them to its optimizer.
        with keras.name_scope("generator"):
            self.generator = _generator(
                self.image_shape, self.latent_dim, self.filters, self.num_classes, self.dtype_policy
            )
        with keras.name_scope("discriminator"):
            self.discriminator = _discriminator(
                self.image_shape, self.filters, self.num_classes, self.dtype_policy
            )
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.built = True

    def call(self, inputs, training=None):
        latent, labels = self._split_inputs(inputs)
        check.rank("latent", latent.shape, 2, "(batch, latent_dim)")
        check.dim("latent", latent.shape, 1, self.latent_dim, "latent_dim")
        if labels is not None:
            self._check_labels(labels, latent.shape[0])
        return self.generator(_conditioned(latent, labels), training=training)

    def _split_inputs(self, inputs):
        if self.num_classes is None:
            if isinstance(inputs, (list, tuple)):
                raise ValueError(
                    "Argument inputs must be one latent tensor for a GAN without num_classes; "
                    f"received a {type(inputs).__name__} of {len(inputs)}."
                )
            return inputs, None
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(
                "Argument inputs must be [latent, labels] for a conditional GAN "
                f"(num_classes={self.num_classes}); received {type(inputs).__name__}."
            )
        return inputs

    def _check_labels(self, labels, batch_size):
        check.shape_matches("labels", labels.shape, (batch_size,), "(batch,)")
        check.integer("labels", labels, f"integer class ids in [0, {self.num_classes})")

    def optimizer_roles(self):
        return {"discriminator": self.discriminator, "generator": self.generator}

    def compute_role_loss(self, role, x, y=None, training=True):
        if (y is None) != (self.num_classes is None):
            raise ValueError(
                f"Argument y must be the class labels of x for a conditional GAN and None "
                f"otherwise (num_classes={self.num_classes}); received "
                f"{'None' if y is None else 'labels'}."
            )
        latent = keras.random.normal((ops.shape(x)[0], self.latent_dim), seed=self.seed_generator)
        labels = None if y is None else ops.cast(ops.reshape(y, (-1,)), "int32")
        fake = self.generator(_conditioned(latent, labels), training=training)
        fake_logits = self.discriminator(_conditioned(fake, labels), training=training)
        if role == "discriminator":
            real_logits = self.discriminator(_conditioned(x, labels), training=training)
            loss = _bce(real_logits, 1.0) + _bce(fake_logits, 0.0)
            self.d_loss_tracker.update_state(loss)
        else:
            loss = _bce(fake_logits, 1.0)
            self.g_loss_tracker.update_state(loss)
        return loss

    def generate(self, n, labels=None, seed=None):
        """Returns `n` generated images, reproducible when `seed` is an int.

        Args:
            n: int, number of images.
            labels: conditional GAN only: `n` int class ids, or None for the classes in
                turn (`0, 1, …, num_classes - 1, 0, …`). Defaults to `None`.
            seed: int or None; None continues the model's own random stream.
        """
        check.positive_int("n", n)
        latent = keras.random.normal(
            (n, self.latent_dim), seed=self.seed_generator if seed is None else seed
        )
        if self.num_classes is None:
            if labels is not None:
                raise ValueError(
                    "Argument labels needs a conditional GAN (num_classes set); received "
                    "labels for a GAN with num_classes=None."
                )
            return self.generator(latent, training=False)
        labels = np.arange(n) % self.num_classes if labels is None else np.asarray(labels)
        if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(
                f"Argument labels must hold n={n} integer class ids; received an array of "
                f"shape {labels.shape} and dtype {labels.dtype}."
            )
        if labels.min() < 0 or labels.max() >= self.num_classes:
            raise ValueError(
                f"Argument labels must lie in [0, {self.num_classes}); received values from "
                f"{labels.min()} to {labels.max()}."
            )
        labels = ops.convert_to_tensor(labels, "int32")
        return self.generator([latent, labels], training=False)

    def get_config(self):
        return {
            **super().get_config(),
            "image_shape": self.image_shape,
            "latent_dim": self.latent_dim,
            "filters": self.filters,
            "num_classes": self.num_classes,
            "seed": self.seed,
        }


def _conditioned(inputs, labels):
    """A network's input: `inputs` alone, or `[inputs, labels]` in a conditional GAN."""
    return inputs if labels is None else [inputs, labels]


def _one_hot(labels, num_classes, name, dtype):
    return layers.CategoryEncoding(num_classes, output_mode="one_hot", name=name, dtype=dtype)(
        labels
    )


def _normalize_and_activate(h, i, dtype):
    h = layers.BatchNormalization(name=f"norm_{i}", dtype=dtype)(h)
    return layers.LeakyReLU(0.2, name=f"act_{i}", dtype=dtype)(h)


def _generator(image_shape, latent_dim, filters, num_classes, dtype):
    """Latent vector (and label) -> image, upsampling x4 with transposed convolutions."""
    height, width, channels = image_shape
    latent = keras.Input((latent_dim,), name="latent")
    inputs, h = latent, latent
    if num_classes:
        labels = keras.Input((), dtype="int32", name="labels")
        inputs = [latent, labels]
        h = layers.Concatenate(name="condition", dtype=dtype)(
            [latent, _one_hot(labels, num_classes, "one_hot", dtype)]
        )
    h = layers.Dense(height // 4 * width // 4 * 2 * filters, name="project", dtype=dtype)(h)
    h = layers.Reshape((height // 4, width // 4, 2 * filters), name="reshape", dtype=dtype)(h)
    h = _normalize_and_activate(h, 0, dtype)
    h = layers.Conv2DTranspose(2 * filters, 4, 2, padding="same", name="up_1", dtype=dtype)(h)
    h = _normalize_and_activate(h, 1, dtype)
    h = layers.Conv2DTranspose(filters, 4, 2, padding="same", name="up_2", dtype=dtype)(h)
    h = _normalize_and_activate(h, 2, dtype)
    image = layers.Conv2D(
        channels, 3, padding="same", activation="sigmoid", name="to_image", dtype=dtype
    )(h)
    return keras.Model(inputs, image, name="generator")


def _discriminator(image_shape, filters, num_classes, dtype):
    """Image (and label, as one-hot channels) -> one real/fake logit."""
    height, width, _ = image_shape
    images = keras.Input(image_shape, name="images")
    inputs, h = images, images
    if num_classes:
        labels = keras.Input((), dtype="int32", name="labels")
        inputs = [images, labels]
        planes = layers.Reshape((1, 1, num_classes), name="label_pixel", dtype=dtype)(
            _one_hot(labels, num_classes, "one_hot", dtype)
        )
        planes = layers.UpSampling2D((height, width), name="label_planes", dtype=dtype)(
            planes
        )  # (B, H, W, C)
        h = layers.Concatenate(name="condition", dtype=dtype)([images, planes])
    h = layers.Conv2D(filters, 4, 2, padding="same", name="down_1", dtype=dtype)(h)
    h = layers.LeakyReLU(0.2, name="act_1", dtype=dtype)(h)
    h = layers.Conv2D(2 * filters, 4, 2, padding="same", name="down_2", dtype=dtype)(h)
    h = layers.LeakyReLU(0.2, name="act_2", dtype=dtype)(h)
    h = MinibatchStddev(name="minibatch_stddev", dtype=dtype)(h)
    h = layers.Flatten(name="flatten", dtype=dtype)(h)
    h = layers.Dropout(0.2, name="dropout", dtype=dtype)(h)
    logit = layers.Dense(1, name="logit", dtype=dtype)(h)
    return keras.Model(inputs, logit, name="discriminator")


def _bce(logits, label):
    """Mean binary cross-entropy of `logits` against the constant `label`."""
    return ops.mean(ops.binary_crossentropy(ops.full_like(logits, label), logits, from_logits=True))
