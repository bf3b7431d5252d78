"""The timestep embedding of `Diffusion`: the Transformer's sinusoidal positional code."""

import keras

from keraslab import _validation as check
from keraslab.layers.sinusoidal_positional_encoding import sinusoidal_encoding


@keras.saving.register_keras_serializable(package="keraslab")
class TimestepEmbedding(keras.layers.Layer):
    """Timesteps `(B,)` -> `(B, dim)`, coded as `SinusoidalPositionalEncoding` codes positions.

    Args:
        dim: int, even embedding size.
        max_wavelength: float. Defaults to `10000`.
    """

    def __init__(self, dim, max_wavelength=10000, **kwargs):
        super().__init__(**kwargs)
        self.dim = check.even("dim", dim)
        self.max_wavelength = max_wavelength

    def call(self, timesteps):
        return sinusoidal_encoding(timesteps, self.dim, self.max_wavelength, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.dim)

    def get_config(self):
        return {**super().get_config(), "dim": self.dim, "max_wavelength": self.max_wavelength}
