"""Argument checks shared by keraslab's layers, models and datasets: each raises a
ValueError or TypeError that names the argument, says what was expected and what was
received."""

import math

import keras
import numpy as np


def positive_int(name, value, allow_none=False, minimum=1):
    """`value` as an int, at least `minimum` (Python and NumPy ints; never a bool)."""
    if value is None and allow_none:
        return None
    expected = "a positive int" if minimum == 1 else f"an int >= {minimum}"
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"Argument {name} must be {expected}; received {value!r} "
            f"of type {type(value).__name__}."
        )
    if value < minimum:
        raise ValueError(f"Argument {name} must be {expected}; received {value}.")
    return int(value)


def int_tuple(name, values, minimum=1, allow_empty=True):
    """`values` (an int or a sequence of them) as a tuple of ints, each at least `minimum`."""
    if isinstance(values, (int, np.integer)) and not isinstance(values, bool):
        values = (values,)
    if not isinstance(values, (tuple, list)):
        raise TypeError(
            f"Argument {name} must be a tuple of ints; received {type(values).__name__}."
        )
    if not values and not allow_empty:
        raise ValueError(f"Argument {name} must hold at least one int; received {values!r}.")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
            raise ValueError(
                f"Argument {name} must hold ints >= {minimum}; received {tuple(values)!r}."
            )
    return tuple(int(value) for value in values)


def positive_float(name, value, maximum=None):
    """`value` as a finite float > 0, at most `maximum` when given (a temperature, a
    probability mass)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise TypeError(f"Argument {name} must be a float; received {type(value).__name__}.")
    expected = "> 0" if maximum is None else f"in (0, {maximum}]"
    if not 0 < value < math.inf or (maximum is not None and value > maximum):
        raise ValueError(f"Argument {name} must be {expected}; received {value}.")
    return float(value)


def even(name, value, minimum=2):
    """`value` as an even int, at least `minimum` (a sinusoidal code's size)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"Argument {name} must be a positive even int; received {value!r} "
            f"of type {type(value).__name__}."
        )
    if value < minimum or value % 2:
        raise ValueError(f"Argument {name} must be a positive even int; received {value!r}.")
    return int(value)


def fraction(name, value):
    """A float strictly between 0 and 1 (a split's test share, for example)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        raise ValueError(f"Argument {name} must be strictly between 0 and 1; received {value!r}.")
    return float(value)


def rate(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"Argument {name} must be a float in [0, 1); received {value!r}.")
    return float(value)


def non_negative(name, value):
    """`value` as a float, at least 0 (a noise level or a loss weight); NaN is rejected."""
    if not value >= 0:
        raise ValueError(f"Argument {name} must be >= 0; received {value!r}.")
    return float(value)


def boolean(name, value):
    if not isinstance(value, bool):
        raise TypeError(f"Argument {name} must be a bool; received {value!r}.")
    return value


def one_of(name, value, choices):
    if value not in choices:
        raise ValueError(f"Argument {name} must be one of {choices}; received {value!r}.")
    return value


def divides(name, value, other_name, other):
    if other % value != 0:
        raise ValueError(
            f"Argument {name} must divide {other_name}={other}; received {name}={value}."
        )


def _dtype(x):
    return keras.backend.standardize_dtype(x.dtype)


def floating(name, x):
    """Checks that tensor `x` holds floating-point values."""
    dtype = _dtype(x)
    if "float" not in dtype:
        raise TypeError(f"Argument {name} must be a floating-point tensor; received dtype {dtype}.")


def integer(name, x, expected="an integer tensor"):
    """Checks that tensor `x` holds integer values; `expected` may say what they stand for."""
    dtype = _dtype(x)
    if "int" not in dtype:
        raise TypeError(f"Argument {name} must be {expected}; received dtype {dtype}.")


def rank(name, shape, ranks, layout):
    """Checks `len(shape)` is in `ranks`; `layout` names the expected axes, e.g. "(B, T, D)"."""
    ranks = (ranks,) if isinstance(ranks, int) else tuple(ranks)
    if len(shape) not in ranks:
        expected = " or ".join(f"rank {r}" for r in ranks)
        raise ValueError(
            f"Argument {name} must have {expected} {layout}; "
            f"received shape {tuple(shape)} of rank {len(shape)}."
        )


def dim(name, shape, axis, expected, what):
    """Checks `shape[axis] == expected` when both are statically known."""
    actual = shape[axis]
    if actual is not None and expected is not None and actual != expected:
        raise ValueError(
            f"Argument {name} must have {what} = {expected} on axis {axis}; "
            f"received shape {tuple(shape)}."
        )


def shape_matches(name, shape, expected, layout):
    """Checks `shape` equals `expected` on every axis where both are statically known."""
    ok = len(shape) == len(expected) and all(
        a is None or e is None or a == e for a, e in zip(shape, expected)
    )
    if not ok:
        raise ValueError(
            f"Argument {name} must have shape {layout} = {tuple(expected)}; "
            f"received shape {tuple(shape)}."
        )


def identifier(name, getter, value):
    """Resolves `value` with a Keras getter (`keras.initializers.get`, ...), naming `name`
    in the error when it is unknown."""
    try:
        return getter(value)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"Argument {name} must be a name or object Keras knows ({getter.__module__}); "
            f"received {value!r}."
        ) from error


def token_ids(name, ids, max_length=None, vocabulary_size=None):
    """Returns `ids` as an int32 NumPy array `(B, T)`, or raises naming the argument."""
    ids = np.asarray(keras.ops.convert_to_numpy(ids))
    if not np.issubdtype(ids.dtype, np.integer):
        raise TypeError(f"Argument {name} must hold integer token ids; received dtype {ids.dtype}.")
    if ids.ndim != 2:
        raise ValueError(f"Argument {name} must have shape (B, T); received shape {ids.shape}.")
    if ids.shape[1] < 1:
        raise ValueError(f"Argument {name} must hold at least one token; received {ids.shape}.")
    if max_length is not None and ids.shape[1] > max_length:
        raise ValueError(
            f"Argument {name} has {ids.shape[1]} tokens, more than the model's "
            f"sequence_length={max_length}."
        )
    if vocabulary_size is not None and (ids.min() < 0 or ids.max() >= vocabulary_size):
        raise ValueError(
            f"Argument {name} must hold ids in [0, {vocabulary_size}); received values in "
            f"[{ids.min()}, {ids.max()}]."
        )
    return ids.astype("int32")


def at_most(name, value, limit=None, limit_name=None):
    """Checks a positive int, at most `limit` when given."""
    positive_int(name, value)
    if limit is not None and value > limit:
        raise ValueError(f"Argument {name} must be <= {limit_name} = {limit}; received {value}.")


def inputs(x, rank, layout, name="inputs"):
    """Checks that a model's input tensor `x` has `rank` axes (`layout` names them) and a
    floating dtype."""
    shape = tuple(x.shape)
    if len(shape) != rank:
        raise ValueError(
            f"Argument {name} must have rank {rank}, {layout}; received shape {shape}."
        )
    dtype = _dtype(x)
    if "float" not in dtype:
        raise TypeError(
            f"Argument {name} must be a float tensor; received dtype {dtype}. "
            "Convert it first, for example images / 255.0 for uint8 pixels."
        )


def image_shape(value, downsamplings=0, name="image_shape"):
    """`(height, width, channels)` as a tuple of ints, height and width divisible by
    `2**downsamplings`."""
    if not isinstance(value, (tuple, list)) or len(value) != 3:
        raise ValueError(f"Argument {name} must be (height, width, channels); received {value!r}.")
    height, width, channels = (int(d) for d in value)
    factor = 2**downsamplings
    if min(height, width, channels) < 1 or height % factor or width % factor:
        raise ValueError(
            f"Argument {name} must have height and width divisible by {factor} "
            f"({downsamplings} stride-2 stages); received {tuple(value)}."
        )
    return (height, width, channels)


def images(x, shape, name="images"):
    """Checks that tensor `x` is a batch of images of `shape` `(H, W, C)`."""
    if len(x.shape) != 4 or tuple(x.shape[1:]) != tuple(shape):
        raise ValueError(
            f"Argument {name} must have shape (batch, {', '.join(map(str, shape))}); "
            f"received {tuple(x.shape)}."
        )
