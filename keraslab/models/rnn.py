"""The recurrent network: stacked SimpleRNN, LSTM or GRU layers with a task head."""

import keras
import numpy as np

from keraslab import _validation as check
from keraslab.presets import FromPreset

CELL_TYPES = ("simple", "lstm", "gru")
TASKS = ("classification", "regression", "forecast")
_RECURRENT_LAYERS = {
    "simple": keras.layers.SimpleRNN,
    "lstm": keras.layers.LSTM,
    "gru": keras.layers.GRU,
}


@keras.saving.register_keras_serializable(package="keraslab")
class GateBias(keras.initializers.Initializer):
    """Zero biases, except `value` for the units `start:stop` of the input bias.

    Used to set the LSTM forget gate (units `u:2u` of `[i, f, c, o]`) or the GRU update
    gate (units `0:u` of `[z, r, h]`, first row of its `(2, 3u)` bias).
    """

    def __init__(self, start, stop, value):
        self.start, self.stop, self.value = start, stop, value

    def __call__(self, shape, dtype=None):
        bias = np.zeros(shape, dtype="float32")
        bias.reshape(-1, shape[-1])[0, self.start : self.stop] = self.value
        return keras.ops.convert_to_tensor(bias, dtype=dtype)

    def get_config(self):
        return {"start": self.start, "stop": self.stop, "value": self.value}


def _recurrent_layer(cell_type, units, forget_bias, **kwargs):
    if forget_bias is None:
        return _RECURRENT_LAYERS[cell_type](units, **kwargs)
    if cell_type == "lstm":
        bias = GateBias(units, 2 * units, forget_bias)
        return keras.layers.LSTM(units, unit_forget_bias=False, bias_initializer=bias, **kwargs)
    return keras.layers.GRU(units, bias_initializer=GateBias(0, units, forget_bias), **kwargs)


@keras.saving.register_keras_serializable(package="keraslab")
class RNN(FromPreset, keras.Model):
    """A recurrent network for sequence classification, regression and forecasting.

    `num_layers` recurrent layers of `cell_type` (each optionally bidirectional) read the
    sequence; a `Dense` head maps the last layer's final state (or, with
    `return_sequences=True`, its state at every step) to the outputs.

    The three tasks differ only in the head:

    * `"classification"`: `output_units` classes, softmax (sigmoid for one unit) by default.
    * `"regression"`: `output_units` real values, linear.
    * `"forecast"`: the next `output_units` values of the first input feature. The
      network reads that feature relative to its last value `x_T` and predicts the change:
      `ŷ = x_T + Dense(h_T)`. It starts near the naive last-value forecast, and since it
      never sees absolute levels, a trend that leaves the range seen in training does not
      throw it off.

    Args:
        cell_type: `"simple"` (Elman RNN), `"lstm"` or `"gru"`. Defaults to `"lstm"`.
        units: int, state size of each recurrent layer (per direction). Defaults to `32`.
        num_layers: int, stacked recurrent layers. Defaults to `1`.
        bidirectional: bool, whether each layer also reads the sequence backwards, the two
            states being concatenated. Defaults to `False`.
        return_sequences: bool, whether to output a prediction at every time step instead
            of one per sequence; not for `"forecast"`. Defaults to `False`.
        task: `"classification"`, `"regression"` or `"forecast"`.
            Defaults to `"classification"`.
        output_units: int, classes, targets or forecast horizon. Defaults to `1`.
        output_activation: activation of the head; `"auto"` picks softmax (or sigmoid
            for one unit) for classification and linear otherwise. Defaults to `"auto"`.
        dropout: float in `[0, 1)`, dropout on the inputs of each recurrent layer.
            Defaults to `0.0`.
        forget_bias: float or `None`, initial bias of the gate that decides how much state
            is kept at each step: the LSTM forget gate, or the GRU update gate. The kept
            fraction starts near `σ(forget_bias)`, so `3.0` keeps about 95% per step where
            Keras's defaults (`None`: 1.0 for the LSTM, 0.0 for the GRU) keep 73% and 50%,
            and a long-range dependency becomes learnable. Not for `"simple"`.
            Defaults to `None`.
        **kwargs: base `keras.Model` arguments such as `name`.

    Call arguments:
        inputs: float tensor of shape `(batch, time, features)`.
        training: bool, whether dropout runs in training mode.

    Returns:
        Tensor of shape `(batch, output_units)`, or `(batch, time, output_units)` with
        `return_sequences=True`.

    Example:

    >>> import numpy as np
    >>> model = RNN(cell_type="gru", units=16, task="forecast", output_units=3)
    >>> tuple(model(np.zeros((2, 20, 1), dtype="float32")).shape)
    (2, 3)

    References:
        - Elman, "Finding structure in time", Cognitive Science, 1990.
        - Hochreiter and Schmidhuber, "Long Short-Term Memory", Neural Computation, 1997.
        - Cho et al., "Learning Phrase Representations using RNN Encoder-Decoder for
          Statistical Machine Translation", EMNLP 2014 (the GRU).
        - Gers, Schmidhuber and Cummins, "Learning to Forget: Continual Prediction with
          LSTM", Neural Computation, 2000 (the forget gate and its bias).
        - Tallec and Ollivier, "Can recurrent neural networks warp time?", ICLR 2018
          (larger gate biases for longer dependencies).
        - Bengio, Simard and Frasconi, "Learning long-term dependencies with gradient
          descent is difficult", IEEE Transactions on Neural Networks, 1994.
    """

    def __init__(
        self,
        cell_type="lstm",
        units=32,
        num_layers=1,
        bidirectional=False,
        return_sequences=False,
        task="classification",
        output_units=1,
        output_activation="auto",
        dropout=0.0,
        forget_bias=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.cell_type = check.one_of("cell_type", cell_type, CELL_TYPES)
        self.units = check.positive_int("units", units)
        self.num_layers = check.positive_int("num_layers", num_layers)
        self.bidirectional = check.boolean("bidirectional", bidirectional)
        self.return_sequences = check.boolean("return_sequences", return_sequences)
        self.task = check.one_of("task", task, TASKS)
        self.output_units = check.positive_int("output_units", output_units)
        self.output_activation = (
            output_activation
            if output_activation == "auto"
            else check.identifier("output_activation", keras.activations.get, output_activation)
        )
        self.dropout = check.rate("dropout", dropout)
        if forget_bias is not None and cell_type == "simple":
            raise ValueError(
                "Argument forget_bias must be None for cell_type='simple', which has no "
                f"gates; received {forget_bias!r}."
            )
        if task == "forecast" and return_sequences:
            raise ValueError(
                "Argument return_sequences must be False for task='forecast', which "
                "predicts the steps after the window; received True."
            )
        self.forget_bias = forget_bias

        self.recurrent_layers = []
        for i in range(self.num_layers):
            layer = _recurrent_layer(
                self.cell_type,
                self.units,
                forget_bias,
                dropout=self.dropout,
                return_sequences=self.return_sequences or i < self.num_layers - 1,
                name=f"{cell_type}_{i}",
                dtype=self.dtype_policy,
            )
            if self.bidirectional:
                layer = keras.layers.Bidirectional(
                    layer, name=f"bidirectional_{i}", dtype=self.dtype_policy
                )
            self.recurrent_layers.append(layer)
        self.head = keras.layers.Dense(
            self.output_units,
            activation=self._head_activation(),
            name="head",
            dtype=self.dtype_policy,
        )

    def _head_activation(self):
        if self.output_activation != "auto":
            return self.output_activation
        if self.task != "classification":
            return None
        return "softmax" if self.output_units > 1 else "sigmoid"

    def call(self, inputs, training=None):
        check.inputs(inputs, 3, "(batch, time, features)")
        if self.task == "forecast":
            last_value = inputs[:, -1, :1]
            x = keras.ops.concatenate(
                [inputs[..., :1] - last_value[:, None, :], inputs[..., 1:]], axis=-1
            )
        else:
            x = inputs
        for layer in self.recurrent_layers:
            x = layer(x, training=training)
        outputs = self.head(x)
        return last_value + outputs if self.task == "forecast" else outputs

    def get_config(self):
        return {
            **super().get_config(),
            "cell_type": self.cell_type,
            "units": self.units,
            "num_layers": self.num_layers,
            "bidirectional": self.bidirectional,
            "return_sequences": self.return_sequences,
            "task": self.task,
            "output_units": self.output_units,
            "output_activation": (
                self.output_activation
                if self.output_activation == "auto"
                else keras.activations.serialize(self.output_activation)
            ),
            "dropout": self.dropout,
            "forget_bias": self.forget_bias,
        }
