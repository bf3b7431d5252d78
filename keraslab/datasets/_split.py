"""Train/test splitting shared by the loaders."""

from keraslab import _validation as check


def stratified_split(x, y, test_fraction, seed):
    """Splits `(x, y)` with every class in the same proportion in both halves."""
    from sklearn.model_selection import train_test_split

    check.fraction("test_fraction", test_fraction)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_fraction, random_state=seed, stratify=y
    )
    return (x_train, y_train), (x_test, y_test)
