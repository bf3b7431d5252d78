"""Offline tabular datasets from the tables bundled with scikit-learn and statsmodels."""

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


FAIR_CATEGORICAL = ("occupation", "occupation_husb")


def _fair_table():
    try:
        from statsmodels.datasets import fair
    except ImportError as error:
        raise ImportError(
            "load_fair() reads a table shipped with statsmodels; "
            "install it with `pip install statsmodels`."
        ) from error
    return fair.load_pandas().data


def load_fair(test_fraction=0.2, seed=0):
    """Fair's 1974 survey of 6,366 married women: did she have an affair?

    The table ships with statsmodels (`statsmodels.datasets.fair`). Its eight features
    are of mixed types: ordinal ratings (`rate_marriage` 1-5, `religious` 1-4), counts
    and binned numbers (`age`, `yrs_married`, `children`, `educ`), and two nominal codes
    (`occupation`, `occupation_husb`, 1-6) that a model should treat as categories: their
    indices are `categorical_columns("fair")`. The target is `affairs > 0` (32% of rows).
    A mixed table like this is where gradient-boosted trees are the model to beat.

    Args:
        test_fraction: float, share held out for testing. Defaults to `0.2`.
        seed: int, seed of the stratified split. Defaults to `0`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float32 features `(N, 8)`, unscaled, in
        the order of `feature_names("fair")`, and int32 labels `(N,)` (1 = an affair).
    """
    table = _fair_table()
    x = table.drop(columns="affairs").to_numpy("float32")
    y = (table["affairs"] > 0).to_numpy("int32")
    return stratified_split(x, y, test_fraction, seed)


def feature_names(name):
    """Returns the column names of `"breast_cancer"`, `"wine"` or `"fair"`."""
    from sklearn import datasets

    loaders = {"breast_cancer": datasets.load_breast_cancer, "wine": datasets.load_wine}
    if name == "fair":
        return np.asarray(_fair_table().columns.drop("affairs"))
    if name not in loaders:
        raise ValueError(
            f"Argument name must be one of {sorted([*loaders, 'fair'])}; received {name!r}."
        )
    return np.asarray(loaders[name]().feature_names)


def categorical_columns(name):
    """Returns the indices of the categorical columns of `"breast_cancer"`, `"wine"` or
    `"fair"` (empty for the first two, which are all numeric)."""
    names = list(feature_names(name))
    categorical = FAIR_CATEGORICAL if name == "fair" else ()
    return np.asarray([names.index(column) for column in categorical], dtype="int64")
