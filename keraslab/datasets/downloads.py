"""Real public datasets: Fashion-MNIST, MNIST and IMDB.

Fashion-MNIST is read from the first folder that holds its four official
`*-idx*-ubyte.gz` files, in this order:

1. `$KERASLAB_DATA_DIR/fashion-mnist/`, when the environment variable is set;
2. the Keras cache, `$KERAS_HOME/datasets/fashion-mnist/` (else `~/.keras/datasets/...`);
3. `/usr/share/datasets/fashion-mnist/`, from Debian's `dataset-fashion-mnist` package,
   which `scripts/setup` installs where apt is available.

The files are parsed with NumPy and gzip (no TensorFlow needed). Only when none of these
holds them does it fall back to `keras.datasets.fashion_mnist.load_data()`, which
downloads into the Keras cache. MNIST and IMDB go through `keras.datasets` unchanged, so
a file already in the Keras cache is used as is. Without network access, a missing file
raises `DatasetUnavailableError` that says which file to fetch and where to put it.
"""

import gzip
import os
import zlib

import keras
import numpy as np

_SOURCE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
DEBIAN_FASHION_MNIST_FOLDER = "/usr/share/datasets/fashion-mnist"
FASHION_MNIST_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
# The idx format's element types (third byte of the magic number), stored big-endian.
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class DatasetUnavailableError(OSError):
    """A dataset file is in none of the places searched and could not be downloaded, or a
    file found there is corrupt."""


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


def read_idx(path, ndim=None):
    """Reads one gzipped idx file (the MNIST format) into a NumPy array.

    The format is a 4-byte magic number (two zero bytes, an element-type code, the number
    of dimensions), one big-endian uint32 per dimension, then the elements in C order.

    Args:
        path: str, a `*-idx*-ubyte.gz` file.
        ndim: int or None, the number of dimensions the file must have. Defaults to `None`
            (any).

    Returns:
        array of the file's shape, uint8 for the `0x08` type (as in Fashion-MNIST).

    Raises:
        DatasetUnavailableError: the file is not gzip, is truncated, or its header does not
            match its contents; the message names the file.
    """
    try:
        with gzip.open(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError, zlib.error) as error:
        raise DatasetUnavailableError(
            f"{path} is not a readable gzip file ({type(error).__name__}: {error}); "
            "delete it or replace it with the original."
        ) from error
    magic = data[:4]
    if len(magic) < 4 or magic[:2] != b"\x00\x00" or magic[2] not in _IDX_DTYPES:
        raise DatasetUnavailableError(
            f"{path} is not an idx file: its magic number must be 00 00 <type> <ndim> with "
            f"type in {sorted(f'{t:#04x}' for t in _IDX_DTYPES)}; received {magic.hex(' ')!r}."
        )
    if ndim is not None and magic[3] != ndim:
        raise DatasetUnavailableError(
            f"{path} must hold a {ndim}-D idx array; its header says {magic[3]}-D."
        )
    offset = 4 + 4 * magic[3]
    if len(data) < offset:
        raise DatasetUnavailableError(f"{path} is truncated inside its idx header.")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(magic[3]))
    dtype = np.dtype(_IDX_DTYPES[magic[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - offset != expected:
        raise DatasetUnavailableError(
            f"{path} is truncated or corrupt: its header promises shape {shape} "
            f"({expected} bytes of data); the file holds {len(data) - offset}."
        )
    array = np.frombuffer(data, dtype=dtype, offset=offset).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def fashion_mnist_folders():
    """The folders `load_fashion_mnist` searches, in order (see the module docstring)."""
    folders = []
    if os.environ.get("KERASLAB_DATA_DIR"):
        folders.append(os.path.join(os.environ["KERASLAB_DATA_DIR"], "fashion-mnist"))
    folders.append(os.path.join(keras_cache_folder(), "fashion-mnist"))
    folders.append(DEBIAN_FASHION_MNIST_FOLDER)
    return folders


def _read_split(folder, prefix):
    images_path = os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz")
    labels_path = os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz")
    images, labels = read_idx(images_path, ndim=3), read_idx(labels_path, ndim=1)
    if len(images) != len(labels):
        raise DatasetUnavailableError(
            f"{images_path} holds {len(images)} images but {labels_path} holds "
            f"{len(labels)} labels; they must match."
        )
    return images, labels


def load_fashion_mnist():
    """Fashion-MNIST: Zalando's 70,000 grey 28x28 clothing images in 10 classes.

    Read from the first of `fashion_mnist_folders()` that holds all four official files
    (`$KERASLAB_DATA_DIR/fashion-mnist/`, the Keras cache, Debian's
    `/usr/share/datasets/fashion-mnist/`), else downloaded by
    `keras.datasets.fashion_mnist.load_data()`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images `(60000, 28, 28)` and
        `(10000, 28, 28)`, uint8 labels in `0..9`, the official split.

    Raises:
        DatasetUnavailableError: no folder holds the files and they cannot be downloaded
            (the message names every place searched and the apt package), or a file found
            is corrupt (the message names it).
    """
    for folder in fashion_mnist_folders():
        if all(os.path.isfile(os.path.join(folder, name)) for name in FASHION_MNIST_FILES):
            return _read_split(folder, "train"), _read_split(folder, "t10k")
    try:
        return keras.datasets.fashion_mnist.load_data()
    except Exception as error:  # get_file raises a bare Exception when offline
        raise DatasetUnavailableError(
            f"Could not find or download Fashion-MNIST ({error}). Put the four files "
            f"{', '.join(FASHION_MNIST_FILES)} in one of: $KERASLAB_DATA_DIR/fashion-mnist/ "
            f"(KERASLAB_DATA_DIR is {os.environ.get('KERASLAB_DATA_DIR') or 'not set'}); "
            f"the Keras cache {os.path.join(keras_cache_folder(), 'fashion-mnist')}; or "
            f"{DEBIAN_FASHION_MNIST_FOLDER}, which `apt-get install dataset-fashion-mnist` "
            f"fills on Debian and Ubuntu. They are at {_SOURCE}fashion-mnist/."
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
