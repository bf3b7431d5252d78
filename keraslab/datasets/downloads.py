"""Real public datasets that Keras downloads: MNIST, Fashion-MNIST and IMDB.

These go through `keras.datasets` unchanged, so a file already in the Keras cache is used
as is. keraslab never downloads on its own: its pages and tests use the offline datasets.
Without network access, a missing file raises `DatasetUnavailableError` that says which
file to fetch and where to put it.
"""

import os

import keras

_SOURCE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


class DatasetUnavailableError(OSError):
    """A dataset file is not in the Keras cache and could not be downloaded."""


def keras_cache_folder():
    """The folder Keras caches datasets in: `$KERAS_HOME/datasets`, else `~/.keras/datasets`."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(home, "datasets")


def _load(loader, files, **kwargs):
    try:
        return loader(**kwargs)
    except Exception as error:  # get_file raises a bare Exception when offline
        folder = keras_cache_folder()
        wanted = ", ".join(
            f"{_SOURCE}{name} -> {os.path.join(folder, path)}" for name, path in files
        )
        raise DatasetUnavailableError(
            f"Could not load or download {', '.join(p for _, p in files)} ({error}). "
            f"Without network access, place the file(s) in the Keras cache folder {folder}: "
            f"{wanted}. Offline alternatives: keraslab.datasets.load_digits() and "
            "load_shapes()."
        ) from error


def load_mnist():
    """MNIST handwritten digits through `keras.datasets.mnist.load_data()`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images `(60000, 28, 28)` and
        `(10000, 28, 28)`, uint8 labels in `0..9`.

    Raises:
        DatasetUnavailableError: `mnist.npz` is not cached and cannot be downloaded.
    """
    return _load(keras.datasets.mnist.load_data, [("mnist.npz", "mnist.npz")])


def load_fashion_mnist():
    """Fashion-MNIST through `keras.datasets.fashion_mnist.load_data()`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images `(60000, 28, 28)` and
        `(10000, 28, 28)`, uint8 labels in `0..9`.

    Raises:
        DatasetUnavailableError: the four `*-idx*-ubyte.gz` files are not cached in
            `datasets/fashion-mnist/` and cannot be downloaded.
    """
    names = [
        "train-labels-idx1-ubyte.gz",
        "train-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
    ]
    files = [(name, os.path.join("fashion-mnist", name)) for name in names]
    return _load(keras.datasets.fashion_mnist.load_data, files)


def load_imdb(num_words=None, maxlen=None, seed=113):
    """IMDB movie-review sentiment through `keras.datasets.imdb.load_data()`.

    Args:
        num_words: int or None, keep only the most frequent words. Defaults to `None`.
        maxlen: int or None, drop longer reviews. Defaults to `None`.
        seed: int, shuffling seed, as in Keras. Defaults to `113`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: object arrays of word-id lists (25,000
        reviews each) and int labels (1 = positive).

    Raises:
        DatasetUnavailableError: `imdb.npz` is not cached and cannot be downloaded.
    """
    return _load(
        keras.datasets.imdb.load_data,
        [("imdb.npz", "imdb.npz")],
        num_words=num_words,
        maxlen=maxlen,
        seed=seed,
    )
