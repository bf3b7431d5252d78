import keras

from keraslab.layers._transformer_block import TransformerBlock


@keras.saving.register_keras_serializable(package="keraslab")
class TransformerEncoderBlock(TransformerBlock):
    """One Transformer encoder block: self-attention then a feed-forward network.

    Each of the two sublayers sits in a residual branch. Post-norm (the original
    Transformer and BERT, `norm_first=False`): `x ← LayerNorm(x + Dropout(f(x)))`.
    Pre-norm (GPT-2 and most modern models, `norm_first=True`):
    `x ← x + Dropout(f(LayerNorm(x)))`, which trains more stably when deep (a final
    LayerNorm after the last block is then the model's job). The feed-forward network is
    `Dense(hidden_dim)(activation(Dense(intermediate_dim)(x)))`. Padding propagates: a
    Keras mask on `inputs` (from `TokenAndPositionEmbedding(mask_zero=True)`) is used as
    `padding_mask` and passed on to the output. Paper: https://arxiv.org/abs/1706.03762.

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
            attention. Defaults to None (= `num_heads`).
        use_rotary_embedding: bool, RoPE on queries and keys. Defaults to False.
        kernel_initializer: initializer of all kernels. Defaults to `"glorot_uniform"`.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: float tensor `(B, T, hidden_dim)`.
        padding_mask: optional boolean `(B, T)`, False at padding tokens, which no
            position attends to. Defaults to the Keras mask of `inputs`.
        attention_mask: optional boolean `(T, T)`, `(B, T, T)` or `(B, H, T, T)`,
            merged with the padding mask.
        training: bool or None, whether dropout is active.
        return_attention_scores: bool, also return the self-attention weights
            `(B, H, T, T)`, as keras-hub's `TransformerEncoder` does. Defaults to False.

    Returns:
        The outputs `(B, T, hidden_dim)`; with `return_attention_scores`,
        `(outputs, scores)`.

    Example:

    >>> import numpy as np
    >>> block = TransformerEncoderBlock(num_heads=2, hidden_dim=8, intermediate_dim=16)
    >>> x = np.random.rand(2, 5, 8).astype("float32")
    >>> padding = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    >>> tuple(block(x, padding_mask=padding).shape)
    (2, 5, 8)

    References:
        - Vaswani et al., "Attention Is All You Need", 2017. https://arxiv.org/abs/1706.03762
        - Xiong et al., "On Layer Normalization in the Transformer Architecture", 2020.
          https://arxiv.org/abs/2002.04745
    """

    def build(self, inputs_shape):
        self._check_shape("inputs", inputs_shape)
        self.self_attention = self._attention("self_attention", inputs_shape, inputs_shape)
        self.self_attention_norm = self._norm("self_attention_norm", inputs_shape)
        self._build_feedforward(inputs_shape)
        self.built = True

    def call(
        self,
        inputs,
        padding_mask=None,
        attention_mask=None,
        training=None,
        return_attention_scores=False,
    ):
        self._check_sequence("inputs", inputs)
        if padding_mask is None:
            padding_mask = self._keras_mask(inputs)
        padding = self._padding("padding_mask", padding_mask, inputs)

        def attention(x):
            return self.self_attention(
                x,
                x,
                query_mask=padding,
                value_mask=padding,
                attention_mask=attention_mask,
                return_attention_scores=return_attention_scores,
                training=training,
            )

        x, scores = self._residual(inputs, self.self_attention_norm, attention, training)
        outputs = self._feedforward(x, training)
        return (outputs, *scores) if return_attention_scores else outputs

    def compute_output_shape(self, inputs_shape):
        return inputs_shape
