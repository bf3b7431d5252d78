"""Turning string pairs into padded id arrays for an encoder-decoder model."""

import numpy as np


def encode_pairs(
    sources, targets, source_vocabulary, target_vocabulary, source_length, target_length
):
    """Source ids `(N, source_length)` and target ids `(N, target_length + 1)`, 0-padded.

    Targets are framed as `<bos> ... <eos>`: train with `target_ids[:, :-1]` as the
    decoder input and `target_ids[:, 1:]` as the labels (teacher forcing).

    Args:
        sources: list of strings.
        targets: list of strings, one a source.
        source_vocabulary: `CharVocabulary` with `<pad>` = 0.
        target_vocabulary: `CharVocabulary` with `<pad>` = 0, `<bos>` and `<eos>`.
        source_length: int, longest source.
        target_length: int, longest target including `<bos>` (and `<eos>`, minus one).

    Returns:
        `(source_ids, target_ids)`, int32 arrays.
    """

    def pad(rows, length, name):
        out = np.zeros((len(rows), length), "int32")
        for i, row in enumerate(rows):
            if len(row) > length:
                raise ValueError(
                    f"Argument {name} ({length}) is too short for a sequence of {len(row)} ids."
                )
            out[i, : len(row)] = row
        return out

    source_ids = pad([source_vocabulary.encode(s) for s in sources], source_length, "source_length")
    target_ids = pad(
        [target_vocabulary.encode(t, add_bos=True, add_eos=True) for t in targets],
        target_length + 1,
        "target_length",
    )
    return source_ids, target_ids
