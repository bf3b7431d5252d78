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
# # Encoder-decoder Transformers: normalising dates
#
# An **encoder-decoder** Transformer (the original Transformer of 2017, T5) is built for
# **transformation**: read one sequence, write another. The encoder reads the whole
# source with bidirectional attention; the decoder writes the target one token at a time
# with causal self-attention, and at every step looks back at the source through
# **cross-attention**.
#
# `keraslab.models.EncoderDecoderTransformer` is made of the same blocks as the other two
# pages: `TransformerEncoderBlock` (as in the encoder-only model) and
# `TransformerDecoderBlock` (as in the decoder-only model), this time built with
# cross-attention. The task: turn dates written by people into ISO 8601.
# <!-- fixed: 8601 = the number of the ISO standard for dates, not a result -->

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np

import keraslab
from keraslab import course
from keraslab.course.diagrams.transformers import transformer_variants
from keraslab.datasets import date_vocabularies, encode_pairs, load_dates
from keraslab.models import EncoderDecoderTransformer

print(keraslab.describe_environment())
SEED = 0  # one seed for every random draw on the page
QUICK = keraslab.quick_mode()  # the test suite runs the page in quick mode
NUM_TRAIN, NUM_TEST = (2000, 200) if QUICK else (20000, 2000)  # date pairs
NUM_LAYERS = 1 if QUICK else 2  # encoder blocks, and as many decoder blocks
HIDDEN_DIM = 32 if QUICK else 128  # model width D
INTERMEDIATE_DIM = 64 if QUICK else 256  # feed-forward width
EPOCHS = 1 if QUICK else 2  # passes over the training pairs (the page budget's cut)
# The same page with EPOCHS = 3, measured on this 2-core machine under TensorFlow with
# `scripts/course` (2026-12-02, commit 219f67b).
LARGER_RUN = {"epochs": 3, "training_seconds": 275, "greedy": 0.999, "beam": 0.999}
NUM_BEAMS = 4  # beams of the beam search
keras.utils.set_random_seed(SEED)

# %% [markdown]
# The right-hand pair of columns: an encoder stack like the
# [encoder-only](encoder_only.py) model's, whose outputs (the *memory*) every decoder
# block reads through cross-attention; the decoder is the [decoder-only](decoder_only.py)
# block with that extra sub-layer. Cross-attention is the
# [multi-head attention](attention.py) with queries from the decoder and keys and values
# from the memory:
#
# $$
# \operatorname{CrossAttention}(Y, M) = \operatorname{softmax}\left(
# \frac{(Y W_Q)(M W_K)^\top}{\sqrt{d}}\right) M W_V
# $$

# %%
transformer_variants()
plt.show()
course.show_source(EncoderDecoderTransformer.call)

# %% [markdown]
# ## The task
#
# Twelve formats, from `"Tuesday, 24 November 2026"` to `"11/24/26"`. The test dates never
# occur in the training set. Sources are characters; targets are `<bos>`, ten
# characters and `<eos>`.

# %%
(train_sources, train_targets), (test_sources, test_targets) = load_dates(
    num_train=NUM_TRAIN, num_test=NUM_TEST
)
source_vocabulary, target_vocabulary = date_vocabularies()
S, T = 32, 11
source_train, target_train = encode_pairs(
    train_sources, train_targets, source_vocabulary, target_vocabulary, S, T
)
source_test, _ = encode_pairs(
    test_sources, test_targets, source_vocabulary, target_vocabulary, S, T
)
for source, target in list(zip(train_sources, train_targets))[:5]:
    print(f"{source:>30}  ->  {target}")

# %% [markdown]
# ## Teacher forcing
#
# In training the decoder reads the *true* target shifted right, `<bos> 2 0 2 6 - ...`,
# and predicts it shifted left, `2 0 2 6 - ... <eos>`: all positions in one pass, each
# seeing only the true tokens before it. Padding (id 0) is left out of the loss.

# %%
model = EncoderDecoderTransformer(
    source_vocabulary.size,
    target_vocabulary.size,
    S,
    T + 1,
    num_encoder_layers=NUM_LAYERS,
    num_decoder_layers=NUM_LAYERS,
    num_heads=4,
    hidden_dim=HIDDEN_DIM,
    intermediate_dim=INTERMEDIATE_DIM,
    dropout=0.1,
)
x_train = {"source_ids": source_train, "target_ids": target_train[:, :-1]}
y_train = target_train[:, 1:]
model.compile(
    optimizer=keras.optimizers.Adam(1e-3),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0),
    metrics=[keras.metrics.SparseCategoricalAccuracy(name="token_accuracy")],
)
model({name: ids[:1] for name, ids in x_train.items()})  # builds the weights
print(f"{model.count_params():,} parameters")
start = time.perf_counter()
history = model.fit(x_train, y_train, epochs=EPOCHS, batch_size=64, verbose=2)
training_seconds = course.record("training time", time.perf_counter() - start, unit="s")
token_accuracy = history.history["token_accuracy"]
course.markdown(
    f"To fit the page's six-minute budget the model trains for {EPOCHS} epoch(s), "
    f"{training_seconds / EPOCHS:.0f} s each on {keraslab.backend()}. The training token "
    f"accuracy went {' → '.join(f'{a:.1%}' for a in token_accuracy)}"
    + (
        f": the last epoch added {token_accuracy[-1] - token_accuracy[-2]:.1%}, so "
        + (
            "more epochs would mostly polish the few dates still wrong below."
            if token_accuracy[-1] - token_accuracy[-2] < 0.01
            else "more epochs would still help."
        )
        if len(token_accuracy) > 1
        else "."
    )
)

# %% [markdown]
# ## Greedy decoding and beam search
#
# At test time there is no true target to read: `generate` feeds the model its own
# output. **Greedy** decoding takes the most likely token at each step. **Beam search**
# keeps the `num_beams` most likely partial outputs and extends each, so one early,
# slightly wrong choice can still be overtaken. We score **exact match**: the whole
# date must be right.


# %%
def exact_match(generated):
    decoded = [target_vocabulary.decode(row) for row in generated]
    return np.mean([d == t for d, t in zip(decoded, test_targets)]), decoded


results = {}
for num_beams in (1, NUM_BEAMS):
    start = time.perf_counter()
    generated = model.generate(source_test, num_beams=num_beams)
    seconds = time.perf_counter() - start
    results[num_beams] = exact_match(generated)
    name = "greedy" if num_beams == 1 else f"beam search ({num_beams} beams)"
    course.record(f"{name}: exact match", results[num_beams][0], unit="fraction")
    print(f"{name:>24}: exact match {results[num_beams][0]:.2%}  ({seconds:.1f} s)")
course.markdown(
    f"After {EPOCHS} epoch(s) on {len(train_sources):,} pairs ({training_seconds:.0f} s on "
    f"{keraslab.backend()}), greedy decoding gets **{results[1][0]:.1%}** of the "
    f"{len(test_sources):,} unseen test dates exactly right, beam search with {NUM_BEAMS} "
    f"beams **{results[NUM_BEAMS][0]:.1%}**."
    + (
        f" With {LARGER_RUN['epochs']} epochs ({LARGER_RUN['training_seconds']} s of training "
        f"on the same machine under TensorFlow) greedy decoding reached {LARGER_RUN['greedy']:.1%} "
        f"and beam search {LARGER_RUN['beam']:.1%}."
        if not QUICK
        else ""
    )
)

# %%
greedy, beam = results[1][1], results[NUM_BEAMS][1]
wrong = [i for i, d in enumerate(beam) if d != test_targets[i]][:8]
print(f"{'source':>30}  {'truth':>10}  {'greedy':>10}  {'beam':>10}")
for i in wrong or range(5):
    print(f"{test_sources[i]:>30}  {test_targets[i]:>10}  {greedy[i]:>10}  {beam[i]:>10}")

# %% [markdown]
# ## Cross-attention: where the decoder reads
#
# For each output character (rows), the weights the last decoder block puts on the
# source characters (columns), averaged over heads. Look for the rows that write the
# month and the year: a trained model draws them from the month's name (or number) and
# from the year's digits, wherever the format puts them.

# %%
index = next(i for i, s in enumerate(test_sources) if any(c.isalpha() for c in s))
source_ids = source_test[index : index + 1]
target_ids = np.concatenate([[[1]], model.generate(source_ids)], axis=1)[:, :T]
weights = model.cross_attention_maps(source_ids, target_ids)[-1][0].mean(axis=0)
length = len(test_sources[index])
fig, ax = plt.subplots(figsize=(8, 3.5))
ax.imshow(weights[:, :length], cmap="Blues")
ax.set_xticks(range(length), list(test_sources[index]))
ax.set_yticks(range(T), [target_vocabulary.tokens[i] for i in target_ids[0]])
ax.set_xlabel("source")
ax.set_ylabel("decoder input")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## What to remember
#
# * Encoder (bidirectional) + decoder (causal) + cross-attention between them: the
#   shape of every sequence-to-sequence Transformer.
# * Teacher forcing trains all output positions in one pass; generation then has to run
#   step by step on the model's own outputs.
# * Beam search looks a little further ahead than greedy decoding. When the model is
#   confident, as here once trained, the two mostly agree.

# %% [markdown]
# ## When you'd use it
#
# * **Sequence-to-sequence tasks** whose input is given in full before the output starts:
#   translation, summarisation, speech or handwriting to text, normalisation as here.
# * When the input is long and the output short, the encoder reads the input once and
#   the decoder only attends to it, which is cheaper than a decoder-only model reading
#   input and output as one sequence.
# * T5 casts every text task (classification included) as text to text, with one
#   encoder-decoder. For open-ended generation from a prompt, a
#   [decoder-only](decoder_only.py) model is simpler; for labels alone, an
#   [encoder-only](encoder_only.py) one.
#
# ## Exercises
#
# 1. Set `NUM_LAYERS = 1`: how much exact match is lost, and how much training time
#    saved?
# 2. Set `EPOCHS = 1` and compare greedy decoding with beam search. Hint: beam search
#    helps most when the model is still unsure.
# 3. Train on `load_dates(formats=["us_short"])` and test on the full set of formats:
#    what does the model write for a format it has never seen?
#
# ## References
#
# * Vaswani et al. 2017, "Attention Is All You Need":
#   [arXiv:1706.03762](https://arxiv.org/abs/1706.03762).
# * Raffel et al. 2019, "Exploring the Limits of Transfer Learning with a Unified
#   Text-to-Text Transformer" (T5): [arXiv:1910.10683](https://arxiv.org/abs/1910.10683).
# * Sutskever et al. 2014, "Sequence to Sequence Learning with Neural Networks":
#   [arXiv:1409.3215](https://arxiv.org/abs/1409.3215).
