"""Weight averages (EMA) kept by Keras optimizers with `use_ema=True`."""

import keras


def release_averaged_weights(variables):
    """Gives each variable a buffer of its own after `fit()` swapped in the average.

    At the end of `fit()`, an optimizer with `use_ema=True` assigns its averages to the
    model's variables. Under JAX the assignment shares one array between the model
    variable and the optimizer's average; the next jitted `evaluate()` donates the
    model's arrays and so deletes the average too, and a later `save()` fails with
    "Array has been deleted". Copying the values breaks the sharing. Other backends
    copy on assignment already, so this does nothing there.

    Args:
        variables: list of `keras.Variable`, usually `model.trainable_variables`.
    """
    if keras.backend.backend() != "jax":
        return
    import jax.numpy as jnp

    for variable in variables:
        variable.assign(jnp.array(variable.value, copy=True))
