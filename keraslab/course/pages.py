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


FASHION_CLASSES = (
    "T-shirt",
    "trouser",
    "pullover",
    "dress",
    "coat",
    "sandal",
    "shirt",
    "sneaker",
    "bag",
    "boot",
)


def fashion_mnist(train_size=None, test_size=None):
    """Fashion-MNIST as float images `(N, 28, 28, 1)` in `[0, 1]` with int labels: the
    first `train_size` training and `test_size` test images (default: all)."""
    from keraslab.datasets import load_fashion_mnist

    (x_train, y_train), (x_test, y_test) = load_fashion_mnist()
    x_train = (x_train[:train_size, ..., None] / 255.0).astype("float32")
    x_test = (x_test[:test_size, ..., None] / 255.0).astype("float32")
    return (x_train, y_train[:train_size].astype("int32")), (x_test, y_test[:test_size])


def show_grid(images, title=None, side=8):
    """Shows the first `side * side` of `images` `(N, H, W, 1)` as one square grid."""
    images = np.clip(np.asarray(images[: side * side])[..., 0], 0, 1)
    height, width = images.shape[1:]
    # (side, H, side, W) -> (side * H, side * W)
    mosaic = images.reshape(side, side, height, width).transpose(0, 2, 1, 3)
    plt.figure(figsize=(4.5, 4.5))
    plt.imshow(mosaic.reshape(side * height, side * width), cmap="gray_r", vmin=0, vmax=1)
    plt.axis("off")
    if title:
        plt.title(title, fontsize=9)
    plt.show()


def fashion_judge(x_test, y_test):
    """The shared judge of generated garments, with its accuracy recorded.

    Returns:
        `(judge, accuracy)`: `keraslab.evaluation.load_judge()`'s CNN, and its accuracy on
        the real test images `x_test`, recorded as the page's `"judge test accuracy"`.
    """
    from keraslab import course
    from keraslab.evaluation import load_judge

    judge = load_judge()
    predicted = judge.predict(x_test, batch_size=500, verbose=0).argmax(axis=1)
    accuracy = float(np.mean(predicted == y_test))
    return judge, course.record("judge test accuracy", accuracy, unit="fraction")


def report_samples(name, report):
    """Prints the figures of `keraslab.evaluation.assess_samples`'s `report` and records
    the headline ones, each as `"{name} {figure}"`."""
    from keraslab import course

    for figure, unit in [
        ("confident", "fraction"),
        ("min_class_share", "fraction"),
        ("frechet", ""),
        ("floor", ""),
        ("ratio", ""),
    ]:
        course.record(f"{name} {figure}", report[figure], unit=unit)
    print(
        f"{name}: {report['confident']:.1%} confident, smallest class share "
        f"{report['min_class_share']:.1%}, Fréchet distance {report['frechet']:.1f} "
        f"(real vs real {report['floor']:.1f}), nearest training image at median "
        f"{report['samples_median']:.2f} (held-out real images {report['held_out_median']:.2f})"
    )


def plot_class_shares(reports, floor=0.05, class_names=None):
    """Bar chart of the share of samples the judge puts in each class.

    Args:
        reports: `{label: report}`, each report from `keraslab.evaluation.judge_samples`;
            one group of bars per label, side by side.
        floor: the smallest share every class should reach, drawn as a dashed line.
        class_names: the tick labels, one per class; default the class numbers.
    """
    classes = len(next(iter(reports.values()))["class_shares"])
    fig, ax = plt.subplots(figsize=(7, 2.5))
    width = 0.8 / len(reports)
    for i, (label, report) in enumerate(reports.items()):
        offset = (i - (len(reports) - 1) / 2) * width
        ax.bar(np.arange(classes) + offset, report["class_shares"], width=width, label=label)
    ax.axhline(floor, color="red", lw=0.8, ls="--", label=f"{floor:.0%}")
    ax.set_xticks(range(classes), class_names or range(classes), fontsize=8)
    ax.set_xlabel("class predicted by the judge")
    ax.set_ylabel("share of samples")
    ax.legend()
    plt.show()
