"""Train/test splitting shared by the loaders."""

import numpy as np


def check_fraction(test_fraction):
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(
            f"Argument test_fraction must be strictly between 0 and 1; received {test_fraction!r}."
        )


def check_positive_int(name, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"Argument {name} must be an int; received {type(value).__name__}.")
    if value < minimum:
        raise ValueError(f"Argument {name} must be >= {minimum}; received {value}.")


def stratified_split(x, y, test_fraction, seed):
    """Splits `(x, y)` with every class in the same proportion in both halves."""
    from sklearn.model_selection import train_test_split

    check_fraction(test_fraction)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_fraction, random_state=seed, stratify=y
    )
    return (x_train, y_train), (x_test, y_test)
