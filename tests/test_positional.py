"""Positional layers against keras-hub and NumPy, and the properties that make them work."""

import numpy as np
import pytest
from keras import ops

from keraslab.layers import (
    LearnedPositionalEmbedding,
    RotaryEmbedding,
    SinusoidalPositionalEncoding,
    TokenAndPositionEmbedding,
)

B, T, H, D = 2, 5, 2, 8  # batch, length, heads, features
ATOL = 1e-5


def normal(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def numpy(x):
    return ops.convert_to_numpy(x)


def numpy_sinusoids(positions, depth, max_wavelength=10000):
    """PE[p, 2i] = sin(p / w^(2i/D)), PE[p, 2i+1] = cos(p / w^(2i/D)), from the paper."""
    i = np.arange(depth)
    angles = positions[:, None] / np.power(float(max_wavelength), 2 * (i // 2) / depth)
    return np.where(i % 2 == 0, np.sin(angles), np.cos(angles)).astype("float32")


@pytest.mark.parametrize("depth, start, wavelength", [(D, 0, 10000), (7, 3, 10000), (D, 2, 100)])
def test_sinusoidal_matches_keras_hub_and_the_formula(depth, start, wavelength):
    keras_hub = pytest.importorskip("keras_hub")
    x = normal(B, T, depth)
    ours = numpy(SinusoidalPositionalEncoding(wavelength)(x, start_index=start))
    reference = keras_hub.layers.SinePositionEncoding(wavelength)(x, start_index=start)
    np.testing.assert_allclose(ours, numpy(reference), atol=ATOL)
    expected = numpy_sinusoids(np.arange(start, start + T), depth, wavelength)
    np.testing.assert_allclose(ours, np.broadcast_to(expected, x.shape), atol=ATOL)


@pytest.mark.parametrize("shape", [(B, T, D), (B, T, H, D)], ids=["(B,T,D)", "(B,T,H,D)"])
@pytest.mark.parametrize("start, wavelength", [(0, 10000), (3, 10000), (1, 500)])
def test_rotary_matches_keras_hub(shape, start, wavelength):
    keras_hub = pytest.importorskip("keras_hub")
    x = normal(*shape)
    ours = RotaryEmbedding(wavelength)(x, start_index=start)
    reference = keras_hub.layers.RotaryEmbedding(wavelength)(x, start_index=start)
    np.testing.assert_allclose(numpy(ours), numpy(reference), atol=ATOL)


def test_rotary_preserves_norms_and_sees_only_relative_positions():
    rope = RotaryEmbedding()
    q, k = normal(1, 1, D, seed=1), normal(1, 1, D, seed=2)

    def rotated(x, position):
        return numpy(rope(x, start_index=position))[0, 0]

    np.testing.assert_allclose(np.linalg.norm(rotated(q, 7)), np.linalg.norm(q), rtol=1e-5)
    scores = {(m, n): rotated(q, m) @ rotated(k, n) for m, n in [(3, 1), (9, 7), (4, 4), (0, 0)]}
    np.testing.assert_allclose(scores[3, 1], scores[9, 7], rtol=1e-4)
    np.testing.assert_allclose(scores[4, 4], scores[0, 0], rtol=1e-4)
    assert not np.isclose(scores[3, 1], scores[4, 4], rtol=1e-3)


def test_rotary_with_start_index_equals_a_slice_of_the_full_sequence():
    x = normal(B, T, H, D)
    rope = RotaryEmbedding()
    full = numpy(rope(x))
    np.testing.assert_allclose(numpy(rope(x[:, 2:], start_index=2)), full[:, 2:], atol=ATOL)


@pytest.mark.parametrize("as_tensor", [False, True], ids=["int", "tensor"])
def test_learned_embedding_returns_its_table_rows(as_tensor):
    # A tensor start (a compiled decoding step's position) takes the gather path.
    layer = LearnedPositionalEmbedding(max_length=7)
    x = normal(B, T, D)
    start = ops.convert_to_tensor(2, "int32") if as_tensor else 2
    out = numpy(layer(x, start_index=start))
    table = numpy(layer.embeddings)
    np.testing.assert_allclose(out, np.broadcast_to(table[2 : 2 + T], x.shape), atol=0)


@pytest.mark.parametrize("position", ["learned", "sinusoidal"])
def test_token_and_position_embedding_adds_positions_and_masks_padding(position):
    layer = TokenAndPositionEmbedding(20, 7, D, position=position, mask_zero=True)
    ids = np.array([[3, 5, 9, 0, 0], [4, 4, 4, 4, 4]], "int32")
    out = numpy(layer(ids))
    tokens = numpy(layer.token_embedding.embeddings)[ids]
    if position == "learned":
        positions = numpy(layer.position_embedding.embeddings)[:T]
    else:
        positions = numpy_sinusoids(np.arange(T), D)
    np.testing.assert_allclose(out, tokens + positions, atol=ATOL)
    np.testing.assert_array_equal(numpy(layer.compute_mask(ids)), ids != 0)
    assert not np.allclose(out[1, 0], out[1, 1])  # same token, different positions
    np.testing.assert_allclose(numpy(layer(ids[:, 3:], start_index=3)), out[:, 3:], atol=ATOL)
