"""Denoising diffusion (DDPM): a small U-Net learns to predict the noise added to images."""

import math

import keras
import numpy as np
from keras import layers, ops

from keraslab import _validation as check
from keraslab.models._timestep import TimestepEmbedding
from keraslab.presets import FromPreset
from keraslab.training import predict_function, release_averaged_weights

SCHEDULES = ("linear", "cosine")
SAMPLERS = ("ddpm", "ddim")


def noise_schedule(timesteps, schedule="cosine"):
    """Returns the variances `beta_t`, `t = 0 .. timesteps - 1`, as a float64 NumPy array.

    `"linear"` spaces betas evenly from `1e-4` to `0.02`, scaled by `1000 / timesteps`
    so that shorter chains still end in noise (Ho et al., 2020; Nichol and Dhariwal,
    2021). `"cosine"` sets `alpha_bar(t) = f(t) / f(0)` with
    `f(t) = cos²((t / T + 0.008) / 1.008 · π / 2)` and clips betas at `0.999`
    (Nichol and Dhariwal, 2021).
    """
    check.positive_int("timesteps", timesteps)
    check.one_of("schedule", schedule, SCHEDULES)
    if schedule == "linear":
        scale = 1000.0 / timesteps
        return np.linspace(scale * 1e-4, scale * 0.02, timesteps)
    steps = np.arange(timesteps + 1) / timesteps
    f = np.cos((steps + 0.008) / 1.008 * np.pi / 2) ** 2
    return np.clip(1.0 - f[1:] / f[:-1], 0.0, 0.999)


def residual_block(x, embedding, filters, name, dtype):
    """Two 3x3 convolutions with the timestep embedding added between them, plus a skip."""
    skip = (
        x
        if x.shape[-1] == filters
        else layers.Conv2D(filters, 1, name=f"{name}_skip", dtype=dtype)(x)
    )
    h = layers.Conv2D(
        filters, 3, padding="same", activation="swish", name=f"{name}_conv_1", dtype=dtype
    )(x)
    shift = layers.Reshape((1, 1, filters), name=f"{name}_time_reshape", dtype=dtype)(
        layers.Dense(filters, name=f"{name}_time", dtype=dtype)(embedding)
    )
    h = layers.Add(name=f"{name}_time_add", dtype=dtype)([h, shift])
    h = layers.Conv2D(
        filters, 3, padding="same", activation="swish", name=f"{name}_conv_2", dtype=dtype
    )(h)
    return layers.Add(name=f"{name}_add", dtype=dtype)([skip, h])


def unet(image_shape, filters, dtype):
    """A two-level U-Net `[noisy images, timesteps] -> predicted noise`."""
    images = keras.Input(image_shape, name="noisy_images")
    timesteps = keras.Input((), dtype="int32", name="timesteps")
    embedding = TimestepEmbedding(4 * filters, name="time_embedding", dtype=dtype)(timesteps)
    embedding = layers.Dense(4 * filters, activation="swish", name="time_dense_1", dtype=dtype)(
        embedding
    )
    embedding = layers.Dense(4 * filters, activation="swish", name="time_dense_2", dtype=dtype)(
        embedding
    )
    h = layers.Conv2D(filters, 3, padding="same", name="stem", dtype=dtype)(images)
    full = residual_block(h, embedding, filters, "down_1", dtype)
    h = layers.Conv2D(2 * filters, 3, 2, padding="same", name="downsample_1", dtype=dtype)(full)
    half = residual_block(h, embedding, 2 * filters, "down_2", dtype)
    h = layers.Conv2D(2 * filters, 3, 2, padding="same", name="downsample_2", dtype=dtype)(half)
    h = residual_block(h, embedding, 2 * filters, "middle", dtype)
    h = layers.UpSampling2D(2, name="upsample_2", dtype=dtype)(h)
    h = layers.Concatenate(name="concat_2", dtype=dtype)([h, half])
    h = residual_block(h, embedding, 2 * filters, "up_2", dtype)
    h = layers.UpSampling2D(2, name="upsample_1", dtype=dtype)(h)
    h = layers.Concatenate(name="concat_1", dtype=dtype)([h, full])
    h = residual_block(h, embedding, filters, "up_1", dtype)
    noise = layers.Conv2D(
        image_shape[-1], 3, padding="same", kernel_initializer="zeros", name="head", dtype=dtype
    )(h)
    return keras.Model([images, timesteps], noise, name="network")


@keras.saving.register_keras_serializable(package="keraslab")
class Diffusion(FromPreset, keras.Model):
    """A denoising diffusion probabilistic model (DDPM) with DDPM and DDIM samplers.

    Training corrupts each image `x0` (rescaled to `[-1, 1]`) at a random timestep `t`:
    `x_t = sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) eps`, `eps ~ N(0, I)`, and
    trains a small U-Net `network([x_t, t])` to predict `eps` with the mean squared
    error. The timestep enters through a sinusoidal embedding added inside every
    residual block. `generate` starts from pure noise and removes it step by step:
    `"ddpm"` is the ancestral sampler (stochastic, `eta = 1`), `"ddim"` the deterministic
    one (`eta = 0`) that can skip steps.

    `compile` gives the optimizer an exponential moving average of the weights
    (`use_ema=True`): at the end of every `fit()` Keras replaces the weights by their
    average, so sampling uses the smoothed weights.

    Paper: [Ho et al., 2020](https://arxiv.org/abs/2006.11239).

    Args:
        image_shape: `(height, width, channels)`, pixels in `[0, 1]`, height and width
            divisible by 4.
        timesteps: int, length `T` of the noising chain. Defaults to `200`.
        schedule: `"linear"` or `"cosine"` (see `noise_schedule`). Defaults to `"cosine"`.
        filters: int, filters of the U-Net's full-resolution level (twice as many
            below). Defaults to `32`.
        seed: int or None, seed of the training draws and of `generate` without a seed;
            evaluation draws use the fixed seed `seed or 0`. Defaults to `None`.
        **kwargs: passed to `keras.Model`.

    Call arguments:
        images: clean images `(batch, height, width, channels)`.
        training: bool; random draws come from the model's seed generator when true,
            from the fixed evaluation seed otherwise (so `evaluate` always scores the
            same corruption). Defaults to `None`.

    Returns:
        `(predicted_noise, noise)`, two tensors shaped like `images`.

    Example:

    >>> model = Diffusion(image_shape=(8, 8, 1), timesteps=20, filters=8)
    >>> model.compile(optimizer="adam")
    >>> tuple(model.generate(2, steps=5, sampler="ddim", seed=0).shape)
    (2, 8, 8, 1)

    References:
        - Song et al., 2020, [DDIM](https://arxiv.org/abs/2010.02502).
        - Nichol and Dhariwal, 2021, [Improved DDPM](https://arxiv.org/abs/2102.09672).
        - Keras example [Denoising Diffusion Implicit Models](https://keras.io/examples/generative/ddim/).
    """

    def __init__(
        self, image_shape, timesteps=200, schedule="cosine", filters=32, seed=None, **kwargs
    ):
        super().__init__(**kwargs)
        self.image_shape = check.image_shape(image_shape, 2)
        self.timesteps = check.positive_int("timesteps", timesteps, minimum=2)
        self.schedule = check.one_of("schedule", schedule, SCHEDULES)
        self.betas = noise_schedule(self.timesteps, self.schedule)
        self.alpha_bars = np.cumprod(1.0 - self.betas)
        self.filters = check.positive_int("filters", filters)
        self.seed = seed
        self.network = unet(self.image_shape, self.filters, self.dtype_policy)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.built = True

    def call(self, images, training=None):
        check.images(images, self.image_shape)
        batch = ops.shape(images)[0]
        if training:
            seeds = (self.seed_generator, self.seed_generator)
        else:
            seeds = (self.seed or 0, (self.seed or 0) + 1)
        t = keras.random.randint((batch,), 0, self.timesteps, seed=seeds[0], dtype="int32")
        # Drawn in float32, so every dtype policy sees the same noise from the same seed.
        noise = ops.cast(keras.random.normal(ops.shape(images), seed=seeds[1]), self.compute_dtype)
        alpha_bar = ops.take(ops.convert_to_tensor(self.alpha_bars, self.compute_dtype), t)[
            :, None, None, None
        ]
        noisy = ops.sqrt(alpha_bar) * (2.0 * images - 1.0) + ops.sqrt(1.0 - alpha_bar) * noise
        return self.network([noisy, t], training=training), noise

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        predicted, noise = y_pred
        return ops.mean(ops.square(predicted - noise))

    def compile(self, optimizer="adam", ema_momentum=0.999, **kwargs):
        """Like `keras.Model.compile`, turning on the optimizer's weight average.

        Args:
            optimizer: optimizer instance or name. Defaults to `"adam"`.
            ema_momentum: float in `[0, 1)`, momentum of the weight average, or `None`
                to keep the optimizer as given. Defaults to `0.999`.
            **kwargs: passed to `keras.Model.compile`.
        """
        optimizer = keras.optimizers.get(optimizer)
        if ema_momentum is not None:
            optimizer.use_ema = True
            optimizer.ema_momentum = check.rate("ema_momentum", ema_momentum)
        self.ema_momentum = ema_momentum
        super().compile(optimizer=optimizer, **kwargs)

    def get_compile_config(self):
        config = super().get_compile_config()
        return {**config, "ema_momentum": self.ema_momentum} if config else config

    def compile_from_config(self, config):
        self.compile(**keras.saving.deserialize_keras_object(config))
        if self.built:
            self.optimizer.build(self.trainable_variables)

    def fit(self, *args, **kwargs):
        try:
            return super().fit(*args, **kwargs)
        finally:
            release_averaged_weights(self.trainable_variables)

    def generate(self, n, steps=None, sampler="ddpm", seed=None, return_chain=False):
        """Samples `n` images by reversing the noising chain.

        Args:
            n: int, number of images.
            steps: int, denoising steps, at most `timesteps`, spread evenly over the
                chain. Defaults to `timesteps` for `"ddpm"` and `min(50, timesteps)`
                for `"ddim"`.
            sampler: `"ddpm"` (stochastic, eta = 1) or `"ddim"` (deterministic,
                eta = 0). Defaults to `"ddpm"`.
            seed: int or None; an int makes the draws reproducible. Defaults to `None`.
            return_chain: bool; also return every intermediate `x_t`. Defaults to `False`.

        Returns:
            NumPy array `(n, height, width, channels)` in `[0, 1]`; with `return_chain`,
            `(images, chain)`, `chain` a NumPy array `(steps + 1, n, height, width,
            channels)` of the states from the starting noise to the images, each mapped
            from `[-1, 1]` to `[0, 1]` and clipped.
        """
        check.positive_int("n", n)
        check.one_of("sampler", sampler, SAMPLERS)
        if steps is None:
            steps = self.timesteps if sampler == "ddpm" else min(50, self.timesteps)
        check.at_most("steps", steps, self.timesteps, "timesteps")
        eta = 1.0 if sampler == "ddpm" else 0.0
        generator = self.seed_generator if seed is None else keras.random.SeedGenerator(seed)

        def normal():
            return ops.convert_to_numpy(keras.random.normal((n, *self.image_shape), seed=generator))

        predict = predict_function(self.network)
        times = np.linspace(self.timesteps - 1, 0, steps).round().astype("int32")
        x = normal()
        chain = [x]
        for i, t in enumerate(times):
            alpha_bar = self.alpha_bars[t]
            previous = self.alpha_bars[times[i + 1]] if i + 1 < steps else 1.0
            eps = predict([x, np.full((n,), t, "int32")])
            x0 = np.clip((x - math.sqrt(1 - alpha_bar) * eps) / math.sqrt(alpha_bar), -1, 1)
            eps = (x - math.sqrt(alpha_bar) * x0) / math.sqrt(1 - alpha_bar)
            sigma = eta * math.sqrt((1 - previous) / (1 - alpha_bar) * (1 - alpha_bar / previous))
            x = math.sqrt(previous) * x0 + math.sqrt(max(0.0, 1 - previous - sigma**2)) * eps
            if sigma > 0:
                x = x + sigma * normal()
            if return_chain:
                chain.append(x)
        images = np.clip((x + 1.0) / 2.0, 0.0, 1.0).astype("float32")
        if not return_chain:
            return images
        return images, np.clip((np.stack(chain) + 1.0) / 2.0, 0.0, 1.0).astype("float32")

    def get_config(self):
        return {
            **super().get_config(),
            "image_shape": self.image_shape,
            "timesteps": self.timesteps,
            "schedule": self.schedule,
            "filters": self.filters,
            "seed": self.seed,
        }
