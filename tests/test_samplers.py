"""Samplers and beam search, against keras-hub, NumPy and exhaustive search."""

import itertools

import keras
import numpy as np
import pytest
from keras import ops

from keraslab.generation import beam_search, samplers

hub_samplers = pytest.importorskip("keras_hub").samplers


def random_logits(rows=6, vocabulary=30, seed=0):
    return np.random.default_rng(seed).normal(scale=2.0, size=(rows, vocabulary)).astype("float32")


def numpy_softmax(logits, temperature=1.0):
    z = logits / temperature
    z = np.exp(z - z.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def draws(sampler, logits, calls=3):
    return np.stack(
        [ops.convert_to_numpy(samplers.next_token(sampler, logits)) for _ in range(calls)]
    )


def test_greedy_matches_numpy_argmax_and_keras_hub():
    logits = random_logits()
    ours = draws(samplers.GreedySampler(), logits, calls=1)[0]
    np.testing.assert_array_equal(ours, logits.argmax(axis=-1))
    np.testing.assert_array_equal(ours, draws(hub_samplers.GreedySampler(), logits, calls=1)[0])


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda: samplers.TopKSampler(k=4, seed=3), lambda: hub_samplers.TopKSampler(k=4, seed=3)),
        (
            lambda: samplers.TemperatureSampler(temperature=0.7, seed=5),
            lambda: hub_samplers.RandomSampler(temperature=0.7, seed=5),
        ),
        (
            lambda: samplers.TopPSampler(p=0.6, seed=1),
            lambda: hub_samplers.TopPSampler(p=0.6, seed=1),
        ),
    ],
    ids=["top_k", "temperature", "top_p"],
)
def test_random_samplers_give_keras_hub_tokens_for_the_same_seed(ours, theirs):
    logits = random_logits(rows=16)
    ours_tokens = draws(ours(), logits)
    np.testing.assert_array_equal(ours_tokens, draws(theirs(), logits))
    assert len(np.unique(ours_tokens)) > 1


def frequencies(sampler, logits_row, rows=4000):
    tokens = ops.convert_to_numpy(samplers.next_token(sampler, np.tile(logits_row, (rows, 1))))
    return np.bincount(tokens, minlength=len(logits_row)) / rows


def test_top_k_draws_only_the_k_best_in_renormalised_proportion():
    logits = random_logits(rows=1, vocabulary=12)[0]
    freq = frequencies(samplers.TopKSampler(k=3, seed=0), logits)
    best = np.argsort(logits)[-3:]
    expected = np.zeros_like(freq)
    expected[best] = numpy_softmax(logits[best])
    np.testing.assert_allclose(freq, expected, atol=0.03)


def test_top_p_draws_from_the_smallest_nucleus_reaching_p():
    logits = np.log(np.array([0.05, 0.4, 0.1, 0.3, 0.15], dtype="float32"))
    freq = frequencies(samplers.TopPSampler(p=0.75, seed=0), logits)
    expected = np.array([0, 0.4, 0, 0.3, 0.15]) / 0.85
    np.testing.assert_allclose(freq, expected, atol=0.03)


def test_temperature_sampler_follows_the_tempered_softmax():
    logits = random_logits(rows=1, vocabulary=6)[0]
    for temperature in (0.5, 2.0):
        freq = frequencies(samplers.TemperatureSampler(temperature=temperature, seed=0), logits)
        np.testing.assert_allclose(freq, numpy_softmax(logits, temperature), atol=0.03)


def test_get_resolves_names_and_reseeds_random_samplers():
    assert isinstance(samplers.get("greedy"), samplers.GreedySampler)
    logits = random_logits()
    sampler = samplers.TopKSampler(k=5)
    first = draws(samplers.get(sampler, seed=11), logits)
    np.testing.assert_array_equal(first, draws(samplers.get(sampler, seed=11), logits))
    hub = samplers.get(hub_samplers.TopKSampler(k=5), seed=11)
    np.testing.assert_array_equal(first, draws(hub, logits))


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: samplers.get("beam"), "sampler"),
        (lambda: samplers.get(object()), "sampler"),
        (lambda: samplers.get(hub_samplers.BeamSampler(num_beams=2)), "sampler"),
        (lambda: samplers.TopKSampler(k=0), "k"),
        (lambda: samplers.TopKSampler(k=2.5), "k"),
        (lambda: samplers.TopPSampler(p=0.0), "p"),
        (lambda: samplers.TopPSampler(p=1.5), "p"),
        (lambda: samplers.TemperatureSampler(temperature=0), "temperature"),
        (lambda: beam_search(None, np.zeros((1, 1)), 2, num_beams=0), "num_beams"),
    ],
)
def test_bad_arguments_raise_errors_naming_them(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_top_k_larger_than_the_vocabulary_is_an_error():
    with pytest.raises(ValueError, match="k"):
        samplers.next_token(samplers.TopKSampler(k=50), random_logits(vocabulary=10))


def markov_log_probs(table):
    """A next-token model whose log-probabilities depend on the last token only."""

    def fn(ids, position):
        last = ops.convert_to_numpy(ids)[:, position]
        return keras.ops.convert_to_tensor(np.log(table[last]))

    return fn


def exhaustive_best(table, start, steps):
    best = max(
        itertools.product(range(len(table)), repeat=steps),
        key=lambda seq: sum(np.log(table[a, b]) for a, b in zip((start, *seq), seq)),
    )
    return [start, *best]


def test_beam_search_finds_the_exhaustive_optimum_that_greedy_misses():
    rng = np.random.default_rng(0)
    table = rng.dirichlet(np.full(4, 0.3), size=4).astype("float32")
    table[0] = [0.0, 0.5, 0.45, 0.05]
    table[1] = [0.34, 0.33, 0.0, 0.33]
    table[2] = [0.0, 0.0, 0.99, 0.01]
    table = np.clip(table, 1e-6, None)
    table /= table.sum(axis=1, keepdims=True)
    fn = markov_log_probs(table)
    start = np.zeros((2, 1), "int32")
    greedy, _ = beam_search(fn, start, num_steps=3, num_beams=1)
    beam, score = beam_search(fn, start, num_steps=3, num_beams=4)
    optimum = exhaustive_best(table, 0, 3)
    assert ops.convert_to_numpy(beam).tolist() == [optimum, optimum]
    assert ops.convert_to_numpy(greedy)[0].tolist() != optimum
    expected = sum(np.log(table[a, b]) for a, b in zip(optimum, optimum[1:]))
    np.testing.assert_allclose(ops.convert_to_numpy(score), [expected] * 2, rtol=1e-5)


def test_beam_search_stops_finished_beams_and_pads_them():
    table = np.full((4, 4), 0.01, "float32")
    table[1] = [0.01, 0.01, 0.01, 0.97]  # 3 is <eos>
    table[3] = [0.97, 0.01, 0.01, 0.01]
    fn = markov_log_probs(table / table.sum(axis=1, keepdims=True))
    ids, _ = beam_search(fn, np.ones((1, 1), "int32"), 4, num_beams=2, end_id=3)
    assert ops.convert_to_numpy(ids).tolist() == [[1, 3, 0, 0, 0]]
