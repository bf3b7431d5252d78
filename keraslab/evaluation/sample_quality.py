"""How close generated images are to real ones: the Fréchet distance in the judge's
feature space, with the floor two real samples reach, and the distance of each image to
its nearest training image, which shows memorisation."""

import numpy as np
from keras import ops

from keraslab.evaluation.judge import judge_samples


def gaussian_frechet_distance(mean_a, covariance_a, mean_b, covariance_b):
    """Fréchet (2-Wasserstein) distance, squared, between two Gaussians.

    $$d^2 = \\lVert\\mu_a - \\mu_b\\rVert^2 + \\operatorname{Tr}\\big(\\Sigma_a + \\Sigma_b
    - 2 (\\Sigma_a \\Sigma_b)^{1/2}\\big)$$

    Args:
        mean_a: float array `(D,)`.
        covariance_a: float array `(D, D)`, symmetric positive semi-definite.
        mean_b: float array `(D,)`.
        covariance_b: float array `(D, D)`, symmetric positive semi-definite.

    Returns:
        float, the squared distance (>= 0 up to rounding).
    """
    mean_a, mean_b = np.asarray(mean_a, "float64"), np.asarray(mean_b, "float64")
    covariance_a = np.asarray(covariance_a, "float64")
    covariance_b = np.asarray(covariance_b, "float64")
    # The eigenvalues of a product of two PSD matrices are real and >= 0, so the trace
    # of its square root is the sum of their square roots (rounding clipped at 0).
    eigenvalues = np.linalg.eigvals(covariance_a @ covariance_b).real
    root_trace = np.sum(np.sqrt(np.maximum(eigenvalues, 0.0)))
    trace = np.trace(covariance_a) + np.trace(covariance_b) - 2.0 * root_trace
    return float(np.sum((mean_a - mean_b) ** 2) + trace)


def frechet_distance(features_a, features_b):
    """Fréchet distance, squared, between Gaussians fitted to two sets of features.

    Args:
        features_a: float array `(N, D)`, N at least 2.
        features_b: float array `(M, D)`, M at least 2.

    Returns:
        float; computed on the judge's features this is the FID of Heusel et al. (2017)
        with the judge in place of Inception.
    """
    features_a, features_b = (np.asarray(f, "float64") for f in (features_a, features_b))
    for name, features in (("features_a", features_a), ("features_b", features_b)):
        if features.ndim != 2 or len(features) < 2:
            raise ValueError(
                f"Argument {name} must have shape (N, D) with N >= 2; received shape "
                f"{features.shape}."
            )
    if features_a.shape[1] != features_b.shape[1]:
        raise ValueError(
            f"Arguments features_a and features_b must have the same feature size D; "
            f"received {features_a.shape[1]} and {features_b.shape[1]}."
        )
    return gaussian_frechet_distance(
        features_a.mean(axis=0),
        np.cov(features_a, rowvar=False),
        features_b.mean(axis=0),
        np.cov(features_b, rowvar=False),
    )


def judge_features(judge, images, batch_size=500):
    """The judge's penultimate activations (the input of its softmax layer), in inference
    mode, as a NumPy array `(N, D)`. `judge` is a `keraslab.models.CNN`, e.g. from
    `train_judge`."""
    batches = []
    for start in range(0, len(images), batch_size):
        x = ops.convert_to_tensor(np.asarray(images[start : start + batch_size], "float32"))
        for layer in [*judge.feature_layers, *judge.head_layers[:-1]]:
            x = layer(x, training=False)
        batches.append(ops.convert_to_numpy(x))
    return np.concatenate(batches)


def frechet_report(judge, samples, real, seed=0):
    """Fréchet distance of `samples` to real images in the judge's feature space, beside
    the floor: the distance between two disjoint real subsets of the same size.

    Args:
        judge: the `CNN` whose penultimate features are compared (`judge_features`).
        samples: float array `(N, H, W, C)` in `[0, 1]`, the generated images.
        real: float array `(M, H, W, C)` of real images, M >= 2N.
        seed: int, seed of the draw of the two real subsets. Defaults to `0`.

    Returns:
        dict with `frechet` (samples vs the first real subset) and `floor` (the second
        real subset vs the first), both floats, from N images each.
    """
    if len(real) < 2 * len(samples):
        raise ValueError(
            f"Argument real must hold at least 2 * len(samples) = {2 * len(samples)} "
            f"images for two disjoint subsets; received {len(real)}."
        )
    order = np.random.default_rng(seed).permutation(len(real))
    first, second = real[order[: len(samples)]], real[order[len(samples) : 2 * len(samples)]]
    reference = judge_features(judge, first)
    return {
        "frechet": frechet_distance(judge_features(judge, samples), reference),
        "floor": frechet_distance(judge_features(judge, second), reference),
    }


def nearest_distances(images, training_images, batch_size=256):
    """L2 distance, over pixels, from each of `images` to its nearest training image.

    Args:
        images: array `(N, ...)`.
        training_images: array `(M, ...)`, same image shape.
        batch_size: int, images compared at once. Defaults to `256`.

    Returns:
        float array `(N,)`.
    """
    images = np.asarray(images, "float32").reshape(len(images), -1)
    training = np.asarray(training_images, "float32").reshape(len(training_images), -1)
    if images.shape[1] != training.shape[1]:
        raise ValueError(
            f"Arguments images and training_images must have the same number of pixels; "
            f"received {images.shape[1]} and {training.shape[1]}."
        )
    training_norms = np.sum(training**2, axis=1)
    nearest = []
    for start in range(0, len(images), batch_size):
        batch = images[start : start + batch_size]
        # ||a - b||^2 = ||a||^2 - 2 a.b + ||b||^2, (batch, M)
        squared = np.sum(batch**2, axis=1)[:, None] - 2.0 * batch @ training.T + training_norms
        nearest.append(np.sqrt(np.maximum(squared.min(axis=1), 0.0)))
    return np.concatenate(nearest)


def memorisation_report(samples, training_images, held_out):
    """Nearest-training-image distances of generated samples and of held-out real images.

    A model that copies its training set puts its samples much nearer to training images
    than real images it never saw are; a model that generalises does not.

    Returns:
        dict with `samples` and `held_out` (the distance arrays), their medians
        `samples_median` and `held_out_median`, and `ratio` (samples' median over held-out
        median; well below 1 suggests memorisation).
    """
    samples_distances = nearest_distances(samples, training_images)
    held_out_distances = nearest_distances(held_out, training_images)
    samples_median = float(np.median(samples_distances))
    held_out_median = float(np.median(held_out_distances))
    return {
        "samples": samples_distances,
        "held_out": held_out_distances,
        "samples_median": samples_median,
        "held_out_median": held_out_median,
        "ratio": samples_median / held_out_median,
    }


def assess_samples(judge, samples, training_images, held_out, seed=0):
    """Every check of a generator's `samples` at once: the judge's verdict
    (`judge_samples`), the Fréchet distance with its floor (`frechet_report`, real
    subsets from `held_out`) and the nearest-training-image distances
    (`memorisation_report`, `held_out[:len(samples)]` as the real comparison).

    Returns:
        dict with the keys of the three reports (`confident`, `class_shares`,
        `min_class_share`, `frechet`, `floor`, `samples_median`, `held_out_median`,
        `ratio`, ...).
    """
    return {
        **judge_samples(judge, samples),
        **frechet_report(judge, samples, held_out, seed=seed),
        **memorisation_report(samples, training_images, held_out[: len(samples)]),
    }
