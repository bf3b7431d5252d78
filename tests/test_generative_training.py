"""`keraslab.training.MultiOptimizerModel`: several optimizers in one plain `fit()` step."""

import keras
import numpy as np
import pytest
from keras import ops

from keraslab.models import GAN
from keraslab.training import MultiOptimizerModel


@keras.saving.register_keras_serializable(package="keraslab_tests")
class TwoScalars(MultiOptimizerModel):
    """Role "first" pulls a towards 3; role "second" then pulls b towards the new a."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = keras.layers.Dense(1, use_bias=False, name="first", kernel_initializer="ones")
        self.second = keras.layers.Dense(
            1, use_bias=False, name="second", kernel_initializer=keras.initializers.Constant(-2.0)
        )
        self.first.build((None, 1))
        self.second.build((None, 1))
        self.built = True

    def call(self, x):
        return self.second(self.first(x))

    def optimizer_roles(self):
        return {"first": self.first, "second": self.second}

    def compute_role_loss(self, role, x, y=None, training=True):
        a, b = self.first.kernel[0, 0], self.second.kernel[0, 0]
        if role == "first":
            return ops.mean(ops.square(a * x[:, 0] - 3.0))
        return ops.square(b - a)


def numpy_steps(steps, lr_first, lr_second, a=1.0, b=-2.0):
    losses = []
    for _ in range(steps):
        loss_first = (a - 3.0) ** 2
        a = a - lr_first * 2 * (a - 3.0)
        loss_second = (b - a) ** 2
        b = b - lr_second * 2 * (b - a)
        losses.append(loss_first + loss_second)
    return a, b, losses


def scalar(variable):
    return float(ops.convert_to_numpy(variable)[0, 0])


def test_roles_step_in_order_with_their_own_optimizers_against_numpy():
    model = TwoScalars()
    model.compile(
        optimizer={
            "first": keras.optimizers.SGD(learning_rate=0.25),
            "second": keras.optimizers.SGD(learning_rate=0.1),
        }
    )
    history = model.fit(np.ones((4, 1), "float32"), epochs=3, batch_size=4, verbose=0)
    a, b, losses = numpy_steps(3, 0.25, 0.1)
    assert scalar(model.first.kernel) == pytest.approx(a, rel=1e-5)
    assert scalar(model.second.kernel) == pytest.approx(b, rel=1e-5)
    np.testing.assert_allclose(history.history["loss"], losses, rtol=1e-5)
    iterations = [int(ops.convert_to_numpy(o.iterations)) for o in model.optimizer.optimizers]
    assert iterations == [3, 3, 0]


def test_one_optimizer_name_is_copied_per_role():
    model = TwoScalars()
    model.compile(optimizer="sgd")
    first, second = model.role_optimizer("first"), model.role_optimizer("second")
    assert first is not second
    assert isinstance(first, keras.optimizers.SGD) and isinstance(second, keras.optimizers.SGD)


def test_gan_step_routes_each_submodel_to_its_optimizer():
    images = np.random.default_rng(0).uniform(size=(16, 8, 8, 1)).astype("float32")
    runs = {}
    for frozen in ("discriminator", "generator"):
        keras.utils.set_random_seed(3)
        gan = GAN(image_shape=(8, 8, 1), latent_dim=4, filters=4, seed=0)
        optimizers = {"discriminator": keras.optimizers.Adam(1e-2), "generator": "adam"}
        optimizers[frozen] = keras.optimizers.SGD(learning_rate=0.0)
        gan.compile(optimizer=optimizers)
        before = {
            role: [ops.convert_to_numpy(w).copy() for w in layer.trainable_weights]
            for role, layer in gan.optimizer_roles().items()
        }
        history = gan.fit(images, epochs=2, batch_size=8, verbose=0)
        changed = {
            role: any(
                not np.array_equal(old, ops.convert_to_numpy(new))
                for old, new in zip(before[role], layer.trainable_weights)
            )
            for role, layer in gan.optimizer_roles().items()
        }
        runs[frozen] = (changed, history.history)
    assert runs["discriminator"][0] == {"discriminator": False, "generator": True}
    assert runs["generator"][0] == {"discriminator": True, "generator": False}
    for _, logs in runs.values():
        assert set(logs) == {"loss", "d_loss", "g_loss"}
        np.testing.assert_allclose(logs["loss"], np.add(logs["d_loss"], logs["g_loss"]), rtol=1e-5)


def test_saved_model_keeps_both_optimizer_states(tmp_path):
    model = TwoScalars()
    model.compile(optimizer={"first": "adam", "second": keras.optimizers.SGD(0.1, momentum=0.9)})
    model.fit(np.ones((4, 1), "float32"), epochs=2, batch_size=4, verbose=0)
    path = str(tmp_path / "two.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded.optimizer, keras.optimizers.MultiOptimizer)
    for old, new in zip(model.optimizer.variables, loaded.optimizer.variables):
        np.testing.assert_allclose(ops.convert_to_numpy(new), ops.convert_to_numpy(old))
    assert loaded.role_optimizer("second").momentum == 0.9
    loaded.fit(np.ones((4, 1), "float32"), epochs=1, batch_size=4, verbose=0)
    assert int(ops.convert_to_numpy(loaded.role_optimizer("first").iterations)) == 3


def test_evaluate_reports_role_losses_without_updating():
    model = TwoScalars()
    model.compile(optimizer="sgd")
    logs = model.evaluate(np.ones((4, 1), "float32"), verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx((1.0 - 3.0) ** 2 + (-2.0 - 1.0) ** 2)
    assert scalar(model.first.kernel) == 1.0


def test_unknown_role_is_rejected():
    model = TwoScalars()
    model.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="Argument role must be one of"):
        model.role_optimizer("third")
