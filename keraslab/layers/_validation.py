"""Argument checks shared by keraslab layers: each raises a ValueError or TypeError that
names the argument, says what was expected and what was received."""

import keras


def positive_int(name, value, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"Argument {name} must be a positive int; received {value!r} "
            f"of type {type(value).__name__}."
        )
    if value <= 0:
        raise ValueError(f"Argument {name} must be a positive int; received {value}.")
    return value


def rate(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"Argument {name} must be a float in [0, 1); received {value!r}.")
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


def integer(name, x):
    """Checks that tensor `x` holds integer values."""
    dtype = _dtype(x)
    if "int" not in dtype:
        raise TypeError(f"Argument {name} must be an integer tensor; received dtype {dtype}.")


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
