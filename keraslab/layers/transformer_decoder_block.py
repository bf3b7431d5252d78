import keras
from keras import ops

from keraslab import _validation as check
from keraslab.layers._transformer_block import TransformerBlock


@keras.saving.register_keras_serializable(package="keraslab")
class TransformerDecoderBlock(TransformerBlock):
    """One Transformer decoder block: causal self-attention, optional cross-attention
    over an encoder's output, then a feed-forward network.

    The self-attention is always causal: position `t` sees only positions `≤ t`. It is
    built with cross-attention when it is first called (or built) with an
    `encoder_sequence` (an encoder–decoder model, as in translation), and without one for
    a decoder-only model (GPT). Residual wiring, pre-norm and post-norm as in
    `TransformerEncoderBlock`. For generation it supports an incremental key/value cache
    of its self-attention: feeding tokens one (or a few) at a time with the cache gives
    the same outputs as a full causal pass. Paper: https://arxiv.org/abs/1706.03762.

    Args:
        num_heads: positive int dividing `hidden_dim`; each head has size
            `hidden_dim // num_heads`.
        hidden_dim: positive int, the model width `E` (the inputs' last axis).
        intermediate_dim: positive int, width of the feed-forward hidden layer.
        dropout: float in [0, 1), on attention weights and residual branches.
            Defaults to 0.
        norm_first: bool, pre-norm when True, post-norm when False. Defaults to False.
        activation: feed-forward activation. Defaults to `"relu"`.
        layer_norm_epsilon: positive float. Defaults to 1e-5.
        num_key_value_heads: positive int dividing `num_heads` for grouped-query
            attention in both attentions. Defaults to None (= `num_heads`).
        use_rotary_embedding: bool, RoPE on queries and keys. Defaults to False.
        kernel_initializer: initializer of all kernels. Defaults to `"glorot_uniform"`.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Call arguments:
        decoder_sequence: float tensor `(B, T, hidden_dim)`.
        encoder_sequence: float tensor `(B, S, hidden_dim)`, required exactly when the
            block was built with cross-attention. Defaults to None.
        decoder_padding_mask: optional boolean, False at padding tokens: `(B, T)`, or
            `(B, S_max)` over the whole cache when a cache is given. Defaults to the Keras
            mask of `decoder_sequence`.
        encoder_padding_mask: optional boolean `(B, S)`. Defaults to the Keras mask of
            `encoder_sequence`.
        self_attention_cache: optional float tensor `(B, 2, K, S_max, hidden_dim //
            num_heads)` of cached keys and values (see `MultiHeadAttention`); start from
            zeros. Defaults to None.
        self_attention_cache_index: int or scalar int tensor, the position of the first
            token of `decoder_sequence`; required with a cache.
        donate_self_attention_cache: bool, the caller drops the cache passed in, which
            may be overwritten (see `MultiHeadAttention`). Defaults to False.
        training: bool or None, whether dropout is active.
        return_attention_scores: bool, also return the attention weights: the
            self-attention's `(B, H, T, T)` (`(B, H, T, S_max)` with a cache) and, in a
            block with cross-attention, the cross-attention's `(B, H, T, S)`. Defaults
            to False.

    Returns:
        The outputs `(B, T, hidden_dim)`. With `return_attention_scores`, a tuple
        `(outputs, self_attention_scores)`, or `(outputs, self_attention_scores,
        cross_attention_scores)` with cross-attention. A cache adds `new_cache` last.

    Example:

    >>> import numpy as np
    >>> block = TransformerDecoderBlock(num_heads=2, hidden_dim=8, intermediate_dim=16)
    >>> x = np.random.rand(1, 4, 8).astype("float32")
    >>> full = block(x)
    >>> cache = np.zeros((1, 2, 2, 4, 4), "float32")
    >>> steps = []
    >>> for t in range(4):
    ...     out, cache = block(x[:, t : t + 1], self_attention_cache=cache,
    ...                        self_attention_cache_index=t)
    ...     steps.append(keras.ops.convert_to_numpy(out))
    >>> bool(np.allclose(np.concatenate(steps, 1), keras.ops.convert_to_numpy(full), atol=1e-5))
    True

    References:
        - Vaswani et al., "Attention Is All You Need", 2017. https://arxiv.org/abs/1706.03762
        - Radford et al., "Language Models are Unsupervised Multitask Learners" (GPT-2),
          2019.
    """

    def build(self, decoder_sequence_shape, encoder_sequence_shape=None):
        self._check_shape("decoder_sequence", decoder_sequence_shape)
        shape = decoder_sequence_shape
        self.self_attention = self._attention("self_attention", shape, shape)
        self.self_attention_norm = self._norm("self_attention_norm", shape)
        self.cross_attention = None
        if encoder_sequence_shape is not None:
            self._check_shape("encoder_sequence", encoder_sequence_shape)
            self.cross_attention = self._attention("cross_attention", shape, encoder_sequence_shape)
            self.cross_attention_norm = self._norm("cross_attention_norm", shape)
        self._build_feedforward(shape)
        self.built = True

    def call(
        self,
        decoder_sequence,
        encoder_sequence=None,
        decoder_padding_mask=None,
        encoder_padding_mask=None,
        self_attention_cache=None,
        self_attention_cache_index=None,
        donate_self_attention_cache=False,
        training=None,
        return_attention_scores=False,
    ):
        self._check_sequence("decoder_sequence", decoder_sequence)
        has_cross = self.cross_attention is not None
        if (encoder_sequence is not None) != has_cross:
            raise ValueError(
                "Argument encoder_sequence must be given exactly when the block was built "
                f"with cross-attention (built with cross-attention: {has_cross}); received "
                f"encoder_sequence={'a tensor' if encoder_sequence is not None else None}."
            )
        if has_cross:
            self._check_sequence("encoder_sequence", encoder_sequence)
            check.dim(
                "encoder_sequence",
                encoder_sequence.shape,
                0,
                decoder_sequence.shape[0],
                "the decoder batch size B",
            )
        cached = self_attention_cache is not None
        if not cached and self_attention_cache_index is not None:
            raise ValueError(
                "Argument self_attention_cache_index needs a self_attention_cache; "
                "received self_attention_cache=None."
            )
        if cached and self_attention_cache_index is None:
            raise ValueError(
                "Argument self_attention_cache_index must be given with self_attention_cache "
                "(the position of the first token); received None."
            )
        if decoder_padding_mask is None and not cached:
            decoder_padding_mask = self._keras_mask(decoder_sequence)
        length = ops.convert_to_tensor(self_attention_cache).shape[3] if cached else None
        padding = self._padding(
            "decoder_padding_mask", decoder_padding_mask, decoder_sequence, length
        )

        def self_attention(x):
            if not cached:
                return self.self_attention(
                    x,
                    x,
                    query_mask=padding,
                    value_mask=padding,
                    use_causal_mask=True,
                    return_attention_scores=return_attention_scores,
                    training=training,
                )
            mask = None
            if padding is not None:
                mask = padding[:, None, :]  # (B, 1, S_max)
            return self.self_attention(
                x,
                x,
                attention_mask=mask,
                return_attention_scores=return_attention_scores,
                training=training,
                cache=self_attention_cache,
                cache_index=self_attention_cache_index,
                donate_cache=donate_self_attention_cache,
            )

        x, extra = self._residual(
            decoder_sequence, self.self_attention_norm, self_attention, training
        )
        # extra is (scores, new_cache), either one only when asked for.
        split = 1 if return_attention_scores else 0
        scores, new_cache = extra[:split], extra[split:]
        if has_cross:
            if encoder_padding_mask is None:
                encoder_padding_mask = self._keras_mask(encoder_sequence)
            encoder_padding = self._padding(
                "encoder_padding_mask", encoder_padding_mask, encoder_sequence
            )

            def cross_attention(h):
                return self.cross_attention(
                    h,
                    encoder_sequence,
                    query_mask=None if cached else padding,
                    value_mask=encoder_padding,
                    return_attention_scores=return_attention_scores,
                    training=training,
                )

            x, cross_scores = self._residual(
                x, self.cross_attention_norm, cross_attention, training
            )
            scores = (*scores, *cross_scores)
        outputs = self._feedforward(x, training)
        return (outputs, *scores, *new_cache) if scores or new_cache else outputs
