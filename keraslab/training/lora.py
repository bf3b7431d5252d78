"""LoRA on keraslab's Transformers: low-rank adapters on the projections of every block."""

import keras

PROJECTIONS = (keras.layers.Dense, keras.layers.EinsumDense)


def enable_lora(model, rank, trainable_layers=()):
    """Freezes `model` and adds Keras's LoRA adapters to its blocks' projections.

    Every `Dense` and `EinsumDense` inside a Transformer block (the attention's query,
    key, value and output projections and both feed-forward layers) gets
    `layer.enable_lora(rank)`: its kernel `W` is frozen and the layer computes with
    `W + (alpha / rank) A B`, `A` of shape `(in, rank)` and `B` of shape `(rank, out)`,
    `B` starting at zero so the output is unchanged at first. Every other weight,
    the projections' biases included, is frozen, except in `trainable_layers`.

    Args:
        model: a built keraslab Transformer model.
        rank: int, the rank `r` of each adapter.
        trainable_layers: names of the model's direct layers that stay trainable (a new
            head, for example). Defaults to `()`.

    Returns:
        The adapted layers, in the order they were found.

    Example:

    >>> import numpy as np
    >>> from keraslab.models import EncoderOnlyTransformer
    >>> model = EncoderOnlyTransformer(30, 8, num_layers=1, hidden_dim=16,
    ...                                intermediate_dim=32)
    >>> _ = model(np.ones((1, 8), "int32"))
    >>> len(enable_lora(model, rank=2, trainable_layers=["output_dense"]))
    6

    References:
        - Hu et al., "LoRA: Low-Rank Adaptation of Large Language Models", 2021.
          https://arxiv.org/abs/2106.09685
    """
    from keraslab.layers._transformer_block import TransformerBlock  # layers import training

    if not model.built:
        raise ValueError(f"Argument model must be built before enable_lora; {model.name} is not.")
    names = [layer.name for layer in model.layers]
    for name in trainable_layers:
        if name not in names:
            raise ValueError(
                f"Argument trainable_layers must name layers of the model ({', '.join(names)}); "
                f"received {name!r}."
            )
    model.trainable = True
    for layer in model._flatten_layers(include_self=False):
        layer.trainable = False
    adapted = [
        layer
        for block in model._flatten_layers(include_self=False)
        if isinstance(block, TransformerBlock)
        for layer in block._flatten_layers(include_self=False)
        if isinstance(layer, PROJECTIONS)
    ]
    for layer in adapted:
        layer.trainable = True
        layer.enable_lora(rank)
        if layer.bias is not None:
            layer.bias.trainable = False
    for name in trainable_layers:
        model.get_layer(name).trainable = True
    return adapted
