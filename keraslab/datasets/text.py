"""Offline text datasets: the Python documentation as a character corpus, and a generated
date-normalisation translation task."""

import dataclasses
import datetime

import numpy as np

from keraslab import _validation as check


class _Vocabulary:
    """Token <-> id tables: `tokens[i]` is the token with id `i`.

    Subclasses build the token list and write `encode`/`decode` for their unit of text.
    """

    def __init__(self, tokens):
        self.tokens = list(tokens)
        self._ids = {token: i for i, token in enumerate(self.tokens)}

    @property
    def size(self):
        return len(self.tokens)

    def __len__(self):
        return self.size

    def token_id(self, token):
        """The id of one token (a character, a word or a special token)."""
        if token not in self._ids:
            raise ValueError(f"Token {token!r} is not in the vocabulary of {self.size} tokens.")
        return self._ids[token]


class CharVocabulary(_Vocabulary):
    """Maps characters (and optional special tokens) to integer ids and back.

    Special tokens take the first ids, in the order given, then the characters in sorted
    order. With `special_tokens=("<pad>", "<bos>", "<eos>")`, padding is id 0.

    Args:
        characters: iterable of single characters, typically a whole corpus.
        special_tokens: tuple of strings. Defaults to `()`.

    Example:

    >>> vocab = CharVocabulary("hello world")
    >>> vocab.decode(vocab.encode("hello"))
    'hello'
    """

    def __init__(self, characters, special_tokens=()):
        self.special_tokens = tuple(special_tokens)
        super().__init__([*self.special_tokens, *sorted(set(characters) - set(special_tokens))])

    def encode(self, text, add_bos=False, add_eos=False):
        """Returns the int32 ids of `text`, framed by `<bos>`/`<eos>` if asked."""
        unknown = sorted(set(text) - self._ids.keys())
        if unknown:
            raise ValueError(
                f"Argument text holds characters outside the vocabulary: {unknown[:10]!r}."
            )
        ids = [self._ids[c] for c in text]
        if add_bos:
            ids.insert(0, self.token_id("<bos>"))
        if add_eos:
            ids.append(self.token_id("<eos>"))
        return np.asarray(ids, dtype="int32")

    def decode(self, ids, skip_special_tokens=True):
        """Returns the text of `ids`, stopping at `<eos>` when it is a special token."""
        chars = []
        for i in np.asarray(ids).reshape(-1).tolist():
            token = self.tokens[i]
            if token == "<eos>" and "<eos>" in self.special_tokens:
                break
            if skip_special_tokens and token in self.special_tokens:
                continue
            chars.append(token)
        return "".join(chars)


@dataclasses.dataclass
class TextCorpus:
    """A character corpus split into training and validation ids."""

    train: np.ndarray
    validation: np.ndarray
    vocabulary: CharVocabulary


def python_docs_text():
    """Returns the Python documentation topics that ship with CPython (`pydoc_data`).

    About 465k characters of real English and code, the same on every machine with the
    same Python version.
    """
    from pydoc_data.topics import topics

    return "\n\n".join(topics[key].strip() for key in sorted(topics))


def load_python_docs(validation_fraction=0.1):
    """The Python documentation as a character-level language-modelling corpus.

    The last `validation_fraction` of the text is held out, so validation text is unseen.

    Args:
        validation_fraction: float, share of the characters held out. Defaults to `0.1`.

    Returns:
        `TextCorpus` with int32 `train` and `validation` id arrays of shape `(N,)` and the
        `CharVocabulary` built on the whole text.
    """
    check.fraction("validation_fraction", validation_fraction)
    text = python_docs_text()
    vocabulary = CharVocabulary(text)
    ids = vocabulary.encode(text)
    split = int(len(ids) * (1 - validation_fraction))
    return TextCorpus(ids[:split], ids[split:], vocabulary)


def make_lm_windows(ids, sequence_length, stride=None):
    """Cuts token ids into next-token prediction pairs.

    Args:
        ids: int array of shape `(N,)`.
        sequence_length: int, tokens per example.
        stride: int, step between example starts. Defaults to `sequence_length`.

    Returns:
        `inputs`, `targets`: int32 arrays of shape `(M, sequence_length)`, where
        `targets[:, t] == inputs[:, t + 1]` within the text.
    """
    ids = np.asarray(ids, dtype="int32")
    check.positive_int("sequence_length", sequence_length)
    stride = sequence_length if stride is None else stride
    check.positive_int("stride", stride)
    starts = np.arange(0, len(ids) - sequence_length, stride)
    if len(starts) == 0:
        raise ValueError(
            f"Argument ids is too short ({len(ids)}) for sequence_length={sequence_length}."
        )
    index = starts[:, None] + np.arange(sequence_length + 1)[None, :]
    frames = ids[index]
    return frames[:, :-1], frames[:, 1:]


_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()

# Each format turns a `datetime.date` into a human-written string.
DATE_FORMATS = {
    "weekday_long": lambda d: f"{_WEEKDAYS[d.weekday()]}, {d.day} {_MONTHS[d.month - 1]} {d.year}",
    "us_short": lambda d: f"{d.month:02d}/{d.day:02d}/{d.year % 100:02d}",
    "us_long": lambda d: f"{d.month}/{d.day}/{d.year}",
    "day_mon_year": lambda d: f"{d.day} {_MONTHS[d.month - 1][:3]} {d.year}",
    "day_month_year": lambda d: f"{d.day} {_MONTHS[d.month - 1]} {d.year}",
    "month_day_year": lambda d: f"{_MONTHS[d.month - 1]} {d.day}, {d.year}",
    "mon_day_year": lambda d: f"{_MONTHS[d.month - 1][:3]} {d.day} {d.year}",
    "european_dots": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
    "dashed_mon": lambda d: f"{d.day:02d}-{_MONTHS[d.month - 1][:3]}-{d.year}",
    "weekday_short": lambda d: (
        f"{_WEEKDAYS[d.weekday()][:3]} {d.day} {_MONTHS[d.month - 1][:3]} {d.year}"
    ),
    "lower_month_day_year": lambda d: f"{_MONTHS[d.month - 1].lower()} {d.day} {d.year}",
    "iso_slashes": lambda d: f"{d.year}/{d.month:02d}/{d.day:02d}",
}


def _random_dates(rng, count, first_year, last_year):
    start = datetime.date(first_year, 1, 1).toordinal()
    stop = datetime.date(last_year, 12, 31).toordinal()
    return [datetime.date.fromordinal(int(o)) for o in rng.integers(start, stop + 1, count)]


def load_dates(
    num_train=20000, num_test=2000, formats=None, first_year=1950, last_year=2049, seed=0
):
    """A translation task: human-written dates to ISO 8601 (`"2026-11-24"`).

    Source strings use the `DATE_FORMATS` (for example `"Tuesday, 24 November 2026"`,
    `"11/24/26"`, `"24 Nov 2026"`). Test dates never occur in the training set, so a model
    must generalise rather than memorise. Two-digit years are read in the
    `first_year..last_year` window, which must span at most a century.

    Args:
        num_train: int, training pairs. Defaults to `20000`.
        num_test: int, test pairs. Defaults to `2000`.
        formats: sequence of `DATE_FORMATS` keys to draw from. Defaults to all of them.
        first_year: int. Defaults to `1950`.
        last_year: int. Defaults to `2049`.
        seed: int. Defaults to `0`.

    Returns:
        `(source_train, target_train), (source_test, target_test)`: lists of strings.
    """
    check.positive_int("num_train", num_train)
    check.positive_int("num_test", num_test)
    if not 0 <= last_year - first_year < 100:
        raise ValueError(
            "Arguments first_year and last_year must span at most 100 years so that "
            f"two-digit years are unambiguous; received {first_year}..{last_year}."
        )
    formats = list(DATE_FORMATS) if formats is None else list(formats)
    unknown = [f for f in formats if f not in DATE_FORMATS]
    if unknown or not formats:
        raise ValueError(
            f"Argument formats must be a non-empty list of {sorted(DATE_FORMATS)}; "
            f"received {formats!r}."
        )
    rng = np.random.default_rng(seed)
    dates = list(
        dict.fromkeys(_random_dates(rng, 3 * (num_train + num_test), first_year, last_year))
    )
    if len(dates) < num_train + num_test:
        raise ValueError(
            f"Only {len(dates)} distinct dates lie in {first_year}..{last_year}; ask for fewer "
            f"than num_train + num_test = {num_train + num_test}."
        )
    rng.shuffle(dates)

    def render(chosen):
        names = rng.choice(formats, len(chosen))
        return [DATE_FORMATS[n](d) for n, d in zip(names, chosen)], [d.isoformat() for d in chosen]

    return render(dates[:num_train]), render(dates[num_train : num_train + num_test])


def date_vocabularies():
    """Source and target `CharVocabulary` for `load_dates`, with `<pad>`, `<bos>`, `<eos>`."""
    specials = ("<pad>", "<bos>", "<eos>")
    source_chars = "".join(_MONTHS + _WEEKDAYS) + "".join(m.lower() for m in _MONTHS)
    source_chars += "0123456789 ,./-"
    return CharVocabulary(source_chars, specials), CharVocabulary("0123456789-", specials)
