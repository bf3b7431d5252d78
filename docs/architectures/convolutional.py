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
# # Convolutional networks
#
# A `Dense` layer connects every pixel to every unit, so it must learn separately that an
# edge in the top-left corner and one in the bottom-right are the same thing (see
# [feedforward networks](../foundations/feedforward.py)). A **convolution** instead slides
# one small filter $w$ (say $3 \times 3$) over the whole image $x$ and computes, at every
# position, the weighted sum of the pixels under it. What deep-learning libraries call
# convolution is the discrete 2-D **cross-correlation**, summed over the input channels
# $c$, one filter per output channel $k$:
#
# $$
# y_{i,j,k} = b_k + \sum_{c} \sum_{a=0}^{K-1} \sum_{b=0}^{K-1} x_{i+a,\, j+b,\, c}\; w_{a,b,c,k} .
# $$
#
# The same few weights are reused everywhere, and the output, a **feature map**, is
# large where the image locally looks like the filter. With a $K \times K$ kernel,
# padding $P$ and stride $S$, an $N \times N$ input gives an output of side
#
# $$
# N_{\text{out}} = \left\lfloor \frac{N + 2P - K}{S} \right\rfloor + 1 ,
# $$
#
# so `padding="same"` ($P = (K-1)/2$, $S = 1$) keeps the size. **Max pooling** of size
# $p$ keeps the largest value of each $p \times p$ block,
# $\; y_{i,j,k} = \max_{0 \le a, b < p} x_{p i + a,\, p j + b,\, k}$, halving each side for
# $p = 2$, so later layers see larger and more abstract patterns.

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import ops
from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix

import keraslab
from keraslab import course
from keraslab.course.diagrams.architectures import convolution_sliding
from keraslab.datasets import load_fashion_mnist
from keraslab.models import CNN, MLP

print(keraslab.describe_environment())

QUICK = keraslab.quick_mode()
SEED = 0  # data and weights
TRAIN_IMAGES = 2000 if QUICK else None  # training images used (None: all of them)
TEST_IMAGES = 1000 if QUICK else None  # test images used (None: all of them)
EPOCHS = 1 if QUICK else 6  # epochs of each model (the page budget's cut)
BATCH_SIZE = 128  # images per gradient step
LEARNING_RATE = 2e-3  # initial Adam step size, decayed to 0 along a cosine
DROPOUT = 0.0  # dropout before the dense layers of the head
BATCH_NORM = False  # batch normalisation after each convolution (see "The network")
FILTERS = (8, 16) if QUICK else (32, 64)  # channels of each convolution block
DENSE_UNITS = (128,)  # hidden dense layers of the CNN's head
CLASS_NAMES = ["T-shirt/top", "trouser", "pullover", "dress", "coat"]
CLASS_NAMES += ["sandal", "shirt", "sneaker", "bag", "ankle boot"]  # Fashion-MNIST's labels

convolution_sliding(position=(1, 2))
plt.show()

# %% [markdown]
# ## The data: Fashion-MNIST
#
# Zalando's grey $28 \times 28$ pictures of clothes in ten classes (Xiao et al. 2017,
# https://arxiv.org/abs/1708.07747), made as a harder drop-in for the handwritten digits
# of MNIST. Pixels are scaled to $[0, 1]$.

# %%
(x_train, y_train), (x_test, y_test) = load_fashion_mnist()
course.markdown(
    f"The official split: **{len(x_train):,}** training and **{len(x_test):,}** test "
    f"images of {x_train.shape[1]} × {x_train.shape[2]} pixels."
)
x_train = (x_train[:TRAIN_IMAGES, :, :, None] / 255.0).astype("float32")  # (N, 28, 28, 1)
y_train = y_train[:TRAIN_IMAGES]
x_test = (x_test[:TEST_IMAGES, :, :, None] / 255.0).astype("float32")
y_test = y_test[:TEST_IMAGES]

fig, axes = plt.subplots(1, 10, figsize=(12, 1.6))
for k, ax in enumerate(axes):
    ax.imshow(x_train[np.flatnonzero(y_train == k)[0], :, :, 0], cmap="gray_r")
    ax.set_title(CLASS_NAMES[k], fontsize=8)
    ax.axis("off")
plt.show()

# %% [markdown]
# ## A convolution by hand
#
# Three hand-made $3 \times 3$ filters on a real garment: one responds to vertical edges
# (dark on the left, bright on the right), one to horizontal edges, one blurs. The loop
# below is the formula above, with zero padding so the output keeps the image's size;
# Keras's `ops.conv` must give the same maps.

# %%
garment = x_test[0, :, :, 0]
filters = {
    "vertical edges": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], "float32"),
    "horizontal edges": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], "float32"),
    "blur": np.full((3, 3), 1 / 9, "float32"),
}


def convolve(image, kernel):
    padded = np.pad(image, 1)
    out = np.zeros_like(image)
    for i in range(image.shape[0]):
        for j in range(image.shape[1]):
            out[i, j] = np.sum(padded[i : i + 3, j : j + 3] * kernel)
    return out


kernels = np.stack(list(filters.values()), axis=-1)[:, :, None, :]  # (3, 3, in=1, out=3)
by_keras = ops.convert_to_numpy(ops.conv(garment[None, :, :, None], kernels, padding="same"))[0]

fig, axes = plt.subplots(1, 4, figsize=(11, 2.8))
axes[0].imshow(garment, cmap="gray_r")
axes[0].set_title(f"input: {CLASS_NAMES[y_test[0]]}")
for k, (ax, (name, kernel)) in enumerate(zip(axes[1:], filters.items())):
    by_hand = convolve(garment, kernel)
    np.testing.assert_allclose(by_keras[..., k], by_hand, atol=1e-5)
    ax.imshow(by_hand, cmap="RdBu_r")
    ax.set_title(name)
for ax in axes:
    ax.axis("off")
fig.tight_layout()
plt.show()

# %% [markdown]
# In a CNN nobody designs the filters: they are weights, learned by backpropagation like
# any other.
#
# ## The network
#
# `CNN(filters=FILTERS)` has one block per entry, each a $3 \times 3$ convolution, ReLU
# and $2 \times 2$ max pooling. `batch_norm=True` adds
# [batch normalisation](../foundations/batch_normalization.py) after each convolution;
# this page leaves it off because it nearly doubled the time per epoch (measured under
# TensorFlow on the 2-core CPU that builds this site), more than the page's budget
# allows. The image goes $28 \to 14 \to 7$ pixels a side, then through a dense head. The
# forward pass is a loop over those layers:

# %%
course.show_source(keraslab.models.CNN.call)

# %% [markdown]
# Training: Adam, with the learning rate following a cosine from its initial value down
# to 0, so training ends with small, careful steps. A callback measures the test
# accuracy after every epoch: the learning curve.


# %%
class TestAccuracy(keras.callbacks.Callback):
    def __init__(self, x_eval):
        super().__init__()
        self.x_eval, self.curve = x_eval, []

    def on_epoch_end(self, epoch, logs=None):
        _, accuracy = self.model.evaluate(self.x_eval, y_test, batch_size=512, verbose=0)
        self.curve.append(accuracy)


def train(model, x, y, x_eval):
    """Trains `model` with the page's schedule; returns its learning curve on `x_eval`
    (the test images, shaped as `model` reads them) and its training seconds."""
    keras.utils.set_random_seed(SEED)
    steps = EPOCHS * int(np.ceil(len(x) / BATCH_SIZE))
    model.compile(
        optimizer=keras.optimizers.Adam(
            keras.optimizers.schedules.CosineDecay(LEARNING_RATE, steps)
        ),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    curve = TestAccuracy(x_eval)
    start = time.perf_counter()
    model.fit(x, y, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0, callbacks=[curve])
    return curve.curve, time.perf_counter() - start


keras.utils.set_random_seed(SEED)
cnn = CNN(
    filters=FILTERS,
    batch_norm=BATCH_NORM,
    dense_units=DENSE_UNITS,
    dropout=DROPOUT,
    output_units=10,
)
cnn_curve, cnn_seconds = train(cnn, x_train, y_train, x_test)
cnn.summary()
cnn_accuracy = course.record("CNN test accuracy", cnn_curve[-1], "fraction")
cnn_seconds = course.record("CNN training time", cnn_seconds, "s")
if not QUICK:
    assert cnn_accuracy >= 0.92, cnn_accuracy

# %% [markdown]
# ## Against an MLP of the same size
#
# The fair comparison is a network with the **same parameter budget**: a two-layer MLP
# on the flattened pixels, its width chosen so that its weight count matches the CNN's,
# trained with the same schedule for the same number of epochs.

# %%
cnn_parameters = cnn.count_params()
pixels = int(np.prod(x_train.shape[1:]))
width = int((-(pixels + 12) + np.sqrt((pixels + 12) ** 2 + 4 * (cnn_parameters - 10))) / 2)
keras.utils.set_random_seed(SEED)
mlp = MLP(hidden_units=(width, width), output_units=10, output_activation="softmax")
x_test_flat = x_test.reshape(len(x_test), -1)  # (N, 784)
mlp_curve, mlp_seconds = train(mlp, x_train.reshape(len(x_train), -1), y_train, x_test_flat)
mlp_accuracy = course.record("MLP test accuracy", mlp_curve[-1], "fraction")
mlp_seconds = course.record("MLP training time", mlp_seconds, "s")
if not QUICK:
    assert mlp_accuracy < cnn_accuracy, (mlp_accuracy, cnn_accuracy)

fig, ax = plt.subplots(figsize=(6, 3))
epochs = range(1, EPOCHS + 1)
ax.plot(epochs, cnn_curve, marker="o", label=f"CNN, {cnn_parameters:,} parameters")
ax.plot(
    epochs, mlp_curve, marker="o", label=f"MLP {width}-{width}, {mlp.count_params():,} parameters"
)
ax.set_xlabel("epoch")
ax.set_ylabel("test accuracy")
ax.legend(fontsize=8)
plt.show()

course.markdown(
    f"| model | parameters | test accuracy | training time ({keraslab.backend()}) |\n"
    f"|---|---|---|---|\n"
    f"| CNN {FILTERS} | {cnn_parameters:,} | **{cnn_accuracy:.1%}** | {cnn_seconds:.0f} s |\n"
    f"| MLP {width}-{width} | {mlp.count_params():,} | **{mlp_accuracy:.1%}** | "
    f"{mlp_seconds:.0f} s |\n\n"
    f"With the same number of weights, the CNN's error rate is {1 - cnn_accuracy:.1%} "
    f"against the MLP's {1 - mlp_accuracy:.1%}. Per weight, the CNN does far more "
    "work (each convolution weight is used at every pixel), which is why it costs "
    f"{cnn_seconds / mlp_seconds:.1f} times the MLP's training time: the convolution's "
    "advantage is in what its weights can represent, not in their number."
)

# %% [markdown]
# ## Against the published benchmark
#
# The dataset's README collects submitted results
# (https://github.com/zalandoresearch/fashion-mnist#benchmark): plain two-convolution
# networks score 87.6% to 92.5% test accuracy, most of them 91.6% to 92.5%; the best
# scikit-learn classifier of its benchmark, an SVC, 89.7%; the human baseline 83.5%.
# Large residual networks with augmentation reach about 96% (https://github.com/zalandoresearch/fashion-mnist#benchmark).

# %%
course.markdown(
    f"Ours, **{cnn_accuracy:.1%}** after {EPOCHS} epoch(s) in {cnn_seconds:.0f} s, "
    + (
        "sits at the top of the plain two-convolution range."
        if cnn_accuracy >= 0.916
        else "is a quick-mode run."
    )
)

# %% [markdown]
# The site's build gives each page six minutes, which caps this run at `EPOCHS` epochs
# of the smallest CNN of the benchmark's kind. The learning curve above shows how much
# the last epochs still add. A bigger network costs more than the budget allows: two
# convolutions per block (`convs_per_block=2`) took four times as long per epoch as one,
# measured on the same machine under TensorFlow.
#
# ## What the first layer learned
#
# The learned $3 \times 3$ filters of the first convolution, and the feature maps they
# produce on one test garment (after the ReLU):

# %%
kernel = ops.convert_to_numpy(cnn.feature_layers[0].kernel)  # (3, 3, 1, channels)
maps = ops.convert_to_numpy(cnn.features(x_test[:1], block=0))[0]  # (28, 28, channels)
rows = int(np.ceil(kernel.shape[-1] / 16))
fig, axes = plt.subplots(2 * rows, 16, figsize=(12, 1.7 * rows), squeeze=False)
for k in range(kernel.shape[-1]):
    top, bottom = axes[2 * (k // 16), k % 16], axes[2 * (k // 16) + 1, k % 16]
    top.imshow(kernel[:, :, 0, k], cmap="RdBu_r")
    bottom.imshow(maps[:, :, k], cmap="viridis")
for ax in axes.ravel():
    ax.axis("off")
fig.suptitle(f"filters (odd rows) and their feature maps on a {CLASS_NAMES[y_test[0]]} (even rows)")
plt.show()

# %% [markdown]
# Many filters are oriented edge detectors, like the hand-made ones above; each map
# lights up where its filter's pattern occurs: the outline, the collar, the hem.
#
# ## Where it fails

# %%
predicted = cnn.predict(x_test, verbose=0).argmax(axis=1)
counts = confusion_matrix(y_test, predicted, labels=range(10))
fig, ax = plt.subplots(figsize=(6.5, 6))
ConfusionMatrixDisplay(counts, display_labels=CLASS_NAMES).plot(
    ax=ax, colorbar=False, xticks_rotation=60
)
ax.set_title(f"CNN on the test set: accuracy {cnn_accuracy:.1%}")
plt.show()

off_diagonal = counts - np.diag(np.diag(counts))
true_class, predicted_class = np.unravel_index(off_diagonal.argmax(), counts.shape)
per_class = np.diag(counts) / counts.sum(axis=1)
worst = int(per_class.argmin())
course.markdown(
    f"The most frequent mistake: **{off_diagonal[true_class, predicted_class]}** "
    f"{CLASS_NAMES[true_class]}s taken for {CLASS_NAMES[predicted_class]}s. The hardest "
    f"class is **{CLASS_NAMES[worst]}**, recognised **{per_class[worst]:.0%}** of the time: "
    "at this resolution a shirt, a T-shirt, a pullover and a coat are all a torso with "
    "sleeves, and the differences (buttons, a collar, sleeve length) are a few pixels."
)

# %% [markdown]
# ## When you'd use it
#
# * **Images and other grid data** (spectrograms, maps, board games), where a pattern
#   means the same wherever it appears: weight sharing gives that translation
#   equivariance for free, and far fewer weights than a dense layer.
# * **1-D signals** (audio, sensor traces) with `Conv1D`: a fast alternative to a
#   [recurrent network](recurrent.py) when the useful context is local.
# * Not for tables, whose columns have no neighbourhood: there gradient-boosted trees
#   usually win ([classical vs deep](../foundations/classical_vs_deep.py)). For large
#   image data sets, deeper residual CNNs or vision Transformers do better than this
#   small network.
#
# ## What to remember
#
# * A convolution slides one small filter over the image: few weights, reused at every
#   position, so a pattern is detected wherever it appears.
# * Pooling shrinks the maps, so deeper layers see larger regions.
# * The filters are learned; the first layer's usually look like edge detectors.
# * With the same number of weights, the CNN beats the MLP on images.
#
# ## Exercises
#
# 1. Set `FILTERS = (32,)`: how does the parameter count change, and why? (Hint: look at
#    the size of the map that reaches `Flatten`.)
# 2. Set `BATCH_NORM = True`: is the test accuracy higher after the first epoch, and
#    after the last? What does each epoch cost?
# 3. Set `DROPOUT = 0.3`: does the gap between training and test accuracy shrink, and
#    does test accuracy rise within the same number of epochs?
# 4. Using the output size formula, what side does a $5 \times 5$ kernel with no padding
#    give on a $28 \times 28$ image?
#
# ## References
#
# * LeCun et al. 1998, Gradient-based learning applied to document recognition
#   ([PDF](http://yann.lecun.com/exdb/publis/pdf/lecun-98.pdf)).
# * Xiao, Rasul & Vollgraf 2017, Fashion-MNIST ([arXiv:1708.07747](https://arxiv.org/abs/1708.07747));
#   benchmark table ([README](https://github.com/zalandoresearch/fashion-mnist#benchmark)).
# * Ioffe & Szegedy 2015, Batch normalization ([arXiv:1502.03167](https://arxiv.org/abs/1502.03167)).
# * He et al. 2015, Delving deep into rectifiers (the He initialisation the layers use)
#   ([arXiv:1502.01852](https://arxiv.org/abs/1502.01852)).
# * Kingma & Ba 2014, Adam ([arXiv:1412.6980](https://arxiv.org/abs/1412.6980)).
