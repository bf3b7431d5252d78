"""Attention: `scaled_dot_product_attention` and `MultiHeadAttention` against NumPy,
`keras.layers.MultiHeadAttention`, and the native torch / JAX kernels; mask semantics,
permutation equivariance, grouped-query attention and the key/value cache."""

import keras
import numpy as np
import pytest
from keras import ops

from keraslab.layers import (
    MultiHeadAttention,
    SinusoidalPositionalEncoding,
    scaled_dot_product_attention,
)
from tests import _reference as reference

B, H, K, T, S, D = 2, 4, 2, 5, 6, 2  # batch, query heads, kv heads, lengths, head size
E = 8  # model width; one set of shapes throughout, since JAX compiles each new one
ATOL = 1e-5


def normal(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def numpy(x):
    return ops.convert_to_numpy(x)


def padding(lengths, size):
    return np.arange(size)[None, :] < np.array(lengths)[:, None]  # (B, size)


def causal(t, s):
    return np.tril(np.ones((t, s), bool), k=s - t)


MASKS = {
    "none": lambda: (None, False),
    "padding": lambda: (padding([4, 6], S)[:, None, None, :], False),
    "causal": lambda: (None, True),
    "padding+causal": lambda: (padding([4, 6], S)[:, None, None, :], True),
    "per-head (B, H, T, S)": lambda: (normal(B, H, T, S, seed=5) > 0, False),
}


def qkv(kv_heads=K, seed=0):
    return (
        normal(B, H, T, D, seed=seed),
        normal(B, kv_heads, S, D, seed=seed + 1),
        normal(B, kv_heads, S, D, seed=seed + 2),
    )


def full_mask(mask, is_causal):
    combined = np.ones((1, 1, T, S), bool) if mask is None else mask
    return combined & causal(T, S) if is_causal else combined


@pytest.mark.parametrize("case", MASKS)
@pytest.mark.parametrize("kv_heads", [H, K], ids=["MHA", "GQA"])
def test_both_paths_match_numpy(case, kv_heads):
    mask, is_causal = MASKS[case]()
    q, k, v = qkv(kv_heads)
    expected_out, expected_w = reference.attention(q, k, v, full_mask(mask, is_causal))
    fast = scaled_dot_product_attention(q, k, v, mask=mask, is_causal=is_causal)
    plain, weights = scaled_dot_product_attention(
        q, k, v, mask=mask, is_causal=is_causal, return_weights=True
    )
    np.testing.assert_allclose(numpy(fast), expected_out, atol=ATOL)
    np.testing.assert_allclose(numpy(plain), expected_out, atol=ATOL)
    np.testing.assert_allclose(numpy(weights), expected_w, atol=ATOL)


def test_a_fully_masked_row_gives_zeros_on_both_paths():
    q, k, v = qkv()
    mask = np.ones((B, 1, T, S), bool)
    mask[0, 0, 2] = False
    fast = numpy(scaled_dot_product_attention(q, k, v, mask=mask))
    plain, weights = scaled_dot_product_attention(q, k, v, mask=mask, return_weights=True)
    assert np.all(fast[0, :, 2] == 0) and np.all(numpy(plain)[0, :, 2] == 0)
    assert np.all(numpy(weights)[0, :, 2] == 0)
    np.testing.assert_allclose(fast, numpy(plain), atol=ATOL)


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="torch reference")
@pytest.mark.parametrize("case", ["none", "padding", "causal", "padding+causal"])
def test_matches_torch_scaled_dot_product_attention(case):
    torch = pytest.importorskip("torch")
    mask, is_causal = MASKS[case]()
    q, k, v = qkv()
    reference = torch.nn.functional.scaled_dot_product_attention(
        *(torch.from_numpy(a) for a in (q, k, v)),
        attn_mask=torch.from_numpy(full_mask(mask, is_causal)),
        enable_gqa=True,
    )
    for return_weights in (False, True):
        out = scaled_dot_product_attention(
            q, k, v, mask=mask, is_causal=is_causal, return_weights=return_weights
        )
        out = out[0] if return_weights else out
        np.testing.assert_allclose(numpy(out), reference.numpy(), atol=ATOL)


@pytest.mark.skipif(keras.backend.backend() != "jax", reason="JAX reference")
@pytest.mark.parametrize("case", ["none", "padding", "causal", "padding+causal"])
def test_matches_jax_dot_product_attention(case):
    jax = pytest.importorskip("jax")
    mask, is_causal = MASKS[case]()
    q, k, v = qkv()
    to_bthd = lambda a: np.swapaxes(a, 1, 2)
    reference = jax.nn.dot_product_attention(
        to_bthd(q),
        to_bthd(k),
        to_bthd(v),
        mask=None if mask is None else mask,
        is_causal=is_causal,
    )  # (B, T, H, D); its causal mask is top-left aligned, which T < S changes
    if is_causal:
        reference = jax.nn.dot_product_attention(
            to_bthd(q), to_bthd(k), to_bthd(v), mask=full_mask(mask, True)
        )
    for return_weights in (False, True):
        out = scaled_dot_product_attention(
            q, k, v, mask=mask, is_causal=is_causal, return_weights=return_weights
        )
        out = out[0] if return_weights else out
        np.testing.assert_allclose(numpy(out), to_bthd(np.asarray(reference)), atol=ATOL)


def three_heads(a):
    return np.repeat(a, 2, axis=1)[:, :3]  # 3 heads do not divide H = 4


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda q, k, v: scaled_dot_product_attention(q[0], k, v), r"Argument query\b.*rank 4"),
        (lambda q, k, v: scaled_dot_product_attention(q, k[..., :1], v), r"Argument key\b"),
        (lambda q, k, v: scaled_dot_product_attention(q, k, v[:, :, :4]), r"Argument value\b"),
        (
            lambda q, k, v: scaled_dot_product_attention(q, three_heads(k), three_heads(v)),
            r"key heads K",
        ),
        (
            lambda q, k, v: scaled_dot_product_attention(q, k, v, mask=np.ones((T, T), bool)),
            r"Argument mask\b.*key length S",
        ),
        (
            lambda q, k, v: scaled_dot_product_attention(q, k, v, mask=np.ones((3, T, S), bool)),
            r"Argument mask\b",
        ),
        (
            lambda q, k, v: scaled_dot_product_attention(q.astype("int32"), k, v),
            r"Argument query\b.*floating",
        ),
        (
            lambda q, k, v: scaled_dot_product_attention(q, k, v, dropout_rate=1.0),
            r"Argument dropout_rate\b",
        ),
    ],
    ids=["rank", "head size", "value length", "kv heads", "mask T", "mask batch", "int", "rate"],
)
def test_scaled_dot_product_attention_rejects_bad_inputs(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call(*qkv())


def test_dropout_only_in_training():
    q, k, v = qkv()
    plain = numpy(scaled_dot_product_attention(q, k, v))
    inference = scaled_dot_product_attention(q, k, v, dropout_rate=0.5, training=False)
    dropped = scaled_dot_product_attention(q, k, v, dropout_rate=0.5, training=True, seed=3)
    np.testing.assert_allclose(numpy(inference), plain, atol=ATOL)
    assert not np.allclose(numpy(dropped), plain, atol=1e-3)


# MultiHeadAttention against keras.layers.MultiHeadAttention -------------------------------


def twin_layers(**config):
    """A keraslab layer and a Keras layer with the same weights, built for cross-attention."""
    keras_layer = keras.layers.MultiHeadAttention(num_heads=H, key_dim=D, **config)
    keras_layer.build((B, T, E), (B, S, E))
    ours = MultiHeadAttention(num_heads=H, key_dim=D, **config)
    ours.build((B, T, E), (B, S, E))
    weights = [normal(*w.shape, seed=i) * 0.5 for i, w in enumerate(keras_layer.weights)]
    keras_layer.set_weights(weights)
    ours.set_weights(weights)
    return ours, keras_layer


@pytest.mark.parametrize(
    "config", [{}, {"value_dim": 5, "use_bias": False}], ids=["default", "value_dim"]
)
@pytest.mark.parametrize("masking", ["none", "attention_mask", "causal", "mask+causal"])
def test_matches_keras_multi_head_attention(config, masking):
    ours, reference = twin_layers(**config)
    query, value = normal(B, T, E, seed=10), normal(B, S, E, seed=11)
    if masking.startswith("causal") or masking == "mask+causal":
        value = normal(B, T, E, seed=11)  # Keras aligns causal masks top-left: use T == S
    length = value.shape[1]
    kwargs = {}
    if masking in ("attention_mask", "mask+causal"):
        kwargs["attention_mask"] = np.broadcast_to(
            padding([3, length], length)[:, None], (B, T, length)
        )
    if masking in ("causal", "mask+causal"):
        kwargs["use_causal_mask"] = True
    expected, expected_scores = reference(query, value, return_attention_scores=True, **kwargs)
    out, scores = ours(query, value, return_attention_scores=True, **kwargs)
    np.testing.assert_allclose(numpy(out), numpy(expected), atol=ATOL)
    np.testing.assert_allclose(numpy(scores), numpy(expected_scores), atol=ATOL)
    np.testing.assert_allclose(numpy(ours(query, value, **kwargs)), numpy(expected), atol=ATOL)


KERAS_MASKS = {
    "(T, S)": lambda length: normal(T, length, seed=6) > 0,
    "(B, T, S)": lambda length: normal(B, T, length, seed=6) > 0,
    "(B, H, T, S)": lambda length: normal(B, H, T, length, seed=6) > 0,
    "(B, 1, T, S)": lambda length: normal(B, 1, T, length, seed=6) > 0,
}


@pytest.mark.parametrize("causal", [0, 1], ids=["no causal", "use_causal_mask=1"])
@pytest.mark.parametrize("mask_shape", KERAS_MASKS)
def test_attention_masks_of_every_rank_match_keras(mask_shape, causal):
    ours, reference = twin_layers()
    # Keras aligns causal masks top-left; keraslab too (query i sees keys <= i).
    length = T if causal else S
    query, value = normal(B, T, E, seed=10), normal(B, length, E, seed=11)
    mask = KERAS_MASKS[mask_shape](length)
    mask[..., 0] = True  # every query row sees a key, so Keras's weights are defined
    kwargs = {"attention_mask": mask, "use_causal_mask": causal}
    expected, expected_scores = reference(query, value, return_attention_scores=True, **kwargs)
    out, scores = ours(query, value, return_attention_scores=True, **kwargs)
    np.testing.assert_allclose(numpy(out), numpy(expected), atol=ATOL)
    np.testing.assert_allclose(numpy(scores), numpy(expected_scores), atol=ATOL)
    np.testing.assert_allclose(numpy(ours(query, value, **kwargs)), numpy(expected), atol=ATOL)


@pytest.mark.parametrize("output_shape", [3, (3,)], ids=["int", "tuple"])
def test_output_shape_matches_keras_and_round_trips(output_shape):
    ours, reference = twin_layers(output_shape=output_shape)
    query, value = normal(B, T, E, seed=10), normal(B, S, E, seed=11)
    np.testing.assert_allclose(numpy(ours(query, value)), numpy(reference(query, value)), atol=ATOL)
    assert ours.compute_output_shape(query.shape, value.shape) == (B, T, 3)
    assert reference.compute_output_shape(query.shape, value.shape) == (B, T, 3)
    clone = MultiHeadAttention.from_config(ours.get_config())
    assert clone.output_dim == 3
    assert clone.compute_output_shape((None, T, E), (None, S, E)) == (None, T, 3)


def test_compute_output_shape_matches_keras_and_rejects_bad_shapes():
    ours, reference = twin_layers()
    for shapes in [((B, T, E), (B, S, E)), ((None, T, E), (None, S, 3), (None, S, 7))]:
        assert ours.compute_output_shape(*shapes) == reference.compute_output_shape(*shapes)
    with pytest.raises(ValueError, match="key"):
        ours.compute_output_shape((B, T, E), (B, S, E), (B, S + 1, E))
    with pytest.raises(ValueError, match="query"):
        ours.compute_output_shape((T, E), (B, S, E))


def test_keras_argument_forms_are_checked():
    with pytest.raises(ValueError, match="output_shape"):
        MultiHeadAttention(num_heads=H, key_dim=D, output_dim=3, output_shape=3)
    with pytest.raises(ValueError, match="output_shape"):
        MultiHeadAttention(num_heads=H, key_dim=D, output_shape=(3, 2))
    layer = MultiHeadAttention(num_heads=H, key_dim=D)
    x = normal(B, T, E)
    with pytest.raises(ValueError, match="use_causal_mask"):
        layer(x, x, use_causal_mask=2)
    with pytest.raises(ValueError, match="attention_mask"):
        layer(x, x, attention_mask=np.ones((B, 3, T, T), bool))  # 3 heads, H = 4


def test_projections_start_with_distinct_kernels():
    layer = MultiHeadAttention(num_heads=H, key_dim=D, kernel_initializer="glorot_uniform")
    layer.build((B, T, E), (B, S, E))
    kernels = [numpy(d.kernel) for d in (layer.query_dense, layer.key_dense, layer.value_dense)]
    for i in range(3):
        for j in range(i + 1, 3):
            assert not np.allclose(kernels[i], kernels[j])


def test_padded_keys_get_zero_weight_and_do_not_matter():
    layer = MultiHeadAttention(num_heads=H, key_dim=D)
    x = normal(B, T, E)
    mask = np.broadcast_to(padding([3, T], T)[:, None, :], (B, T, T))
    out, scores = layer(x, x, attention_mask=mask, return_attention_scores=True)
    assert np.all(numpy(scores)[0, :, :, 3:] == 0)
    np.testing.assert_allclose(numpy(scores).sum(-1), 1.0, atol=ATOL)
    changed = x.copy()
    changed[0, 3:] = 100.0
    np.testing.assert_allclose(
        numpy(layer(changed, changed, attention_mask=mask))[0, :3], numpy(out)[0, :3], atol=ATOL
    )


@pytest.mark.parametrize("with_padding", [False, True], ids=["causal", "padding+causal"])
def test_causal_outputs_ignore_the_future(with_padding):
    layer = MultiHeadAttention(num_heads=H, key_dim=D)
    x = normal(B, T, E)
    mask = np.broadcast_to(padding([2, T], T)[:, None, :], (B, T, T)) if with_padding else None
    out, scores = layer(
        x, x, attention_mask=mask, use_causal_mask=True, return_attention_scores=True
    )
    future = ~causal(T, T)
    assert np.all(numpy(scores)[:, :, future] == 0)
    if with_padding:
        assert np.all(numpy(scores)[0, :, :, 2:] == 0)
    for t in range(T - 1):
        changed = x.copy()
        changed[:, t + 1 :] = normal(B, T - t - 1, E, seed=t + 20)
        new = numpy(layer(changed, changed, attention_mask=mask, use_causal_mask=True))
        np.testing.assert_allclose(new[:, : t + 1], numpy(out)[:, : t + 1], atol=ATOL)
        assert not np.allclose(new[1, t + 1 :], numpy(out)[1, t + 1 :], atol=1e-3)


def test_self_attention_is_permutation_equivariant_only_without_positions():
    layer = MultiHeadAttention(num_heads=H, key_dim=D)
    rope_layer = MultiHeadAttention(num_heads=H, key_dim=D, use_rotary_embedding=True)
    x = normal(B, T, E)
    order = np.array([3, 0, 4, 1, 2])
    add_positions = lambda a: a + numpy(SinusoidalPositionalEncoding()(a))

    def permuted_gap(attend, prepare=lambda a: a):
        direct = numpy(attend(prepare(x)))[:, order]
        return np.abs(numpy(attend(prepare(x[:, order]))) - direct).max()

    assert permuted_gap(lambda a: layer(a, a)) < ATOL
    assert permuted_gap(lambda a: layer(a, a), add_positions) > 1e-2
    assert permuted_gap(lambda a: rope_layer(a, a)) > 1e-2


def test_grouped_query_attention_equals_repeated_key_value_heads():
    grouped = MultiHeadAttention(num_heads=H, key_dim=D, num_key_value_heads=K)
    full = MultiHeadAttention(num_heads=H, key_dim=D)
    x = normal(B, T, E)
    grouped(x, x), full(x, x)
    repeat = {  # (E, K, D) kernels and (K, D) biases become (E, H, D) and (H, D)
        name: [np.repeat(w, H // K, axis=-2) for w in getattr(grouped, name).get_weights()]
        for name in ("key_dense", "value_dense")
    }
    full.query_dense.set_weights(grouped.query_dense.get_weights())
    full.key_dense.set_weights(repeat["key_dense"])
    full.value_dense.set_weights(repeat["value_dense"])
    full.output_dense.set_weights(grouped.output_dense.get_weights())
    np.testing.assert_allclose(
        numpy(grouped(x, x, use_causal_mask=True)),
        numpy(full(x, x, use_causal_mask=True)),
        atol=ATOL,
    )


@pytest.mark.parametrize("step", [1, 2])
@pytest.mark.parametrize(
    "config",
    [{}, {"num_key_value_heads": 1, "use_rotary_embedding": True}],
    ids=["MHA", "MQA+RoPE"],
)
def test_cached_decoding_matches_a_full_causal_pass(config, step):
    layer = MultiHeadAttention(num_heads=H, key_dim=D, **config)
    length = T
    x = normal(B, length, E)
    full, full_scores = layer(x, x, use_causal_mask=True, return_attention_scores=True)
    cache = np.zeros((B, 2, config.get("num_key_value_heads", H), length, D), "float32")
    outputs = []
    for start in range(0, length, step):
        chunk = x[:, start : start + step]
        out, scores, cache = layer(
            chunk, chunk, cache=cache, cache_index=start, return_attention_scores=True
        )
        np.testing.assert_allclose(
            numpy(scores), numpy(full_scores)[:, :, start : start + step], atol=ATOL
        )
        outputs.append(numpy(out))
    np.testing.assert_allclose(np.concatenate(outputs, 1), numpy(full), atol=ATOL)
    assert tuple(cache.shape) == (B, 2, config.get("num_key_value_heads", H), length, D)


def test_dropout_is_seeded_and_training_only():
    layer = MultiHeadAttention(num_heads=H, key_dim=D, dropout=0.5, seed=1)
    x = normal(B, T, E)
    inference = numpy(layer(x, x))
    np.testing.assert_allclose(numpy(layer(x, x, training=False)), inference, atol=0)
    assert not np.allclose(numpy(layer(x, x, training=True)), inference, atol=1e-3)
