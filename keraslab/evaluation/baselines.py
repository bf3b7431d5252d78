"""Non-neural baselines that the neural models must beat.

`bigram_cross_entropy` is the character language model that looks at one previous
character; `bag_of_words_accuracy` is TF-IDF features with logistic regression, which
sees which words occur but not in what order; `seasonal_naive` forecasts each step with
the value one season earlier; `gradient_boosting_accuracy` is XGBoost's boosted trees,
the model to beat on a mixed-type table.
"""

import numpy as np

from keraslab import _validation as check


def bigram_cross_entropy(train_ids, validation_ids, vocabulary_size, smoothing=0.1):
    """Validation cross-entropy, in nats per token, of an add-`smoothing` bigram model.

    `P(next | previous) = (count(previous, next) + smoothing) /
    (count(previous) + smoothing * vocabulary_size)`, counted on `train_ids`.

    Args:
        train_ids: int array `(N,)`.
        validation_ids: int array `(M,)`.
        vocabulary_size: int.
        smoothing: float > 0. Defaults to `0.1`.

    Returns:
        float, the mean of `-log P(next | previous)` over `validation_ids`.

    Example:

    >>> ids = np.array([0, 1, 0, 1, 0, 1])
    >>> round(bigram_cross_entropy(ids, ids, 2, smoothing=1e-6), 4)
    0.0
    """
    check.positive_float("smoothing", smoothing)
    train_ids = np.asarray(train_ids)
    validation_ids = np.asarray(validation_ids)
    counts = np.full((vocabulary_size, vocabulary_size), smoothing)
    np.add.at(counts, (train_ids[:-1], train_ids[1:]), 1.0)
    log_probs = np.log(counts / counts.sum(axis=1, keepdims=True))
    return float(-log_probs[validation_ids[:-1], validation_ids[1:]].mean())


def bag_of_words_accuracy(train_texts, train_labels, test_texts, test_labels, ngram_range=(1, 1)):
    """Test accuracy of scikit-learn TF-IDF features and logistic regression.

    Args:
        train_texts: list of strings.
        train_labels: int array, one label a text.
        test_texts: list of strings.
        test_labels: int array, one label a text.
        ngram_range: `(min_n, max_n)` word n-grams; `(1, 1)` is a bag of words.
            Defaults to `(1, 1)`.

    Returns:
        float in `[0, 1]`.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(ngram_range=ngram_range)
    features = vectorizer.fit_transform(train_texts)
    classifier = LogisticRegression(max_iter=2000).fit(features, train_labels)
    return float(classifier.score(vectorizer.transform(test_texts), test_labels))


def seasonal_naive(inputs, season, horizon=1):
    """Forecasts each future step with the last observed value one season before it.

    For a window ending at step `T`, step `T + h` (`h = 1..horizon`) is forecast by
    `y[T + h - season * k]`, with the smallest `k >= 1` that lands inside the window
    (Hyndman and Athanasopoulos, *Forecasting: Principles and Practice*, section 5.2).
    `season=1` is the plain naive forecast (repeat the last value).

    Args:
        inputs: array `(N, window)` or `(N, window, 1)`, as from
            `keraslab.datasets.make_windows`.
        season: int, the season length in steps (12 for monthly data with a yearly
            cycle), at most `window`.
        horizon: int, steps to forecast. Defaults to `1`.

    Returns:
        float array `(N, horizon)`, comparable with the windows' targets.

    Example:

    >>> seasonal_naive(np.array([[1.0, 2.0, 3.0, 4.0]]), season=2, horizon=3)
    array([[3., 4., 3.]])
    """
    inputs = np.asarray(inputs)
    if inputs.ndim == 3 and inputs.shape[-1] == 1:
        inputs = inputs[..., 0]  # (N, window)
    if inputs.ndim != 2:
        raise ValueError(
            "Argument inputs must have shape (N, window) or (N, window, 1); "
            f"received shape {inputs.shape}."
        )
    window = inputs.shape[1]
    check.positive_int("season", season)
    check.positive_int("horizon", horizon)
    if season > window:
        raise ValueError(
            f"Argument season must be at most the window length {window}; received {season}."
        )
    steps = np.arange(horizon)
    lags = window + steps - season * (steps // season + 1)
    return inputs[:, lags]


def gradient_boosting_accuracy(
    x_train, y_train, x_test, y_test, categorical_columns=(), seed=0, **params
):
    """Test accuracy of an XGBoost classifier of 200 shallow trees, on one thread.

    The trees are 3 deep with learning rate 0.05: on a table of a few thousand noisy rows
    (`load_fair`) XGBoost's default depth of 6 overfits and loses to logistic regression.
    Pass `n_jobs=-1` to grow each tree on every core.
    Columns listed in `categorical_columns` are split as categories (XGBoost's native
    categorical support), the others as numbers.

    Args:
        x_train: float array `(N, F)`; categorical columns hold integer codes.
        y_train: int array `(N,)`.
        x_test: float array `(M, F)`, the same columns.
        y_test: int array `(M,)`.
        categorical_columns: indices of the categorical columns. Defaults to `()`.
        seed: int, the booster's seed. Defaults to `0`.
        **params: further `xgboost.XGBClassifier` arguments; they override the above
            (`n_estimators=...`, `max_depth=...`).

    Returns:
        float in `[0, 1]`.
    """
    try:
        from xgboost import XGBClassifier
    except ImportError as error:
        raise ImportError(
            "gradient_boosting_accuracy() needs XGBoost; install it with `pip install xgboost-cpu`."
        ) from error

    x_train = np.asarray(x_train)
    categorical = set(categorical_columns)
    feature_types = ["c" if i in categorical else "q" for i in range(x_train.shape[1])]
    params = {"n_estimators": 200, "max_depth": 3, "learning_rate": 0.05, "n_jobs": 1, **params}
    classifier = XGBClassifier(
        feature_types=feature_types,
        enable_categorical=bool(categorical),
        tree_method="hist",
        random_state=seed,
        **params,
    )
    classifier.fit(x_train, y_train)
    return float(np.mean(classifier.predict(np.asarray(x_test)) == np.asarray(y_test)))
