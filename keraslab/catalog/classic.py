"""Catalogue entries: classic."""

import numpy as np

from keraslab.catalog import BadInput, Entry

_SPARSE = {"loss": "sparse_categorical_crossentropy"}


def _random(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _labels(count, classes, seed=1):
    return np.random.default_rng(seed).integers(0, classes, size=count).astype("int32")


def _called(build, x, built_on=None):
    """A callable that makes an instance, builds it on `built_on` if given, then calls it
    on `x`."""

    def call():
        instance = build()
        if built_on is not None:
            instance(built_on)
        return instance(x)

    return call


# MLP: 5 features -> 8 -> 4 -> 3 classes, batch norm (hidden Dense layers without bias).
def _mlp():
    from keraslab.models import MLP

    return MLP(
        hidden_units=(8, 4),
        dropout=0.1,
        batch_norm=True,
        output_units=3,
        output_activation="softmax",
    )


def _mlp_bad_inputs():
    from keraslab.models import MLP

    return [
        BadInput("negative hidden units", lambda: MLP(hidden_units=(8, -4)), "hidden_units"),
        BadInput("dropout of 1.5", lambda: MLP(dropout=1.5), "dropout"),
        BadInput("zero output units", lambda: MLP(output_units=0), "output_units"),
        BadInput("rank-3 input", _called(_mlp, _random((2, 3, 5))), "inputs.*rank 2"),
        BadInput(
            "integer input",
            _called(_mlp, np.ones((2, 5), dtype="int32")),
            "inputs.*float",
            TypeError,
        ),
    ]


# CNN on 8x8x1 images: conv 3x3x1x4 (no bias) + BN, conv 3x3x4x8 + BN, two 2x2 pools
# leave 2x2x8 = 32 features, then Dense 32 -> 16 -> 3.
def _cnn():
    from keraslab.models import CNN

    return CNN(filters=(4, 8), dense_units=(16,), dropout=0.1, output_units=3)


def _cnn_bad_inputs():
    from keraslab.models import CNN

    return [
        BadInput("no filters", lambda: CNN(filters=()), "filters"),
        BadInput("zero kernel size", lambda: CNN(kernel_size=0), "kernel_size"),
        BadInput("float pool size", lambda: CNN(pool_size=2.0), "pool_size", TypeError),
        BadInput("image without channels", _called(_cnn, _random((2, 8, 8))), "inputs.*rank 4"),
        BadInput(
            "uint8 pixels",
            _called(_cnn, np.zeros((2, 8, 8, 1), dtype="uint8")),
            "inputs.*float",
            TypeError,
        ),
        BadInput(
            "image smaller than the pooling",
            _called(_cnn, _random((2, 8, 3, 1))),
            "inputs.*at least 4 pixels",
        ),
        BadInput(
            "image of another size than it was built on",
            _called(_cnn, _random((2, 12, 12, 1)), built_on=_random((2, 8, 8, 1))),
            "inputs must have the height the model was built on = 8",
        ),
    ]


# RNN: two bidirectional GRU layers of 4 units on 2 features, then Dense 8 -> 3.
# A Keras GRU (reset_after=True) has 3u(d + u + 2) weights per direction.
def _rnn():
    from keraslab.models import RNN

    return RNN(
        cell_type="gru",
        units=4,
        num_layers=2,
        bidirectional=True,
        output_units=3,
        forget_bias=2.0,
    )


def _rnn_bad_inputs():
    from keraslab.models import RNN

    return [
        BadInput("unknown cell type", lambda: RNN(cell_type="transformer"), "cell_type"),
        BadInput("negative units", lambda: RNN(units=-8), "units"),
        BadInput("unknown task", lambda: RNN(task="translation"), "task"),
        BadInput(
            "forget bias without gates",
            lambda: RNN(cell_type="simple", forget_bias=3.0),
            "forget_bias",
        ),
        BadInput(
            "sequence output for a forecast",
            lambda: RNN(task="forecast", return_sequences=True),
            "return_sequences",
        ),
        BadInput("rank-2 input", _called(_rnn, _random((2, 6))), "inputs.*rank 3"),
        BadInput(
            "integer input",
            _called(_rnn, np.ones((2, 6, 2), dtype="int32")),
            "inputs.*float",
            TypeError,
        ),
    ]


ENTRIES = [
    Entry(
        name="MLP",
        kind="model",
        description="Multilayer perceptron for tabular classification and regression.",
        build=_mlp,
        sample_input=lambda: _random((4, 5)),
        expected_params=(5 * 8 + 2 * 8) + (8 * 4 + 2 * 4) + (4 * 3 + 3),
        fit_data=lambda: (_random((16, 5)), _labels(16, 3)),
        compile_kwargs=_SPARSE,
        bad_inputs=_mlp_bad_inputs,
        docs_page="foundations/feedforward.py",
        default_dataset="breast_cancer",
    ),
    Entry(
        name="CNN",
        kind="model",
        description="Convolution, batch-norm and pooling blocks with a dense classifier.",
        build=_cnn,
        sample_input=lambda: _random((2, 8, 8, 1)),
        expected_params=(9 * 1 * 4 + 2 * 4) + (9 * 4 * 8 + 2 * 8) + (32 * 16 + 16) + (16 * 3 + 3),
        fit_data=lambda: (_random((16, 8, 8, 1)), _labels(16, 3)),
        compile_kwargs=_SPARSE,
        bad_inputs=_cnn_bad_inputs,
        docs_page="architectures/convolutional.py",
        default_dataset="digits",
    ),
    Entry(
        name="RNN",
        kind="model",
        description="SimpleRNN, LSTM or GRU stack for sequence classification and forecasting.",
        build=_rnn,
        sample_input=lambda: _random((2, 6, 2)),
        expected_params=2 * (3 * 4 * (2 + 4 + 2)) + 2 * (3 * 4 * (8 + 4 + 2)) + (8 * 3 + 3),
        fit_data=lambda: (_random((16, 6, 2)), _labels(16, 3)),
        compile_kwargs=_SPARSE,
        bad_inputs=_rnn_bad_inputs,
        docs_page="architectures/recurrent.py",
        default_dataset="time_series",
    ),
]
