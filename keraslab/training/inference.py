"""Inference helpers for code that calls a network many times (samplers, decoding)."""

import warnings

import keras


def predict_function(model):
    """Returns `f(inputs) -> NumPy outputs` for `model` in inference mode, fast on each backend.

    Under JAX and TensorFlow it is `model.predict_on_batch`, compiled once per input
    shape (a `jax.jit` or a `tf.function`). Under PyTorch, where that path adds more
    overhead than it saves on small inputs, it is an eager call under `torch.no_grad()`.

    Args:
        model: a built `keras.Model`.

    Returns:
        A callable taking the model's inputs (NumPy arrays or tensors).
    """
    if keras.backend.backend() != "torch":
        return model.predict_on_batch
    import torch

    def predict(inputs):
        with torch.no_grad():
            outputs = model(inputs, training=False)
        return keras.tree.map_structure(keras.ops.convert_to_numpy, outputs)

    return predict


def inference_function(fn, layer):
    """Returns `fn` compiled for inference: `jax.jit`, XLA `tf.function` or a torch trace.

    `fn` takes tensors (or nested lists of them) and reads `layer`'s weights through its
    sublayers. The weights are passed to the compiled program as inputs, under a
    `keras.StatelessScope`, so it always sees their current values. Arguments of a new
    shape compile again, so callers keep shapes fixed (a scalar tensor, not a Python int,
    for a position that changes every step).

    Under PyTorch, `fn` is recorded once per input shape with `torch.jit.trace` and
    replayed without Python: a Keras layer call costs about 0.1 ms of Python on the CPU,
    which dominates one decoding step of a small model. Tracing records the operations of
    one run, so `fn` must not branch on the values of its tensors (branching on shapes
    is fine: every shape gets its own trace). `torch.export` is TorchScript's successor,
    but its graphs run through Python again and were 6x slower per decoding step here.

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

    variables = []

    def current_values():
        # Read once: `layer.variables` walks every sublayer, which costs more than a step.
        if not variables:
            variables.extend(layer.variables)
        return [v.value for v in variables]

    def pure(values, *args):
        with keras.StatelessScope(state_mapping=list(zip(variables, values))):
            return fn(*args)

    name = keras.backend.backend()
    if name == "jax":
        import jax

        jitted = jax.jit(pure)
        return lambda *args: jitted(current_values(), *args)
    if name == "tensorflow":
        import tensorflow as tf

        return tf.function(fn, jit_compile=True)
    if name == "torch":
        return _traced(pure, current_values)
    raise NotImplementedError(f"inference_function does not support the {name!r} backend.")


def _traced(pure, current_values):
    import torch

    traces = {}

    def call(*args):
        args = keras.tree.map_structure(keras.ops.convert_to_tensor, args)
        values = [value.detach() for value in current_values()]
        signature = tuple((tuple(x.shape), x.dtype) for x in keras.tree.flatten(args))
        with torch.no_grad():
            if signature not in traces:
                with warnings.catch_warnings():
                    # Shape checks compare traced sizes; each shape has its own trace.
                    warnings.simplefilter("ignore", torch.jit.TracerWarning)
                    warnings.filterwarnings("ignore", "`torch.jit.trace` is deprecated")
                    traces[signature] = torch.jit.trace(
                        pure, (values, *args), check_trace=False, strict=False
                    )
            return traces[signature](values, *args)

    return call
