"""Training time per epoch of the classic models, on the data their pages use.

The recurrent rows show the cost of a Python loop over time steps: Keras runs LSTM and GRU
layers step by step under torch on CPU, while TensorFlow and JAX compile the loop.
"""

import keras

from benchmarks._timing import median_ms, row
from keraslab.datasets import load_breast_cancer, load_digits, make_long_range_task
from keraslab.models import CNN, MLP, RNN

GROUP = "classic models: training time per epoch"


def _epoch_seconds(model, x, y, batch_size, quick):
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")

    def one_epoch():
        return model.fit(x, y, epochs=1, batch_size=batch_size, verbose=0).history["loss"]

    return median_ms(one_epoch, warmup=1, repeats=1 if quick else 3) / 1000.0


def run(quick):
    keras.utils.set_random_seed(0)
    (x_tab, y_tab), _ = load_breast_cancer()
    (x_img, y_img), _ = load_digits()
    length, samples = (20, 256) if quick else (40, 1024)
    x_seq, y_seq = make_long_range_task(num_samples=samples, length=length)
    cases = [
        (
            f"MLP (32, 16), breast cancer, {len(x_tab)} rows",
            MLP((32, 16), output_units=2),
            x_tab,
            y_tab,
        ),
        (
            f"CNN (32, 64), digits, {len(x_img)} images",
            CNN((32, 64), output_units=10),
            x_img,
            y_img,
        ),
    ]
    for cell in ("simple", "lstm", "gru"):
        cases.append(
            (
                f"RNN {cell} 32 units, long-range task, {samples} x {length} steps",
                RNN(cell, units=32, output_units=2),
                x_seq,
                y_seq,
            )
        )
    return [
        row(GROUP, name, _epoch_seconds(model, x, y, 32, quick), "s/epoch")
        for name, model, x, y in cases
    ]
