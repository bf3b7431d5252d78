"""Every model hands its dtype policy to every sublayer, and mixed precision stays close to
float32 with the same weights."""

import keras
import numpy as np
import pytest

from keraslab.models import (
    CNN,
    GAN,
    MLP,
    RNN,
    VAE,
    Autoencoder,
    DecoderOnlyTransformer,
    Diffusion,
    EncoderDecoderTransformer,
    EncoderOnlyTransformer,
)

rng = np.random.default_rng(0)
IMAGES = rng.uniform(size=(2, 8, 8, 1)).astype("float32")
TOKENS = np.array([[1, 5, 6, 7, 0, 0], [3, 4, 2, 8, 9, 1]], "int32")
TRANSFORMER = dict(num_layers=1, num_heads=2, hidden_dim=8, intermediate_dim=16, dropout=0.0)

CASES = {
    "mlp": (lambda **k: MLP(hidden_units=(8,), batch_norm=True, **k), rng.normal(size=(4, 5))),
    "cnn": (lambda **k: CNN(filters=(4,), dense_units=(8,), **k), IMAGES),
    "rnn": (lambda **k: RNN(cell_type="gru", units=4, bidirectional=True, **k), IMAGES[:, 0]),
    "autoencoder": (lambda **k: Autoencoder((8, 8, 1), latent_dim=3, filters=2, **k), IMAGES),
    "vae": (lambda **k: VAE((8, 8, 1), latent_dim=2, filters=2, **k), IMAGES),
    "gan": (lambda **k: GAN((8, 8, 1), latent_dim=4, filters=2, **k), rng.normal(size=(2, 4))),
    "diffusion": (lambda **k: Diffusion((8, 8, 1), timesteps=10, filters=4, seed=1, **k), IMAGES),
    "encoder_only": (lambda **k: EncoderOnlyTransformer(10, 6, **TRANSFORMER, **k), TOKENS),
    "decoder_only": (lambda **k: DecoderOnlyTransformer(10, 6, **TRANSFORMER, **k), TOKENS),
    "encoder_decoder": (
        lambda **k: EncoderDecoderTransformer(
            10, 10, 6, 6, 1, 1, num_heads=2, hidden_dim=8, intermediate_dim=16, dropout=0.0, **k
        ),
        {"source_ids": TOKENS, "target_ids": TOKENS[::-1]},
    ),
}


def leaf_layers(model):
    """The layers that compute: not `model` and its containers, not input placeholders."""
    return [
        layer
        for layer in model._flatten_layers(include_self=False)
        if not isinstance(layer, (keras.Model, keras.layers.InputLayer))
    ]


def first(outputs):
    return outputs[0] if isinstance(outputs, (tuple, list)) else outputs


@pytest.mark.parametrize("name", list(CASES))
def test_mixed_bfloat16_reaches_every_sublayer_and_stays_close_to_float32(name):
    make, inputs = CASES[name]
    inputs = keras.tree.map_structure(
        lambda x: x.astype("float32") if x.dtype.kind == "f" else x, inputs
    )
    reference = make()
    first(reference(inputs))
    weights = [w + rng.normal(scale=0.1, size=w.shape) for w in reference.get_weights()]
    reference.set_weights([w.astype("float32") for w in weights])
    mixed = make(dtype="mixed_bfloat16")
    first(mixed(inputs))
    mixed.set_weights(reference.get_weights())

    layers = leaf_layers(mixed)
    assert layers
    assert {layer.dtype_policy.name for layer in layers} == {"mixed_bfloat16"}, [
        (layer.name, layer.dtype_policy.name) for layer in layers
    ]
    expected = keras.ops.convert_to_numpy(first(reference(inputs))).astype("float32")
    actual = keras.ops.convert_to_numpy(first(mixed(inputs))).astype("float32")
    assert actual.shape == expected.shape
    scale = max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(actual, expected, atol=0.05 * scale)
