"""A bidirectional Transformer encoder (BERT) with classification, tagging or masked-LM heads."""

import keras
from keras import ops

from keraslab import _validation as check
from keraslab.layers import TokenAndPositionEmbedding, TransformerEncoderBlock
from keraslab.models import _transformer
from keraslab.presets import FromPreset

HEADS = ("classification", "tagging", "masked_lm")
POOLINGS = ("cls", "mean")


@keras.saving.register_keras_serializable(package="keraslab")
class EncoderOnlyTransformer(FromPreset, keras.Model):
    """A Transformer encoder: every token attends to every other (non-padding) token.

    Token id 0 is padding: it gets a padding mask, so no token attends to it and mean
    pooling skips it. On top of the `num_layers` `TransformerEncoderBlock`s (post-norm,
    GELU, as in BERT) sits one head:

    * `"classification"`: one label per sequence, from the first token's state (`"cls"`
      pooling, a `[CLS]` token the data puts first) or the mean over tokens (`"mean"`);
    * `"tagging"`: one label per token;
    * `"masked_lm"`: the pretraining objective of BERT, scores over the vocabulary for
      every position against the (tied) input embeddings; train it on
      `mask_tokens` output.

    Paper (BERT): https://arxiv.org/abs/1810.04805

    Args:
        vocabulary_size: int, number of token ids `V`, padding (0) included.
        sequence_length: int, the longest input.
        num_classes: int, labels of the classification or tagging head; ignored by the
            masked-LM head. Defaults to `2`.
        head: `"classification"`, `"tagging"` or `"masked_lm"`. Defaults to
            `"classification"`.
        pooling: `"cls"` or `"mean"`, for the classification head. Defaults to `"cls"`.
        num_layers: int. Defaults to `2`.
        num_heads: int, dividing `hidden_dim`. Defaults to `4`.
        hidden_dim: int, the model width `D`. Defaults to `64`.
        intermediate_dim: int. Defaults to `128`.
        dropout: float in `[0, 1)`. Defaults to `0.1`.
        position: `"learned"` or `"sinusoidal"`. Defaults to `"learned"`.
        **kwargs: `keras.Model` arguments (`name`, ...).

    Call arguments:
        token_ids: int tensor `(B, T)`, 0 for padding.
        training: bool or None, whether dropout is active.

    Returns:
        Logits `(B, num_classes)`, `(B, T, num_classes)` for tagging, or `(B, T, V)` for
        the masked-LM head.

    Example:

    >>> import numpy as np
    >>> model = EncoderOnlyTransformer(vocabulary_size=30, sequence_length=8, num_classes=3,
    ...                                num_layers=1, hidden_dim=16, intermediate_dim=32)
    >>> tuple(model(np.array([[1, 5, 6, 0, 0, 0, 0, 0]])).shape)
    (1, 3)

    References:
        - Devlin et al., "BERT: Pre-training of Deep Bidirectional Transformers for
          Language Understanding", 2019. https://arxiv.org/abs/1810.04805
        - Vaswani et al., "Attention Is All You Need", 2017. https://arxiv.org/abs/1706.03762
    """

    def __init__(
        self,
        vocabulary_size,
        sequence_length,
        num_classes=2,
        head="classification",
        pooling="cls",
        num_layers=2,
        num_heads=4,
        hidden_dim=64,
        intermediate_dim=128,
        dropout=0.1,
        position="learned",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.vocabulary_size = vocabulary_size
        self.sequence_length = sequence_length
        self.num_classes = check.positive_int("num_classes", num_classes)
        self.head = check.one_of("head", head, HEADS)
        self.pooling = check.one_of("pooling", pooling, POOLINGS)
        self.num_layers = check.positive_int("num_layers", num_layers)
        self.num_heads = num_heads
        self.hidden_dim = hidden_dim
        self.intermediate_dim = intermediate_dim
        self.dropout = dropout
        self.position = position

        self.embedding = TokenAndPositionEmbedding(
            vocabulary_size,
            sequence_length,
            hidden_dim,
            position=position,
            name="embedding",
            dtype=self.dtype_policy,
        )
        self.embedding_norm = keras.layers.LayerNormalization(
            epsilon=1e-5, name="embedding_norm", dtype=self.dtype_policy
        )
        self.embedding_dropout = keras.layers.Dropout(
            dropout, name="embedding_dropout", dtype=self.dtype_policy
        )
        self.blocks = _transformer.blocks(
            TransformerEncoderBlock,
            num_layers,
            num_heads,
            hidden_dim,
            intermediate_dim,
            dropout,
            self.dtype_policy,
            norm_first=False,
        )
        self.head_dense = keras.layers.Dense(
            hidden_dim, activation="gelu", name="head_dense", dtype=self.dtype_policy
        )
        self.output_dense = (
            None
            if head == "masked_lm"
            else keras.layers.Dense(num_classes, name="output_dense", dtype=self.dtype_policy)
        )

    def build(self, token_ids_shape):
        self.embedding.build(token_ids_shape)
        shape = (*token_ids_shape, self.hidden_dim)  # (B, T, D)
        self.embedding_norm.build(shape)
        for block in self.blocks:
            block.build(shape)
        self.head_dense.build(shape)
        if self.output_dense is not None:
            self.output_dense.build(shape)
        self.built = True

    def encode(self, token_ids, training=None):
        """Contextual token states `(B, T, D)` and the padding mask `(B, T)`."""
        padding = ops.not_equal(token_ids, 0)
        x = self.embedding_dropout(
            self.embedding_norm(self.embedding(token_ids)), training=training
        )
        for block in self.blocks:
            x = block(x, padding_mask=padding, training=training)
        return x, padding

    def call(self, token_ids, training=None):
        x, padding = self.encode(token_ids, training)
        if self.head == "classification":
            if self.pooling == "cls":
                x = x[:, 0]  # (B, D)
            else:
                weights = ops.cast(padding, x.dtype)[..., None]  # (B, T, 1)
                x = ops.sum(x * weights, axis=1) / ops.maximum(ops.sum(weights, axis=1), 1.0)
        x = self.head_dense(x)
        if self.head == "masked_lm":
            return _transformer.tied_logits(self.embedding, x)  # (B, T, V)
        return self.output_dense(x)

    def attention_maps(self, token_ids):
        """Self-attention weights, one NumPy array `(B, H, T, T)` per block."""
        ids = check.token_ids("token_ids", token_ids, self.sequence_length, self.vocabulary_size)
        if not self.built:
            self.build(ids.shape)
        x, padding, maps = self.embedding_norm(self.embedding(ids)), ops.not_equal(ids, 0), []
        for block in self.blocks:
            x, scores = block(x, padding_mask=padding, return_attention_scores=True)
            maps.append(ops.convert_to_numpy(scores))
        return maps

    def get_config(self):
        return {
            **super().get_config(),
            "vocabulary_size": self.vocabulary_size,
            "sequence_length": self.sequence_length,
            "num_classes": self.num_classes,
            "head": self.head,
            "pooling": self.pooling,
            "num_layers": self.num_layers,
            "num_heads": self.num_heads,
            "hidden_dim": self.hidden_dim,
            "intermediate_dim": self.intermediate_dim,
            "dropout": self.dropout,
            "position": self.position,
        }
