"""Independent NumPy references for attention and Transformer blocks, shared by tests."""

import numpy as np


def attention(q, k, v, mask=None):
    """softmax(QKᵀ/√D)V, `(B, H, T, D)` layout, K kv heads repeated to H; rows that see no
    key get zero weights. Returns `(output, weights)`."""
    groups = q.shape[1] // k.shape[1]
    k, v = np.repeat(k, groups, axis=1), np.repeat(v, groups, axis=1)
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    mask = np.ones(scores.shape, bool) if mask is None else np.broadcast_to(mask, scores.shape)
    top = np.max(np.where(mask, scores, -1e30), -1, keepdims=True)
    shifted = np.exp(np.where(mask, scores - top, -np.inf))
    total = shifted.sum(-1, keepdims=True)
    weights = shifted / np.where(total > 0, total, 1)
    return weights @ v, weights


def multi_head_attention(layer, query, value, mask=None, scores=None):
    """A keraslab `MultiHeadAttention` (no RoPE) recomputed from its weights; `mask` is
    `(B, T, S)`. The weights `(B, H, T, S)` are appended to the list `scores` if given."""
    qk, qb, kk, kb, vk, vb, ok, ob = layer.get_weights()

    def heads(x, kernel, bias):
        return np.einsum("btd,dhk->bhtk", x, kernel) + bias[:, None]  # (B, H, T, D)

    mask = None if mask is None else mask[:, None]
    out, weights = attention(heads(query, qk, qb), heads(value, kk, kb), heads(value, vk, vb), mask)
    if scores is not None:
        scores.append(weights)
    return np.einsum("bhtk,hke->bte", out, ok) + ob


def layer_norm(layer, x):
    gamma, beta = layer.get_weights()
    mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + layer.epsilon) * gamma + beta


def feedforward(block, x):
    w1, b1 = block.intermediate_dense.get_weights()
    w2, b2 = block.output_dense.get_weights()
    return np.maximum(x @ w1 + b1, 0) @ w2 + b2


def residual(block, x, norm, sublayer):
    if block.norm_first:
        return x + sublayer(layer_norm(norm, x))
    return layer_norm(norm, x + sublayer(x))


def padding_and(query_keep, key_keep):
    """`(B, T, S)` mask from `(B, T)` and `(B, S)` padding masks."""
    return query_keep[:, :, None] & key_keep[:, None, :]


def encoder_block(block, x, keep, scores=None):
    mask = padding_and(keep, keep)
    x = residual(
        block,
        x,
        block.self_attention_norm,
        lambda h: multi_head_attention(block.self_attention, h, h, mask, scores),
    )
    return residual(block, x, block.feedforward_norm, lambda h: feedforward(block, h))


def decoder_block(block, x, encoder, keep, encoder_keep, scores=None):
    length = x.shape[1]
    self_mask = padding_and(keep, keep) & np.tril(np.ones((length, length), bool))
    x = residual(
        block,
        x,
        block.self_attention_norm,
        lambda h: multi_head_attention(block.self_attention, h, h, self_mask, scores),
    )
    cross_mask = padding_and(keep, encoder_keep)
    x = residual(
        block,
        x,
        block.cross_attention_norm,
        lambda h: multi_head_attention(block.cross_attention, h, encoder, cross_mask, scores),
    )
    return residual(block, x, block.feedforward_norm, lambda h: feedforward(block, h))
