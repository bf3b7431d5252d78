"""The sample-quality measures against hand computations, SciPy and brute force."""

import numpy as np
import pytest
import scipy.linalg

from keraslab.evaluation import (
    frechet_distance,
    frechet_report,
    gaussian_frechet_distance,
    judge_features,
    judge_network,
    load_judge,
    memorisation_report,
    nearest_distances,
    train_judge,
)


def random_covariance(rng, dim):
    a = rng.normal(size=(dim, dim))
    return a @ a.T + 0.1 * np.eye(dim)


def test_frechet_of_diagonal_gaussians_matches_the_closed_form():
    mean_a, mean_b = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    var_a, var_b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 1.0])
    # Commuting covariances: Tr((S_a S_b)^1/2) = sum sqrt(var_a var_b).
    expected = np.sum((mean_a - mean_b) ** 2) + np.sum((np.sqrt(var_a) - np.sqrt(var_b)) ** 2)
    got = gaussian_frechet_distance(mean_a, np.diag(var_a), mean_b, np.diag(var_b))
    assert got == pytest.approx(expected)
    assert expected == pytest.approx(5.0 + 1.0 + 1.0 + 4.0)


def test_frechet_of_full_covariances_matches_an_eigen_decomposition():
    rng = np.random.default_rng(0)
    mean_a, mean_b = rng.normal(size=5), rng.normal(size=5)
    cov_a, cov_b = random_covariance(rng, 5), random_covariance(rng, 5)
    # Tr((S_a S_b)^1/2) = Tr((S_a^1/2 S_b S_a^1/2)^1/2), a symmetric matrix's eigenvalues.
    root_a = scipy.linalg.sqrtm(cov_a).real
    cross = np.sum(np.sqrt(np.linalg.eigvalsh(root_a @ cov_b @ root_a)))
    expected = np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * cross
    assert gaussian_frechet_distance(mean_a, cov_a, mean_b, cov_b) == pytest.approx(expected)
    assert gaussian_frechet_distance(mean_a, cov_a, mean_a, cov_a) == pytest.approx(0, abs=1e-6)


def test_frechet_of_samples_approaches_the_distance_of_their_gaussians():
    rng = np.random.default_rng(1)
    cov_a, cov_b = random_covariance(rng, 3), random_covariance(rng, 3)
    mean_b = np.array([1.0, -1.0, 0.5])
    a = rng.multivariate_normal(np.zeros(3), cov_a, size=200_000)
    b = rng.multivariate_normal(mean_b, cov_b, size=200_000)
    expected = gaussian_frechet_distance(np.zeros(3), cov_a, mean_b, cov_b)
    assert frechet_distance(a, b) == pytest.approx(expected, rel=0.02)


def test_frechet_rejects_mismatched_features():
    with pytest.raises(ValueError, match="features_b"):
        frechet_distance(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="features_a.*N >= 2"):
        frechet_distance(np.zeros((1, 3)), np.zeros((4, 3)))


def test_nearest_distances_match_brute_force():
    rng = np.random.default_rng(2)
    images, training = rng.random((7, 4, 4, 1)), rng.random((30, 4, 4, 1))
    pairwise = np.linalg.norm(images.reshape(7, 1, -1) - training.reshape(1, 30, -1), axis=-1)
    np.testing.assert_allclose(
        nearest_distances(images, training, batch_size=3), pairwise.min(axis=1), rtol=1e-4
    )
    with pytest.raises(ValueError, match="training_images"):
        nearest_distances(images, training[:, :2])


def test_memorisation_report_flags_copies_of_training_images():
    rng = np.random.default_rng(3)
    training, held_out = rng.random((50, 16)), rng.random((10, 16))
    copied = memorisation_report(training[:10], training, held_out)
    assert copied["samples_median"] == pytest.approx(0.0, abs=1e-3)
    assert copied["ratio"] < 0.01
    fresh = memorisation_report(rng.random((10, 16)), training, held_out)
    assert 0.5 < fresh["ratio"] < 2.0


def test_judge_features_feed_its_softmax_and_the_floor_is_below_noise():
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 3, size=120)
    images = np.clip(rng.normal(labels[:, None, None, None] / 3, 0.1, (120, 8, 8, 1)), 0, 1)
    images = images.astype("float32")
    judge = train_judge(images, labels, epochs=2)
    features = judge_features(judge, images[:20], batch_size=7)
    assert features.shape == (20, 128)
    kernel, bias = judge.head_layers[-1].get_weights()
    logits = features @ kernel + bias
    softmax = np.exp(logits - logits.max(1, keepdims=True))
    softmax /= softmax.sum(1, keepdims=True)
    np.testing.assert_allclose(judge.predict(images[:20], verbose=0), softmax, atol=1e-5)
    noise = rng.random((40, 8, 8, 1)).astype("float32")
    report = frechet_report(judge, noise, images)
    assert report["floor"] < report["frechet"]
    with pytest.raises(ValueError, match="real"):
        frechet_report(judge, images[:70], images)


def test_the_shipped_judge_is_the_judge_network_and_right_on_nine_in_ten_garments():
    from keraslab.presets import data

    judge = load_judge()
    fresh = judge_network(10)
    fresh(np.zeros((1, 28, 28, 1), "float32"))
    assert [w.shape for w in judge.weights] == [w.shape for w in fresh.weights]
    images, labels, _ = data.validation_data("cnn_fashion_mnist")  # the real test set
    predicted = judge.predict(images[:2000], batch_size=500, verbose=0).argmax(axis=1)
    assert np.mean(predicted == labels[:2000]) >= 0.9
