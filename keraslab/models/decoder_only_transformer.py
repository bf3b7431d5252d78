"""A decoder-only Transformer language model (GPT), with cached generation."""

import functools

import keras
import numpy as np
from keras import ops

from keraslab import _validation as check
from keraslab.generation import samplers
from keraslab.layers import TokenAndPositionEmbedding, TransformerDecoderBlock
from keraslab.models import _transformer
from keraslab.presets import FromPreset
from keraslab.training import inference_function


@keras.saving.register_keras_serializable(package="keraslab")
class DecoderOnlyTransformer(FromPreset, keras.Model):
    """A causal language model: a stack of pre-norm decoder blocks without cross-attention.

    Each position predicts the next token from the tokens up to it. Tokens are embedded
    with `TokenAndPositionEmbedding`, pass through `num_layers` causal
    `TransformerDecoderBlock`s (pre-norm, GELU, as in GPT-2) and a final LayerNorm. With
    `tie_embeddings=True` the output layer reuses the input embedding matrix, scoring the
    hidden state against every token's embedding, which saves `V * D` parameters.

    `generate` extends a prompt one token at a time. With `use_cache=True` every block keeps
    the keys and values of the tokens seen so far, so each new token costs one step over
    the cache instead of a pass over the whole prefix. Paper (GPT-2):
    https://cdn.openai.com/better-language-models/language_models_are_unsupervised_multitask_learners.pdf

    Args:
        vocabulary_size: int, number of token ids `V`.
        sequence_length: int, the longest sequence, prompt plus generated tokens.
        num_layers: int. Defaults to `2`.
        num_heads: int, dividing `hidden_dim`. Defaults to `4`.
        hidden_dim: int, the model width `D`. Defaults to `128`.
        intermediate_dim: int, width of each feed-forward layer. Defaults to `512`.
        dropout: float in `[0, 1)`. Defaults to `0.0`.
        tie_embeddings: bool, share the input embedding with the output layer.
            Defaults to `True`.
        position: `"learned"` or `"sinusoidal"` positions. Defaults to `"learned"`.
        num_key_value_heads: int or None, grouped-query attention (a smaller cache).
            Defaults to `None` (one key/value head per query head).
        **kwargs: `keras.Model` arguments (`name`, ...).

    Call arguments:
        token_ids: int tensor `(B, T)`, `T <= sequence_length`.
        training: bool or None, whether dropout is active.

    Returns:
        Next-token logits `(B, T, V)`.

    Example:

    >>> model = DecoderOnlyTransformer(vocabulary_size=20, sequence_length=12,
    ...                                num_layers=1, hidden_dim=16, intermediate_dim=32)
    >>> model.generate(np.array([[3, 4, 5]]), max_new_tokens=4).shape
    (1, 7)

    References:
        - Radford et al., "Language Models are Unsupervised Multitask Learners", 2019.
        - Vaswani et al., "Attention Is All You Need", 2017. https://arxiv.org/abs/1706.03762
    """

    def __init__(
        self,
        vocabulary_size,
        sequence_length,
        num_layers=2,
        num_heads=4,
        hidden_dim=128,
        intermediate_dim=512,
        dropout=0.0,
        tie_embeddings=True,
        position="learned",
        num_key_value_heads=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.vocabulary_size = vocabulary_size
        self.sequence_length = sequence_length
        self.num_layers = check.positive_int("num_layers", num_layers)
        self.num_heads = num_heads
        self.hidden_dim = hidden_dim
        self.intermediate_dim = intermediate_dim
        self.dropout = dropout
        self.tie_embeddings = check.boolean("tie_embeddings", tie_embeddings)
        self.position = position
        self.num_key_value_heads = num_key_value_heads

        self.embedding = TokenAndPositionEmbedding(
            vocabulary_size,
            sequence_length,
            hidden_dim,
            position=position,
            name="embedding",
            dtype=self.dtype_policy,
        )
        self.blocks = _transformer.blocks(
            TransformerDecoderBlock,
            num_layers,
            num_heads,
            hidden_dim,
            intermediate_dim,
            dropout,
            self.dtype_policy,
            norm_first=True,
            num_key_value_heads=num_key_value_heads,
        )
        self.final_norm = keras.layers.LayerNormalization(
            epsilon=1e-5, name="final_norm", dtype=self.dtype_policy
        )
        self.output_dense = (
            None
            if tie_embeddings
            else keras.layers.Dense(vocabulary_size, name="output_dense", dtype=self.dtype_policy)
        )
        self._compiled = {}

    def build(self, token_ids_shape):
        self.embedding.build(token_ids_shape)
        shape = (*token_ids_shape, self.hidden_dim)  # (B, T, D)
        for block in self.blocks:
            block.build(shape)
        self.final_norm.build(shape)
        if self.output_dense is not None:
            self.output_dense.build(shape)
        self.built = True

    def _logits(self, hidden):
        hidden = self.final_norm(hidden)
        if self.tie_embeddings:
            return _transformer.tied_logits(self.embedding, hidden)
        return self.output_dense(hidden)

    def _hidden(self, token_ids, training=None):
        x = self.embedding(token_ids)  # (B, T, D)
        for block in self.blocks:
            x = block(x, training=training)
        return x

    def call(self, token_ids, training=None):
        return self._logits(self._hidden(token_ids, training))  # (B, T, V)

    def _uncached_step(self, token_ids, position, greedy=False):
        """Uncached step: the whole (padded) sequence `(B, T)` again, next-token scores at
        `position` (see `_scores`)."""
        hidden = ops.take(self._hidden(token_ids), position, axis=1)  # (B, D)
        return _scores(self._logits(hidden[:, None])[:, 0], greedy)

    def _cached_step(self, token_ids, caches, index, greedy=False):
        """Cached step: new tokens `(B, T)` at `index` update each block's key/value cache;
        returns the next-token scores (see `_scores`) and the new caches."""
        x = self.embedding(token_ids, start_index=index)
        new_caches = []
        for block, cache in zip(self.blocks, caches):
            x, cache = block(
                x,
                self_attention_cache=cache,
                self_attention_cache_index=index,
                donate_self_attention_cache=True,  # generate drops the old caches
            )
            new_caches.append(cache)
        return _scores(self._logits(x[:, -1:])[:, 0], greedy), new_caches

    def _step_function(self, use_cache, greedy):
        """The compiled decoding step, cached or uncached, greedy or not."""
        key = (use_cache, greedy)
        if key not in self._compiled:
            step = self._cached_step if use_cache else self._uncached_step
            self._compiled[key] = inference_function(functools.partial(step, greedy=greedy), self)
        return self._compiled[key]

    def empty_cache(self, batch_size, length):
        """Zeroed key/value caches, one `(B, 2, K, S_max, D / H)` tensor per block."""
        heads = self.num_key_value_heads or self.num_heads
        shape = (batch_size, 2, heads, length, self.hidden_dim // self.num_heads)
        return [ops.zeros(shape, self.compute_dtype) for _ in self.blocks]

    def generate(self, prompt_ids, max_new_tokens, sampler="greedy", use_cache=True, seed=None):
        """Extends each prompt by `max_new_tokens` tokens, one at a time.

        Args:
            prompt_ids: int array `(B, P)`, `P < sequence_length`.
            max_new_tokens: int, `1 <= max_new_tokens <= sequence_length - P`.
            sampler: `"greedy"`, `"temperature"`, `"top_k"`, `"top_p"`, a keraslab
                sampler or a `keras_hub.samplers` sampler. Defaults to `"greedy"`.
            use_cache: bool, reuse each block's keys and values. Defaults to `True`.
            seed: int or None, reseeds a random sampler. Defaults to `None`.

        Returns:
            int32 NumPy array `(B, P + max_new_tokens)`: the prompts and their continuations.
        """
        prompt = check.token_ids(
            "prompt_ids", prompt_ids, self.sequence_length, self.vocabulary_size
        )
        check.at_most(
            "max_new_tokens",
            max_new_tokens,
            self.sequence_length - prompt.shape[1],
            "sequence_length - prompt length",
        )
        sampler = samplers.get(sampler, seed=seed)
        if not self.built:
            self.build(prompt.shape)
        generate = self._generate_cached if use_cache else self._generate_uncached
        new_tokens = ops.convert_to_numpy(generate(prompt, max_new_tokens, sampler))
        return np.concatenate([prompt, new_tokens.astype("int32")], axis=1)

    def _generate_cached(self, prompt, max_new_tokens, sampler):
        """The new tokens `(B, N)`: the prompt `(B, P)` fills the caches in one step, then
        each token is one step over them."""
        batch_size, prompt_length = prompt.shape
        greedy = isinstance(sampler, samplers.GreedySampler)
        step = self._step_function(True, greedy)
        caches = self.empty_cache(batch_size, prompt_length + max_new_tokens)
        scores, caches = step(prompt, caches, _position(0))
        tokens = [_next_token(sampler, scores, greedy)]
        for t in range(prompt_length, prompt_length + max_new_tokens - 1):
            scores, caches = step(tokens[-1], caches, _position(t))
            tokens.append(_next_token(sampler, scores, greedy))
        return ops.concatenate(tokens, axis=1)

    def _generate_uncached(self, prompt, max_new_tokens, sampler):
        """The new tokens `(B, N)`: each step reads the whole sequence, padded to
        `(B, P + N)` so that every step has the same shape."""
        prompt_length = prompt.shape[1]
        greedy = isinstance(sampler, samplers.GreedySampler)
        step = self._step_function(False, greedy)
        buffer = ops.pad(ops.convert_to_tensor(prompt), [(0, 0), (0, max_new_tokens)])
        for t in range(prompt_length, prompt_length + max_new_tokens):
            token = _next_token(sampler, step(buffer, _position(t - 1)), greedy)
            buffer = ops.slice_update(buffer, (0, t), token)
        return buffer[:, prompt_length:]

    def attention_maps(self, token_ids):
        """Causal self-attention weights, one NumPy array `(B, H, T, T)` per block."""
        ids = check.token_ids("token_ids", token_ids, self.sequence_length, self.vocabulary_size)
        if not self.built:
            self.build(ids.shape)
        x, maps = self.embedding(ids), []
        for block in self.blocks:
            x, scores = block(x, return_attention_scores=True)
            maps.append(ops.convert_to_numpy(scores))
        return maps

    def get_config(self):
        return {
            **super().get_config(),
            "vocabulary_size": self.vocabulary_size,
            "sequence_length": self.sequence_length,
            "num_layers": self.num_layers,
            "num_heads": self.num_heads,
            "hidden_dim": self.hidden_dim,
            "intermediate_dim": self.intermediate_dim,
            "dropout": self.dropout,
            "tie_embeddings": self.tie_embeddings,
            "position": self.position,
            "num_key_value_heads": self.num_key_value_heads,
        }


def _scores(logits, greedy):
    """What a compiled step returns for the next token: with greedy decoding the argmax,
    compiled in, as token ids `(B, 1)`; otherwise the logits `(B, V)` for the sampler."""
    if greedy:
        return samplers.next_token(samplers.GreedySampler(), logits)[:, None]
    return logits


def _next_token(sampler, scores, greedy):
    """The next token ids `(B, 1)` from a step's `scores` (see `_scores`)."""
    return scores if greedy else samplers.next_token(sampler, scores)[:, None]


def _position(t):
    """A position as a scalar int32 tensor, so that the compiled step does not recompile."""
    return ops.convert_to_tensor(t, "int32")
