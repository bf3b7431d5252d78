"""Offline tabular datasets from scikit-learn's bundled tables."""

import numpy as np

from keraslab.datasets._split import stratified_split


def _load_table(loader, test_fraction, seed, standardize):
    table = loader()
    (x_train, y_train), (x_test, y_test) = stratified_split(
        table.data.astype("float32"), table.target.astype("int32"), test_fraction, seed
    )
    if standardize:
        mean, std = x_train.mean(axis=0), x_train.std(axis=0) + 1e-8
        x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    return (x_train, y_train), (x_test, y_test)


def load_breast_cancer(test_fraction=0.2, seed=0, standardize=True):
    """Wisconsin breast cancer diagnosis: 569 tumours, 30 features, 2 classes.

    Args:
        test_fraction: float, share held out for testing. Defaults to `0.2`.
        seed: int, seed of the stratified split. Defaults to `0`.
        standardize: bool, whether to scale features to zero mean and unit variance using
            training statistics only. Defaults to `True`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float32 features `(N, 30)` and int32
        labels `(N,)` (0 = malignant, 1 = benign).
    """
    from sklearn.datasets import load_breast_cancer as sklearn_breast_cancer

    return _load_table(sklearn_breast_cancer, test_fraction, seed, standardize)


def load_wine(test_fraction=0.2, seed=0, standardize=True):
    """Italian wine cultivars: 178 wines, 13 chemical features, 3 classes.

    Args and returns are as in `load_breast_cancer`, with features `(N, 13)` and labels in
    `0..2`.
    """
    from sklearn.datasets import load_wine as sklearn_wine

    return _load_table(sklearn_wine, test_fraction, seed, standardize)


def feature_names(name):
    """Returns the column names of `"breast_cancer"` or `"wine"`."""
    from sklearn import datasets

    loaders = {"breast_cancer": datasets.load_breast_cancer, "wine": datasets.load_wine}
    if name not in loaders:
        raise ValueError(f"Argument name must be one of {sorted(loaders)}; received {name!r}.")
    return np.asarray(loaders[name]().feature_names)
