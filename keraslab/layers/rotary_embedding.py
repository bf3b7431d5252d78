import keras
from keras import ops

from keraslab import _validation as check
from keraslab.layers.sinusoidal_positional_encoding import sinusoid_angles


@keras.saving.register_keras_serializable(package="keraslab")
class RotaryEmbedding(keras.layers.Layer):
    """Rotary positional embedding (RoPE), applied to queries and keys.

    Splits the features into two halves `x₁, x₂` and rotates each pair `(x₁ᵢ, x₂ᵢ)` of
    the token at position `p` by the angle `p · ω_i`, `ω_i = max_wavelength^(−2i/D)`:

        RoPE(x)  = x · cos(pω) + rotate_half(x) · sin(pω),  rotate_half(x) = (−x₂, x₁)

    Because rotations compose, the dot product of a rotated query at position `m` and a
    rotated key at position `n` depends only on `m − n`: attention sees relative
    positions. It has no weights and equals `keras_hub.layers.RotaryEmbedding` with the
    same `max_wavelength`. Paper: https://arxiv.org/abs/2104.09864.

    Args:
        max_wavelength: positive int, the longest wavelength over 2π. Defaults to 10000.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: float tensor `(B, T, D)` or `(B, T, H, D)` (the layout of projected heads
            before they are transposed), with `D` even.
        start_index: int or scalar int tensor, the position of the first token; in cached
            decoding it is the cache index, so step `t` is rotated as position
            `start_index + t`. Defaults to 0.

    Example:

    >>> import numpy as np
    >>> queries = np.ones((1, 4, 2, 8), "float32")  # (B, T, H, D)
    >>> tuple(RotaryEmbedding()(queries, start_index=3).shape)
    (1, 4, 2, 8)

    References:
        - Su et al., "RoFormer: Enhanced Transformer with Rotary Position Embedding",
          2021. https://arxiv.org/abs/2104.09864
    """

    def __init__(self, max_wavelength=10000, **kwargs):
        super().__init__(**kwargs)
        self.max_wavelength = check.positive_int("max_wavelength", max_wavelength)
        self.supports_masking = True

    def build(self, inputs_shape):
        self._check_shape(inputs_shape)
        self.built = True

    def _check_shape(self, shape):
        check.rank("inputs", shape, (3, 4), "(B, T, D) or (B, T, H, D)")
        if shape[-1] is not None and shape[-1] % 2:
            raise ValueError(
                "Argument inputs must have an even feature size D (RoPE rotates pairs); "
                f"received shape {tuple(shape)}."
            )

    def call(self, inputs, start_index=0):
        check.floating("inputs", inputs)
        self._check_shape(inputs.shape)
        length, depth = ops.shape(inputs)[1], inputs.shape[-1]
        positions = ops.arange(length, dtype="int32") + ops.cast(start_index, "int32")
        angles = sinusoid_angles(positions, depth, self.max_wavelength, "float32")
        angles = ops.concatenate([angles, angles], axis=-1)  # (T, D)
        if len(inputs.shape) == 4:
            angles = ops.expand_dims(angles, 1)  # (T, 1, D)
        cos = ops.cast(ops.cos(angles), inputs.dtype)
        sin = ops.cast(ops.sin(angles), inputs.dtype)
        first, second = ops.split(inputs, 2, axis=-1)
        rotated_half = ops.concatenate([-second, first], axis=-1)
        return inputs * cos + rotated_half * sin

    def compute_output_shape(self, inputs_shape):
        return inputs_shape

    def get_config(self):
        return {**super().get_config(), "max_wavelength": self.max_wavelength}
