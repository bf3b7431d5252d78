"""Compiling an inference function with each backend's own compiler."""

import keras


def inference_function(fn, layer):
    """Returns `fn` compiled for inference: `jax.jit`, `tf.function` or `torch.no_grad`.

    `fn` takes tensors (or nested lists of them) and reads `layer`'s weights through its
    sublayers. JAX compiles a pure function, so the weights are passed in explicitly
    under a `keras.StatelessScope` and the compiled function always sees their current
    values. Arguments of a new shape compile again, so callers keep shapes fixed (a
    scalar tensor, not a Python int, for a position that changes every step).

    Args:
        fn: callable taking and returning tensors.
        layer: the `keras.Layer` (usually a model) whose variables `fn` reads.

    Returns:
        A callable with the same arguments as `fn`.

    Example:

    >>> dense = keras.layers.Dense(2)
    >>> _ = dense(keras.ops.ones((1, 3)))
    >>> double = inference_function(lambda x: 2 * dense(x), dense)
    >>> tuple(double(keras.ops.ones((4, 3))).shape)
    (4, 2)
    """
    name = keras.backend.backend()
    if name == "jax":
        import jax

        def pure(values, *args):
            with keras.StatelessScope(state_mapping=list(zip(layer.variables, values))):
                return fn(*args)

        jitted = jax.jit(pure)
        return lambda *args: jitted([v.value for v in layer.variables], *args)
    if name == "tensorflow":
        import tensorflow as tf

        return tf.function(fn, reduce_retracing=True)
    if name == "torch":
        import torch

        def without_autograd(*args):
            with torch.no_grad():
                return fn(*args)

        return without_autograd
    raise NotImplementedError(f"inference_function does not support the {name!r} backend.")
