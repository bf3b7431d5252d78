"""Fast repeated inference, for samplers that call a network hundreds of times."""

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
