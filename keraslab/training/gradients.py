"""Value and gradient of a function of Keras variables, through each backend's autodiff."""

import keras


def value_and_grad(fn, variables):
    """Evaluates `fn()` and its gradient with respect to `variables`.

    `fn` takes no arguments and reads the variables (directly or through layers); it
    returns a scalar. The gradient comes from the backend's own automatic
    differentiation: `tf.GradientTape`, `torch.autograd.grad` or `jax.value_and_grad`
    over a `keras.StatelessScope`, so the same call works on all three backends.

    Args:
        fn: callable with no arguments returning a scalar tensor.
        variables: list of `keras.Variable`.

    Returns:
        `(value, gradients)`: the scalar, and one gradient tensor per variable, in order.

    Example:

    >>> w = keras.Variable([1.0, 2.0])
    >>> value, (grad,) = value_and_grad(lambda: keras.ops.sum(w**2), [w])
    >>> keras.ops.convert_to_numpy(grad)
    array([2., 4.], dtype=float32)
    """
    variables = list(variables)
    for v in variables:
        if not isinstance(v, keras.Variable):
            raise TypeError(
                "Argument variables must hold keras.Variable objects; "
                f"received an element of type {type(v).__name__}."
            )
    name = keras.backend.backend()
    if name == "tensorflow":
        return _tensorflow(fn, variables)
    if name == "torch":
        return _torch(fn, variables)
    if name == "jax":
        return _jax(fn, variables)
    raise NotImplementedError(f"value_and_grad does not support the {name!r} backend.")


def _check_scalar(value):
    if len(keras.ops.shape(value)) != 0:
        raise ValueError(
            "Argument fn must return a scalar; received a value of shape "
            f"{tuple(keras.ops.shape(value))}."
        )


def _tensorflow(fn, variables):
    import tensorflow as tf

    with tf.GradientTape() as tape:
        for v in variables:
            tape.watch(v.value)
        value = fn()
    _check_scalar(value)
    grads = tape.gradient(
        value, [v.value for v in variables], unconnected_gradients=tf.UnconnectedGradients.ZERO
    )
    return value, grads


def _torch(fn, variables):
    import torch

    tensors = [v.value for v in variables]
    restore = [t.requires_grad for t in tensors]
    for t in tensors:
        t.requires_grad_(True)
    try:
        value = fn()
        _check_scalar(value)
        grads = torch.autograd.grad(value, tensors, allow_unused=True)
    finally:
        for t, flag in zip(tensors, restore):
            t.requires_grad_(flag)
    grads = [torch.zeros_like(t) if g is None else g for g, t in zip(grads, tensors)]
    return value.detach(), grads


def _jax(fn, variables):
    import jax

    def pure(values):
        with keras.StatelessScope(state_mapping=list(zip(variables, values))):
            value = fn()
        _check_scalar(value)
        return value

    value, grads = jax.value_and_grad(pure)([v.value for v in variables])
    return value, list(grads)
