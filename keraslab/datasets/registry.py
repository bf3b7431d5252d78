"""The offline datasets by name, ready to train on: what `keraslab train --dataset` reads.

Each name in `DATASETS` gives a `TaskData`: training and test `(x, y)` pairs, plus the
build-config values the data implies (`vocabulary_size`, `image_shape`, `output_units`,
...). A catalogue entry's `default_dataset` is one of these names; `options(name)` lists
the keyword options a dataset takes (`sequence_length`, `window`, `image_size`, ...).

>>> data = load("wine")
>>> data.train[0].shape, data.config
((142, 13), {'output_units': 3, 'num_classes': 3})
"""

import dataclasses
import inspect
from typing import Any

from keraslab.datasets import images, roles, sequences, tabular, text, translation

_DATE_SOURCE_LENGTH = 32
_DATE_TARGET_LENGTH = 11


@dataclasses.dataclass
class TaskData:
    """A dataset as arrays for `fit` and `evaluate`.

    Attributes:
        train: `(x, y)` for training; `y` is None for data without labels.
        test: `(x, y)` held out.
        config: build-config values the data implies; `keraslab train` fills in those the
            model takes and its recipe leaves unset.
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
    def load_classes():
        train, test = loader()
        count = int(max(train[1].max(), test[1].max())) + 1
        config = {"output_units": count, "num_classes": count}
        return TaskData(train, test, config, metrics=("accuracy",))

    return load_classes


def _shapes(image_size=32, color=False):
    train, test = images.load_shapes(image_size=image_size, color=color)
    count = len(images.SHAPE_NAMES)
    config = {"output_units": count, "num_classes": count, "image_shape": train[0].shape[1:]}
    return TaskData(train, test, config, metrics=("accuracy",))


def _digits():
    data = _classes(images.load_digits)()
    data.config["image_shape"] = data.train[0].shape[1:]
    return data


def _time_series(window=48, horizon=1):
    train, test = sequences.load_time_series(window=window, horizon=horizon)
    return TaskData(train, test, {"output_units": horizon})


def _python_docs(sequence_length=64):
    corpus = text.load_python_docs()
    train = text.make_lm_windows(corpus.train, sequence_length)
    test = text.make_lm_windows(corpus.validation, sequence_length)
    config = {"vocabulary_size": corpus.vocabulary.size, "sequence_length": sequence_length}
    return TaskData(train, test, config, corpus.vocabulary)


def _dates():
    source_vocabulary, target_vocabulary = text.date_vocabularies()

    def pairs(split):
        source_ids, target_ids = translation.encode_pairs(
            *split,
            source_vocabulary,
            target_vocabulary,
            _DATE_SOURCE_LENGTH,
            _DATE_TARGET_LENGTH,
        )
        return {"source_ids": source_ids, "target_ids": target_ids[:, :-1]}, target_ids[:, 1:]

    train, test = text.load_dates(num_train=5000, num_test=500)
    config = {
        "source_vocabulary_size": source_vocabulary.size,
        "target_vocabulary_size": target_vocabulary.size,
        "source_sequence_length": _DATE_SOURCE_LENGTH,
        "target_sequence_length": _DATE_TARGET_LENGTH,
    }
    return TaskData(pairs(train), pairs(test), config, target_vocabulary)


def _roles(sequence_length=16):
    train, test, vocabulary = roles.load_roles(sequence_length=sequence_length)
    config = {
        "vocabulary_size": vocabulary.size,
        "sequence_length": sequence_length,
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


def options(name):
    """The keyword options dataset `name` of `DATASETS` takes, with their defaults."""
    _check_name(name)
    parameters = inspect.signature(DATASETS[name]).parameters.values()
    return {p.name: p.default for p in parameters}


def load(name, **options):
    """Loads dataset `name` of `DATASETS` as a `TaskData`.

    Args:
        name: str, a key of `DATASETS`.
        **options: the dataset's own options (`options(name)`), such as the
            `sequence_length` of text data, the `window` of the time series or the
            `image_size` of `"shapes"`.
    """
    _check_name(name)
    return DATASETS[name](**options)


def _check_name(name):
    if name not in DATASETS:
        raise ValueError(f"Argument dataset must be one of {sorted(DATASETS)}; received {name!r}.")
