import keras
from keras import ops

from keraslab import _validation as check
from keraslab.layers._initializers import clone_initializer
from keraslab.layers.learned_positional_embedding import LearnedPositionalEmbedding
from keraslab.layers.sinusoidal_positional_encoding import SinusoidalPositionalEncoding


@keras.saving.register_keras_serializable(package="keraslab")
class TokenAndPositionEmbedding(keras.layers.Layer):
    """Token embedding plus a positional code: the input layer of a Transformer.

    Maps token ids `(B, T)` to `token_embedding(ids) + position(T)`, shape `(B, T, D)`.
    The position is a `LearnedPositionalEmbedding` (`"learned"`, as in GPT-2 and BERT) or a
    fixed `SinusoidalPositionalEncoding` (`"sinusoidal"`, as in the original Transformer).
    With `mask_zero=True`, id 0 is padding and the output carries a Keras mask `(B, T)`
    that Transformer blocks pick up. Paper: https://arxiv.org/abs/1706.03762.

    Args:
        vocabulary_size: positive int, number of token ids.
        sequence_length: positive int, the longest sequence (size of the learned table).
        embedding_dim: positive int, `D`.
        position: `"learned"` or `"sinusoidal"`. Defaults to `"learned"`.
        mask_zero: bool, treat id 0 as padding and emit a mask. Defaults to False.
        embeddings_initializer: initializer of both tables. Defaults to `"uniform"`.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: integer tensor `(B, T)` of token ids, `T ≤ sequence_length`.
        start_index: int or scalar int tensor, position of the first token (cached
            decoding feeds one token at a time with `start_index = cache_index`).
            Defaults to 0.

    Example:

    >>> import numpy as np
    >>> layer = TokenAndPositionEmbedding(100, 16, 8, position="sinusoidal", mask_zero=True)
    >>> tuple(layer(np.array([[5, 7, 0]])).shape)
    (1, 3, 8)

    References:
        - Vaswani et al., "Attention Is All You Need", 2017. https://arxiv.org/abs/1706.03762
    """

    def __init__(
        self,
        vocabulary_size,
        sequence_length,
        embedding_dim,
        position="learned",
        mask_zero=False,
        embeddings_initializer="uniform",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.vocabulary_size = check.positive_int("vocabulary_size", vocabulary_size)
        self.sequence_length = check.positive_int("sequence_length", sequence_length)
        self.embedding_dim = check.positive_int("embedding_dim", embedding_dim)
        self.position = check.one_of("position", position, ("learned", "sinusoidal"))
        self.mask_zero = check.boolean("mask_zero", mask_zero)
        self.embeddings_initializer = check.identifier(
            "embeddings_initializer", keras.initializers.get, embeddings_initializer
        )
        self.supports_masking = mask_zero

    def build(self, inputs_shape):
        check.rank("inputs", inputs_shape, 2, "(B, T)")
        self.token_embedding = keras.layers.Embedding(
            self.vocabulary_size,
            self.embedding_dim,
            embeddings_initializer=clone_initializer(self.embeddings_initializer),
            name="token_embedding",
            dtype=self.dtype_policy,
        )
        self.token_embedding.build(inputs_shape)
        if self.position == "learned":
            self.position_embedding = LearnedPositionalEmbedding(
                self.sequence_length,
                initializer=clone_initializer(self.embeddings_initializer),
                name="position_embedding",
                dtype=self.dtype_policy,
            )
        else:
            self.position_embedding = SinusoidalPositionalEncoding(
                name="position_embedding", dtype=self.dtype_policy
            )
        self.position_embedding.build((*inputs_shape, self.embedding_dim))
        self.built = True

    def call(self, inputs, start_index=0):
        check.integer("inputs", inputs)
        check.rank("inputs", inputs.shape, 2, "(B, T)")
        length = inputs.shape[1]
        if length is not None and length > self.sequence_length:
            raise ValueError(
                f"Argument inputs must have at most sequence_length={self.sequence_length} "
                f"tokens; received shape {tuple(inputs.shape)}."
            )
        tokens = self.token_embedding(inputs)  # (B, T, D)
        return tokens + self.position_embedding(tokens, start_index=start_index)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)

    def compute_output_shape(self, inputs_shape):
        return (*inputs_shape, self.embedding_dim)

    def get_config(self):
        return {
            **super().get_config(),
            "vocabulary_size": self.vocabulary_size,
            "sequence_length": self.sequence_length,
            "embedding_dim": self.embedding_dim,
            "position": self.position,
            "mask_zero": self.mask_zero,
            "embeddings_initializer": keras.initializers.serialize(self.embeddings_initializer),
        }
