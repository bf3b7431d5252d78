"""Token samplers for autoregressive generation.

A sampler turns the logits of the next token into a token id. Each one has the two methods
of `keras_hub.samplers.Sampler`, `compute_probabilities(logits)` and
`get_next_token(probabilities)`, so keraslab's generation loops accept keras-hub samplers
as well (all but `BeamSampler` and `ContrastiveSampler`, which run their own loops).

| sampler | rule |
| --- | --- |
| `GreedySampler` | the most likely token |
| `TemperatureSampler` | draw from `softmax(logits / temperature)` |
| `TopKSampler` | draw from the `k` most likely tokens, renormalised |
| `TopPSampler` | draw from the smallest set of tokens whose probability reaches `p` |

Random samplers draw with `keras.random.categorical` and a `keras.random.SeedGenerator`,
the same calls as keras-hub, so for the same logits and seed both give the same tokens.
"""

import keras
from keras import ops

from keraslab import _validation as check


class Sampler:
    """Base class: `softmax(logits / temperature)`, then a rule picks one token per row.

    Args:
        temperature: float > 0, divides the logits before the softmax. Defaults to `1.0`.

    Call arguments:
        logits: float tensor of shape `(B, V)`.

    Returns:
        int32 tensor of shape `(B,)`.
    """

    def __init__(self, temperature=1.0):
        self.temperature = check.positive_float("temperature", temperature)

    def compute_probabilities(self, logits):
        logits = ops.cast(logits, "float32")
        return ops.softmax(logits / self.temperature, axis=-1)

    def get_next_token(self, probabilities):
        raise NotImplementedError

    def __call__(self, logits):
        return self.get_next_token(self.compute_probabilities(logits))

    def get_config(self):
        return {"temperature": self.temperature}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class GreedySampler(Sampler):
    """Always the most likely token (`argmax`); deterministic, and often repetitive.

    Example:

    >>> logits = keras.ops.convert_to_tensor([[0.1, 2.0, -1.0]])
    >>> keras.ops.convert_to_numpy(GreedySampler()(logits)).tolist()
    [1]
    """

    def get_next_token(self, probabilities):
        return ops.cast(ops.argmax(probabilities, axis=-1), "int32")


class _RandomSampler(Sampler):
    def __init__(self, seed=None, temperature=1.0):
        super().__init__(temperature=temperature)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def _draw(self, probabilities, candidates=None):
        """One index per row drawn in proportion to `probabilities`, mapped by `candidates`."""
        drawn = keras.random.categorical(
            ops.cast(ops.log(probabilities), "float32"), 1, seed=self.seed_generator, dtype="int32"
        )
        if candidates is not None:
            drawn = ops.take_along_axis(candidates, drawn, axis=-1)
        return ops.cast(ops.squeeze(drawn, axis=-1), "int32")

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


class TemperatureSampler(_RandomSampler):
    """Draws from the whole distribution `softmax(logits / temperature)`.

    Temperature below 1 sharpens the distribution (towards greedy), above 1 flattens it.

    Args:
        temperature: float > 0. Defaults to `1.0`.
        seed: int or None, seed of the sampler's `SeedGenerator`. Defaults to `None`.

    Example:

    >>> sampler = TemperatureSampler(temperature=0.7, seed=0)
    >>> tuple(sampler(keras.ops.zeros((4, 10))).shape)
    (4,)
    """

    def get_next_token(self, probabilities):
        return self._draw(probabilities)


class TopKSampler(_RandomSampler):
    """Draws among the `k` most likely tokens, renormalised (Fan et al., 2018).

    Paper: https://arxiv.org/abs/1805.04833

    Args:
        k: int >= 1. Defaults to `5`.
        seed: int or None. Defaults to `None`.
        temperature: float > 0. Defaults to `1.0`.

    Example:

    >>> sampler = TopKSampler(k=1, seed=0)
    >>> logits = keras.ops.convert_to_tensor([[0.1, 2.0, -1.0]])
    >>> keras.ops.convert_to_numpy(sampler(logits)).tolist()
    [1]
    """

    def __init__(self, k=5, seed=None, temperature=1.0):
        super().__init__(seed=seed, temperature=temperature)
        self.k = check.positive_int("k", k)

    def get_next_token(self, probabilities):
        check.at_most("k", self.k, ops.shape(probabilities)[-1], "the vocabulary size")
        top_probabilities, top_indices = ops.top_k(probabilities, k=self.k, sorted=False)
        return self._draw(top_probabilities, top_indices)

    def get_config(self):
        return {**super().get_config(), "k": self.k}


class TopPSampler(_RandomSampler):
    """Nucleus sampling: draws among the fewest tokens whose total probability reaches `p`.

    Paper: https://arxiv.org/abs/1904.09751 (Holtzman et al., 2020).

    Args:
        p: float in `(0, 1]`. Defaults to `0.9`.
        seed: int or None. Defaults to `None`.
        temperature: float > 0. Defaults to `1.0`.

    Example:

    >>> sampler = TopPSampler(p=0.5, seed=0)
    >>> logits = keras.ops.convert_to_tensor([[0.1, 3.0, -1.0]])
    >>> keras.ops.convert_to_numpy(sampler(logits)).tolist()
    [1]
    """

    def __init__(self, p=0.9, seed=None, temperature=1.0):
        super().__init__(seed=seed, temperature=temperature)
        self.p = check.positive_float("p", p, maximum=1)

    def get_next_token(self, probabilities):
        vocabulary_size = ops.shape(probabilities)[-1]
        sorted_probabilities, sorted_indices = ops.top_k(probabilities, k=vocabulary_size)
        before = ops.cumsum(sorted_probabilities, axis=-1) - sorted_probabilities
        keep = before < self.p  # B, V: the most likely token is always kept
        kept = ops.where(keep, sorted_probabilities, ops.zeros_like(sorted_probabilities))
        return self._draw(kept, sorted_indices)

    def get_config(self):
        return {**super().get_config(), "p": self.p}


_BY_NAME = {
    "greedy": GreedySampler,
    "temperature": TemperatureSampler,
    "top_k": TopKSampler,
    "top_p": TopPSampler,
}


def get(sampler, seed=None):
    """Returns a sampler from a name, a keraslab sampler or a keras-hub sampler.

    Args:
        sampler: one of `"greedy"`, `"temperature"`, `"top_k"`, `"top_p"` (default
            settings), or an object with `compute_probabilities` and `get_next_token`.
        seed: int or None. When given, a random sampler is rebuilt with this seed, so the
            same call gives the same tokens. Defaults to `None`.

    Example:

    >>> type(get("top_k")).__name__
    'TopKSampler'
    """
    if isinstance(sampler, str):
        sampler = _BY_NAME[check.one_of("sampler", sampler, sorted(_BY_NAME))]()
    if type(sampler).__name__ in ("BeamSampler", "ContrastiveSampler"):
        raise ValueError(
            f"Argument sampler: {type(sampler).__name__} runs its own decoding loop and "
            "cannot pick one token at a time; use num_beams for beam search."
        )
    if not (hasattr(sampler, "compute_probabilities") and hasattr(sampler, "get_next_token")):
        raise TypeError(
            "Argument sampler must be a name or have compute_probabilities and "
            f"get_next_token methods; received {type(sampler).__name__}."
        )
    if seed is not None and "seed" in sampler.get_config():
        sampler = type(sampler).from_config({**sampler.get_config(), "seed": seed})
    return sampler


def next_token(sampler, logits):
    """The sampler's choice of next token, as int32 of shape `(B,)`, from logits `(B, V)`."""
    return ops.cast(sampler.get_next_token(sampler.compute_probabilities(logits)), "int32")
