"""GAN: losses in the history move, seeded generation survives save and load, and the
conditional variant draws the digit it is asked for."""

import keras
import numpy as np
import pytest
from keras import ops

from keraslab.datasets import load_digits
from keraslab.evaluation import train_judge
from keraslab.models import GAN


@pytest.fixture(scope="module")
def trained():
    (x_train, _), _ = load_digits()
    keras.utils.set_random_seed(0)
    gan = GAN(image_shape=(8, 8, 1), latent_dim=8, filters=8, seed=0)
    gan.compile(optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5))
    history = gan.fit(x_train[:256], epochs=3, batch_size=32, verbose=0).history
    return gan, history


def test_losses_move_and_are_reported_per_network(trained):
    _, history = trained
    for name in ("d_loss", "g_loss"):
        assert all(np.isfinite(history[name]))
        assert abs(history[name][-1] - history[name][0]) > 1e-3


def test_seeded_generation_survives_save_and_load(trained, tmp_path):
    gan, _ = trained
    images = ops.convert_to_numpy(gan.generate(6, seed=2))
    assert images.shape == (6, 8, 8, 1) and 0.0 <= images.min() and images.max() <= 1.0
    np.testing.assert_array_equal(images, ops.convert_to_numpy(gan.generate(6, seed=2)))
    assert not np.array_equal(images, ops.convert_to_numpy(gan.generate(6, seed=3)))
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(ops.convert_to_numpy(loaded.generate(6, seed=2)), images, atol=1e-6)
    assert int(ops.convert_to_numpy(loaded.role_optimizer("generator").iterations)) == 24


@pytest.fixture(scope="module")
def conditional():
    (x_train, y_train), _ = load_digits()
    keras.utils.set_random_seed(0)
    gan = GAN(image_shape=(8, 8, 1), latent_dim=8, filters=8, num_classes=10, seed=0)
    gan.compile(optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5))
    history = gan.fit(x_train[:256], y_train[:256], epochs=2, batch_size=32, verbose=0).history
    return gan, history


def test_conditional_gan_fits_on_labels_and_the_label_steers_the_image(conditional, tmp_path):
    gan, history = conditional
    assert all(np.isfinite(history["d_loss"])) and all(np.isfinite(history["g_loss"]))
    digits = np.arange(10)
    images = ops.convert_to_numpy(gan.generate(10, labels=digits, seed=2))
    shifted = ops.convert_to_numpy(gan.generate(10, labels=(digits + 1) % 10, seed=2))
    assert images.shape == (10, 8, 8, 1)
    assert np.abs(images - shifted).max() > 1e-3  # same latents, other labels
    # Without labels, generate asks for the classes in turn.
    np.testing.assert_array_equal(ops.convert_to_numpy(gan.generate(10, seed=2)), images)
    path = str(tmp_path / "conditional.keras")
    gan.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.num_classes == 10
    reloaded = ops.convert_to_numpy(loaded.generate(10, labels=digits, seed=2))
    np.testing.assert_allclose(reloaded, images, atol=1e-6)


def test_conditional_gan_rejects_bad_labels(conditional):
    gan, _ = conditional
    latent = np.zeros((3, 8), "float32")
    with pytest.raises(ValueError, match="labels must lie in"):
        gan.generate(2, labels=[0, 10])
    with pytest.raises(ValueError, match="labels must hold n=3"):
        gan.generate(3, labels=[0, 1])
    with pytest.raises(ValueError, match=r"inputs must be \[latent, labels\]"):
        gan(latent)
    with pytest.raises(TypeError, match="labels must be integer"):
        gan([latent, np.zeros((3,), "float32")])
    with pytest.raises(ValueError, match=r"labels must have shape \(batch,\)"):
        gan([latent, np.zeros((2,), "int32")])
    with pytest.raises(ValueError, match="Argument y"):
        gan.fit(np.zeros((4, 8, 8, 1), "float32"), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="num_classes"):
        GAN(image_shape=(8, 8, 1), num_classes=1)
    plain = GAN(image_shape=(8, 8, 1), latent_dim=4, filters=2)
    with pytest.raises(ValueError, match="labels needs a conditional GAN"):
        plain.generate(2, labels=[0, 1])


@pytest.mark.training_bound
def test_conditional_samples_are_judged_to_be_the_digit_asked_for():
    """A label wired wrongly (or ignored) leaves agreement near chance, 10%."""
    (x_train, y_train), _ = load_digits()
    keras.utils.set_random_seed(0)
    gan = GAN(image_shape=(8, 8, 1), latent_dim=16, filters=16, num_classes=10, seed=0)
    gan.compile(optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5))
    gan.fit(x_train, y_train, epochs=10, batch_size=64, verbose=0)
    judge = train_judge(x_train, y_train, epochs=10)
    requested = np.arange(200) % 10
    samples = ops.convert_to_numpy(gan.generate(200, labels=requested, seed=1))
    predicted = judge.predict(samples, verbose=0).argmax(axis=1)
    assert np.mean(predicted == requested) >= 0.5
