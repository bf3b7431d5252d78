"""What the docs pages share: headline figures recorded from the run, prose rendered from
them, architecture diagrams drawn by code, and page helpers.

A page states a number that its run produced in one of two ways, so that the prose cannot
drift from the run:

>>> from keraslab import course
>>> accuracy = course.record("test accuracy", 0.9137, unit="fraction")
>>> course.markdown(f"The CNN reaches **{accuracy:.1%}** on the test set.")
The CNN reaches **91.4%** on the test set.

`record` also keeps the figure, under the page's name, for the backend comparison of the
whole course (`recorded()`; written to the JSON file named by `KERASLAB_FIGURES` when
that variable is set).
"""

import inspect
import json
import os
import textwrap

import numpy as np

_RECORDED = {}


def page_name():
    """The page being run: `KERASLAB_PAGE`, set by whoever runs the pages, or `"page"`."""
    return os.environ.get("KERASLAB_PAGE", "page")


def record(name, value, unit=""):
    """Keeps `value` as the page's headline figure `name` and returns it unchanged.

    Args:
        name: str, what the figure is ("test accuracy", "nats per character").
        value: a Python or NumPy number (or a 0-d tensor's NumPy value).
        unit: str, its unit ("fraction", "s", "nats/char"). Defaults to `""`.

    Returns:
        `value`, so that `acc = record("test accuracy", acc)` reads as one step.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"Argument name must be a non-empty str; received {name!r}.")
    number = np.asarray(value)
    if number.ndim != 0 or not np.issubdtype(number.dtype, np.number):
        raise TypeError(
            f"Argument value must be one number; received {type(value).__name__} "
            f"with shape {number.shape}."
        )
    _RECORDED.setdefault(page_name(), {})[name] = {"value": number.item(), "unit": unit}
    path = os.environ.get("KERASLAB_FIGURES")
    if path:
        with open(path, "w") as f:
            json.dump(_RECORDED, f, indent=1)
    return value


def recorded(page=None):
    """The figures recorded so far: `{name: {"value", "unit"}}` for `page` (default: this
    page), as a copy."""
    return {k: dict(v) for k, v in _RECORDED.get(page or page_name(), {}).items()}


def markdown(text):
    """Shows `text` as a Markdown cell's output in a notebook, or prints it in a script."""
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(Markdown(text))
    else:
        print(text)


def show_source(obj):
    """Shows the source of `obj` (a keraslab method, function or class) as a code block.

    Pages show the code of the model they teach this way, pulled from the installed
    package, so the page cannot show code that keraslab no longer runs.
    """
    source = textwrap.dedent(inspect.getsource(obj)).rstrip()
    where = f"{obj.__module__}.{obj.__qualname__}"
    markdown(f"`{where}`:\n\n```python\n{source}\n```")
