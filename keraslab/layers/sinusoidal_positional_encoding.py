import keras
from keras import ops

from keraslab import _validation as check


def sinusoid_angles(positions, depth, max_wavelength, dtype):
    """Angles `(…, ⌈depth / 2⌉)`: position `p` times frequency `max_wavelength^(−2i/depth)`."""
    exponents = ops.cast(ops.arange(0, depth, 2), "float32") / float(depth)
    frequencies = ops.power(float(max_wavelength), -exponents)
    angles = ops.expand_dims(ops.cast(positions, "float32"), -1) * frequencies
    return ops.cast(angles, dtype)


def sinusoidal_encoding(positions, depth, max_wavelength=10000, dtype="float32"):
    """The sinusoidal code of each position: `(…,)` positions -> `(…, depth)`.

    Feature `2i` is `sin(p · ω_i)` and feature `2i + 1` is `cos(p · ω_i)`, with
    `ω_i = max_wavelength^(−2i/depth)`. Positions may be any numbers: token positions for
    `SinusoidalPositionalEncoding`, noise levels (timesteps) for `Diffusion`.
    """
    angles = sinusoid_angles(positions, depth, max_wavelength, "float32")
    pairs = ops.stack([ops.sin(angles), ops.cos(angles)], axis=-1)  # (…, ⌈depth / 2⌉, 2)
    encoding = ops.reshape(pairs, (*ops.shape(angles)[:-1], -1))[..., :depth]  # (…, depth)
    return ops.cast(encoding, dtype)


@keras.saving.register_keras_serializable(package="keraslab")
class SinusoidalPositionalEncoding(keras.layers.Layer):
    """Fixed sinusoidal positional encoding, from "Attention Is All You Need".

    Returns, for an input `(B, T, D)`, the encoding of positions `start_index … start_index
    + T − 1` broadcast to `(B, T, D)`; add it to the token embeddings. Feature `2i` of
    position `p` is `sin(p · ω_i)` and feature `2i + 1` is `cos(p · ω_i)`, with
    `ω_i = max_wavelength^(−2i/D)`: wavelengths grow geometrically from 2π to
    `max_wavelength · 2π`, so nearby positions get similar codes and any shift is a
    rotation. It has no weights and equals `keras_hub.layers.SinePositionEncoding`.
    Paper: https://arxiv.org/abs/1706.03762.

    Args:
        max_wavelength: positive int, the longest wavelength over 2π. Defaults to 10000.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: float tensor `(B, T, D)`, usually token embeddings.
        start_index: int or scalar int tensor, position of the first token (for cached
            decoding, one step at a time). Defaults to 0.

    Example:

    >>> import numpy as np
    >>> embeddings = np.zeros((2, 5, 8), "float32")
    >>> encoding = SinusoidalPositionalEncoding()(embeddings)
    >>> tuple(encoding.shape)
    (2, 5, 8)

    References:
        - Vaswani et al., "Attention Is All You Need", 2017. https://arxiv.org/abs/1706.03762
    """

    def __init__(self, max_wavelength=10000, **kwargs):
        super().__init__(**kwargs)
        self.max_wavelength = check.positive_int("max_wavelength", max_wavelength)
        self.supports_masking = True

    def build(self, inputs_shape):
        check.rank("inputs", inputs_shape, 3, "(B, T, D)")
        self.built = True

    def call(self, inputs, start_index=0):
        check.floating("inputs", inputs)
        check.rank("inputs", inputs.shape, 3, "(B, T, D)")
        positions = ops.arange(ops.shape(inputs)[1], dtype="int32") + ops.cast(start_index, "int32")
        encoding = sinusoidal_encoding(
            positions, inputs.shape[-1], self.max_wavelength, self.compute_dtype
        )  # (T, D)
        return ops.broadcast_to(encoding, ops.shape(inputs))

    def compute_output_shape(self, inputs_shape):
        return inputs_shape

    def get_config(self):
        return {**super().get_config(), "max_wavelength": self.max_wavelength}
