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
# # Decoder-only Transformers: a character model of the Python docs
#
# A **decoder-only** Transformer (GPT) is built for **generation**. Every position may
# only look at the positions before it (a *causal* mask), and is trained to predict the
# next token. Once trained, it writes text one token at a time, feeding each choice back
# in.
#
# `keraslab.models.DecoderOnlyTransformer` is a stack of the same
# `keraslab.layers.TransformerDecoderBlock` that the encoder-decoder page uses, here
# built without cross-attention, on top of `TokenAndPositionEmbedding`. Its output layer
# reuses the input embedding matrix (*tied embeddings*).
#
# On this page we train it on the Python documentation that ships with CPython, one
# character at a time, and compare it with a bigram model that only sees the previous
# character.

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np

import keraslab
from keraslab.datasets import load_python_docs, make_lm_windows
from keraslab.evaluation import bigram_cross_entropy
from keraslab.models import DecoderOnlyTransformer

print(keraslab.describe_environment())
keras.utils.set_random_seed(0)
QUICK = keraslab.quick_mode()

# %% [markdown]
# ## The corpus and the bigram baseline
#
# About 420k characters of training text and 46k of held-out text: the last tenth of
# the documentation, which the model never sees. The bigram baseline estimates
# `P(next | previous)` by counting pairs. Both are scored by **cross-entropy in nats per
# character**, the mean of `-ln P(true next character)`: lower is better, and
# `ln(vocabulary size)` is what uniform guessing scores.

# %%
corpus = load_python_docs()
vocabulary = corpus.vocabulary
if QUICK:
    corpus.train, corpus.validation = corpus.train[:20000], corpus.validation[:4000]
bigram = bigram_cross_entropy(corpus.train, corpus.validation, vocabulary.size)
print(f"vocabulary: {vocabulary.size} characters")
print(f"uniform guess: {np.log(vocabulary.size):.3f} nats/char")
print(f"bigram model:  {bigram:.3f} nats/char")

# %% [markdown]
# ## The model
#
# Windows of `T` characters; the target is the same window shifted by one. Every
# position is a training example, so one window of 96 characters teaches 128
# predictions at once: the causal mask is what makes that honest.

# %%
T = 32 if QUICK else 96
config = (
    dict(num_layers=1, num_heads=2, hidden_dim=32, intermediate_dim=64)
    if QUICK
    else dict(num_layers=4, num_heads=4, hidden_dim=128, intermediate_dim=384)
)
x_train, y_train = make_lm_windows(corpus.train, T, stride=T // 2)
x_val, y_val = make_lm_windows(corpus.validation, T)
model = DecoderOnlyTransformer(vocabulary.size, T, **config)
model(x_train[:1])
print(f"{len(x_train)} training windows of {T} characters")
print(f"{model.count_params():,} parameters")

# %% [markdown]
# AdamW with a short warm-up and a cosine decay; the loss is the cross-entropy of the
# logits, so `evaluate` reports nats per character directly.

# %%
epochs = 1 if QUICK else 3
batch_size = 32
steps = epochs * (len(x_train) // batch_size)
schedule = keras.optimizers.schedules.CosineDecay(
    1e-4, steps, alpha=0.05, warmup_target=2e-3, warmup_steps=max(1, steps // 20)
)
model.compile(
    optimizer=keras.optimizers.AdamW(schedule, weight_decay=0.01),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
)
start = time.perf_counter()
history = model.fit(
    x_train,
    y_train,
    epochs=epochs,
    batch_size=batch_size,
    validation_data=(x_val, y_val),
    verbose=2,
)
training_seconds = time.perf_counter() - start
validation_loss = model.evaluate(x_val, y_val, batch_size=batch_size, verbose=0)
print(f"training time: {training_seconds:.0f} s on {keraslab.backend()}")

# %%
print("| model | validation nats/char |")
print("| --- | --- |")
print(f"| bigram | {bigram:.3f} |")
print(f"| decoder-only Transformer | {validation_loss:.3f} |")

fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(range(1, epochs + 1), history.history["loss"], "o-", label="training")
ax.plot(range(1, epochs + 1), history.history["val_loss"], "o-", label="validation")
ax.axhline(bigram, color="grey", ls="--", label="bigram")
ax.set_xlabel("epoch")
ax.set_ylabel("nats / character")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Writing Python documentation
#
# `generate` extends a prompt. At low temperature the model picks likely characters and
# repeats itself; at temperature 1 it samples from what it learned, typos and all.

# %%
prompt_text = "The built-in function "
prompt = vocabulary.encode(prompt_text)[None, :]
new_tokens = min(T - prompt.shape[1], 40 if QUICK else 100)
for temperature in (0.5, 0.8, 1.0):
    sampler = keraslab.generation.samplers.TemperatureSampler(temperature=temperature)
    ids = model.generate(prompt, new_tokens, sampler=sampler, seed=1)
    print(f"--- temperature {temperature}\n{vocabulary.decode(ids[0])}\n")

# %% [markdown]
# ## The cache gives the same text
#
# With `use_cache=True` each decoder block keeps the keys and values it has already
# computed, so a new character costs one step over the cache rather than a pass over
# the whole prefix. Greedy decoding must then give exactly the same characters.

# %%
cached = model.generate(prompt, new_tokens, use_cache=True)
uncached = model.generate(prompt, new_tokens, use_cache=False)
np.testing.assert_array_equal(cached, uncached)
print(vocabulary.decode(cached[0]))

# %% [markdown]
# ## Where the model looks
#
# The attention weights of the last block on a line of documentation. Each row is a
# position and shows, over the earlier positions only (the upper triangle is masked),
# how much it draws from each. Heads differ: look for one that stays on the previous
# character or two, and one that spreads over the current word.

# %%
text = "The list.append(x) method adds x"[: min(T, 32)]
maps = model.attention_maps(vocabulary.encode(text)[None, :])[-1][0]  # (H, T, T)
fig, axes = plt.subplots(1, maps.shape[0], figsize=(3.2 * maps.shape[0], 3.4))
for head, ax in enumerate(np.atleast_1d(axes)):
    ax.imshow(maps[head], cmap="Blues")
    ax.set_xticks(range(len(text)), list(text), fontsize=6)
    ax.set_yticks(range(len(text)), list(text), fontsize=6)
    ax.set_title(f"head {head}")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## What to remember
#
# * A decoder-only Transformer is a stack of causal self-attention blocks trained to
#   predict the next token; every position of every window is a training example.
# * It beats the bigram model because attention reaches back over the whole window,
#   not one character.
# * Generation is a loop; the key/value cache makes each step cheap without changing
#   a single token. The [text generation page](sampling.py) compares the samplers and
#   times the cache.
