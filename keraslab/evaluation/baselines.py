"""Non-neural baselines that the Transformer pages must beat.

`bigram_cross_entropy` is the character language model that looks at one previous
character; `bag_of_words_accuracy` is TF-IDF features with logistic regression, which
sees which words occur but not in what order.
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
        train_texts, test_texts: lists of strings.
        train_labels, test_labels: int arrays.
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
