"""Offline image datasets: scikit-learn's 8x8 digits and procedurally drawn shapes."""

import numpy as np

from keraslab import _validation as check
from keraslab.datasets._split import stratified_split

SHAPE_NAMES = ("circle", "square", "triangle", "cross")


def load_digits(test_fraction=0.2, seed=0):
    """Loads scikit-learn's bundled 8x8 handwritten digits (1,797 images, 10 classes).

    Args:
        test_fraction: float, share of the images held out for testing. Defaults to `0.2`.
        seed: int, seed of the stratified split. Defaults to `0`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: images of shape `(N, 8, 8, 1)`, float32 in
        `[0, 1]`, and int32 labels of shape `(N,)` in `0..9`. With the default fraction,
        `N` is 1,437 for training and 360 for testing.
    """
    from sklearn.datasets import load_digits as sklearn_digits

    digits = sklearn_digits()
    images = (digits.images / 16.0).astype("float32")[..., None]
    return stratified_split(images, digits.target.astype("int32"), test_fraction, seed)


def _coordinates(image_size):
    # Pixel centres in [-1, 1], shape (S, S) each.
    axis = (np.arange(image_size) + 0.5) / image_size * 2.0 - 1.0
    return np.meshgrid(axis, axis, indexing="xy")


def draw_shape(name, image_size, center, radius, angle):
    """Returns a boolean `(image_size, image_size)` mask of one filled shape.

    Args:
        name: one of `SHAPE_NAMES`.
        image_size: int, side of the square image in pixels.
        center: `(x, y)` in `[-1, 1]` image coordinates.
        radius: float, half the shape's extent, in the same units.
        angle: float, rotation in radians (ignored for circles).
    """
    xs, ys = _coordinates(image_size)
    dx, dy = xs - center[0], ys - center[1]
    cos, sin = np.cos(angle), np.sin(angle)
    u, v = cos * dx + sin * dy, -sin * dx + cos * dy  # rotated frame
    if name == "circle":
        return dx**2 + dy**2 <= radius**2
    if name == "square":
        half = radius / np.sqrt(2.0)
        return (np.abs(u) <= half) & (np.abs(v) <= half)
    if name == "triangle":
        # Equilateral triangle inscribed in the circle of `radius`: three half-planes.
        inside = np.ones_like(u, dtype=bool)
        for k in range(3):
            theta = angle + np.pi / 2 + k * 2 * np.pi / 3 + np.pi / 3
            inside &= np.cos(theta) * dx + np.sin(theta) * dy <= radius / 2
        return inside
    if name == "cross":
        arm = radius * 0.3
        return ((np.abs(u) <= radius) & (np.abs(v) <= arm)) | (
            (np.abs(v) <= radius) & (np.abs(u) <= arm)
        )
    raise ValueError(f"Argument name must be one of {SHAPE_NAMES}; received {name!r}.")


def load_shapes(
    num_samples=3000,
    image_size=32,
    noise=0.0,
    color=False,
    test_fraction=0.2,
    seed=0,
):
    """Draws a balanced dataset of circles, squares, triangles and crosses.

    Each image holds one filled shape of random position, size and rotation. The classes
    are `SHAPE_NAMES`, in that order.

    Args:
        num_samples: int, images in total (train plus test). Defaults to `3000`.
        image_size: int, side of each image in pixels, at least 8. Defaults to `32`.
        noise: float, standard deviation of Gaussian pixel noise added before clipping to
            `[0, 1]`. Defaults to `0.0`.
        color: bool, whether to draw each shape in a random colour on a random dark
            background (3 channels) rather than white on black (1 channel).
            Defaults to `False`.
        test_fraction: float, share held out for testing. Defaults to `0.2`.
        seed: int, seed of both the drawing and the split. Defaults to `0`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float32 images of shape
        `(N, image_size, image_size, C)` with `C` = 3 if `color` else 1, values in
        `[0, 1]`, and int32 labels of shape `(N,)`.
    """
    check.positive_int("num_samples", num_samples, minimum=2 * len(SHAPE_NAMES))
    check.positive_int("image_size", image_size, minimum=8)
    if noise < 0:
        raise ValueError(f"Argument noise must be >= 0; received {noise}.")
    rng = np.random.default_rng(seed)
    channels = 3 if color else 1
    labels = np.arange(num_samples) % len(SHAPE_NAMES)
    rng.shuffle(labels)
    images = np.zeros((num_samples, image_size, image_size, channels), dtype="float32")
    for i, label in enumerate(labels):
        radius = rng.uniform(0.35, 0.7)
        center = rng.uniform(-1 + radius, 1 - radius, size=2)
        mask = draw_shape(SHAPE_NAMES[label], image_size, center, radius, rng.uniform(0, np.pi))
        if color:
            background = rng.uniform(0.0, 0.3, size=3)
            foreground = rng.uniform(0.5, 1.0, size=3)
            images[i] = np.where(mask[..., None], foreground, background)
        else:
            images[i, ..., 0] = mask
    if noise > 0:
        images = np.clip(images + rng.normal(0.0, noise, images.shape), 0.0, 1.0)
    return stratified_split(images.astype("float32"), labels.astype("int32"), test_fraction, seed)
