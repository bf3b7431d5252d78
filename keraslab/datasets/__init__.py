"""Offline datasets, returned as NumPy arrays with deterministic, seeded splits.

| loader | data | shapes |
| --- | --- | --- |
| `load_digits` | scikit-learn's 8x8 digits | `(N, 8, 8, 1)`, labels `0..9` |
| `load_shapes` | drawn circles, squares, triangles, crosses | `(N, S, S, 1 or 3)` |
| `load_time_series` | generated trend + seasonality + noise | `(N, window, 1)` -> `(N, horizon)` |
| `make_long_range_task` | label set by the first of many noisy steps | `(N, length, 2)` -> `(N,)` |
| `load_stock_prices` | Google daily close 2004-2008 (ships with matplotlib) | `(1047,)` |
| `load_co2` | Mauna Loa CO2 1958-2001, weekly or monthly (statsmodels) | `(2284,)`, `(526,)` |
| `load_sunspots` | yearly sunspot numbers 1700-2008 (statsmodels) | `(309,)` |
| `load_python_docs` | CPython's `pydoc_data` topics, by character | `(N,)` ids |
| `load_doc_topics` | those topics' paragraphs, in 4 classes | lists of strings |
| `load_dates` | human dates -> ISO 8601 | lists of strings |
| `load_roles` | generated "who did it?" sentences | `(N, T)` word ids, agent labels |
| `load_breast_cancer`, `load_wine` | scikit-learn's tables | `(N, F)` |
| `load_fair` | 6,366 survey answers, mixed types, binary (statsmodels) | `(N, 8)` |
| `load_fashion_mnist` | 70,000 real images: Debian package, Keras cache | `(N, 28, 28)` |
| `load_mnist`, `load_imdb` | Keras downloads (cached file) | as Keras |

`make_windows` and `split_windows` cut any 1-D series into forecasting windows, the
latter after a chronological train/test split. `mask_tokens` makes BERT's
masked-language-model inputs from any `(B, T)` token ids.
"""

from keraslab.datasets.downloads import (
    DatasetUnavailableError,
    fashion_mnist_folders,
    keras_cache_folder,
    load_fashion_mnist,
    load_imdb,
    load_mnist,
    read_idx,
)
from keraslab.datasets.images import SHAPE_NAMES, draw_shape, load_digits, load_shapes
from keraslab.datasets.masking import mask_tokens
from keraslab.datasets.roles import load_roles
from keraslab.datasets.sequences import (
    load_co2,
    load_stock_prices,
    load_sunspots,
    load_time_series,
    make_long_range_task,
    make_time_series,
    make_windows,
    split_windows,
)
from keraslab.datasets.tabular import (
    FAIR_CATEGORICAL,
    categorical_columns,
    feature_names,
    load_breast_cancer,
    load_fair,
    load_wine,
)
from keraslab.datasets.text import (
    DATE_FORMATS,
    CharVocabulary,
    TextCorpus,
    date_vocabularies,
    load_dates,
    load_python_docs,
    make_lm_windows,
    python_docs_text,
)
from keraslab.datasets.topics import TOPIC_CLASSES, load_doc_topics
from keraslab.datasets.translation import encode_pairs

__all__ = [
    "DATE_FORMATS",
    "FAIR_CATEGORICAL",
    "SHAPE_NAMES",
    "categorical_columns",
    "CharVocabulary",
    "DatasetUnavailableError",
    "date_vocabularies",
    "draw_shape",
    "encode_pairs",
    "fashion_mnist_folders",
    "feature_names",
    "keras_cache_folder",
    "load_breast_cancer",
    "load_co2",
    "load_dates",
    "load_digits",
    "load_doc_topics",
    "load_fair",
    "load_fashion_mnist",
    "load_imdb",
    "load_mnist",
    "load_python_docs",
    "load_roles",
    "load_shapes",
    "load_stock_prices",
    "load_sunspots",
    "load_time_series",
    "load_wine",
    "make_lm_windows",
    "make_long_range_task",
    "make_time_series",
    "make_windows",
    "mask_tokens",
    "python_docs_text",
    "read_idx",
    "split_windows",
    "TextCorpus",
    "TOPIC_CLASSES",
]
