"""Beam search over a fixed-size buffer of token ids."""

from keras import ops

from keraslab import _validation as check


def beam_search(log_probs_fn, start_ids, num_steps, num_beams, end_id=None, pad_id=0):
    """Beam search: keeps the `num_beams` most likely continuations at every step.

    Sequences that emit `end_id` stop growing (padded with `pad_id`) and keep their score,
    which is the sum of the token log-probabilities. Every step works on the same
    fixed-size buffer of ids, so compiled and eager backends reuse one program per step.

    Args:
        log_probs_fn: callable `(ids (B * K, t0 + num_steps), position) -> (B * K, V)`,
            the log-probabilities of the token after `ids[:, position]`; the ids after
            `position` are padding.
        start_ids: int array `(B, t0)`, the shared start of every sequence.
        num_steps: int, tokens to add.
        num_beams: int `K >= 1`; `1` is greedy decoding.
        end_id: int or None, the end-of-sequence token. Defaults to `None`.
        pad_id: int, written after `end_id`. Defaults to `0`.

    Returns:
        `(ids, scores)`: the best sequence per row `(B, t0 + num_steps)` and its total
        log-probability `(B,)`.
    """
    # Shapes: B sequences, K beams each, V tokens, L = t0 + num_steps positions.
    check.positive_int("num_beams", num_beams)
    start_ids = ops.cast(ops.convert_to_tensor(start_ids), "int32")
    batch_size, start_length = ops.shape(start_ids)
    ids = ops.pad(ops.repeat(start_ids, num_beams, axis=0), [(0, 0), (0, num_steps)])  # (B * K, L)
    first_beam_only = ops.tile(
        ops.convert_to_tensor([0.0] + [-1e9] * (num_beams - 1), "float32"), [batch_size]
    )
    scores = ops.reshape(first_beam_only, (batch_size, num_beams))  # (B, K)
    done = ops.zeros((batch_size, num_beams), "bool")
    offsets = ops.arange(batch_size)[:, None] * num_beams  # (B, 1)
    for position in range(start_length, start_length + num_steps):
        log_probs = ops.cast(log_probs_fn(ids, position - 1), "float32")
        vocabulary_size = ops.shape(log_probs)[-1]
        log_probs = ops.reshape(log_probs, (batch_size, num_beams, vocabulary_size))  # (B, K, V)
        only_pad = ops.where(ops.arange(vocabulary_size) == pad_id, 0.0, -1e9)
        log_probs = ops.where(done[..., None], only_pad, log_probs)
        candidates = ops.reshape(scores[..., None] + log_probs, (batch_size, -1))  # (B, K * V)
        scores, flat = ops.top_k(candidates, k=num_beams)
        parent = flat // vocabulary_size  # (B, K)
        token = ops.cast(flat % vocabulary_size, "int32")
        ids = ops.take(ids, ops.reshape(parent + offsets, (-1,)), axis=0)
        ids = ops.slice_update(ids, (0, position), ops.reshape(token, (-1, 1)))
        done = ops.take_along_axis(done, parent, axis=1)
        if end_id is not None:
            done = ops.logical_or(done, token == end_id)
    best = ops.reshape(ids, (batch_size, num_beams, -1))[:, 0]  # (B, L)
    return best, scores[:, 0]
