"""EncoderOnlyTransformer: padding, heads, masked-LM inputs and a reduced word-order task."""

import keras
import numpy as np
import pytest
from keras import ops

from keraslab.datasets import load_roles, mask_tokens
from keraslab.evaluation import bag_of_words_accuracy
from keraslab.models import EncoderOnlyTransformer

V, T = 20, 10


def tiny(**kwargs):
    config = dict(num_layers=2, num_heads=2, hidden_dim=16, intermediate_dim=32, dropout=0.0)
    return EncoderOnlyTransformer(V, T, **{**config, **kwargs})


def padded_rows():
    ids = np.random.default_rng(0).integers(3, V, (3, T)).astype("int32")
    ids[:, 0] = 1
    ids[0, 4:] = 0
    ids[1, 7:] = 0
    return ids


@pytest.mark.parametrize("pooling", ["cls", "mean"])
def test_outputs_ignore_padding(pooling):
    """Trimming trailing padding changes nothing: no token attends to padding."""
    model = tiny(num_classes=3, pooling=pooling)
    ids = padded_rows()
    full = ops.convert_to_numpy(model(ids))
    trimmed = ops.convert_to_numpy(model(ids[:1, :4]))
    np.testing.assert_allclose(trimmed, full[:1], atol=1e-5)
    assert full.shape == (3, 3)


def test_tagging_and_masked_lm_heads_score_every_position():
    ids = padded_rows()
    assert tuple(tiny(head="tagging", num_classes=4)(ids).shape) == (3, T, 4)
    masked_lm = tiny(head="masked_lm")
    assert tuple(masked_lm(ids).shape) == (3, T, V)
    assert masked_lm.output_dense is None


def test_mask_tokens_follows_bert_80_10_10_and_spares_special_tokens():
    ids = np.random.default_rng(1).integers(3, 50, (400, 30)).astype("int32")
    ids[:, 0] = 1
    ids[:, 25:] = 0
    inputs, targets, weights = mask_tokens(ids, mask_id=2, rate=0.2, first_maskable_id=3, seed=0)
    np.testing.assert_array_equal(targets, ids)
    chosen = weights == 1
    assert not chosen[:, 0].any() and not chosen[:, 25:].any()
    assert abs(chosen.sum() / (400 * 24) - 0.2) < 0.01
    np.testing.assert_array_equal(inputs[~chosen], ids[~chosen])
    masked = (inputs == 2)[chosen].mean()
    kept = (inputs == ids)[chosen].mean()
    assert abs(masked - 0.8) < 0.02 and 0.08 < kept < 0.14
    assert inputs[chosen].min() >= 2


def test_attention_never_goes_to_padding():
    ids = padded_rows()
    maps = tiny().attention_maps(ids)
    real_queries = np.broadcast_to((ids != 0)[:, None, :], maps[0].shape[:3])
    for scores in maps:
        np.testing.assert_allclose(scores.sum(axis=-1)[real_queries], 1.0, atol=1e-5)
        np.testing.assert_array_equal(scores[0, :, :, 4:], 0.0)


def test_beats_bag_of_words_on_a_reduced_word_order_task():
    keras.utils.set_random_seed(0)
    train, test, vocabulary = load_roles(num_train=1500, num_test=300, seed=1)
    model = EncoderOnlyTransformer(
        vocabulary.size, 16, num_classes=8, num_layers=2, hidden_dim=32, intermediate_dim=64
    )
    model.compile(
        optimizer=keras.optimizers.Adam(2e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(train.token_ids, train.labels, epochs=6, batch_size=50, verbose=0)
    accuracy = model.evaluate(test.token_ids, test.labels, verbose=0)[1]
    baseline = bag_of_words_accuracy(train.sentences, train.labels, test.sentences, test.labels)
    assert baseline < 0.6
    assert accuracy > baseline + 0.25, (accuracy, baseline)
