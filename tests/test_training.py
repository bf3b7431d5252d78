"""`keraslab.training.value_and_grad` against derivatives known in closed form."""

import keras
import numpy as np
import pytest
from keras import ops

from keraslab.training import inference_function, list_devices, value_and_grad, xla_jit_compile
from keraslab.training.inference import update_cache


def to_numpy(x):
    return ops.convert_to_numpy(x)


def test_polynomial_gradient_matches_closed_form():
    w_init = np.array([-2.0, 0.5, 3.0], dtype="float32")
    w = keras.Variable(w_init)
    value, (grad,) = value_and_grad(lambda: ops.sum(w**3) + 2.0 * ops.sum(w), [w])
    np.testing.assert_allclose(to_numpy(value), np.sum(w_init**3) + 2 * np.sum(w_init), rtol=1e-6)
    np.testing.assert_allclose(to_numpy(grad), 3 * w_init**2 + 2.0, rtol=1e-6)


def test_least_squares_gradient_matches_numpy():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 4)).astype("float32")
    y = rng.normal(size=(16, 1)).astype("float32")
    w_init = rng.normal(size=(4, 1)).astype("float32")
    b_init = np.array([0.3], dtype="float32")
    w, b = keras.Variable(w_init), keras.Variable(b_init)
    x_tensor, y_tensor = ops.convert_to_tensor(x), ops.convert_to_tensor(y)

    def loss():
        return ops.mean((ops.matmul(x_tensor, w) + b - y_tensor) ** 2)

    value, (grad_w, grad_b) = value_and_grad(loss, [w, b])
    residual = x @ w_init + b_init - y
    np.testing.assert_allclose(to_numpy(value), np.mean(residual**2), rtol=1e-5)
    np.testing.assert_allclose(to_numpy(grad_w), 2 * x.T @ residual / len(x), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(to_numpy(grad_b), [2 * residual.mean()], rtol=1e-4, atol=1e-6)


def test_gradient_through_a_layer_matches_finite_differences():
    layer = keras.layers.Dense(3, activation="tanh")
    x = np.random.default_rng(1).normal(size=(8, 5)).astype("float32")
    layer.build(x.shape)

    def loss():
        return ops.sum(layer(x) ** 2)

    _, (grad_kernel, _) = value_and_grad(loss, layer.trainable_variables)
    kernel = to_numpy(layer.kernel).astype("float64")
    bias = to_numpy(layer.bias).astype("float64")

    def numpy_loss(k):
        return np.sum(np.tanh(x.astype("float64") @ k + bias) ** 2)

    eps = 1e-4
    numeric = np.zeros_like(kernel)
    for index in np.ndindex(kernel.shape):
        step = np.zeros_like(kernel)
        step[index] = eps
        numeric[index] = (numpy_loss(kernel + step) - numpy_loss(kernel - step)) / (2 * eps)
    np.testing.assert_allclose(to_numpy(grad_kernel), numeric, rtol=1e-3, atol=1e-3)


def test_unused_variable_gets_zero_gradient():
    used, unused = keras.Variable([1.0, 2.0]), keras.Variable([5.0])
    _, (grad_used, grad_unused) = value_and_grad(lambda: ops.sum(used * 3.0), [used, unused])
    np.testing.assert_allclose(to_numpy(grad_used), [3.0, 3.0])
    np.testing.assert_allclose(to_numpy(grad_unused), [0.0])


def test_non_scalar_function_is_rejected():
    w = keras.Variable([1.0, 2.0])
    with pytest.raises(ValueError, match="must return a scalar.*shape \\(2,\\)"):
        value_and_grad(lambda: w * 2.0, [w])


def test_non_variable_is_rejected():
    with pytest.raises(TypeError, match="Argument variables.*ndarray"):
        value_and_grad(lambda: ops.sum(np.ones(2)), [np.ones(2)])


def test_list_devices_has_a_cpu():
    devices = list_devices()
    assert any(d.lower().startswith("cpu") for d in devices), devices


def test_inference_function_follows_index_values_shapes_and_new_weights():
    """The compiled function (a torch trace, a jax.jit, an XLA tf.function) must not bake in
    the index it first saw, must handle a new shape, and must read the current weights."""
    rng = np.random.default_rng(0)
    dense = keras.layers.Dense(3)
    dense.build((None, 4))

    def fn(x, index):
        picked = ops.take(x, ops.arange(2, dtype="int32") + index, axis=1)  # (B, 2, 4)
        return dense(picked), ops.cast(index, "float32") * ops.ones((1,))

    compiled = inference_function(fn, dense)
    for length in (6, 9):
        x = rng.normal(size=(2, length, 4)).astype("float32")
        for index in (0, 3, length - 2):
            kernel, bias = (to_numpy(w) for w in dense.weights)
            out, echo = compiled(x, ops.convert_to_tensor(index, "int32"))
            np.testing.assert_allclose(
                to_numpy(out), x[:, index : index + 2] @ kernel + bias, atol=1e-5
            )
            np.testing.assert_allclose(to_numpy(echo), [index])
            dense.set_weights([w + 1.0 for w in dense.get_weights()])


def test_xla_train_steps_match_plain_gradient_descent():
    """A model compiled with `xla_jit_compile()` compiles with XLA except on torch, and its
    SGD steps on a least-squares loss match the same steps done by hand in NumPy."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 3)).astype("float32")
    y = rng.normal(size=(16, 1)).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", jit_compile=xla_jit_compile())
    assert model.jit_compile == (keras.backend.backend() != "torch")
    w, b = (to_numpy(v).astype("float64") for v in model.weights)
    for _ in range(3):
        model.train_on_batch(x, y)
        error = x @ w + b - y  # (N, 1)
        w, b = w - 0.1 * 2 * x.T @ error / len(x), b - 0.1 * 2 * error.mean(axis=0)
    np.testing.assert_allclose(to_numpy(model.weights[0]), w, atol=1e-5)
    np.testing.assert_allclose(to_numpy(model.weights[1]), b, atol=1e-5)


@pytest.mark.parametrize("donate", [False, True])
def test_update_cache_writes_at_the_index_compiled_and_eager(donate):
    """Compiled and eager writes match NumPy and a traced index is not baked in; a cache
    that is not donated is left untouched (a donated one may be overwritten)."""
    rng = np.random.default_rng(1)
    cache = rng.normal(size=(2, 3, 7, 4)).astype("float32")
    updates = rng.normal(size=(2, 3, 2, 4)).astype("float32")
    dense = keras.layers.Dense(1)
    dense.build((None, 4))
    compiled = inference_function(
        lambda c, u, i: update_cache(c, u, i, axis=2, donate=donate), dense
    )
    for index in (0, 3, 5):
        expected = cache.copy()
        expected[:, :, index : index + 2] = updates
        given = ops.convert_to_tensor(cache.copy())
        eager = update_cache(given, updates, index, axis=2, donate=donate)
        np.testing.assert_array_equal(to_numpy(eager), expected)
        if not donate:
            np.testing.assert_array_equal(to_numpy(given), cache)
        result = compiled(
            ops.convert_to_tensor(cache.copy()), updates, ops.convert_to_tensor(index, "int32")
        )
        np.testing.assert_array_equal(to_numpy(result), expected)
