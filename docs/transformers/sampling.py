# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Text generation: sampling strategies and the key/value cache
#
# A language model gives a probability for every possible next token. *Generation* is
# the loop around it: choose a token, append it, ask again. How we choose decides
# whether the text is dull, fluent or nonsense; how we run the loop decides how fast it
# is. This page covers both, with `keraslab.generation.samplers` and
# `DecoderOnlyTransformer.generate` (the model of the [decoder-only page](decoder_only.py),
# a stack of causal [attention](attention.py) blocks as in Vaswani et al. 2017).

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np

import keraslab
from keraslab import course, presets
from keraslab.generation import samplers
from keraslab.models import DecoderOnlyTransformer
from keraslab.presets import data as preset_data

print(keraslab.describe_environment())
keras.utils.set_random_seed(0)
QUICK = keraslab.quick_mode()  # the test suite runs the page in quick mode
PRESET = "gpt_char_python_docs"  # the shipped character model the page samples from
PROMPT = "Return the "  # the text every sampler continues
NEW_TOKENS = 53  # characters each sampler writes after the prompt

# %% [markdown]
# ## Four rules for choosing the next token
#
# | sampler | rule |
# | --- | --- |
# | greedy | always the most likely token |
# | temperature $\tau$ | draw from $\operatorname{softmax}(z / \tau)$; $\tau < 1$ sharpens, $\tau > 1$ flattens |
# | top-k | draw among the $k$ most likely tokens only, renormalised |
# | top-p (nucleus) | draw among the fewest tokens whose probabilities add up to $p$ |
#
# With logits $z$, temperature gives $p_i = e^{z_i / \tau} / \sum_j e^{z_j / \tau}$.
# Nucleus sampling (Holtzman et al. 2019) keeps the smallest set $V^{(p)}$ of the most
# likely tokens with $\sum_{i \in V^{(p)}} p_i \ge p$ and draws from
#
# $$
# p'_i = \frac{p_i\, [i \in V^{(p)}]}{\sum_{j \in V^{(p)}} p_j}
# $$
#
# keraslab's nucleus rule, from the package:

# %%
course.show_source(samplers.TopPSampler.get_next_token)

# %% [markdown]
# To see what each one does, we draw 4000 tokens from the same ten logits with each
# sampler and count.

# %%
logits = np.array([3.0, 2.5, 2.0, 1.2, 1.0, 0.5, 0.0, -0.5, -1.0, -2.0], "float32")
rows = np.tile(logits, (4000, 1))
choices = {
    "greedy": samplers.GreedySampler(),
    "temperature 0.5": samplers.TemperatureSampler(temperature=0.5, seed=0),
    "temperature 1.5": samplers.TemperatureSampler(temperature=1.5, seed=0),
    "top-k, k=3": samplers.TopKSampler(k=3, seed=0),
    "top-p, p=0.8": samplers.TopPSampler(p=0.8, seed=0),
}
fig, axes = plt.subplots(1, len(choices) + 1, figsize=(15, 2.6), sharey=True)
axes[0].bar(range(10), keras.ops.convert_to_numpy(keras.ops.softmax(logits)), color="grey")
axes[0].set_title("softmax(logits)")
for ax, (name, sampler) in zip(axes[1:], choices.items()):
    drawn = keras.ops.convert_to_numpy(samplers.next_token(sampler, rows))
    ax.bar(range(10), np.bincount(drawn, minlength=10) / len(drawn))
    ax.set_title(name)
fig.tight_layout()
plt.show()

# %% [markdown]
# Greedy puts everything on one token. Temperature keeps every token possible but
# reshapes the odds. Top-k and top-p cut off the long tail of unlikely tokens, where
# most of the nonsense in sampled text comes from; top-p adapts the cut to how peaked
# the distribution is, top-k does not.
#
# ## A pretrained model to sample from
#
# keraslab ships a small character-level `DecoderOnlyTransformer` trained on the Python
# documentation by `scripts/pretrain` (the [decoder-only page](decoder_only.py) trains
# a larger one from scratch). `from_preset` loads it under any backend, and we check
# it on its held-out text before sampling from it.

# %%
info = presets.metadata(PRESET)
model = DecoderOnlyTransformer.from_preset(PRESET)
vocabulary = presets.vocabulary(PRESET)
model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
x_val, y_val, _ = preset_data.validation_data(PRESET)  # a language model weighs every token
if QUICK:
    x_val, y_val = x_val[:64], y_val[:64]
validation_nats = course.record(
    "preset validation nats per character",
    model.evaluate(x_val, y_val, batch_size=64, verbose=0),
    unit="nats/char",
)
course.markdown(
    f"`{PRESET}`: {model.count_params():,} parameters, {model.num_layers} blocks of width "
    f"{model.hidden_dim}, trained {info['epochs']} epochs under {info['backend']}. On "
    f"{len(x_val):,} held-out windows it scores **{validation_nats:.3f}** nats per character "
    f"under {keraslab.backend()}"
    + (
        f", as its metadata records ({info['metric']['value']:.3f})."
        if not QUICK
        else " (quick mode: a slice of them)."
    )
)
if not QUICK:
    assert abs(validation_nats - info["metric"]["value"]) < 1e-3, validation_nats

# %%
prompt = vocabulary.encode(PROMPT)[None, :]
settings = {
    "greedy": "greedy",
    "temperature 0.7": samplers.TemperatureSampler(temperature=0.7),
    "temperature 1.2": samplers.TemperatureSampler(temperature=1.2),
    "top-k, k=5": samplers.TopKSampler(k=5),
    "top-p, p=0.9": samplers.TopPSampler(p=0.9),
}
for name, sampler in settings.items():
    ids = model.generate(prompt, NEW_TOKENS, sampler=sampler, seed=2)
    print(f"--- {name}\n{vocabulary.decode(ids[0])!r}\n")

# %% [markdown]
# Greedy decoding soon loops on a phrase; temperature 1.2 makes up words; top-k and
# top-p sit in between.
#
# ## keras-hub samplers work too
#
# keraslab's samplers have the same two methods as `keras_hub.samplers.Sampler`
# (`compute_probabilities` and `get_next_token`) and draw with the same random calls, so
# `generate` accepts a keras-hub sampler, and for the same seed both give the same text.

# %%
try:
    import keras_hub
except ImportError:
    keras_hub = None
if keras_hub is not None:
    ours = model.generate(prompt, 20, sampler=samplers.TopKSampler(k=5), seed=3)
    theirs = model.generate(prompt, 20, sampler=keras_hub.samplers.TopKSampler(k=5), seed=3)
    np.testing.assert_array_equal(ours, theirs)
    print("keraslab TopKSampler :", repr(vocabulary.decode(ours[0])))
    print("keras_hub TopKSampler:", repr(vocabulary.decode(theirs[0])))

# %% [markdown]
# ## Why generation needs a cache
#
# Without a cache, step `t` runs the model over all `t` tokens so far to get one new
# token, and most of that work (the keys and values of the earlier tokens) was already
# done at step `t - 1`. With `use_cache=True`, every attention layer stores its keys and
# values; a step then computes them for the one new token only, and its query attends
# over the cache. The tokens are the same; the cost of a step no longer grows with the
# whole prefix.
#
# We time both for growing lengths, on a model of the same shape with room for 256
# positions (timing does not depend on the weights). Each length is run once untimed
# first, so compilation is not counted, then we keep the fastest of three runs.

# %%
lengths = [8, 16, 32] if QUICK else [32, 64, 128, 256]
timing_model = DecoderOnlyTransformer(
    vocabulary.size,
    max(lengths),
    num_layers=model.num_layers,
    num_heads=model.num_heads,
    hidden_dim=model.hidden_dim,
    intermediate_dim=model.intermediate_dim,
)
one_token = prompt[:, :1]
per_token_ms = {True: [], False: []}
for length in lengths:
    for use_cache in (True, False):
        timing_model.generate(one_token, length - 1, use_cache=use_cache)
        runs = []
        for _ in range(1 if QUICK else 3):
            start = time.perf_counter()
            timing_model.generate(one_token, length - 1, use_cache=use_cache)
            runs.append(1000 * (time.perf_counter() - start) / (length - 1))
        per_token_ms[use_cache].append(min(runs))
    print(
        f"{length:4d} tokens: cached {per_token_ms[True][-1]:6.2f} ms/token, "
        f"uncached {per_token_ms[False][-1]:6.2f} ms/token"
    )

course.record(f"cached ms per token at {lengths[-1]} tokens", per_token_ms[True][-1], unit="ms")
fig, ax = plt.subplots(figsize=(6, 3.2))
ax.plot(lengths, per_token_ms[False], "o-", label="without cache")
ax.plot(lengths, per_token_ms[True], "o-", label="with key/value cache")
ax.set_xlabel("generated sequence length")
ax.set_ylabel("ms per token")
ax.set_title(f"generation time per token ({keraslab.backend()}, CPU)")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# Without the cache the time per token grows with the length (and the total time with
# its square); with it, the time per token stays almost flat. `scripts/bench --only
# transformers` measures the same on all three backends.
#
# ## What to remember
#
# * Greedy is deterministic and repetitive; temperature, top-k and top-p trade
#   coherence for variety, and top-k/top-p cut the tail of unlikely tokens.
# * A key/value cache makes each generated token cost one step, without changing it.

# %% [markdown]
# ## When you'd use it
#
# * **Greedy or beam search** when there is one right answer (translation, the dates of
#   the [encoder-decoder page](encoder_decoder.py), code completion with tests).
# * **Top-p or top-k with a temperature a little below 1** for open-ended text, where
#   variety matters and the tail of unlikely tokens is what to cut.
# * **The cache, always**, for any decoder that generates more than a few tokens; it costs
#   memory (keys and values of every layer for every position so far), not accuracy.
#
# ## Exercises
#
# 1. Change `TopPSampler(p=0.8)` to `p=0.95` in the first experiment: how many of the ten
#    tokens can now be drawn? Hint: add up the softmax of `logits` from the largest.
# 2. Set the temperature sampler to `temperature=0.1`: which sampler does it now behave
#    like, and why?
# 3. Time generation with and without the cache at a length twice the longest one on the
#    page: does the ratio keep growing?
#
# ## References
#
# * Vaswani et al. 2017, "Attention Is All You Need":
#   [arXiv:1706.03762](https://arxiv.org/abs/1706.03762).
# * Holtzman et al. 2019, "The Curious Case of Neural Text Degeneration" (nucleus
#   sampling): [arXiv:1904.09751](https://arxiv.org/abs/1904.09751).
# * Fan et al. 2018, "Hierarchical Neural Story Generation" (top-k sampling):
#   [arXiv:1805.04833](https://arxiv.org/abs/1805.04833).
