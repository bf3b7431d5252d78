"""Every `Example:` in keraslab's docstrings runs and prints what it shows, on each backend."""

import doctest
import importlib
import pkgutil

import pytest

import keraslab

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(keraslab.__path__, "keraslab.")
    if not info.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(importlib.import_module(name), optionflags=flags)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
