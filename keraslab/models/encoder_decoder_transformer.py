"""An encoder-decoder Transformer (the original Transformer, T5) with greedy and beam search."""

import keras
import numpy as np
from keras import ops

from keraslab import _validation as check
from keraslab.generation import beam_search
from keraslab.layers import (
    TokenAndPositionEmbedding,
    TransformerDecoderBlock,
    TransformerEncoderBlock,
)
from keraslab.models import _transformer
from keraslab.presets import FromPreset
from keraslab.training import inference_function


@keras.saving.register_keras_serializable(package="keraslab")
class EncoderDecoderTransformer(FromPreset, keras.Model):
    """Reads a source sequence with an encoder, writes the target with a decoder.

    The encoder's `TransformerEncoderBlock`s see the whole source (id 0 is padding and is
    masked). Each `TransformerDecoderBlock` attends causally to the target so far, then,
    through cross-attention, to the encoded source. Training uses teacher forcing: the
    decoder reads the true target shifted right (`<bos> y1 y2 ...`) and predicts it
    shifted left (`y1 y2 ... <eos>`), all positions in one pass. `generate` writes the
    target token by token, greedily (`num_beams=1`) or by beam search. Blocks are
    pre-norm, with a final LayerNorm on each side, and the decoder's output layer shares
    the target embedding matrix. Paper: https://arxiv.org/abs/1706.03762

    Args:
        source_vocabulary_size: int, source token ids, padding (0) included.
        target_vocabulary_size: int, target token ids, padding (0) included.
        source_sequence_length: int, the longest source.
        target_sequence_length: int, the longest target including `<bos>`.
        num_encoder_layers: int. Defaults to `2`.
        num_decoder_layers: int. Defaults to `2`.
        num_heads: int, dividing `hidden_dim`. Defaults to `4`.
        hidden_dim: int, the model width `D`. Defaults to `64`.
        intermediate_dim: int. Defaults to `128`.
        dropout: float in `[0, 1)`. Defaults to `0.1`.
        position: `"sinusoidal"` or `"learned"`. Defaults to `"sinusoidal"`.
        **kwargs: `keras.Model` arguments (`name`, ...).

    Call arguments:
        inputs: dict with `"source_ids"`, int `(B, S)`, and `"target_ids"`, int `(B, T)`:
            the decoder's input, `<bos>` first.
        training: bool or None, whether dropout is active.

    Returns:
        Next-token logits `(B, T, target_vocabulary_size)`.

    Example:

    >>> model = EncoderDecoderTransformer(20, 10, 8, 6, num_encoder_layers=1,
    ...                                   num_decoder_layers=1, hidden_dim=16,
    ...                                   intermediate_dim=32)
    >>> source = np.array([[4, 5, 6, 0, 0, 0, 0, 0]])
    >>> model.generate(source, max_length=5, num_beams=2).shape
    (1, 5)

    References:
        - Vaswani et al., "Attention Is All You Need", 2017. https://arxiv.org/abs/1706.03762
        - Raffel et al., "Exploring the Limits of Transfer Learning with a Unified
          Text-to-Text Transformer" (T5), 2020. https://arxiv.org/abs/1910.10683
    """

    def __init__(
        self,
        source_vocabulary_size,
        target_vocabulary_size,
        source_sequence_length,
        target_sequence_length,
        num_encoder_layers=2,
        num_decoder_layers=2,
        num_heads=4,
        hidden_dim=64,
        intermediate_dim=128,
        dropout=0.1,
        position="sinusoidal",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.source_vocabulary_size = source_vocabulary_size
        self.target_vocabulary_size = target_vocabulary_size
        self.source_sequence_length = source_sequence_length
        self.target_sequence_length = target_sequence_length
        self.num_encoder_layers = check.positive_int("num_encoder_layers", num_encoder_layers)
        self.num_decoder_layers = check.positive_int("num_decoder_layers", num_decoder_layers)
        self.num_heads = num_heads
        self.hidden_dim = hidden_dim
        self.intermediate_dim = intermediate_dim
        self.dropout = dropout
        self.position = position

        def embedding(vocabulary_size, length, name):
            return TokenAndPositionEmbedding(
                vocabulary_size,
                length,
                hidden_dim,
                position=position,
                name=name,
                dtype=self.dtype_policy,
            )

        self.source_embedding = embedding(
            source_vocabulary_size, source_sequence_length, "source_embedding"
        )
        self.target_embedding = embedding(
            target_vocabulary_size, target_sequence_length, "target_embedding"
        )
        sizes = (num_heads, hidden_dim, intermediate_dim, dropout, self.dtype_policy)
        self.encoder_blocks = _transformer.blocks(
            TransformerEncoderBlock,
            num_encoder_layers,
            *sizes,
            name="encoder_block",
            norm_first=True,
        )
        self.decoder_blocks = _transformer.blocks(
            TransformerDecoderBlock,
            num_decoder_layers,
            *sizes,
            name="decoder_block",
            norm_first=True,
        )
        self.encoder_norm = keras.layers.LayerNormalization(
            epsilon=1e-5, name="encoder_norm", dtype=self.dtype_policy
        )
        self.decoder_norm = keras.layers.LayerNormalization(
            epsilon=1e-5, name="decoder_norm", dtype=self.dtype_policy
        )
        self._compiled = None

    def build(self, inputs_shape):
        source_shape, target_shape = inputs_shape["source_ids"], inputs_shape["target_ids"]
        self.source_embedding.build(source_shape)
        self.target_embedding.build(target_shape)
        encoded_shape = (*source_shape, self.hidden_dim)  # (B, S, D)
        decoded_shape = (*target_shape, self.hidden_dim)  # (B, T, D)
        for block in self.encoder_blocks:
            block.build(encoded_shape)
        for block in self.decoder_blocks:
            block.build(decoded_shape, encoded_shape)
        self.encoder_norm.build(encoded_shape)
        self.decoder_norm.build(decoded_shape)
        self.built = True

    def encode(self, source_ids, training=None):
        """The encoded source `(B, S, D)` and its padding mask `(B, S)`."""
        padding = ops.not_equal(source_ids, 0)
        x = self.source_embedding(source_ids)
        for block in self.encoder_blocks:
            x = block(x, padding_mask=padding, training=training)
        return self.encoder_norm(x), padding

    def decode(self, target_ids, encoded, source_padding, training=None):
        """Next-token logits `(B, T, V)` for the decoder input `target_ids` `(B, T)`."""
        x = self.target_embedding(target_ids)
        for block in self.decoder_blocks:
            x = block(x, encoded, encoder_padding_mask=source_padding, training=training)
        return _transformer.tied_logits(self.target_embedding, self.decoder_norm(x))

    def call(self, inputs, training=None):
        encoded, padding = self.encode(inputs["source_ids"], training)
        return self.decode(inputs["target_ids"], encoded, padding, training)

    def _next_log_probs(self, encoded, source_padding, target_ids, position):
        logits = self.decode(target_ids, encoded, source_padding)
        return ops.log_softmax(ops.take(logits, position, axis=1), axis=-1)  # (B, V)

    def generate(self, source_ids, max_length=None, num_beams=1, start_id=1, end_id=2):
        """Writes the target for each source, greedily or by beam search.

        Args:
            source_ids: int array `(B, S)`, 0 for padding.
            max_length: int, target tokens to write, `<= target_sequence_length - 1`.
                Defaults to `target_sequence_length - 1`.
            num_beams: int, `1` for greedy decoding. Defaults to `1`.
            start_id: int, the `<bos>` token the decoder starts from. Defaults to `1`.
            end_id: int or None, `<eos>`; after it a sequence is padded with 0.
                Defaults to `2`.

        Returns:
            int32 NumPy array `(B, max_length)`, without the `<bos>`.
        """
        source = check.token_ids(
            "source_ids", source_ids, self.source_sequence_length, self.source_vocabulary_size
        )
        limit = self.target_sequence_length - 1
        max_length = limit if max_length is None else max_length
        check.at_most("max_length", max_length, limit, "target_sequence_length - 1")
        check.at_most("num_beams", num_beams)
        if not self.built:
            self.build({"source_ids": source.shape, "target_ids": (source.shape[0], 1)})
        if self._compiled is None:
            self._compiled = inference_function(self._next_log_probs, self)
        encoded, padding = self.encode(source)
        encoded = ops.repeat(encoded, num_beams, axis=0)  # (B * K, S, D)
        padding = ops.repeat(padding, num_beams, axis=0)

        def log_probs(ids, position):
            return self._compiled(encoded, padding, ids, ops.convert_to_tensor(position, "int32"))

        start = np.full((source.shape[0], 1), start_id, "int32")
        ids, _ = beam_search(log_probs, start, max_length, num_beams, end_id=end_id)
        return ops.convert_to_numpy(ids)[:, 1:].astype("int32")

    def cross_attention_maps(self, source_ids, target_ids):
        """Cross-attention weights of each decoder block, NumPy `(B, H, T, S)` each."""
        source = check.token_ids("source_ids", source_ids)
        target = check.token_ids("target_ids", target_ids)
        if not self.built:
            self.build({"source_ids": source.shape, "target_ids": target.shape})
        encoded, padding = self.encode(source)
        x = self.target_embedding(target)
        maps = []
        for block in self.decoder_blocks:
            x, _, scores = block(
                x, encoded, encoder_padding_mask=padding, return_attention_scores=True
            )
            maps.append(ops.convert_to_numpy(scores))
        return maps

    def get_config(self):
        return {
            **super().get_config(),
            "source_vocabulary_size": self.source_vocabulary_size,
            "target_vocabulary_size": self.target_vocabulary_size,
            "source_sequence_length": self.source_sequence_length,
            "target_sequence_length": self.target_sequence_length,
            "num_encoder_layers": self.num_encoder_layers,
            "num_decoder_layers": self.num_decoder_layers,
            "num_heads": self.num_heads,
            "hidden_dim": self.hidden_dim,
            "intermediate_dim": self.intermediate_dim,
            "dropout": self.dropout,
            "position": self.position,
        }
