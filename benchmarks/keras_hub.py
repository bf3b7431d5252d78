"""keraslab against keras-hub: one decoder-only training step, per backend.

Group:
* train step vs keras-hub: one `train_on_batch` (forward, backward, Adam update) of a
  `DecoderOnlyTransformer` (untied embeddings) against the same model built from
  `keras_hub.layers.TokenAndPositionEmbedding`, `keras_hub.layers.TransformerDecoder`
  (pre-norm, GELU), the final `LayerNormalization` of a pre-norm stack (as in keras-hub's
  `GPT2Backbone`) and a `Dense` head, on the same batch: the same parameters, one for
  one. The two models' steps are timed in alternating rounds in one process (so that
  load on the machine falls on both alike) and each figure is the median over the
  rounds, after two warm-up steps each.
"""

import statistics
import time

import keras
import numpy as np

from benchmarks._timing import block, row
from keraslab.models import DecoderOnlyTransformer

VOCABULARY = 100


def _config(quick):
    if quick:
        return dict(num_layers=1, num_heads=2, hidden_dim=32, intermediate_dim=64), 8, 32, 3
    return dict(num_layers=4, num_heads=4, hidden_dim=128, intermediate_dim=384), 32, 96, 9


def _keras_hub_model(config, length):
    import keras_hub

    ids = keras.Input((length,), dtype="int32")
    x = keras_hub.layers.TokenAndPositionEmbedding(VOCABULARY, length, config["hidden_dim"])(ids)
    for _ in range(config["num_layers"]):
        x = keras_hub.layers.TransformerDecoder(
            config["intermediate_dim"],
            config["num_heads"],
            activation="gelu",
            normalize_first=True,
        )(x)
    x = keras.layers.LayerNormalization(epsilon=1e-5)(x)
    return keras.Model(ids, keras.layers.Dense(VOCABULARY)(x))


def _compiled(model):
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def _interleaved_ms(steps, rounds):
    """Median milliseconds of each step function, timed in alternating rounds."""
    for step in steps:
        for _ in range(2):
            block(step())
    times = [[] for _ in steps]
    for _ in range(rounds):
        for step, record in zip(steps, times):
            start = time.perf_counter()
            block(step())
            record.append((time.perf_counter() - start) * 1000.0)
    return [statistics.median(record) for record in times]


def run(quick):
    config, batch, length, rounds = _config(quick)
    rng = np.random.default_rng(0)
    x = rng.integers(1, VOCABULARY, (batch, length)).astype("int32")
    y = rng.integers(1, VOCABULARY, (batch, length)).astype("int32")
    ours = _compiled(DecoderOnlyTransformer(VOCABULARY, length, tie_embeddings=False, **config))
    ours.build(x.shape)
    theirs = _compiled(_keras_hub_model(config, length))
    ours_ms, theirs_ms = _interleaved_ms(
        [lambda: ours.train_on_batch(x, y), lambda: theirs.train_on_batch(x, y)], rounds
    )
    group = "train step vs keras-hub"
    return [
        row(group, "decoder-only, keraslab", ours_ms, "ms", params=ours.count_params()),
        row(group, "decoder-only, keras-hub", theirs_ms, "ms", params=theirs.count_params()),
        row(group, "keraslab / keras-hub", ours_ms / theirs_ms, "x"),
    ]
