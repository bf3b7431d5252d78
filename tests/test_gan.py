"""GAN: losses in the history move, seeded generation survives save and load."""

import keras
import numpy as np
import pytest
from keras import ops

from keraslab.datasets import load_digits
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
