"""Multi-head attention with grouped-query heads and a key/value cache.

Shape letters: B batch, T query length, S key/value length (`S_max` with a cache), H query
heads, K key/value heads, D `key_dim`, Dv `value_dim`, E model width.
"""

import keras
from keras import ops

from keraslab import _validation as check
from keraslab.layers._initializers import clone_initializer
from keraslab.layers.rotary_embedding import RotaryEmbedding
from keraslab.layers.scaled_dot_product_attention import (
    attend,
    broadcastable_mask,
    causal_mask,
    check_mask,
)
from keraslab.training import update_cache


def attention_mask_and_causal(
    *,
    query,
    key,
    query_mask=None,
    value_mask=None,
    key_mask=None,
    attention_mask=None,
    use_causal_mask=False,
    causal_offset=0,
):
    """Merges every mask of an attention call into one boolean mask, True = may attend.

    `query (B, T, H, D)` and `key (B, S, K, D)` are the projected heads, which give the
    sizes. `query_mask (B, T)` and `value_mask`/`key_mask (B, S)` are padding masks;
    `attention_mask` is `(T, S)`, `(B, T, S)` or `(B, H, T, S)`, where B and H may be 1
    to broadcast (as in `keras.layers.MultiHeadAttention`). The causal mask lets query row
    `t` see the keys `s <= t + causal_offset`: `causal_offset` is the position of the first
    query among the keys, 0 without a cache (Keras's alignment: query `i` sees keys
    `<= i`), the cache index with one.

    Returns:
        `(mask, fused_causal)`: the logical and of the masks, `(B|1, H|1, T, S)` or None
        when there is none; and whether the causal mask was left out for the fused kernel's
        `is_causal` (it is the only mask, `T == S` and the offset is 0, where both
        alignments agree).
    """
    batch, length, heads = query.shape[:3]
    key_length = key.shape[1]
    parts = []
    if attention_mask is not None:
        attention_mask = ops.convert_to_tensor(attention_mask)
        check_mask("attention_mask", attention_mask.shape, batch, heads, length, key_length)
        parts.append(broadcastable_mask(attention_mask))
    if query_mask is not None:
        parts.append(ops.cast(query_mask, "bool")[:, None, :, None])  # (B, 1, T, 1)
    for padding in (value_mask, key_mask):
        if padding is not None:
            parts.append(ops.cast(padding, "bool")[:, None, None, :])  # (B, 1, 1, S)
    fused_causal = (
        use_causal_mask
        and not parts
        and length is not None
        and length == key_length
        and isinstance(causal_offset, int)
        and causal_offset == 0
    )
    if use_causal_mask and not fused_causal:
        causal = causal_mask(ops.shape(query)[1], ops.shape(key)[1], offset=causal_offset)
        parts.append(causal[None, None])  # (1, 1, T, S)
    if not parts:
        return None, fused_causal
    mask = parts[0]
    for part in parts[1:]:
        mask = ops.logical_and(mask, part)
    return mask, fused_causal


@keras.saving.register_keras_serializable(package="keraslab")
class MultiHeadAttention(keras.layers.Layer):
    """Multi-head attention: self-, cross- and grouped-query attention, with a KV cache.

    Projects the query sequence `(B, T, E)` to `H` heads and the key/value sequences
    `(B, S, E')` to `K` heads, runs scaled dot-product attention in every head in
    parallel, and projects the concatenated heads back to `output_dim` (default: the
    query's `E`). The weights are laid out as in `keras.layers.MultiHeadAttention`
    (`query` kernel `(E, H, D)`, `output` kernel `(H, Dv, E)`), so its weights can be
    copied in. With `num_key_value_heads = K < H`, groups of `H / K` query heads share one
    key/value head (grouped-query attention; `K = 1` is multi-query attention), which
    shrinks the cache by `H / K`. It takes the arguments of `keras.layers.MultiHeadAttention`
    that it implements (`output_shape`, masks of rank 2 to 4, `use_causal_mask=0/1`), so it
    can replace it. Paper: https://arxiv.org/abs/1706.03762.

    Args:
        num_heads: positive int, `H`.
        key_dim: positive int, `D`, the size of each query and key head.
        value_dim: positive int, `Dv`. Defaults to None (= `key_dim`).
        dropout: float in [0, 1), dropout on the attention weights. Defaults to 0.
        use_bias: bool, whether the projections have biases. Defaults to True.
        num_key_value_heads: positive int `K` dividing `num_heads`. Defaults to None
            (= `num_heads`, ordinary multi-head attention).
        output_dim: positive int, width of the output. Defaults to None (query's `E`).
        output_shape: Keras's name for `output_dim`: a positive int or a 1-tuple. Pass
            at most one of the two. Defaults to None.
        use_rotary_embedding: bool, rotate queries and keys with `RotaryEmbedding`
            (needs even `key_dim`). Defaults to False.
        rotary_max_wavelength: positive int, RoPE's longest wavelength. Defaults to 10000.
        kernel_initializer: initializer of the projection kernels. Defaults to
            `"glorot_uniform"`.
        bias_initializer: initializer of the biases. Defaults to `"zeros"`.
        seed: int or None, seed of the dropout. Defaults to None.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Call arguments:
        query: float tensor `(B, T, E)`.
        value: float tensor `(B, S, E')`.
        key: optional float tensor `(B, S, E')`; defaults to `value`.
        attention_mask: optional boolean tensor `(T, S)`, `(B, T, S)` or `(B, H, T, S)`
            (B and H may be 1), True where query `t` may attend to key `s` (with a cache,
            S is `S_max`). It is merged (logical and) with the Keras masks of `query` and
            `value`/`key` (padding) when present.
        use_causal_mask: bool (or 0/1), forbid attending to later positions: query `i`
            sees keys `s <= i`, aligned top-left as in Keras. Defaults to False.
        return_attention_scores: bool, also return the weights `(B, H, T, S)`.
        training: bool or None, whether dropout is active.
        cache: optional float tensor `(B, 2, K, S_max, D)` holding the keys (`[:, 0]`)
            and values (`[:, 1]`) of earlier positions, for incremental decoding (requires
            `value_dim == key_dim`). Heads come before positions, the layout fused
            attention kernels read. The projected keys and values of this call are written
            at `cache_index` (`keraslab.training.update_cache`), and the query at
            step `t` attends to cache positions `s ≤ cache_index + t` (causal within the
            step, regardless of `use_causal_mask`). RoPE rotates with
            `start_index=cache_index`.
            Keras masks of `value`/`key` are ignored in this mode; pass padding of the
            whole cache through `attention_mask`.
        cache_index: int or scalar int tensor, the position of the first query token;
            required with `cache`.
        donate_cache: bool, the caller drops `cache` once it has the new one, so it may
            be overwritten (in place under PyTorch; see `update_cache`). Defaults to False.

    Returns:
        `output (B, T, output_dim)`; with `return_attention_scores`, `(output, scores)`;
        with a cache, `(output, new_cache)` or `(output, scores, new_cache)`.

    Example:

    >>> import numpy as np
    >>> layer = MultiHeadAttention(num_heads=4, key_dim=8, num_key_value_heads=2)
    >>> x = np.random.rand(2, 5, 16).astype("float32")
    >>> out, scores = layer(x, x, use_causal_mask=True, return_attention_scores=True)
    >>> tuple(out.shape), tuple(scores.shape)
    ((2, 5, 16), (2, 4, 5, 5))
    >>> cache = np.zeros((2, 2, 2, 5, 8), "float32")
    >>> step, cache = layer(x[:, :1], x[:, :1], cache=cache, cache_index=0)
    >>> tuple(step.shape)
    (2, 1, 16)

    References:
        - Vaswani et al., "Attention Is All You Need", 2017. https://arxiv.org/abs/1706.03762
        - Ainslie et al., "GQA: Training Generalized Multi-Query Transformer Models from
          Multi-Head Checkpoints", 2023. https://arxiv.org/abs/2305.13245
    """

    def __init__(
        self,
        num_heads,
        key_dim,
        value_dim=None,
        dropout=0.0,
        use_bias=True,
        num_key_value_heads=None,
        output_dim=None,
        use_rotary_embedding=False,
        rotary_max_wavelength=10000,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        seed=None,
        output_shape=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.num_heads = check.positive_int("num_heads", num_heads)
        self.key_dim = check.positive_int("key_dim", key_dim)
        self.value_dim = check.positive_int("value_dim", value_dim, allow_none=True)
        self.dropout = check.rate("dropout", dropout)
        self.use_bias = check.boolean("use_bias", use_bias)
        self.num_key_value_heads = check.positive_int(
            "num_key_value_heads", num_key_value_heads, allow_none=True
        )
        if num_key_value_heads is not None:
            check.divides("num_key_value_heads", num_key_value_heads, "num_heads", num_heads)
        if output_shape is not None:
            if output_dim is not None:
                raise ValueError(
                    "Arguments output_dim and output_shape both set the output width; pass "
                    f"one; received output_dim={output_dim!r}, output_shape={output_shape!r}."
                )
            shape = (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
            if len(shape) != 1:
                raise ValueError(
                    "Argument output_shape must be an int or a 1-tuple (the output is "
                    f"(B, T, output_dim)); received {output_shape!r}."
                )
            output_dim = check.positive_int("output_shape", shape[0])
        self.output_dim = check.positive_int("output_dim", output_dim, allow_none=True)
        self.use_rotary_embedding = check.boolean("use_rotary_embedding", use_rotary_embedding)
        self.rotary_max_wavelength = check.positive_int(
            "rotary_max_wavelength", rotary_max_wavelength
        )
        if use_rotary_embedding and key_dim % 2:
            raise ValueError(
                "Argument key_dim must be even when use_rotary_embedding=True (RoPE rotates "
                f"pairs of features); received key_dim={key_dim}."
            )
        self.kernel_initializer = check.identifier(
            "kernel_initializer", keras.initializers.get, kernel_initializer
        )
        self.bias_initializer = check.identifier(
            "bias_initializer", keras.initializers.get, bias_initializer
        )
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed) if dropout > 0 else None
        self.supports_masking = True

    @property
    def _value_dim(self):
        return self.value_dim or self.key_dim

    @property
    def _kv_heads(self):
        return self.num_key_value_heads or self.num_heads

    def _dense(self, name, equation, output_shape, bias_axes):
        layer = keras.layers.EinsumDense(
            equation,
            output_shape=output_shape,
            bias_axes=bias_axes if self.use_bias else None,
            kernel_initializer=clone_initializer(self.kernel_initializer),
            bias_initializer=clone_initializer(self.bias_initializer),
            name=name,
            dtype=self.dtype_policy,
        )
        # A projection acts on each position separately, so the padding mask still holds.
        layer.supports_masking = True
        return layer

    def build(self, query_shape, value_shape, key_shape=None):
        check.rank("query", query_shape, 3, "(B, T, E)")
        check.rank("value", value_shape, 3, "(B, S, E')")
        key_shape = value_shape if key_shape is None else key_shape
        check.rank("key", key_shape, 3, "(B, S, E')")
        check.dim("key", key_shape, 1, value_shape[1], "the value length S")
        for name, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if shape[-1] is None:
                raise ValueError(f"Argument {name} must have a known last axis; received {shape}.")
        self._input_dims = (query_shape[-1], value_shape[-1], key_shape[-1])
        heads, kv_heads, width = self.num_heads, self._kv_heads, self.output_dim or query_shape[-1]
        self.query_dense = self._dense("query", "btd,dhk->bthk", (None, heads, self.key_dim), "hk")
        self.query_dense.build(query_shape)
        self.key_dense = self._dense("key", "bsd,dhk->bshk", (None, kv_heads, self.key_dim), "hk")
        self.key_dense.build(key_shape)
        self.value_dense = self._dense(
            "value", "bsd,dhk->bshk", (None, kv_heads, self._value_dim), "hk"
        )
        self.value_dense.build(value_shape)
        self.output_dense = self._dense("attention_output", "bthk,hke->bte", (None, width), "e")
        self.output_dense.build((None, None, heads, self._value_dim))
        self.rotary = None
        if self.use_rotary_embedding:
            self.rotary = RotaryEmbedding(
                self.rotary_max_wavelength, name="rotary_embedding", dtype=self.dtype_policy
            )
        self.built = True

    def _check_inputs(self, query, value, key):
        for index, (name, tensor) in enumerate((("query", query), ("value", value), ("key", key))):
            check.floating(name, tensor)
            check.rank(name, tensor.shape, 3, "(B, T, E)" if index == 0 else "(B, S, E')")
            check.dim(
                name, tensor.shape, 2, self._input_dims[index], "the feature size it was built with"
            )
        check.dim("value", value.shape, 0, query.shape[0], "the query batch size B")
        check.dim("key", key.shape, 1, value.shape[1], "the value length S")

    def call(
        self,
        query,
        value,
        key=None,
        query_mask=None,
        value_mask=None,
        key_mask=None,
        attention_mask=None,
        use_causal_mask=False,
        return_attention_scores=False,
        training=None,
        cache=None,
        cache_index=None,
        donate_cache=False,
    ):
        key_given = key is not None and key is not value
        key = value if key is None else key
        self._check_inputs(query, value, key)
        check.one_of("use_causal_mask", use_causal_mask, (False, True))
        check.boolean("return_attention_scores", return_attention_scores)
        if cache is None and cache_index is not None:
            raise ValueError("Argument cache_index needs a cache; received cache=None.")
        q = self.query_dense(query)  # (B, T, H, D)
        k = self.key_dense(key)  # (B, S, K, D)
        v = self.value_dense(value)  # (B, S, K, Dv)
        start = 0 if cache is None else cache_index
        if self.rotary is not None:
            q = self.rotary(q, start_index=start)
            k = self.rotary(k, start_index=start)
        if cache is not None:
            k, v, cache = self._update_cache(
                cache, cache_index, k, v, donate_cache
            )  # (B, S_max, K, D)
            # The cache holds the whole sequence: padding comes through attention_mask.
            value_mask = key_mask = None
        mask, causal = attention_mask_and_causal(
            query=q,
            key=k,
            query_mask=query_mask,
            value_mask=value_mask,
            key_mask=key_mask if key_given else None,
            attention_mask=attention_mask,
            use_causal_mask=bool(use_causal_mask) or cache is not None,
            causal_offset=start,
        )
        result = attend(
            q,
            k,
            v,
            mask=mask,
            is_causal=causal,
            dropout_rate=self.dropout,
            training=training,
            return_weights=return_attention_scores,
            seed=self.seed_generator,
        )
        heads, scores = result if return_attention_scores else (result, None)
        output = self.output_dense(heads)  # (B, T, E)
        outputs = (output, scores) if return_attention_scores else (output,)
        if cache is not None:
            outputs = (*outputs, cache)
        return outputs[0] if len(outputs) == 1 else outputs

    def _update_cache(self, cache, cache_index, k, v, donate):
        if cache_index is None:
            raise ValueError(
                "Argument cache_index must be given with cache (the position of the first "
                "query token); received None."
            )
        check.floating("cache", cache)
        if self._value_dim != self.key_dim:
            raise ValueError(
                "Argument cache needs value_dim == key_dim to stack keys and values; "
                f"received key_dim={self.key_dim}, value_dim={self._value_dim}."
            )
        expected = (k.shape[0], 2, self._kv_heads, None, self.key_dim)
        check.shape_matches("cache", cache.shape, expected, "(B, 2, K, S_max, D)")
        if isinstance(cache_index, int) and k.shape[1] is not None and cache.shape[3] is not None:
            if not 0 <= cache_index <= cache.shape[3] - k.shape[1]:
                raise ValueError(
                    f"Argument cache_index must lie in [0, S_max - T] = "
                    f"[0, {cache.shape[3] - k.shape[1]}]; received {cache_index}."
                )
        new_entries = ops.transpose(ops.stack([k, v], axis=1), (0, 1, 3, 2, 4))  # (B, 2, K, T, D)
        new_cache = update_cache(
            cache, ops.cast(new_entries, cache.dtype), cache_index, axis=3, donate=donate
        )
        # Heads before positions, as fused attention kernels read them: no copy per step.
        keys = ops.transpose(new_cache[:, 0], (0, 2, 1, 3))  # (B, S_max, K, D)
        values = ops.transpose(new_cache[:, 1], (0, 2, 1, 3))  # (B, S_max, K, D)
        return ops.cast(keys, k.dtype), ops.cast(values, v.dtype), new_cache

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        check.rank("query", query_shape, 3, "(B, T, E)")
        check.rank("value", value_shape, 3, "(B, S, E')")
        key_shape = value_shape if key_shape is None else key_shape
        check.rank("key", key_shape, 3, "(B, S, E')")
        check.dim("key", key_shape, 1, value_shape[1], "the value length S")
        return (*query_shape[:2], self.output_dim or query_shape[-1])

    def get_config(self):
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "dropout": self.dropout,
            "use_bias": self.use_bias,
            "num_key_value_heads": self.num_key_value_heads,
            "output_dim": self.output_dim,
            "use_rotary_embedding": self.use_rotary_embedding,
            "rotary_max_wavelength": self.rotary_max_wavelength,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "seed": self.seed,
        }
