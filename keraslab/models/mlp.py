"""The multilayer perceptron: a stack of Dense layers, for classification and regression."""

import keras

from keraslab import _validation as check
from keraslab.presets import FromPreset


@keras.saving.register_keras_serializable(package="keraslab")
class MLP(FromPreset, keras.Model):
    """A feedforward network: `Dense -> [BatchNorm] -> activation -> [Dropout]` per hidden
    layer, then a `Dense` output layer.

    With `batch_norm=True` the hidden `Dense` layers have no bias, since the normalisation's
    own shift `β` replaces it.

    Args:
        hidden_units: tuple of ints, width of each hidden layer; `()` gives a linear
            (or logistic) model. Defaults to `(64, 32)`.
        activation: activation of the hidden layers, any Keras activation name or
            callable. Defaults to `"relu"`.
        dropout: float in `[0, 1)`, dropout rate after each hidden layer. Defaults to `0.0`.
        batch_norm: bool, whether to normalise each hidden layer's pre-activations.
            Defaults to `False`.
        kernel_initializer: initializer of every kernel. Defaults to `"he_normal"`, suited
            to ReLU.
        output_units: int, number of outputs (classes, or regression targets).
            Defaults to `1`.
        output_activation: activation of the output layer, for example `"softmax"` for
            classification or `None` for regression and logits. Defaults to `None`.
        **kwargs: base `keras.Model` arguments such as `name`.

    Call arguments:
        inputs: float tensor of shape `(batch, features)`.
        training: bool, whether dropout and batch normalisation run in training mode.

    Returns:
        Tensor of shape `(batch, output_units)`.

    Example:

    >>> import numpy as np
    >>> model = MLP(hidden_units=(32, 16), output_units=2, output_activation="softmax")
    >>> tuple(model(np.zeros((4, 30), dtype="float32")).shape)
    (4, 2)

    References:
        - Rumelhart, Hinton and Williams, "Learning representations by back-propagating
          errors", Nature, 1986.
        - He et al., "Delving Deep into Rectifiers", ICCV 2015 (the He initializer).
    """

    def __init__(
        self,
        hidden_units=(64, 32),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        kernel_initializer="he_normal",
        output_units=1,
        output_activation=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.hidden_units = check.int_tuple("hidden_units", hidden_units)
        self.activation = check.identifier("activation", keras.activations.get, activation)
        self.dropout = check.rate("dropout", dropout)
        self.batch_norm = check.boolean("batch_norm", batch_norm)
        self.kernel_initializer = check.identifier(
            "kernel_initializer", keras.initializers.get, kernel_initializer
        )
        self.output_units = check.positive_int("output_units", output_units)
        self.output_activation = check.identifier(
            "output_activation", keras.activations.get, output_activation
        )

        self.hidden_layers = []
        for i, units in enumerate(self.hidden_units):
            self.hidden_layers.append(
                keras.layers.Dense(
                    units,
                    use_bias=not self.batch_norm,
                    kernel_initializer=self.kernel_initializer,
                    name=f"dense_{i}",
                    dtype=self.dtype_policy,
                )
            )
            if self.batch_norm:
                self.hidden_layers.append(
                    keras.layers.BatchNormalization(name=f"batch_norm_{i}", dtype=self.dtype_policy)
                )
            self.hidden_layers.append(
                keras.layers.Activation(
                    self.activation, name=f"activation_{i}", dtype=self.dtype_policy
                )
            )
            if self.dropout > 0:
                self.hidden_layers.append(
                    keras.layers.Dropout(self.dropout, name=f"dropout_{i}", dtype=self.dtype_policy)
                )
        self.head = keras.layers.Dense(
            self.output_units,
            activation=self.output_activation,
            kernel_initializer=self.kernel_initializer,
            name="head",
            dtype=self.dtype_policy,
        )

    def call(self, inputs, training=None):
        check.inputs(inputs, 2, "(batch, features)")
        x = inputs
        for layer in self.hidden_layers:
            x = layer(x, training=training)
        return self.head(x)

    def hidden_outputs(self, inputs, training=None):
        """Returns the output of every hidden layer (after its activation), as a list.

        For inspecting activation statistics layer by layer, as the initialisation and
        batch-normalisation pages do.
        """
        check.inputs(inputs, 2, "(batch, features)")
        outputs, x = [], inputs
        for layer in self.hidden_layers:
            x = layer(x, training=training)
            if isinstance(layer, keras.layers.Activation):
                outputs.append(x)
        return outputs

    def get_config(self):
        return {
            **super().get_config(),
            "hidden_units": list(self.hidden_units),
            "activation": keras.activations.serialize(self.activation),
            "dropout": self.dropout,
            "batch_norm": self.batch_norm,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "output_units": self.output_units,
            "output_activation": keras.activations.serialize(self.output_activation),
        }
