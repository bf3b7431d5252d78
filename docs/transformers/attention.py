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
# # Self-attention and multi-head attention
#
# A recurrent network reads a sentence one word at a time. **Attention** lets every word
# look at every other word at once and decide which ones matter to it. For each position
# it compares a **query** $q$ with the **key** $k$ of every position, turns the scores into
# weights with a softmax, and returns the weighted average of the **values** $v$
# (scaled dot-product attention, Vaswani et al. 2017):
#
# $$
# \operatorname{Attention}(Q, K, V) = \operatorname{softmax}\left(\frac{Q K^\top}{\sqrt{d}}\right) V,
# \qquad
# a_{ts} = \frac{\exp(q_t \cdot k_s / \sqrt{d})}{\sum_{s'} \exp(q_t \cdot k_{s'} / \sqrt{d})}
# $$
#
# Dividing by $\sqrt{d}$ ($d$ = size of a key) keeps the scores from growing with $d$,
# which would push the softmax into a one-hot corner with vanishing gradients. Row $t$ of
# the output is $\sum_s a_{ts} v_s$: a weighted sum of the values, drawn below for one
# query and four keys.
#
# We compute it by hand on a tiny sentence, watch it give the word *bank* a different
# meaning next to *river* and next to *account*, then meet `keraslab.layers.MultiHeadAttention`,
# its masks, and a model that learns where to look.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import ops

import keraslab
from keraslab import course
from keraslab.course.diagrams.transformers import attention_as_weighted_sum
from keraslab.layers import MultiHeadAttention, scaled_dot_product_attention

print(keraslab.describe_environment())

SEED = 0  # one seed for every random draw on the page
QUICK = keraslab.quick_mode()  # the test suite runs the page in quick mode
TRAIN_SEQUENCES = 256 if QUICK else 4096  # sequences in the toy "find the marked token" task
EPOCHS = 3 if QUICK else 30  # passes over them
SEQUENCE_LENGTH = 8  # tokens per sequence in that task
MARKED_WEIGHT_TARGET = 0.5  # full mode: mean weight on the flag above half, i.e. "most"
keras.utils.set_random_seed(SEED)

# %%
attention_as_weighted_sum()
plt.show()

# %% [markdown]
# ## Attention by hand
#
# Give each word of "the cat sat on the mat" a made-up 4-number embedding. For now the
# queries, keys and values are the embeddings themselves ($Q = K = V = X$), so two words
# attend to each other when their embeddings point the same way.

# %%
words = ["the", "cat", "sat", "on", "the", "mat"]
vocabulary = {  # features: [animal, object, action, function word]
    "the": [0.0, 0.0, 0.0, 1.0],
    "cat": [1.0, 0.2, 0.0, 0.0],
    "sat": [0.3, 0.0, 1.0, 0.0],
    "on": [0.0, 0.3, 0.2, 0.8],
    "mat": [0.1, 1.0, 0.0, 0.0],
}
X = np.array([vocabulary[w] for w in words], dtype="float32")  # (T, d)

scores = X @ X.T / np.sqrt(X.shape[1])  # (T, T): query row, key column
weights = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)  # softmax per row
by_hand = weights @ X
print("each row of weights sums to", weights.sum(axis=1).round(6))


def heat_map(ax, matrix, rows, cols, title):
    ax.imshow(matrix, cmap="viridis", vmin=0)
    ax.set_xticks(range(len(cols)), cols, rotation=45)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("key (attended to)")
    ax.set_ylabel("query")
    ax.set_title(title)


fig, ax = plt.subplots(figsize=(4, 4))
heat_map(ax, weights, words, words, "softmax(X Xᵀ / √d)")
plt.show()

# %% [markdown]
# `keraslab.layers.scaled_dot_product_attention` computes the same thing on batched,
# multi-head tensors shaped `(B, H, T, D)`: batch, heads, positions, head size. It has two
# paths: with `return_weights=True` plain `keras.ops` that also return the weights, and
# otherwise the backend's fused kernel (`keras.ops.dot_product_attention`). They agree.

# %%
heads = X[None, None]  # (B=1, H=1, T, D)
fused = scaled_dot_product_attention(heads, heads, heads)
plain, layer_weights = scaled_dot_product_attention(heads, heads, heads, return_weights=True)
np.testing.assert_allclose(ops.convert_to_numpy(fused)[0, 0], by_hand, atol=1e-5)
np.testing.assert_allclose(ops.convert_to_numpy(layer_weights)[0, 0], weights, atol=1e-5)
print("fused kernel, plain path and NumPy agree")

# %% [markdown]
# ## "bank" by the river, "bank" in the account
#
# A word embedding gives *bank* one vector, whatever the sentence. After attention its
# output is a mix of itself and its neighbours, so it becomes **contextual**: next to
# *river* it leans towards nature, next to *account* towards money.

# %%
senses = {  # features: [finance, nature, place, function word]
    "the": [0.0, 0.0, 0.0, 1.0],
    "river": [0.0, 1.0, 0.4, 0.0],
    "bank": [0.6, 0.6, 0.5, 0.0],
    "account": [1.0, 0.0, 0.0, 0.0],
    "my": [0.0, 0.0, 0.0, 0.9],
}


def contextual(sentence):
    x = np.array([senses[w] for w in sentence.split()], dtype="float32")[None, None]
    out = scaled_dot_product_attention(x, x, x)
    return dict(zip(sentence.split(), ops.convert_to_numpy(out)[0, 0]))


river, money = contextual("the river bank"), contextual("my bank account")
features = ["finance", "nature", "place", "function"]
fig, ax = plt.subplots(figsize=(6, 2.8))
for offset, (label, vector) in enumerate(
    [
        ("embedding", senses["bank"]),
        ("in 'the river bank'", river["bank"]),
        ("in 'my bank account'", money["bank"]),
    ]
):
    ax.bar(np.arange(4) + 0.27 * (offset - 1), vector, width=0.27, label=label)
ax.set_xticks(range(4), features)
ax.set_title("the vector of 'bank'")
ax.legend(fontsize=8)
plt.show()
cosine = (
    river["bank"] @ money["bank"] / np.linalg.norm(river["bank"]) / np.linalg.norm(money["bank"])
)
print("nature − finance, river bank:  ", round(float(river["bank"][1] - river["bank"][0]), 3))
print("nature − finance, bank account:", round(float(money["bank"][1] - money["bank"][0]), 3))
print("cosine between the two 'bank' outputs:", round(float(cosine), 3))
assert river["bank"][1] > river["bank"][0] and money["bank"][0] > money["bank"][1]

# %% [markdown]
# In a real model the queries, keys and values are learned linear maps of the embeddings
# ($Q = X W_Q$, $K = X W_K$, $V = X W_V$), so a word can ask a question (its query) that
# is different from what it advertises (its key).
#
# ## Multi-head attention
#
# One softmax can only express one way of attending. **Multi-head attention** runs $H$
# attentions in parallel on smaller projections (head size $D = \text{width} / H$), each
# free to specialise (one on the previous word, another on the subject...), concatenates
# the heads and projects them back:
#
# $$
# \operatorname{MultiHead}(X) = \left[\text{head}_1; \dots; \text{head}_H\right] W_O,
# \qquad
# \text{head}_h = \operatorname{Attention}\left(X W_Q^{(h)}, X W_K^{(h)}, X W_V^{(h)}\right)
# $$
#
#  `keraslab.layers.MultiHeadAttention` has the Keras call
# signature: `layer(query, value, key=None, attention_mask=None, use_causal_mask=False,
# return_attention_scores=False)`. `layer(x, x)` is self-attention; `layer(x, memory)` is
# cross-attention, as when a translation decoder reads its encoder's output (the
# [encoder-decoder page](encoder_decoder.py)). Its own code:

# %%
course.show_source(MultiHeadAttention.call)

# %% [markdown]
# Now a layer with 4 heads of size 8 on 32-wide inputs.

# %%
layer = MultiHeadAttention(num_heads=4, key_dim=8)
x = np.random.default_rng(SEED).normal(size=(1, len(words), 32)).astype("float32")
output, head_scores = layer(x, x, return_attention_scores=True)
print("input  (B, T, width):", x.shape)
print("output (B, T, width):", tuple(output.shape))
print("scores (B, H, T, T): ", tuple(head_scores.shape))
print("trainable parameters:", layer.count_params(), "= 4 × (32 × 32 + 32)")

fig, axes = plt.subplots(1, 4, figsize=(13, 3.4))
for h, ax in enumerate(axes):
    heat_map(ax, ops.convert_to_numpy(head_scores)[0, h], words, words, f"head {h}")
fig.tight_layout()
plt.show()

# %% [markdown]
# Untrained, the heads attend almost uniformly. Keras's own `MultiHeadAttention` stores
# its weights in the same layout, so we can copy them across and check that both layers
# compute the same thing.

# %%
reference = keras.layers.MultiHeadAttention(num_heads=4, key_dim=8)
reference(x, x)
reference.set_weights(layer.get_weights())
np.testing.assert_allclose(
    ops.convert_to_numpy(reference(x, x)), ops.convert_to_numpy(output), atol=1e-5
)
print("keraslab and keras.layers.MultiHeadAttention agree")

# %% [markdown]
# ## Masks
#
# * A **padding mask** hides the padding tokens that fill short sentences up to the batch
#   length: they get exactly zero weight.
# * A **causal mask** hides the future, so that a language model predicting word `t + 1`
#   cannot peek at it: position $t$ sees only positions $s \le t$. A masked score is set
#   to $-\infty$ before the softmax, so its weight is exactly zero.
#
# Both can be combined. The weights of the masked positions are zero, and every row still
# sums to one.

# %%
keep = np.array([[True, True, True, True, False, False]])  # the last two are padding
padding_mask = np.broadcast_to(keep[:, None, :], (1, len(words), len(words)))  # (B, T, S)
_, padded = layer(x, x, attention_mask=padding_mask, return_attention_scores=True)
_, causal = layer(x, x, use_causal_mask=True, return_attention_scores=True)
_, both = layer(
    x, x, attention_mask=padding_mask, use_causal_mask=True, return_attention_scores=True
)

fig, axes = plt.subplots(1, 3, figsize=(11, 3.6))
for ax, scores_, title in zip(axes, [padded, causal, both], ["padding", "causal", "both"]):
    heat_map(ax, ops.convert_to_numpy(scores_)[0, 0], words, words, title)
fig.tight_layout()
plt.show()
assert np.all(ops.convert_to_numpy(both)[0, :, :, 4:] == 0)

# %% [markdown]
# ## Attention learns where to look
#
# A toy task: each sequence holds random numbers, and one position is marked by a flag.
# The model must output, at every position, the number at the marked position. A single
# attention layer can solve it by having every query attend to the marked key. We train
# `MultiHeadAttention` followed by a `Dense` read-out, then look at its weights.

# %%
rng = np.random.default_rng(SEED)


def marked_value_task(n):
    values = rng.normal(size=(n, SEQUENCE_LENGTH)).astype("float32")
    marked = rng.integers(0, SEQUENCE_LENGTH, size=n)
    flags = np.zeros((n, SEQUENCE_LENGTH), "float32")
    flags[np.arange(n), marked] = 1.0
    x = np.stack([values, flags], axis=-1)  # (n, T, 2): the number and the flag
    y = np.repeat(values[np.arange(n), marked][:, None, None], SEQUENCE_LENGTH, axis=1)
    return x, y


x_train, y_train = marked_value_task(TRAIN_SEQUENCES)
inputs = keras.Input((SEQUENCE_LENGTH, 2))
attention = MultiHeadAttention(num_heads=1, key_dim=8, name="attention")
outputs = keras.layers.Dense(1)(attention(inputs, inputs))
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
history = model.fit(x_train, y_train, epochs=EPOCHS, batch_size=64, verbose=0)
final_mse = course.record("marked-value task: training mse", history.history["loss"][-1])

x_many, _ = marked_value_task(256)
_, many_weights = attention(x_many, x_many, return_attention_scores=True)
marked_column = x_many[:, :, 1].argmax(axis=1)
on_marked = ops.convert_to_numpy(many_weights)[np.arange(256), 0, :, marked_column].mean()
on_marked = course.record("mean weight on the marked key", on_marked, unit="fraction")

x_test, _ = marked_value_task(1)
_, learned = attention(x_test, x_test, return_attention_scores=True)
fig, ax = plt.subplots(figsize=(4, 3.6))
positions = [str(i) + ("*" if x_test[0, i, 1] else "") for i in range(SEQUENCE_LENGTH)]
heat_map(
    ax, ops.convert_to_numpy(learned)[0, 0], positions, positions, "after training (* = marked)"
)
plt.show()

# %%
course.markdown(
    f"After {EPOCHS} epochs on {TRAIN_SEQUENCES} sequences the mean squared error is "
    f"**{final_mse:.4f}** (predicting 0 scores about 1, the variance of the numbers), and "
    f"the layer puts a mean weight of **{on_marked:.3f}** on the marked key, where uniform "
    f"attention would put {1 / SEQUENCE_LENGTH:.3f}. "
    + (
        "In quick mode the model trains only briefly, so the picture is fuzzier."
        if QUICK
        else "Every row puts most of its weight on the marked column: the query of every "
        "position has learned to match the key of the flag."
    )
)
if not QUICK:
    assert on_marked > MARKED_WEIGHT_TARGET

# %% [markdown]
# ## What to remember
#
# * Attention is $\operatorname{softmax}(Q K^\top / \sqrt{d})\, V$: a weighted average
#   whose weights come from comparing queries with keys.
# * Its outputs are contextual: the same word gets a different vector in a different
#   sentence.
# * Multi-head attention runs several attentions on smaller projections in parallel.
# * Padding masks hide padding; causal masks hide the future.
# * Attention alone does not see order: the [positional encodings](positional_encoding.py)
#   page adds it. The three Transformer variants built from these layers are
#   [encoder-only](encoder_only.py), [decoder-only](decoder_only.py) and
#   [encoder-decoder](encoder_decoder.py).
#
# ## Exercises
#
# 1. Set `SEQUENCE_LENGTH = 32`. Does the trained layer still find the marked key, and
#    what would uniform attention put on it now?
# 2. Set `EPOCHS = 1` and look at the heat map after training. Hint: compare the mean
#    weight on the marked key with the uniform share.
# 3. In the bank example, multiply every embedding by 3 before attention (no $\sqrt{d}$
#    change). What happens to the weights, and why does the scale matter?
#
# ## References
#
# * Vaswani et al. 2017, "Attention Is All You Need":
#   [arXiv:1706.03762](https://arxiv.org/abs/1706.03762).
# * Bahdanau et al. 2014, "Neural Machine Translation by Jointly Learning to Align and
#   Translate": [arXiv:1409.0473](https://arxiv.org/abs/1409.0473).
