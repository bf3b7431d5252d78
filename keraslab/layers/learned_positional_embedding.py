import keras
from keras import ops

from keraslab import _validation as check


@keras.saving.register_keras_serializable(package="keraslab")
class LearnedPositionalEmbedding(keras.layers.Layer):
    """A trainable vector per position, as in BERT and GPT-2.

    Holds a `(max_length, D)` table; for an input `(B, T, D)` it returns rows
    `start_index … start_index + T − 1` broadcast to `(B, T, D)`, to be added to the token
    embeddings. Unlike the sinusoidal code it cannot describe positions beyond
    `max_length`. Paper: https://arxiv.org/abs/1810.04805.

    Args:
        max_length: positive int, the number of positions it can encode.
        initializer: initializer for the table. Defaults to `"glorot_uniform"`.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: float tensor `(B, T, D)` with `T ≤ max_length`.
        start_index: int or scalar int tensor, position of the first token (for cached
            decoding). Defaults to 0.

    Example:

    >>> import numpy as np
    >>> layer = LearnedPositionalEmbedding(max_length=16)
    >>> tuple(layer(np.zeros((2, 5, 8), "float32")).shape)
    (2, 5, 8)

    References:
        - Devlin et al., "BERT: Pre-training of Deep Bidirectional Transformers", 2018.
          https://arxiv.org/abs/1810.04805
    """

    def __init__(self, max_length, initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.max_length = check.positive_int("max_length", max_length)
        self.initializer = check.identifier("initializer", keras.initializers.get, initializer)
        self.supports_masking = True

    def build(self, inputs_shape):
        check.rank("inputs", inputs_shape, 3, "(B, T, D)")
        self._check_length(inputs_shape[1])
        if inputs_shape[-1] is None:
            raise ValueError(
                f"Argument inputs must have a known feature size D; received {inputs_shape}."
            )
        self.embeddings = self.add_weight(
            name="embeddings",
            shape=(self.max_length, inputs_shape[-1]),
            initializer=self.initializer,
        )

    def _check_length(self, length, start_index=0):
        if length is not None and isinstance(start_index, int):
            if start_index < 0 or start_index + length > self.max_length:
                raise ValueError(
                    f"Argument inputs covers positions {start_index}…{start_index + length - 1}"
                    f" but max_length={self.max_length} (expected start_index + T ≤ "
                    f"max_length); received T={length}, start_index={start_index}."
                )

    def call(self, inputs, start_index=0):
        check.floating("inputs", inputs)
        check.rank("inputs", inputs.shape, 3, "(B, T, D)")
        check.dim("inputs", inputs.shape, 2, self.embeddings.shape[1], "the feature size D")
        self._check_length(inputs.shape[1], start_index)
        embeddings = ops.convert_to_tensor(self.embeddings)  # (max_length, D)
        if isinstance(start_index, int):
            # A slice, not a gather: its gradient is a pad, not a scatter-add.
            size = (ops.shape(inputs)[1], self.embeddings.shape[1])
            rows = ops.slice(embeddings, (start_index, 0), size)  # (T, D)
        else:
            # A tensor position (a compiled decoding step) takes a gather: XLA needs a
            # slice's start as a constant, so TensorFlow would compile every position anew.
            start = ops.cast(start_index, "int32")
            positions = ops.arange(ops.shape(inputs)[1], dtype="int32") + start  # (T,)
            rows = ops.take(embeddings, positions, axis=0)  # (T, D)
        return ops.broadcast_to(ops.cast(rows, inputs.dtype), ops.shape(inputs))  # (B, T, D)

    def compute_output_shape(self, inputs_shape):
        return inputs_shape

    def get_config(self):
        return {
            **super().get_config(),
            "max_length": self.max_length,
            "initializer": keras.initializers.serialize(self.initializer),
        }
