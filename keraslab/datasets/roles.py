"""A generated classification task where word order is everything: who did it?

Each sentence names two animals, one acting on the other, in active, passive or relative
clauses: "the old fox chased the small dog" and "the small dog was chased by the old fox"
both have the fox as the agent, while "the fox that the dog chased ran away" has the dog.
Both animals occur in every sentence, so a bag of words cannot tell which one acted.
"""

import dataclasses

import numpy as np

from keraslab import _validation as check
from keraslab.datasets.text import _Vocabulary

ANIMALS = "fox dog cat owl bear wolf hare deer".split()
_ADJECTIVES = "red small old quick lazy brown young grey".split()
_VERBS = "chased bit saw followed pushed helped watched fed".split()
_PLACES = ("", "in the forest", "near the river", "at night", "after the storm")

# Each template writes the agent `A` and the patient `B`, with their adjectives `a` and `b`.
_TEMPLATES = (
    "the {a} {A} {v} the {b} {B}",
    "the {b} {B} was {v} by the {a} {A}",
    "the {A} that {v} the {b} {B} ran away",
    "the {b} {B} that the {a} {A} {v} ran away",
)
SPECIAL_TOKENS = ("<pad>", "[CLS]", "[MASK]")
TAGS = ("other", "agent", "patient")


class WordVocabulary(_Vocabulary):
    """Word ids for the role sentences: `<pad>` = 0, `[CLS]` = 1, `[MASK]` = 2, then words."""

    def __init__(self):
        words = set(" ".join(_TEMPLATES).split()) | set(" ".join(_PLACES).split())
        words = {w for w in words if not w.startswith("{")}
        words |= set(ANIMALS) | set(_ADJECTIVES) | set(_VERBS)
        super().__init__([*SPECIAL_TOKENS, *sorted(words)])

    def encode(self, sentences, sequence_length):
        """int32 `(N, sequence_length)`: `[CLS]`, the words, then `<pad>`."""
        ids = np.zeros((len(sentences), sequence_length), "int32")
        for row, sentence in enumerate(sentences):
            words = ["[CLS]", *sentence.split()]
            if len(words) > sequence_length:
                raise ValueError(
                    f"Argument sequence_length ({sequence_length}) is too short for "
                    f"{sentence!r} ({len(words)} tokens with [CLS])."
                )
            ids[row, : len(words)] = [self._ids[w] for w in words]
        return ids

    def decode(self, ids):
        return " ".join(
            self.tokens[i] for i in np.asarray(ids).tolist() if i >= len(SPECIAL_TOKENS)
        )


@dataclasses.dataclass
class RoleExamples:
    """Sentences with their agent (`labels`, index into `ANIMALS`) and per-token role tags.

    `token_ids` and `tags` are int32 `(N, sequence_length)`, aligned: position 0 is `[CLS]`.
    `tags` marks the agent's noun 1, the patient's noun 2 and every other token 0.
    """

    sentences: list
    token_ids: np.ndarray
    labels: np.ndarray
    tags: np.ndarray


def _sentence(rng):
    agent, patient = rng.choice(len(ANIMALS), 2, replace=False)
    a, b = rng.choice(_ADJECTIVES, 2)
    words = _TEMPLATES[rng.integers(len(_TEMPLATES))].format(
        A=ANIMALS[agent], B=ANIMALS[patient], a=a, b=b, v=rng.choice(_VERBS)
    )
    place = _PLACES[rng.integers(len(_PLACES))]
    return (f"{words} {place}".strip(), int(agent), int(patient))


def _examples(rows, vocabulary, sequence_length):
    sentences = [s for s, _, _ in rows]
    token_ids = vocabulary.encode(sentences, sequence_length)
    tags = np.zeros_like(token_ids)
    for row, (_, agent, patient) in enumerate(rows):
        tags[row][token_ids[row] == vocabulary.token_id(ANIMALS[agent])] = 1
        tags[row][token_ids[row] == vocabulary.token_id(ANIMALS[patient])] = 2
    labels = np.asarray([agent for _, agent, _ in rows], "int32")
    return RoleExamples(sentences, token_ids, labels, tags)


def load_roles(num_train=8000, num_test=2000, sequence_length=16, seed=0):
    """Who did it? Sentences labelled with their agent; test sentences are unseen.

    Args:
        num_train: int. Defaults to `8000`.
        num_test: int. Defaults to `2000`.
        sequence_length: int, tokens per row including `[CLS]`. Defaults to `16`.
        seed: int. Defaults to `0`.

    Returns:
        `(train, test, vocabulary)`: two `RoleExamples` and the `WordVocabulary`.

    Example:

    >>> train, test, vocabulary = load_roles(num_train=10, num_test=5)
    >>> train.token_ids.shape, ANIMALS[train.labels[0]] in train.sentences[0]
    ((10, 16), True)
    """
    check.positive_int("num_train", num_train)
    check.positive_int("num_test", num_test)
    check.positive_int("sequence_length", sequence_length)
    rng = np.random.default_rng(seed)
    unique = {}
    for _ in range(20 * (num_train + num_test)):
        sentence, agent, patient = _sentence(rng)
        unique.setdefault(sentence, (sentence, agent, patient))
        if len(unique) == num_train + num_test:
            break
    rows = list(unique.values())
    vocabulary = WordVocabulary()
    return (
        _examples(rows[:num_train], vocabulary, sequence_length),
        _examples(rows[num_train:], vocabulary, sequence_length),
        vocabulary,
    )
