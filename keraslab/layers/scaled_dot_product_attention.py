"""Scaled dot-product attention, the core operation of every Transformer.

Shape letters used throughout keraslab's attention code:
B batch, T query length, S key/value length, H query heads, K key/value heads
(K divides H), D head size.
"""

import math

import keras
from keras import ops

from keraslab import _validation as check
from keraslab.training import prefer_fused_attention


def _large_negative(dtype):
    return -3e4 if keras.backend.standardize_dtype(dtype) == "float16" else -1e9


def causal_mask(query_length, key_length, offset=0):
    """Boolean `(T, S)` mask, True where query `t` may see key `s`: `s <= t + offset`.

    `offset` (int or scalar int tensor) is the position of the first query among the keys.
    The default 0 is Keras's top-left alignment (query `i` sees keys `<= i`); with a KV
    cache it is the cache index, and `offset = S - T` aligns the last query with the last
    key.
    """
    rows = ops.expand_dims(ops.arange(query_length, dtype="int32"), 1) + offset  # (T, 1)
    cols = ops.expand_dims(ops.arange(key_length, dtype="int32"), 0)  # (1, S)
    return ops.greater_equal(rows, cols)


def attend(
    query,
    key,
    value,
    mask=None,
    is_causal=False,
    dropout_rate=0.0,
    training=False,
    return_weights=False,
    seed=None,
):
    """Attention on projected heads laid out `(B, T, H, D)`, `(B, S, K, D)`.

    `mask` is boolean, broadcastable to `(B, H, T, S)`, True = may attend; `is_causal`
    adds `causal_mask(T, S, offset=S - T)`. Returns the output `(B, T, H, Dv)` and, when
    `return_weights`, the weights `(B, H, T, S)`. Query rows whose keys are all masked get
    zero weights (and so a zero output) on both paths. The fused kernel runs only where
    `keraslab.training.prefer_fused_attention()` finds it the faster path.
    """
    scale = 1.0 / math.sqrt(query.shape[-1])
    use_dropout = bool(training) and dropout_rate > 0.0
    groups = query.shape[2] // key.shape[2]
    if groups > 1:
        # Repeated by hand: not every backend's fused kernel accepts K < H.
        key = ops.repeat(key, groups, axis=2)  # (B, S, H, D)
        value = ops.repeat(value, groups, axis=2)
    # The fused kernels need equal key and value head sizes.
    fused = (
        prefer_fused_attention()
        and not return_weights
        and not use_dropout
        and value.shape[-1] == query.shape[-1]
    )
    square = query.shape[1] is not None and query.shape[1] == key.shape[1]
    if fused and is_causal and mask is None and square:
        # No row is fully masked, and the kernel need not materialise a (T, S) mask.
        return ops.dot_product_attention(query, key, value, is_causal=True, scale=scale)
    # A causal mask alone, with S >= T, leaves every query row at least its first key, so
    # no row needs zeroing after the softmax.
    every_row_sees_a_key = mask is None and square
    if is_causal:
        length, key_length = ops.shape(query)[1], ops.shape(key)[1]
        causal = causal_mask(length, key_length, offset=key_length - length)  # (T, S)
        mask = causal if mask is None else ops.logical_and(mask, causal)
    if fused:
        output = ops.dot_product_attention(query, key, value, mask=mask, scale=scale)
        if mask is not None:
            any_key = ops.any(ops.broadcast_to(mask, _mask_shape(query, key)), axis=-1)
            any_key = ops.expand_dims(ops.transpose(any_key, (0, 2, 1)), -1)  # (B, T, H, 1)
            output = ops.where(any_key, output, ops.zeros_like(output))
        return output
    # Scaling the query costs D / S of scaling the scores.
    scores = ops.einsum("bthd,bshd->bhts", query * ops.cast(scale, query.dtype), key)
    if mask is not None:
        scores = ops.where(mask, scores, _large_negative(scores.dtype))
    weights = ops.softmax(scores, axis=-1)  # (B, H, T, S)
    if mask is not None and not every_row_sees_a_key:
        weights = ops.where(mask, weights, ops.zeros_like(weights))
    attended = weights
    if use_dropout:
        attended = keras.random.dropout(weights, dropout_rate, seed=seed)
    output = ops.einsum("bhts,bshd->bthd", attended, value)  # (B, T, H, Dv)
    return (output, weights) if return_weights else output


def check_mask(name, shape, batch, heads, query_length, key_length):
    """Checks a mask of shape `(T, S)`, `(B, T, S)` or `(B, H, T, S)`: each axis but S
    may be 1 (broadcast), the others must match."""
    check.rank(name, shape, (2, 3, 4), "(T, S), (B, T, S) or (B, H, T, S)")
    check.dim(name, shape, -1, key_length, "the key length S")
    letters = {2: "TS", 3: "BTS", 4: "BHTS"}[len(shape)]
    sizes = {"B": batch, "H": heads, "T": query_length}
    for axis, letter in enumerate(letters[:-1]):
        if shape[axis] != 1:
            check.dim(name, shape, axis, sizes[letter], f"{letter} (or 1)")


def broadcastable_mask(mask):
    """A boolean `(T, S)`, `(B, T, S)` or `(B, H, T, S)` mask as rank 4 `(B|1, H|1, T, S)`."""
    mask = ops.cast(mask, "bool")
    if len(mask.shape) == 2:
        mask = mask[None, None]  # (1, 1, T, S)
    elif len(mask.shape) == 3:
        mask = ops.expand_dims(mask, 1)  # (B, 1, T, S)
    return mask


def _mask_shape(query, key):
    batch, length, heads = ops.shape(query)[:3]
    return (batch, heads, length, ops.shape(key)[1])


def scaled_dot_product_attention(
    query,
    key,
    value,
    mask=None,
    is_causal=False,
    dropout_rate=0.0,
    training=None,
    return_weights=False,
    seed=None,
):
    """Scaled dot-product attention: `softmax(Q Kᵀ / √D) V`, batch-first.

    Each query position takes a weighted average of the values; the weights are the
    softmax of its dot products with the keys, divided by `√D` so that their spread does
    not grow with the head size. Two paths give the same result: when the weights are not
    requested (no dropout is active, and value heads have size D) and the fused kernel is
    the faster path (`keraslab.training.prefer_fused_attention`: PyTorch, accelerators) it
    calls `keras.ops.dot_product_attention`; otherwise it computes the weights with plain
    `keras.ops` (which XLA fuses under JAX and TensorFlow). Grouped-query attention is
    supported: `key` and `value` may have `K` heads where `K` divides `H`; query head `h`
    then reads key head `h // (H / K)`. Paper: https://arxiv.org/abs/1706.03762.

    Args:
        query: float tensor `(B, H, T, D)`.
        key: float tensor `(B, K, S, D)`.
        value: float tensor `(B, K, S, Dv)`.
        mask: optional boolean tensor, True where a query may attend to a key, of shape
            `(T, S)`, `(B, T, S)` or `(B, H, T, S)`, where any axis but S may be 1 to
            broadcast (a padding mask is `(B, 1, 1, S)`). Defaults to None.
        is_causal: bool, forbid each query `t` from seeing keys after position
            `t + S - T` (for `T == S`: the future). Defaults to False.
        dropout_rate: float in [0, 1), dropout on the weights in training. Defaults to 0.
        training: bool or None, whether dropout is active. Defaults to None (inactive).
        return_weights: bool, also return the attention weights. Defaults to False.
        seed: int or `keras.random.SeedGenerator` for the dropout. Defaults to None.

    Returns:
        The output `(B, H, T, Dv)`, and the weights `(B, H, T, S)` if `return_weights`.
        Queries whose every key is masked get zero weights and a zero output.

    Example:

    >>> import numpy as np
    >>> q = k = v = np.ones((1, 2, 3, 4), "float32")
    >>> out, w = scaled_dot_product_attention(q, k, v, is_causal=True, return_weights=True)
    >>> keras.ops.convert_to_numpy(w)[0, 0, 1]
    array([0.5, 0.5, 0. ], dtype=float32)

    References:
        - Vaswani et al., "Attention Is All You Need", 2017. https://arxiv.org/abs/1706.03762
    """
    query, key, value = (ops.convert_to_tensor(t) for t in (query, key, value))
    for name, tensor in (("query", query), ("key", key), ("value", value)):
        check.floating(name, tensor)
    check.rank("query", query.shape, 4, "(B, H, T, D)")
    check.rank("key", key.shape, 4, "(B, K, S, D)")
    check.rank("value", value.shape, 4, "(B, K, S, Dv)")
    check.dim("key", key.shape, 3, query.shape[3], "the query head size D")
    check.shape_matches("value", value.shape[:3], key.shape[:3], "(B, K, S) of key")
    check.dim("key", key.shape, 0, query.shape[0], "the query batch size B")
    if query.shape[1] is not None and key.shape[1] is not None:
        check.divides("key heads K", key.shape[1], "query heads H", query.shape[1])
    check.rate("dropout_rate", dropout_rate)
    full_mask = None
    if mask is not None:
        mask = ops.convert_to_tensor(mask)
        check_mask("mask", mask.shape, *query.shape[:3], key.shape[2])
        full_mask = broadcastable_mask(mask)
    result = attend(
        ops.transpose(query, (0, 2, 1, 3)),  # (B, T, H, D)
        ops.transpose(key, (0, 2, 1, 3)),  # (B, S, K, D)
        ops.transpose(value, (0, 2, 1, 3)),  # (B, S, K, Dv)
        mask=full_mask,
        is_causal=is_causal,
        dropout_rate=dropout_rate,
        training=training,
        return_weights=return_weights,
        seed=seed,
    )
    if return_weights:
        output, weights = result
        return ops.transpose(output, (0, 2, 1, 3)), weights  # (B, H, T, Dv), (B, H, T, S)
    return ops.transpose(result, (0, 2, 1, 3))  # (B, H, T, Dv)
