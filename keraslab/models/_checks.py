"""Argument checks and config helpers shared by the model constructors and `call` methods."""

import keras


def check_int(name, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"Argument {name} must be an int; received {type(value).__name__}.")
    if value < minimum:
        raise ValueError(f"Argument {name} must be an int >= {minimum}; received {value}.")


def check_int_tuple(name, values, minimum=1, allow_empty=True):
    """Returns `values` as a tuple of ints, each at least `minimum`."""
    if isinstance(values, int):
        values = (values,)
    if not isinstance(values, (tuple, list)):
        raise TypeError(
            f"Argument {name} must be a tuple of ints; received {type(values).__name__}."
        )
    if not values and not allow_empty:
        raise ValueError(f"Argument {name} must hold at least one int; received {values!r}.")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(
                f"Argument {name} must hold ints >= {minimum}; received {tuple(values)!r}."
            )
    return tuple(values)


def check_rate(name, value):
    if not 0.0 <= value < 1.0:
        raise ValueError(f"Argument {name} must be in [0, 1); received {value!r}.")


def check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"Argument {name} must be one of {choices}; received {value!r}.")


def check_inputs(inputs, rank, layout):
    """Raises unless `inputs` has `rank` dimensions (`layout` names them) and a float dtype."""
    shape = tuple(inputs.shape)
    if len(shape) != rank:
        raise ValueError(
            f"Argument inputs must have rank {rank}, {layout}; received shape {shape}."
        )
    dtype = keras.backend.standardize_dtype(inputs.dtype)
    if "float" not in dtype:
        raise TypeError(
            f"Argument inputs must be a float tensor; received dtype {dtype}. "
            "Convert it first, for example images / 255.0 for uint8 pixels."
        )


def serialize_activation(activation):
    """A config value for an activation given as a name, a callable or `None`."""
    if activation is None or isinstance(activation, str):
        return activation
    return keras.activations.serialize(activation)


def serialize_initializer(initializer):
    """A config value for an initializer given as a name or an `Initializer`."""
    if isinstance(initializer, str):
        return initializer
    return keras.initializers.serialize(initializer)
