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
