"""A small CNN classifier that judges generated images: confident, and of every class?"""

import keras
import numpy as np

from keraslab.models import CNN

JUDGE_PRESET = "cnn_fashion_mnist"  # the shipped judge of generated garments


def judge_network(num_classes):
    """The judge's architecture, untrained: a keraslab `CNN` classifier.

    Two convolution blocks (32 and 64 filters, each ending in max pooling), flattened,
    a dense layer of 128 units (the features `judge_features` returns, in which the
    Fréchet distance is measured), dropout 0.3 before each dense layer, then the softmax
    over the classes.

    Args:
        num_classes: int, the number of classes.
    """
    return CNN(
        filters=(32, 64),
        batch_norm=False,
        global_pooling=False,
        dense_units=(128,),
        dropout=0.3,
        output_units=num_classes,
        name="judge",
    )


def train_judge(images, labels, epochs=60, seed=0, batch_size=64):
    """Trains `judge_network` on real `images` to judge generated ones (Adam, 3e-3).

    `load_judge` returns the one trained for Fashion-MNIST, which the pages share.

    Args:
        images: float array `(N, height, width, channels)` in `[0, 1]`.
        labels: int array `(N,)`.
        epochs: int. Defaults to `60`.
        seed: int, seed of the weights and the shuffling. Defaults to `0`.
        batch_size: int. Defaults to `64`.

    Returns:
        The compiled, trained `keraslab.models.CNN`, returning class probabilities.
    """
    keras.utils.set_random_seed(seed)
    judge = judge_network(int(np.max(labels)) + 1)
    judge.compile(
        optimizer=keras.optimizers.Adam(3e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    judge.fit(images, labels, epochs=epochs, batch_size=batch_size, verbose=0)
    return judge


def load_judge():
    """The judge of generated Fashion-MNIST garments: the shipped `cnn_fashion_mnist`
    preset, `judge_network(10)` trained on the 60,000 training images by
    `scripts/pretrain cnn_fashion_mnist` (its recipe and test accuracy are in
    `keraslab.presets.metadata(JUDGE_PRESET)`). One shared judge makes the generative
    pages' scores comparable, and spares each page training its own.

    Returns:
        The `keraslab.models.CNN`, returning class probabilities.
    """
    from keraslab import presets

    return presets.load(JUDGE_PRESET)


def judge_samples(judge, images, threshold=0.9):
    """Scores generated `images` with `judge`.

    Returns:
        dict with `confident` (share of images whose top class probability is at least
        `threshold`), `class_shares` (share of images predicted as each class, NumPy
        array) and `min_class_share`.
    """
    probabilities = judge.predict(images, batch_size=500, verbose=0)
    predicted = probabilities.argmax(axis=1)
    shares = np.bincount(predicted, minlength=probabilities.shape[1]) / len(images)
    return {
        "confident": float(np.mean(probabilities.max(axis=1) >= threshold)),
        "class_shares": shares,
        "min_class_share": float(shares.min()),
    }
