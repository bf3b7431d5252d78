"""Transformer encoder and decoder blocks against a NumPy reference; padding that
propagates, causality, and cached decoding."""

import keras
import numpy as np
import pytest
from keras import ops

from keraslab.layers import (
    TokenAndPositionEmbedding,
    TransformerDecoderBlock,
    TransformerEncoderBlock,
)
from tests import _reference as reference

B, T, S, E, HEADS, FF = 2, 5, 4, 8, 2, 16  # batch, lengths, width, heads, feed-forward
ATOL = 1e-4
KEEP = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)  # decoder padding (B, T)
ENCODER_KEEP = np.array([[1, 1, 0, 0], [1, 1, 1, 1]], bool)  # encoder padding (B, S)


def normal(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def numpy(x):
    return ops.convert_to_numpy(x)


def block(cls, **config):
    return cls(num_heads=HEADS, hidden_dim=E, intermediate_dim=FF, **config)


def valid_rows(x, keep=KEEP):
    return x[keep]  # the non-padding positions, (N, E)


@pytest.mark.parametrize("norm_first", [False, True], ids=["post-norm", "pre-norm"])
def test_encoder_block_matches_numpy(norm_first):
    layer = block(TransformerEncoderBlock, norm_first=norm_first)
    x = normal(B, T, E)
    out = numpy(layer(x, padding_mask=KEEP))
    expected = reference.encoder_block(layer, x, KEEP)
    np.testing.assert_allclose(valid_rows(out), valid_rows(expected), atol=ATOL)


@pytest.mark.parametrize("norm_first", [False, True], ids=["post-norm", "pre-norm"])
def test_decoder_block_matches_numpy(norm_first):
    layer = block(TransformerDecoderBlock, norm_first=norm_first)
    x, encoder = normal(B, T, E), normal(B, S, E, seed=1)
    out = layer(x, encoder, decoder_padding_mask=KEEP, encoder_padding_mask=ENCODER_KEEP)
    expected = reference.decoder_block(layer, x, encoder, KEEP, ENCODER_KEEP)
    np.testing.assert_allclose(valid_rows(numpy(out)), valid_rows(expected), atol=ATOL)


def test_padding_values_do_not_reach_real_tokens():
    encoder = block(TransformerEncoderBlock)
    decoder = block(TransformerDecoderBlock)
    x, memory = normal(B, T, E), normal(B, S, E, seed=1)
    changed, changed_memory = x.copy(), memory.copy()
    changed[~KEEP], changed_memory[~ENCODER_KEEP] = 50.0, -50.0
    for run in (
        lambda a, m: encoder(a, padding_mask=KEEP),
        lambda a, m: decoder(a, m, decoder_padding_mask=KEEP, encoder_padding_mask=ENCODER_KEEP),
    ):
        np.testing.assert_allclose(
            valid_rows(numpy(run(changed, changed_memory))),
            valid_rows(numpy(run(x, memory))),
            atol=ATOL,
        )


def test_keras_padding_mask_propagates_through_the_blocks():
    ids = np.where(KEEP, np.arange(1, T + 1), 0).astype("int32")
    embed = TokenAndPositionEmbedding(20, T, E, mask_zero=True)
    encoder, decoder = block(TransformerEncoderBlock), block(TransformerDecoderBlock)
    inputs = keras.Input((T,), dtype="int32")
    hidden = decoder(encoder(embed(inputs)))
    mask = getattr(hidden, "_keras_mask", None)
    assert mask is not None and tuple(mask.shape[1:]) == (T,)
    model = keras.Model(inputs, hidden)
    embedded = embed(ids)
    explicit = decoder(encoder(embedded, padding_mask=KEEP), decoder_padding_mask=KEEP)
    np.testing.assert_allclose(
        valid_rows(numpy(model(ids))), valid_rows(numpy(explicit)), atol=ATOL
    )


def test_decoder_outputs_ignore_future_tokens():
    layer = block(TransformerDecoderBlock, norm_first=True)
    x = normal(B, T, E)
    out = numpy(layer(x))
    for t in range(T - 1):
        changed = x.copy()
        changed[:, t + 1 :] += 1.0
        np.testing.assert_allclose(numpy(layer(changed))[:, : t + 1], out[:, : t + 1], atol=ATOL)


def decode_step_by_step(layer, x, encoder=None, as_tensor=False, **kwargs):
    """Feeds `x` one token at a time through `layer` with a zero-initialised cache."""
    kv_heads = layer.num_key_value_heads or HEADS
    cache = np.zeros((B, 2, kv_heads, T, E // HEADS), "float32")
    steps = []
    for t in range(T):
        index = ops.convert_to_tensor(t, "int32") if as_tensor else t
        out, cache = layer(
            x[:, t : t + 1],
            encoder,
            self_attention_cache=cache,
            self_attention_cache_index=index,
            **kwargs,
        )
        steps.append(numpy(ops.cast(out, "float32")))
    return np.concatenate(steps, 1)


@pytest.mark.parametrize(
    "config, cross, as_tensor",
    [
        ({"norm_first": False}, True, False),
        ({"norm_first": True, "num_key_value_heads": 1, "use_rotary_embedding": True}, False, True),
    ],
    ids=["post-norm+cross", "pre-norm+MQA+RoPE, tensor index"],
)
def test_cached_decoding_matches_the_full_pass(config, cross, as_tensor):
    layer = block(TransformerDecoderBlock, **config)
    x, encoder = normal(B, T, E), (normal(B, S, E, seed=1) if cross else None)
    full = numpy(layer(x, encoder))
    np.testing.assert_allclose(decode_step_by_step(layer, x, encoder, as_tensor), full, atol=ATOL)


def test_cached_decoding_respects_a_padding_mask_over_the_cache():
    layer = block(TransformerDecoderBlock)
    x = normal(B, T, E)
    left_padded = np.array([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]], bool)
    full = numpy(layer(x, decoder_padding_mask=left_padded))
    steps = decode_step_by_step(layer, x, decoder_padding_mask=left_padded)
    np.testing.assert_allclose(
        valid_rows(steps, left_padded), valid_rows(full, left_padded), atol=ATOL
    )


def test_mixed_precision_cached_decoding():
    layer = block(TransformerDecoderBlock, use_rotary_embedding=True, dtype="mixed_bfloat16")
    x = normal(B, T, E)
    full = numpy(ops.cast(layer(x), "float32"))
    assert np.all(np.isfinite(full))
    np.testing.assert_allclose(decode_step_by_step(layer, x), full, atol=5e-2)


def test_sublayers_start_with_distinct_kernels():
    layer = block(TransformerDecoderBlock)
    layer.build((B, T, E), (B, S, E))
    kernels = [
        numpy(attention.query_dense.kernel)
        for attention in (layer.self_attention, layer.cross_attention)
    ] + [numpy(layer.self_attention.key_dense.kernel)]
    for i in range(3):
        for j in range(i + 1, 3):
            assert not np.allclose(kernels[i], kernels[j])
    embedding = TokenAndPositionEmbedding(T, T, E)
    embedding.build((B, T))
    tables = embedding.token_embedding.embeddings, embedding.position_embedding.embeddings
    assert not np.allclose(numpy(tables[0]), numpy(tables[1]))


def query_rows(scores):
    return np.swapaxes(numpy(scores), 1, 2)[KEEP]  # the non-padding queries' rows, (N, H, S)


def test_encoder_block_returns_the_attention_scores():
    layer = block(TransformerEncoderBlock, norm_first=True)
    x, expected_scores = normal(B, T, E), []
    out, scores = layer(x, padding_mask=KEEP, return_attention_scores=True)
    expected = reference.encoder_block(layer, x, KEEP, expected_scores)
    np.testing.assert_allclose(valid_rows(numpy(out)), valid_rows(expected), atol=ATOL)
    assert scores.shape == (B, HEADS, T, T)
    np.testing.assert_allclose(query_rows(scores), query_rows(expected_scores[0]), atol=ATOL)


def test_decoder_block_returns_self_and_cross_attention_scores():
    layer = block(TransformerDecoderBlock)
    x, encoder, expected_scores = normal(B, T, E), normal(B, S, E, seed=1), []
    out, self_scores, cross_scores = layer(
        x,
        encoder,
        decoder_padding_mask=KEEP,
        encoder_padding_mask=ENCODER_KEEP,
        return_attention_scores=True,
    )
    expected = reference.decoder_block(layer, x, encoder, KEEP, ENCODER_KEEP, expected_scores)
    np.testing.assert_allclose(valid_rows(numpy(out)), valid_rows(expected), atol=ATOL)
    assert self_scores.shape == (B, HEADS, T, T) and cross_scores.shape == (B, HEADS, T, S)
    for scores, reference_scores in zip((self_scores, cross_scores), expected_scores):
        np.testing.assert_allclose(query_rows(scores), query_rows(reference_scores), atol=ATOL)


def test_cached_decoder_block_returns_scores_then_cache():
    layer = block(TransformerDecoderBlock)
    x = normal(B, T, E)
    _, full_scores = layer(x, return_attention_scores=True)
    cache = np.zeros((B, 2, HEADS, T, E // HEADS), "float32")
    out, scores, cache = layer(
        x[:, :2],
        self_attention_cache=cache,
        self_attention_cache_index=0,
        return_attention_scores=True,
    )
    assert out.shape == (B, 2, E) and cache.shape == (B, 2, HEADS, T, E // HEADS)
    np.testing.assert_allclose(numpy(scores), numpy(full_scores)[:, :, :2], atol=ATOL)
