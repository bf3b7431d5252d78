"""Sinusoidal embedding of diffusion timesteps (the Transformer's positional encoding)."""

import keras
from keras import ops


def sinusoidal_embedding(positions, dim, max_wavelength=10000):
    """Embeds each position with sines on the first half of `dim` and cosines on the second.

    Frequency `i` of `dim // 2` is `max_wavelength ** (-i / (dim // 2))`, as in
    keras_hub's `SinePositionEncoding` and the DDPM reference code.

    Args:
        positions: tensor `(batch,)`, integer or float positions (here timesteps).
        dim: int, even embedding size.
        max_wavelength: float, the longest wavelength. Defaults to `10000`.

    Returns:
        Float tensor `(batch, dim)`.
    """
    if dim % 2:
        raise ValueError(f"Argument dim must be even; received {dim}.")
    half = dim // 2
    frequencies = ops.exp(
        -ops.log(float(max_wavelength)) * ops.arange(half, dtype="float32") / float(half)
    )
    angles = ops.cast(positions, "float32")[:, None] * frequencies[None, :]
    return ops.concatenate([ops.sin(angles), ops.cos(angles)], axis=-1)


@keras.saving.register_keras_serializable(package="keraslab")
class TimestepEmbedding(keras.layers.Layer):
    """Layer form of `sinusoidal_embedding`: timesteps `(batch,)` -> `(batch, dim)`.

    Args:
        dim: int, even embedding size.
        max_wavelength: float. Defaults to `10000`.
    """

    def __init__(self, dim, max_wavelength=10000, **kwargs):
        super().__init__(**kwargs)
        if isinstance(dim, bool) or not isinstance(dim, int) or dim < 2 or dim % 2:
            raise ValueError(f"Argument dim must be a positive even int; received {dim!r}.")
        self.dim = dim
        self.max_wavelength = max_wavelength

    def call(self, timesteps):
        return sinusoidal_embedding(timesteps, self.dim, self.max_wavelength)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.dim)

    def get_config(self):
        return {**super().get_config(), "dim": self.dim, "max_wavelength": self.max_wavelength}
