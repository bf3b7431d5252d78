"""Masked-language-model inputs, as BERT made them."""

import numpy as np

from keraslab import _validation as check


def mask_tokens(token_ids, mask_id, rate=0.15, first_maskable_id=1, seed=0):
    """BERT's masked-language-model inputs: hide a random `rate` of the real tokens.

    Of the chosen positions, 80% become `mask_id`, 10% a random token and 10% stay, so the
    model cannot tell which tokens to correct by looking for `mask_id`.

    Args:
        token_ids: int array `(B, T)`, 0 for padding.
        mask_id: int, the `[MASK]` token.
        rate: float in `(0, 1)`. Defaults to `0.15`.
        first_maskable_id: int, ids below it (padding, `[CLS]`, `[MASK]`) are never
            chosen, nor drawn as random replacements. Defaults to `1`.
        seed: int. Defaults to `0`.

    Returns:
        `(inputs, targets, sample_weight)`: the corrupted ids, the original ids, and
        float32 weights `(B, T)` that are 1 at the chosen positions and 0 elsewhere.
    """
    ids = check.token_ids("token_ids", token_ids)
    if not 0.0 < rate < 1.0:
        raise ValueError(f"Argument rate must be strictly between 0 and 1; received {rate}.")
    rng = np.random.default_rng(seed)
    chosen = (rng.random(ids.shape) < rate) & (ids >= first_maskable_id)
    action = rng.random(ids.shape)
    inputs = ids.copy()
    inputs[chosen & (action < 0.8)] = mask_id
    swap = chosen & (action >= 0.8) & (action < 0.9)
    inputs[swap] = rng.integers(first_maskable_id, ids.max() + 1, swap.sum())
    return inputs, ids, chosen.astype("float32")
