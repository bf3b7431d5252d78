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
# `keraslab.layers.TransformerDecoderBlock` that the
# [encoder-decoder page](encoder_decoder.py) uses, here
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
from keraslab import course
from keraslab.course.diagrams.transformers import transformer_variants
from keraslab.datasets import load_python_docs, make_lm_windows
from keraslab.evaluation import bigram_cross_entropy
from keraslab.layers import TransformerDecoderBlock
from keraslab.models import DecoderOnlyTransformer
from keraslab.training import xla_jit_compile

print(keraslab.describe_environment())
SEED = 0  # one seed for every random draw on the page
QUICK = keraslab.quick_mode()  # the test suite runs the page in quick mode
T = 32 if QUICK else 96  # characters per training window
CONFIG = (  # the model's depth and widths
    dict(num_layers=1, num_heads=2, hidden_dim=32, intermediate_dim=64)
    if QUICK
    else dict(num_layers=4, num_heads=4, hidden_dim=128, intermediate_dim=384)
)
EPOCHS = 1 if QUICK else 3  # passes over the training windows
BATCH_SIZE = 32  # windows per step
STRIDE = T  # characters from one training window's start to the next (the budget's cut)
# The same page with STRIDE = T // 2 (overlapping windows, twice as many), measured on
# this 2-core machine under TensorFlow, before the page compiled with XLA (2026-12-01,
# commit 9556dc6, `scripts/course`).
LARGER_RUN = {"epochs": 3, "stride": "T // 2", "training_seconds": 431, "validation_nats": 1.305}
PEAK_LEARNING_RATE = 2e-3  # reached after the warm-up, then cosine-decayed
keras.utils.set_random_seed(SEED)

# %% [markdown]
# The decoder-only model is the middle column: the encoder's block with a causal mask,
# and a next-token head. (The [encoder-only page](encoder_only.py) is the left column.)

# %%
transformer_variants()
plt.show()
course.show_source(TransformerDecoderBlock.call)

# %% [markdown]
# ## The corpus and the bigram baseline
#
# The corpus is the documentation that `help()` shows, with its last tenth held out:
# the model never sees it. The bigram baseline estimates $P(x_t \mid x_{t-1})$ by
# counting pairs. Both are scored by **cross-entropy in nats per character**, the mean
# negative log-probability of the true next character, which is also the training loss
# of the language model:
#
# $$
# \mathcal{L}_{\text{LM}} = -\frac{1}{T} \sum_{t=1}^{T} \ln p_\theta\left(x_{t} \mid
# x_{1}, \dots, x_{t-1}\right)
# $$
#
# Lower is better, and $\ln V$ (for a vocabulary of $V$ characters) is what uniform
# guessing scores.

# %%
corpus = load_python_docs()
vocabulary = corpus.vocabulary
if QUICK:
    corpus.train, corpus.validation = corpus.train[:20000], corpus.validation[:4000]
bigram = bigram_cross_entropy(corpus.train, corpus.validation, vocabulary.size)
bigram = course.record("bigram nats per character", bigram, unit="nats/char")
course.markdown(
    f"**{len(corpus.train):,}** characters of training text and **{len(corpus.validation):,}** "
    f"of held-out text, over a vocabulary of {vocabulary.size} characters. Uniform guessing "
    f"scores {np.log(vocabulary.size):.3f} nats per character, the bigram model "
    f"**{bigram:.3f}**." + (" (Quick mode keeps only a slice of each.)" if QUICK else "")
)

# %% [markdown]
# ## The model
#
# Windows of `T` characters; the target is the same window shifted by one. Every
# position is a training example, so one window of `T` characters teaches `T`
# predictions at once, one per position: the causal mask is what makes that honest.

# %%
x_train, y_train = make_lm_windows(corpus.train, T, stride=STRIDE)
x_val, y_val = make_lm_windows(corpus.validation, T)
model = DecoderOnlyTransformer(vocabulary.size, T, **CONFIG)
model(x_train[:1])
print(f"{len(x_train)} training windows of {T} characters")
print(f"{model.count_params():,} parameters")

# %% [markdown]
# AdamW with a short warm-up and a cosine decay; the loss is the cross-entropy of the
# logits, so `evaluate` reports nats per character directly. Keras compiles the train
# step with XLA on JAX, but not on TensorFlow without a GPU; `xla_jit_compile()` asks
# for it there too, which makes this model's steps much faster on a CPU (its docstring
# has the measurement).

# %%
epochs, batch_size = EPOCHS, BATCH_SIZE
steps = epochs * (len(x_train) // batch_size)
schedule = keras.optimizers.schedules.CosineDecay(
    1e-4, steps, alpha=0.05, warmup_target=PEAK_LEARNING_RATE, warmup_steps=max(1, steps // 20)
)
model.compile(
    optimizer=keras.optimizers.AdamW(schedule, weight_decay=0.01),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    jit_compile=xla_jit_compile(),
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
training_seconds = course.record("training time", time.perf_counter() - start, unit="s")
validation_loss = model.evaluate(x_val, y_val, batch_size=batch_size, verbose=0)
validation_loss = course.record("validation nats per character", validation_loss, "nats/char")

# %%
course.markdown(
    f"""| model | validation nats/char |
| --- | --- |
| bigram | {bigram:.3f} |
| decoder-only Transformer | **{validation_loss:.3f}** |

{epochs} epoch(s) took {training_seconds:.0f} s on {keraslab.backend()}. The Transformer
{"beats" if validation_loss < bigram else "does not beat"} the bigram model by
{bigram - validation_loss:.3f} nats per character."""
)
if not QUICK:
    assert validation_loss < bigram
    assert validation_loss > LARGER_RUN["validation_nats"], validation_loss
    course.markdown(
        f"To fit the page's six-minute budget the training windows start `STRIDE` = {STRIDE} "
        f"characters apart (T = {T}). With `STRIDE = {LARGER_RUN['stride']}`, twice the "
        f"windows, the same {LARGER_RUN['epochs']} epochs took {LARGER_RUN['training_seconds']} s "
        "on the same machine under TensorFlow, before the page asked for XLA, "
        f"and reached **{LARGER_RUN['validation_nats']:.3f}** nats per character, against "
        f"this run's {validation_loss:.3f}: more data per epoch is still worth having at this size."
    )

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

# %% [markdown]
# ## When you'd use it
#
# * **Generating text** (or code, or any token sequence) that continues a prompt: chat
#   models, code completion, and the character model above.
# * **Scoring sequences**: the loss is a likelihood, so a trained model ranks texts by
#   how probable they are, or compresses them.
# * **One model for many tasks**, when the task can be written as a prompt and its
#   answer as the continuation (GPT-2's point). When the input is long, fixed and read
#   in full before writing, an [encoder-decoder](encoder_decoder.py) reads it in both
#   directions; for classification alone, an [encoder](encoder_only.py) is cheaper.
#
# ## Exercises
#
# 1. Set `T = 48`. Does the validation loss go up or down, and why? Hint: count how far
#    back attention can reach, and how many windows `make_lm_windows` then cuts.
# 2. Set `EPOCHS = 6`: is the model still improving, or does the validation curve
#    flatten while the training curve keeps falling?
# 3. Set `CONFIG`'s `num_heads` to 1 and compare the attention maps with the
#    multi-head ones.
# 4. Change the prompt to a line from the held-out tail of the documentation
#    (`vocabulary.decode(corpus.validation[:40])`). Is the text that follows more or
#    less plausible than after "The built-in function "?
#
# ## References
#
# * Vaswani et al. 2017, "Attention Is All You Need":
#   [arXiv:1706.03762](https://arxiv.org/abs/1706.03762).
# * Radford et al. 2019, "Language Models are Unsupervised Multitask Learners" (GPT-2):
#   [OpenAI](https://cdn.openai.com/better-language-models/language_models_are_unsupervised_multitask_learners.pdf).
# * Loshchilov & Hutter 2017, "Decoupled Weight Decay Regularization" (AdamW):
#   [arXiv:1711.05101](https://arxiv.org/abs/1711.05101).
