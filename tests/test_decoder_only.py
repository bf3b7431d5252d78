"""DecoderOnlyTransformer: cached decoding against full passes, samplers, a tiny learning task."""

import keras
import numpy as np
import pytest
from keras import ops

from keraslab.generation import samplers
from keraslab.models import DecoderOnlyTransformer

V, T = 17, 24


def tiny(**kwargs):
    config = dict(num_layers=2, num_heads=2, hidden_dim=16, intermediate_dim=32, **kwargs)
    return DecoderOnlyTransformer(V, T, **config)


def prompts(batch=2, length=4, seed=0):
    return np.random.default_rng(seed).integers(1, V, (batch, length)).astype("int32")


# The generation tests share one model and one length, so that each compiled decoding
# step (cached or not, greedy or not) is compiled once for the whole module.
NEW_TOKENS = 10


@pytest.fixture(scope="module")
def shared():
    return tiny()


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"num_key_value_heads": 1, "tie_embeddings": False, "position": "sinusoidal"}],
    ids=["tied", "gqa-untied-sinusoidal"],
)
def test_cached_and_uncached_greedy_generation_give_identical_tokens(kwargs, shared):
    model = tiny(**kwargs) if kwargs else shared
    cached = model.generate(prompts(), max_new_tokens=NEW_TOKENS, use_cache=True)
    uncached = model.generate(prompts(), max_new_tokens=NEW_TOKENS, use_cache=False)
    assert cached.shape == (2, 4 + NEW_TOKENS)
    np.testing.assert_array_equal(cached, uncached)
    np.testing.assert_array_equal(cached[:, :4], prompts())


def test_cached_steps_reproduce_the_full_causal_pass():
    """Prefill 5 tokens, then feed one token per step: every step's logits match `model(x)`."""
    model = tiny()
    ids = prompts(batch=2, length=T, seed=1)
    full = ops.convert_to_numpy(model(ids))
    caches = model.empty_cache(2, T)
    logits, caches = model._cached_step(ids[:, :5], caches, 0)
    steps = [ops.convert_to_numpy(logits)]
    for t in range(5, T):
        logits, caches = model._cached_step(ids[:, t : t + 1], caches, t)
        steps.append(ops.convert_to_numpy(logits))
    np.testing.assert_allclose(np.stack(steps, axis=1), full[:, 4:], atol=1e-4)


def test_keras_hub_samplers_give_the_same_tokens_as_keraslab_samplers(shared):
    hub = pytest.importorskip("keras_hub").samplers
    ours = shared.generate(prompts(), NEW_TOKENS, sampler=samplers.TopKSampler(k=4), seed=3)
    theirs = shared.generate(prompts(), NEW_TOKENS, sampler=hub.TopKSampler(k=4), seed=3)
    np.testing.assert_array_equal(ours, theirs)
    greedy = shared.generate(prompts(), NEW_TOKENS, sampler=hub.GreedySampler())
    np.testing.assert_array_equal(greedy, shared.generate(prompts(), NEW_TOKENS))


def test_seeded_sampling_is_reproducible_and_cache_independent(shared):
    first = shared.generate(prompts(), NEW_TOKENS, sampler="top_p", seed=7)
    again = shared.generate(prompts(), NEW_TOKENS, sampler="top_p", seed=7)
    np.testing.assert_array_equal(first, again)
    uncached = shared.generate(prompts(), NEW_TOKENS, sampler="top_p", seed=7, use_cache=False)
    np.testing.assert_array_equal(first, uncached)


def test_tied_output_layer_is_the_transposed_input_embedding():
    tied, untied = tiny(), tiny(tie_embeddings=False)
    for model in (tied, untied):
        model(prompts())
    assert untied.count_params() - tied.count_params() == V * 16 + V
    embedding = tied.embedding.token_embedding.embeddings
    hidden = tied.final_norm(tied._hidden(prompts()))
    expected = ops.convert_to_numpy(ops.matmul(hidden, ops.transpose(embedding)))
    np.testing.assert_allclose(ops.convert_to_numpy(tied(prompts())), expected, atol=1e-5)


def test_learns_a_periodic_sequence_and_generates_its_continuation():
    keras.utils.set_random_seed(0)
    period = np.array([3, 7, 1, 12, 5], "int32")
    starts = np.arange(200) % len(period)
    data = np.stack([np.roll(np.tile(period, 6), -s)[: T + 1] for s in starts])
    model = tiny()
    model.compile(
        optimizer=keras.optimizers.Adam(3e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    model.fit(data[:, :-1], data[:, 1:], epochs=12, batch_size=20, verbose=0)
    generated = model.generate(data[:2, :6], max_new_tokens=10)
    np.testing.assert_array_equal(generated, data[:2, :16])


def test_attention_maps_are_causal_probability_rows():
    maps = tiny().attention_maps(prompts(batch=1, length=6))
    assert len(maps) == 2 and maps[0].shape == (1, 2, 6, 6)
    np.testing.assert_allclose(maps[0].sum(axis=-1), 1.0, atol=1e-5)
    assert np.all(np.triu(maps[1][0, 0], k=1) == 0)
