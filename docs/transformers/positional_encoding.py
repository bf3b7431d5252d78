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
# # Positional encoding
#
# [Self-attention](attention.py) compares every token with every other token, but
# nothing in $\operatorname{softmax}(Q K^\top / \sqrt{d})\, V$ says *where* a token is. Shuffle the input and the outputs are
# shuffled the same way: attention treats a sentence as a bag of words. This page shows
# that problem, then the three standard fixes, all in `keraslab.layers`:
#
# * **sinusoidal encoding**: add a fixed pattern of sines and cosines to each embedding;
# * **learned positional embedding**: add a trained vector per position;
# * **rotary embedding (RoPE)**: rotate queries and keys by an angle proportional to the
#   position, so that attention scores depend on relative distance.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import ops

import keraslab
from keraslab import course
from keraslab.layers import (
    MultiHeadAttention,
    RotaryEmbedding,
    SinusoidalPositionalEncoding,
    TokenAndPositionEmbedding,
)

print(keraslab.describe_environment())

SEED = 0  # seed of every random draw on the page
MAX_LENGTH = 64  # positions drawn in the plots
DEPTH = 32  # embedding size D in the plots
MAX_WAVELENGTH = 10000  # the paper's base wavelength
keras.utils.set_random_seed(SEED)


def numpy(x):
    return ops.convert_to_numpy(x)


# %% [markdown]
# ## Attention alone cannot tell word order apart
#
# "dog bites man" and "man bites dog" hold the same three words. With random embeddings
# and an untrained attention layer, each word of the second sentence gets exactly the
# output it had in the first: only the row order changes. Averaged over the sentence, as
# a classifier would, the two are identical.

# %%
words = {w: v for w, v in zip(["dog", "bites", "man"], np.eye(3, 8, dtype="float32") * 2)}
first = np.stack([words[w] for w in ["dog", "bites", "man"]])[None]  # (1, T, 8)
second = np.stack([words[w] for w in ["man", "bites", "dog"]])[None]
attention = MultiHeadAttention(num_heads=2, key_dim=4)


def sentence_vector(x, add_positions=False):
    if add_positions:
        x = x + numpy(SinusoidalPositionalEncoding()(x))
    return numpy(attention(x, x)).mean(axis=1)


gap = np.abs(sentence_vector(first) - sentence_vector(second)).max()
gap_with_positions = np.abs(sentence_vector(first, True) - sentence_vector(second, True)).max()
course.record("sentence-vector difference with positions", gap_with_positions)
print(f"difference without positions: {gap:.2e}")
print(f"difference with positions:    {gap_with_positions:.2e}")
assert gap < 1e-5 < gap_with_positions

# %% [markdown]
# ## Sinusoidal encoding
#
# The original Transformer adds to the embedding of position $p$ a vector whose feature
# pairs are a sine and a cosine of $p$ at geometrically spaced frequencies:
#
# $$
# \mathrm{PE}(p, 2i) = \sin(p\, \omega_i), \qquad
# \mathrm{PE}(p, 2i + 1) = \cos(p\, \omega_i), \qquad
# \omega_i = \frac{1}{10000^{2i / D}}
# $$
#
# The first features oscillate quickly (wavelength $2\pi$), the last ones slowly (up to
# $10000 \cdot 2\pi$): like the hands of a clock, together they give every position a
# unique code, and no weights have to be learned.

# %%
zeros = np.zeros((1, MAX_LENGTH, DEPTH), "float32")
encoding = numpy(SinusoidalPositionalEncoding(MAX_WAVELENGTH)(zeros))[0]  # (T, D)

fig, axes = plt.subplots(1, 2, figsize=(12, 3.6))
image = axes[0].imshow(encoding.T, cmap="RdBu", aspect="auto")
axes[0].set_xlabel("position p")
axes[0].set_ylabel("feature")
axes[0].set_title("sinusoidal encoding (features × positions)")
fig.colorbar(image, ax=axes[0])
for feature in [0, 2, 8, 16]:
    axes[1].plot(encoding[:, feature], label=f"feature {feature}")
axes[1].set_xlabel("position p")
axes[1].set_title("a few rows: slower and slower sines")
axes[1].legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ### Similarity between positions
#
# The dot product
# $\mathrm{PE}(p) \cdot \mathrm{PE}(q) = \sum_i \cos\left((p - q)\, \omega_i\right)$
# depends only on the distance $p - q$, and it is largest when the positions are close. Each row of the matrix below
# is the same curve, shifted.

# %%
similarity = encoding @ encoding.T
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
axes[0].imshow(similarity, cmap="viridis")
axes[0].set_title("PE(p) · PE(q)")
axes[0].set_xlabel("q")
axes[0].set_ylabel("p")
for p in [10, 30]:
    axes[1].plot(np.arange(MAX_LENGTH) - p, similarity[p], label=f"p = {p}")
axes[1].set_xlabel("q − p")
axes[1].set_title("similarity depends on the distance only")
axes[1].legend()
fig.tight_layout()
plt.show()
np.testing.assert_allclose(similarity[10, 13], similarity[30, 33], rtol=1e-4)

# %% [markdown]
# ## Learned positional embedding
#
# [BERT](encoder_only.py) and GPT-2 simply learn one vector per position, like a second embedding table
# indexed by position. It is flexible but cannot describe positions beyond the longest
# training sequence. `TokenAndPositionEmbedding` combines a token embedding with either
# scheme; with `mask_zero=True` token 0 is padding and a mask travels with the output.

# %%
token_ids = np.array([[5, 9, 9, 2, 0, 0]])  # the same token 9 at positions 1 and 2
for position in ["learned", "sinusoidal"]:
    embed = TokenAndPositionEmbedding(
        vocabulary_size=16,
        sequence_length=8,
        embedding_dim=DEPTH,
        position=position,
        mask_zero=True,
    )
    vectors = numpy(embed(token_ids))
    print(
        f"{position:10s} parameters: {embed.count_params():4d}   "
        f"token 9 at positions 1 and 2 differ by {np.abs(vectors[0, 1] - vectors[0, 2]).max():.3f}"
        f"   mask: {numpy(embed.compute_mask(token_ids)).astype(int)[0]}"
    )

# %% [markdown]
# ## Rotary embedding (RoPE)
#
# Modern language models (LLaMA, Mistral, Gemma) do not add anything to the embeddings.
# Instead, inside attention, they **rotate** each pair of query and key features by the
# angle $p\, \omega_i$. With $R_{\theta}$ the rotation by $\theta$ of each pair
# $(x_{2i}, x_{2i+1})$,
#
# $$
# R_{p\omega} = \begin{pmatrix} \cos p\omega_i & -\sin p\omega_i \\
# \sin p\omega_i & \cos p\omega_i \end{pmatrix} \text{ on each pair}, \qquad
# \left(R_{m\omega}\, q\right)^\top \left(R_{n\omega}\, k\right)
# = q^\top R_{(n - m)\omega}\, k
# $$
#
# because $R_a^\top R_b = R_{b - a}$. The score depends on the positions only through
# their distance $n - m$, and the vector lengths do not change. Below, one feature pair of the same query vector at positions 0 to 7.

# %%
rope = RotaryEmbedding(max_wavelength=MAX_WAVELENGTH)
query = np.zeros((1, 1, DEPTH), "float32")
query[0, 0, 0], query[0, 0, DEPTH // 2] = 1.0, 0.0  # RoPE pairs feature i with i + D/2

fig, ax = plt.subplots(figsize=(4, 4))
for p in range(8):
    rotated = numpy(rope(query, start_index=p))[0, 0]
    pair = rotated[0], rotated[DEPTH // 2]
    ax.annotate("", xy=pair, xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": f"C{p}"})
    ax.text(pair[0] * 1.1, pair[1] * 1.1, str(p), color=f"C{p}")
ax.set_xlim(-1.3, 1.3)
ax.set_ylim(-1.3, 1.3)
ax.set_aspect("equal")
ax.set_title("feature pair 0 at positions 0…7")
plt.show()

rng = np.random.default_rng(SEED)
q, k = rng.normal(size=(2, 1, 1, DEPTH)).astype("float32")


def rotated_score(m, n):
    return float(numpy(rope(q, start_index=m))[0, 0] @ numpy(rope(k, start_index=n))[0, 0])


for m, n in [(3, 1), (12, 10), (40, 38), (5, 5)]:
    print(f"score(query at {m:2d}, key at {n:2d}) = {rotated_score(m, n):+.4f}")
np.testing.assert_allclose(rotated_score(3, 1), rotated_score(40, 38), rtol=1e-4)

# %% [markdown]
# With `use_rotary_embedding=True`, `MultiHeadAttention` rotates its queries and keys this
# way, so it is no longer blind to order either:

# %%
attention = MultiHeadAttention(num_heads=2, key_dim=4, use_rotary_embedding=True)
out_first, out_second = numpy(attention(first, first)), numpy(attention(second, second))
print(
    "RoPE attention, 'dog bites man' vs 'man bites dog', sentence vectors differ by",
    f"{np.abs(out_first.mean(1) - out_second.mean(1)).max():.2e}",
)

# %% [markdown]
# ## What to remember
#
# * Attention alone is permutation-equivariant: it sees a bag of words.
# * Sinusoidal encodings add a fixed multi-frequency code; their similarity depends on
#   distance only.
# * Learned embeddings train a vector per position, up to a maximum length.
# * RoPE rotates queries and keys, making attention scores depend on relative positions.
#
# The [encoder-only](encoder_only.py), [decoder-only](decoder_only.py) and
# [encoder-decoder](encoder_decoder.py) models take `position="learned"` or
# `"sinusoidal"`.
#
# ## Exercises
#
# 1. Set `MAX_WAVELENGTH = 100`. How does the similarity matrix change far from the
#    diagonal? Hint: the slowest feature pair now repeats after about $100 \cdot 2\pi$
#    positions.
# 2. Set `DEPTH = 4`: with only two frequencies, do distinct positions still get
#    distinct codes over `MAX_LENGTH` positions?
# 3. Shuffle "dog bites man" after adding the sinusoidal encoding: are the mean outputs
#    of the two sentences still identical?
#
# ## References
#
# * Vaswani et al. 2017, "Attention Is All You Need":
#   [arXiv:1706.03762](https://arxiv.org/abs/1706.03762).
# * Su et al. 2021, "RoFormer: Enhanced Transformer with Rotary Position Embedding":
#   [arXiv:2104.09864](https://arxiv.org/abs/2104.09864).
# * Devlin et al. 2018, BERT (learned positions):
#   [arXiv:1810.04805](https://arxiv.org/abs/1810.04805).
