"""Blocks that several docs pages share, kept here so each page shows one call.

The pages in `docs/` import this module (it needs matplotlib, from the `docs` extra);
nothing else in keraslab does.
"""

import keras
import matplotlib.pyplot as plt
import numpy as np

from keraslab.models import MLP


def digits_mlp(seed, depth, width, learning_rate, momentum, **mlp_kwargs):
    """A seeded MLP classifier of the flattened 8×8 digits, compiled with SGD.

    Args:
        seed: the global seed set before building, so every variant starts alike.
        depth: number of hidden layers.
        width: units per hidden layer.
        learning_rate: SGD step size.
        momentum: SGD momentum.
        **mlp_kwargs: the `MLP` arguments the page varies (`kernel_initializer`,
            `batch_norm`, `activation`, ...).

    Returns:
        An `MLP` with 10 softmax outputs, compiled with sparse categorical cross-entropy
        and accuracy.
    """
    keras.utils.set_random_seed(seed)
    model = MLP(
        hidden_units=(width,) * depth, output_units=10, output_activation="softmax", **mlp_kwargs
    )
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate, momentum=momentum),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def plot_class_shares(reports, floor=0.05):
    """Bar chart of the share of samples the judge puts in each digit class.

    Args:
        reports: `{label: report}`, each report from `keraslab.evaluation.judge_samples`;
            one group of bars per label, side by side.
        floor: the smallest share every class should reach, drawn as a dashed line.
    """
    fig, ax = plt.subplots(figsize=(6, 2.5))
    width = 0.8 / len(reports)
    for i, (label, report) in enumerate(reports.items()):
        offset = (i - (len(reports) - 1) / 2) * width
        ax.bar(np.arange(10) + offset, report["class_shares"], width=width, label=label)
    ax.axhline(floor, color="red", lw=0.8, ls="--", label=f"{floor:.0%}")
    ax.set_xticks(range(10))
    ax.set_xlabel("class predicted by the judge")
    ax.set_ylabel("share of samples")
    ax.legend()
    plt.show()
