"""EncoderDecoderTransformer: causal teacher forcing, greedy against full passes, beam search."""

import numpy as np
from keras import ops

from keraslab.datasets import date_vocabularies, encode_pairs, load_dates
from keraslab.models import EncoderDecoderTransformer

SV, TV, S, T = 15, 9, 8, 7


def tiny():
    return EncoderDecoderTransformer(
        SV,
        TV,
        S,
        T,
        num_encoder_layers=1,
        num_decoder_layers=2,
        hidden_dim=16,
        num_heads=2,
        intermediate_dim=32,
        dropout=0.0,
    )


def sources(batch=3, seed=0):
    ids = np.random.default_rng(seed).integers(3, SV, (batch, S)).astype("int32")
    ids[:, 5:] = 0
    return ids


def log_probs(model, source, target):
    logits = model({"source_ids": source, "target_ids": target})
    return ops.convert_to_numpy(ops.log_softmax(logits, axis=-1))


def test_teacher_forcing_is_causal_and_ignores_source_padding():
    model = tiny()
    source = sources()
    target = np.random.default_rng(1).integers(1, TV, (3, T)).astype("int32")
    changed = target.copy()
    changed[:, 4] = (changed[:, 4] + 1) % TV
    a, b = log_probs(model, source, target), log_probs(model, source, changed)
    np.testing.assert_allclose(a[:, :4], b[:, :4], atol=1e-5)
    assert not np.allclose(a[:, 4:], b[:, 4:], atol=1e-3)
    trimmed = log_probs(model, source[:, :5], target)
    np.testing.assert_allclose(trimmed, a, atol=1e-5)


def test_greedy_generation_matches_an_argmax_loop_over_full_passes():
    model = tiny()
    source = sources()
    generated = model.generate(source, max_length=T - 1, end_id=None)
    target = np.zeros((3, T), "int32")
    target[:, 0] = 1
    for t in range(1, T):
        target[:, t] = log_probs(model, source, target)[:, t - 1].argmax(axis=-1)
    np.testing.assert_array_equal(generated, target[:, 1:])


def sequence_log_prob(model, source, generated):
    target = np.concatenate([np.ones((len(source), 1), "int32"), generated], axis=1)
    scores = log_probs(model, source, target[:, :-1])
    return np.take_along_axis(scores, target[:, 1:, None], axis=-1)[..., 0].sum(axis=1)


def test_beam_search_returns_its_most_likely_beam_and_one_beam_is_greedy():
    model = tiny()
    source = sources(seed=2)
    greedy = model.generate(source, max_length=5, end_id=None)
    np.testing.assert_array_equal(greedy, model.generate(source, 5, num_beams=1, end_id=None))
    beams = model.generate(source, max_length=5, num_beams=6, end_id=None)
    assert beams.shape == (3, 5)
    beam_scores = sequence_log_prob(model, source, beams)
    assert np.all(beam_scores >= sequence_log_prob(model, source, greedy) - 1e-4)


def test_dates_are_encoded_with_bos_eos_and_padding():
    (sources_, targets), _ = load_dates(num_train=5, num_test=1)
    source_vocabulary, target_vocabulary = date_vocabularies()
    source_ids, target_ids = encode_pairs(
        sources_, targets, source_vocabulary, target_vocabulary, 32, 11
    )
    assert target_ids.shape == (5, 12)
    assert (target_ids[:, 0] == 1).all() and (target_ids[:, -1] == 2).all()
    assert source_vocabulary.decode(source_ids[0]) == sources_[0]
    assert target_vocabulary.decode(target_ids[0]) == targets[0]
