"""`keraslab.training.enable_lora`: Keras's own LoRA reaches every projection of the
Transformer blocks (attention query, key, value, output; both feed-forward layers)."""

import math

import keras
import numpy as np
import pytest

from keraslab.models import DecoderOnlyTransformer, EncoderOnlyTransformer
from keraslab.training import enable_lora

RANK = 2
T = 8  # sequence length


def _ids(n=16, seed=0):
    ids = np.random.default_rng(seed).integers(1, 30, size=(n, T)).astype("int32")
    ids[:, 0] = 1
    return ids


def _classifier():
    model = EncoderOnlyTransformer(
        30, T, num_classes=3, num_layers=2, hidden_dim=16, intermediate_dim=32, dropout=0.0
    )
    model(_ids(1))
    return model


def _lora_count(model):
    """`r * (prod(kernel.shape[:-1]) + kernel.shape[-1])` per projection (Keras's rule for
    Dense and EinsumDense), over every block's attention and feed-forward projections."""
    total = 0
    for block in model.blocks:
        attention = block.self_attention
        for layer in (
            attention.query_dense,
            attention.key_dense,
            attention.value_dense,
            attention.output_dense,
            block.intermediate_dense,
            block.output_dense,
        ):
            shape = layer.kernel.shape
            total += RANK * (math.prod(shape[:-1]) + shape[-1])
    return total


def _trainable_count(model):
    return sum(math.prod(w.shape) for w in model.trainable_weights)


def test_adapters_reach_every_projection_and_only_they_train():
    model = _classifier()
    adapted = enable_lora(model, RANK)
    assert len(adapted) == 6 * model.num_layers
    assert all(layer.lora_enabled for layer in adapted)
    assert _trainable_count(model) == _lora_count(model)
    assert all("lora_kernel" in w.path for w in model.trainable_weights)


def test_named_layers_stay_trainable():
    model = _classifier()
    enable_lora(model, RANK, trainable_layers=["head_dense", "output_dense"])
    head = sum(math.prod(w.shape) for name in ("head_dense", "output_dense")
               for w in model.get_layer(name).weights)  # fmt: skip
    assert _trainable_count(model) == _lora_count(model) + head


def test_output_is_unchanged_at_init():
    model = _classifier()
    before = keras.ops.convert_to_numpy(model(_ids()))
    enable_lora(model, RANK)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(_ids())), before, atol=1e-6)


def test_training_changes_only_the_adapters_and_the_head(tmp_path):
    model = _classifier()
    enable_lora(model, RANK, trainable_layers=["output_dense"])
    trained = {id(w) for w in model.trainable_weights}
    before = {w.path: keras.ops.convert_to_numpy(w) for w in model.weights}
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    model.fit(_ids(), np.arange(16) % 3, epochs=3, batch_size=8, verbose=0)
    changed = {
        w.path
        for w in model.weights
        if not np.array_equal(keras.ops.convert_to_numpy(w), before[w.path])
    }
    frozen = {w.path for w in model.weights if id(w) not in trained}
    assert not changed & frozen, sorted(changed & frozen)
    assert any("lora_kernel_b" in path for path in changed)
    assert any("output_dense/kernel" in path for path in changed)

    # The saved file holds the merged kernels W + (alpha / r) A B: same outputs.
    path = str(tmp_path / "lora.keras")
    model.save(path)
    again = keras.saving.load_model(path)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(again(_ids())),
        keras.ops.convert_to_numpy(model(_ids())),
        atol=1e-5,
    )


def test_decoder_blocks_are_adapted_too():
    model = DecoderOnlyTransformer(30, T, num_layers=1, hidden_dim=16, intermediate_dim=32)
    model(_ids(1))
    assert len(enable_lora(model, RANK)) == 6


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="Argument model must be built"):
        enable_lora(EncoderOnlyTransformer(30, T, num_layers=1, hidden_dim=16), RANK)
    with pytest.raises(ValueError, match="Argument trainable_layers must name .*'classifier'"):
        enable_lora(_classifier(), RANK, trainable_layers=["classifier"])
