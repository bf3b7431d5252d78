"""The offline datasets by name, ready to train on: what `keraslab train --dataset` reads.

Each name in `DATASETS` gives a `TaskData`: training and test `(x, y)` pairs, plus the
build-config values the data implies (`vocabulary_size`, `image_shape`, `output_units`,
...). A catalogue entry's `default_dataset` is one of these names.

>>> data = load("wine")
>>> data.train[0].shape, data.config
((142, 13), {'output_units': 3, 'num_classes': 3})
"""

import dataclasses
from typing import Any

import numpy as np

from keraslab.datasets import images, roles, sequences, tabular, text, translation

_DEFAULT_SEQUENCE_LENGTH = 64
_DATE_SOURCE_LENGTH = 32
_DATE_TARGET_LENGTH = 11


@dataclasses.dataclass
class TaskData:
    """A dataset as arrays for `fit` and `evaluate`.

    Attributes:
        train: `(x, y)` for training; `y` is None for data without labels.
        test: `(x, y)` held out.
        config: build-config values the data implies, applied to a model's config where it
            has the same key.
        vocabulary: the `CharVocabulary` of text data (`keraslab generate` decodes with
            it), else None.
        metrics: Keras metrics worth reporting besides the loss.
    """

    train: tuple
    test: tuple
    config: dict
    vocabulary: Any = None
    metrics: tuple = ()


def _classes(loader):
    def load_classes(sample):
        train, test = loader()
        count = int(max(train[1].max(), test[1].max())) + 1
        config = {"output_units": count, "num_classes": count}
        return TaskData(train, test, config, metrics=("accuracy",))

    return load_classes


def _shapes(sample):
    size, channels = (32, 1) if sample is None or np.ndim(sample) != 4 else sample.shape[2:]
    train, test = images.load_shapes(image_size=int(size), color=channels == 3)
    count = len(images.SHAPE_NAMES)
    config = {"output_units": count, "num_classes": count, "image_shape": train[0].shape[1:]}
    return TaskData(train, test, config, metrics=("accuracy",))


def _digits(sample):
    data = _classes(images.load_digits)(sample)
    data.config["image_shape"] = data.train[0].shape[1:]
    return data


def _time_series(sample):
    window = _DEFAULT_SEQUENCE_LENGTH if sample is None or np.ndim(sample) != 3 else sample.shape[1]
    train, test = sequences.load_time_series(window=int(window))
    return TaskData(train, test, {"output_units": 1})


def _python_docs(sample):
    length = _sequence_length(sample)
    corpus = text.load_python_docs()
    train = text.make_lm_windows(corpus.train, length)
    test = text.make_lm_windows(corpus.validation, length)
    config = {"vocabulary_size": corpus.vocabulary.size, "sequence_length": length}
    return TaskData(train, test, config, corpus.vocabulary)


def _sequence_length(sample):
    if isinstance(sample, np.ndarray) and sample.ndim == 2:
        return int(sample.shape[1])
    return _DEFAULT_SEQUENCE_LENGTH


def _dates(sample):
    source_vocabulary, target_vocabulary = text.date_vocabularies()

    def pairs(split):
        source_ids, target_ids = translation.encode_pairs(
            *split,
            source_vocabulary,
            target_vocabulary,
            _DATE_SOURCE_LENGTH,
            _DATE_TARGET_LENGTH,
        )
        return (source_ids, target_ids[:, :-1]), target_ids[:, 1:]

    train, test = text.load_dates(num_train=5000, num_test=500)
    config = {
        "source_vocabulary_size": source_vocabulary.size,
        "target_vocabulary_size": target_vocabulary.size,
        "source_sequence_length": _DATE_SOURCE_LENGTH,
        "target_sequence_length": _DATE_TARGET_LENGTH,
    }
    return TaskData(pairs(train), pairs(test), config, target_vocabulary)


def _roles(sample):
    length = _sequence_length(sample)
    train, test, vocabulary = roles.load_roles(sequence_length=length)
    config = {
        "vocabulary_size": vocabulary.size,
        "sequence_length": length,
        "num_classes": len(roles.ANIMALS),
    }
    train, test = (train.token_ids, train.labels), (test.token_ids, test.labels)
    return TaskData(train, test, config, vocabulary, metrics=("accuracy",))


DATASETS = {
    "breast_cancer": _classes(tabular.load_breast_cancer),
    "wine": _classes(tabular.load_wine),
    "digits": _digits,
    "shapes": _shapes,
    "time_series": _time_series,
    "python_docs": _python_docs,
    "dates": _dates,
    "roles": _roles,
}


def load(name, sample=None):
    """Loads dataset `name` of `DATASETS` as a `TaskData`.

    Args:
        name: str, a key of `DATASETS`.
        sample: optional NumPy input of the model to train, whose shape picks the image
            size of `"shapes"` and the window length of sequence data.
    """
    if name not in DATASETS:
        raise ValueError(f"Argument dataset must be one of {sorted(DATASETS)}; received {name!r}.")
    return DATASETS[name](sample)
