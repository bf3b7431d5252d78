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
# edge in the top-left corner and one in the bottom-right are the same thing. A
# **convolution** instead slides one small filter (say 3 × 3) over the whole image and
# computes, at every position, the weighted sum of the pixels under it:
#
#     out[i, j] = Σₐ Σ_b image[i + a, j + b] · kernel[a, b] + bias
#
# The same few weights are reused everywhere, and the output, a **feature map**, is
# large where the image locally looks like the filter. Stacking convolutions with
# **pooling** (keeping the maximum of each 2 × 2 block) lets later layers see larger and
# more abstract patterns. We compute a convolution by hand, then train
# `keraslab.models.CNN` on handwritten digits and on drawn shapes.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import ops
from sklearn.metrics import ConfusionMatrixDisplay

import keraslab
from keraslab.datasets import SHAPE_NAMES, load_digits, load_shapes
from keraslab.models import CNN

print(keraslab.describe_environment())

QUICK = keraslab.quick_mode()
SEED = 0  # data and weights
DIGITS_TRAIN = 300 if QUICK else None  # training images used (None: all 1,437)
SHAPES_SAMPLES = 200 if QUICK else 3000  # drawn images, train plus test
SHAPES_SIZE = 16 if QUICK else 32  # side of each shape image, pixels
EPOCHS = 1 if QUICK else 25  # epochs for each dataset
BATCH_SIZE = 32  # images per gradient step
LEARNING_RATE = 2e-3  # initial Adam step size, decayed to 0 along a cosine
DROPOUT = 0.2  # dropout before the dense layers of the head
DIGITS_FILTERS = (8,) if QUICK else (32, 64)  # channels of each block, digits model
SHAPES_FILTERS = (8,) if QUICK else (16, 32, 64)  # channels of each block, shapes model

# %% [markdown]
# ## A convolution by hand
#
# Three hand-made 3 × 3 filters on a drawn square: one responds to vertical edges (dark
# on the left, bright on the right), one to horizontal edges, one blurs. The loop below
# is the formula above, with zero padding so the output keeps the image's size; Keras's
# `ops.conv` must give the same maps.

# %%
(shape_images, _), _ = load_shapes(num_samples=40, image_size=32, seed=SEED)
image = shape_images[0, :, :, 0]
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
by_keras = ops.convert_to_numpy(ops.conv(image[None, :, :, None], kernels, padding="same"))[0]

fig, axes = plt.subplots(1, 4, figsize=(11, 2.8))
axes[0].imshow(image, cmap="gray")
axes[0].set_title("input")
for k, (ax, (name, kernel)) in enumerate(zip(axes[1:], filters.items())):
    by_hand = convolve(image, kernel)
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
# ## Digits
#
# scikit-learn's 1,797 handwritten digits, 8 × 8 pixels. `CNN(filters=(32, 64))` has two
# blocks, each a 3 × 3 convolution, batch normalisation, ReLU and 2 × 2 max pooling, so
# the image goes 8 × 8 → 4 × 4 → 2 × 2 with 64 channels, then a dense head. The learning
# rate follows a cosine from its initial value down to 0, so training ends with small,
# careful steps.


# %%
def train(model, x_train, y_train):
    keras.utils.set_random_seed(SEED)
    steps = EPOCHS * int(np.ceil(len(x_train) / BATCH_SIZE))
    schedule = keras.optimizers.schedules.CosineDecay(LEARNING_RATE, steps)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(x_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
    return model


def show_confusion(model, x_test, y_test, labels, title):
    predicted = model.predict(x_test, verbose=0).argmax(axis=1)
    accuracy = np.mean(predicted == y_test)
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ConfusionMatrixDisplay.from_predictions(
        y_test, predicted, display_labels=labels, ax=ax, colorbar=False
    )
    ax.set_title(f"{title}: test accuracy {accuracy:.1%}")
    plt.show()
    return accuracy


(x_train, y_train), (x_test, y_test) = load_digits()
x_train, y_train = x_train[:DIGITS_TRAIN], y_train[:DIGITS_TRAIN]
keras.utils.set_random_seed(SEED)
digits_model = CNN(filters=DIGITS_FILTERS, dense_units=(64,), dropout=DROPOUT, output_units=10)
train(digits_model, x_train, y_train)
digits_model.summary()
digits_accuracy = show_confusion(digits_model, x_test, y_test, range(10), "digits")
print(f"digits: test accuracy {digits_accuracy:.1%} on {len(x_test)} images")

# %% [markdown]
# Most of the remaining mistakes are between digits that look alike at 8 × 8 pixels,
# such as 8 and 1 or 9 and 3.
#
# ## What the first layer learned
#
# The learned 3 × 3 filters of the first convolution, and the feature maps they
# produce on one test digit (after batch normalisation and ReLU):

# %%
kernel = ops.convert_to_numpy(digits_model.feature_layers[0].kernel)  # (3, 3, 1, channels)
maps = ops.convert_to_numpy(digits_model.features(x_test[:1], block=0))[0]  # (8, 8, channels)
rows = int(np.ceil(kernel.shape[-1] / 16))
fig, axes = plt.subplots(2 * rows, 16, figsize=(12, 1.7 * rows), squeeze=False)
for k in range(kernel.shape[-1]):
    top, bottom = axes[2 * (k // 16), k % 16], axes[2 * (k // 16) + 1, k % 16]
    top.imshow(kernel[:, :, 0, k], cmap="RdBu_r")
    bottom.imshow(maps[:, :, k], cmap="viridis")
for ax in axes.ravel():
    ax.axis("off")
fig.suptitle(f"filters (rows 1 and 3) and their feature maps on a {y_test[0]} (rows 2 and 4)")
plt.show()

# %% [markdown]
# Many filters are oriented edge or stroke detectors, like the hand-made ones above;
# each map lights up where its filter's pattern occurs in the digit.
#
# ## Shapes
#
# Circles, squares, triangles and crosses of random size, position and rotation.
# Position varies, so the network must recognise a shape wherever it is; that is what
# the shared filters and pooling are for. Three blocks take 32 × 32 down to 4 × 4.

# %%
(x_train, y_train), (x_test, y_test) = load_shapes(
    num_samples=SHAPES_SAMPLES, image_size=SHAPES_SIZE, seed=SEED
)
fig, axes = plt.subplots(1, 8, figsize=(10, 1.6))
for ax, img, label in zip(axes, x_train, y_train):
    ax.imshow(img[:, :, 0], cmap="gray")
    ax.set_title(SHAPE_NAMES[label], fontsize=9)
    ax.axis("off")
plt.show()

keras.utils.set_random_seed(SEED)
shapes_model = CNN(filters=SHAPES_FILTERS, dense_units=(64,), dropout=DROPOUT, output_units=4)
train(shapes_model, x_train, y_train)
shapes_accuracy = show_confusion(shapes_model, x_test, y_test, SHAPE_NAMES, "shapes")
print(f"shapes: test accuracy {shapes_accuracy:.1%} on {len(x_test)} images")

# %% [markdown]
# ## What to remember
#
# * A convolution slides one small filter over the image: few weights, reused at every
#   position, so a pattern is detected wherever it appears.
# * Pooling shrinks the maps, so deeper layers see larger regions.
# * The filters are learned; the first layer's usually look like edge detectors.
