"""The convolutional network: convolution, batch-norm and pooling blocks, then a classifier."""

import keras

from keraslab import _validation as check
from keraslab.presets import FromPreset


@keras.saving.register_keras_serializable(package="keraslab")
class CNN(FromPreset, keras.Model):
    """An image classifier: blocks of `Conv2D -> [BatchNorm] -> activation`, each block
    ending in max pooling, then a dense head.

    Each entry of `filters` is one block of `convs_per_block` 3x3 (by default)
    convolutions with `"same"` padding followed by a `pool_size` max pooling, so an
    `S x S` image leaves the last block as `S / pool_size**len(filters)` on each side. The
    head flattens that map (or averages it over space with `global_pooling=True`), then
    applies the `dense_units` layers and the output layer.

    Args:
        filters: tuple of ints, channels of each convolution block. Defaults to `(32, 64)`.
        kernel_size: int, side of every convolution kernel. Defaults to `3`.
        convs_per_block: int, convolutions before each pooling. Defaults to `1`.
        pool_size: int, side and stride of the max pooling after each block.
            Defaults to `2`.
        batch_norm: bool, whether to normalise after each convolution (whose bias is then
            dropped). Defaults to `True`.
        activation: activation after each convolution and hidden dense layer.
            Defaults to `"relu"`.
        global_pooling: bool, whether the head averages the last feature map over space
            instead of flattening it. Defaults to `False`.
        dense_units: tuple of ints, hidden dense layers of the head. Defaults to `(128,)`.
        dropout: float in `[0, 1)`, dropout rate before each dense layer of the head.
            Defaults to `0.0`.
        output_units: int, number of classes. Defaults to `10`.
        output_activation: activation of the output layer. Defaults to `"softmax"`.
        **kwargs: base `keras.Model` arguments such as `name`.

    Call arguments:
        inputs: float tensor of shape `(batch, height, width, channels)`, each side at
            least `pool_size ** len(filters)`.
        training: bool, whether dropout and batch normalisation run in training mode.

    Returns:
        Tensor of shape `(batch, output_units)`.

    Example:

    >>> import numpy as np
    >>> model = CNN(filters=(16, 32), output_units=10)
    >>> tuple(model(np.zeros((2, 8, 8, 1), dtype="float32")).shape)
    (2, 10)

    References:
        - LeCun et al., "Gradient-based learning applied to document recognition",
          Proceedings of the IEEE, 1998.
        - Ioffe and Szegedy, "Batch Normalization", ICML 2015.
    """

    def __init__(
        self,
        filters=(32, 64),
        kernel_size=3,
        convs_per_block=1,
        pool_size=2,
        batch_norm=True,
        activation="relu",
        global_pooling=False,
        dense_units=(128,),
        dropout=0.0,
        output_units=10,
        output_activation="softmax",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = check.int_tuple("filters", filters, allow_empty=False)
        self.kernel_size = check.positive_int("kernel_size", kernel_size)
        self.convs_per_block = check.positive_int("convs_per_block", convs_per_block)
        self.pool_size = check.positive_int("pool_size", pool_size)
        self.batch_norm = check.boolean("batch_norm", batch_norm)
        self.activation = check.identifier("activation", keras.activations.get, activation)
        self.global_pooling = check.boolean("global_pooling", global_pooling)
        self.dense_units = check.int_tuple("dense_units", dense_units)
        self.dropout = check.rate("dropout", dropout)
        self.output_units = check.positive_int("output_units", output_units)
        self.output_activation = check.identifier(
            "output_activation", keras.activations.get, output_activation
        )

        def sublayer(cls, *args, **options):
            return cls(*args, **options, dtype=self.dtype_policy)

        self.feature_layers = []
        for i, channels in enumerate(self.filters):
            for j in range(self.convs_per_block):
                self.feature_layers.append(
                    sublayer(
                        keras.layers.Conv2D,
                        channels,
                        self.kernel_size,
                        padding="same",
                        use_bias=not self.batch_norm,
                        kernel_initializer="he_normal",
                        name=f"conv_{i}_{j}",
                    )
                )
                if self.batch_norm:
                    self.feature_layers.append(
                        sublayer(keras.layers.BatchNormalization, name=f"batch_norm_{i}_{j}")
                    )
                self.feature_layers.append(
                    sublayer(keras.layers.Activation, self.activation, name=f"activation_{i}_{j}")
                )
            self.feature_layers.append(
                sublayer(keras.layers.MaxPooling2D, self.pool_size, name=f"pool_{i}")
            )

        self.head_layers = [
            sublayer(keras.layers.GlobalAveragePooling2D, name="global_pool")
            if self.global_pooling
            else sublayer(keras.layers.Flatten, name="flatten")
        ]
        for i, units in enumerate(self.dense_units):
            if self.dropout > 0:
                self.head_layers.append(
                    sublayer(keras.layers.Dropout, self.dropout, name=f"dropout_{i}")
                )
            self.head_layers.append(
                sublayer(
                    keras.layers.Dense,
                    units,
                    activation=self.activation,
                    kernel_initializer="he_normal",
                    name=f"dense_{i}",
                )
            )
        if self.dropout > 0:
            self.head_layers.append(
                sublayer(keras.layers.Dropout, self.dropout, name="dropout_head")
            )
        self.head_layers.append(
            sublayer(
                keras.layers.Dense,
                self.output_units,
                activation=self.output_activation,
                name="head",
            )
        )

    def call(self, inputs, training=None):
        check.inputs(inputs, 4, "(batch, height, width, channels)")
        smallest = self.pool_size ** len(self.filters)
        for side in inputs.shape[1:3]:
            if side is not None and side < smallest:
                raise ValueError(
                    f"Argument inputs must be at least {smallest} pixels on each side "
                    f"(pool_size ** len(filters)); received shape {tuple(inputs.shape)}."
                )
        if self.built:
            # The kernels fix the channels; without global pooling, the flattened feature
            # count fixes the height and width too.
            height, width, channels = self.get_build_config()["input_shape"][1:]
            check.dim("inputs", inputs.shape, 3, channels, "the channels the model was built on")
            if not self.global_pooling:
                check.dim("inputs", inputs.shape, 1, height, "the height the model was built on")
                check.dim("inputs", inputs.shape, 2, width, "the width the model was built on")
        x = inputs
        for layer in [*self.feature_layers, *self.head_layers]:
            x = layer(x, training=training)
        return x

    def features(self, inputs, block=None):
        """Feature maps after the activation of block `block` (default: the last block).

        Returns a tensor of shape `(batch, height', width', filters[block])`, in inference
        mode, for visualising what each block detects.
        """
        block = len(self.filters) - 1 if block is None else block
        x = inputs
        for layer in self.feature_layers:
            x = layer(x, training=False)
            if layer.name == f"activation_{block}_{self.convs_per_block - 1}":
                return x
        raise ValueError(
            f"Argument block must be in [0, {len(self.filters) - 1}]; received {block}."
        )

    def get_config(self):
        return {
            **super().get_config(),
            "filters": list(self.filters),
            "kernel_size": self.kernel_size,
            "convs_per_block": self.convs_per_block,
            "pool_size": self.pool_size,
            "batch_norm": self.batch_norm,
            "activation": keras.activations.serialize(self.activation),
            "global_pooling": self.global_pooling,
            "dense_units": list(self.dense_units),
            "dropout": self.dropout,
            "output_units": self.output_units,
            "output_activation": keras.activations.serialize(self.output_activation),
        }
