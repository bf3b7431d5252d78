"""Prose that cannot drift from the run: a page's markdown states no run-dependent number.

A number that a run produces belongs in a Markdown cell rendered from the run's values
(`keraslab.course.markdown(f"...")`) or in a sentence whose code cell asserts it. Typed
into a markdown cell, it goes stale the next time the page runs. This test reads every
page's markdown cells and flags each number with two or more significant digits, except:

* numbers inside maths (`$...$`, `$$...$$`) and code (`` `...` ``, indented blocks): those
  are formulas and settings;
* numbers that the page's own code cells write as literals (its constants block);
* years (1950-2039), and figures in a sentence that cites its source (a link);
* numbers the page itself declares fixed, with the reason, in an HTML comment that the
  site does not show: `<!-- fixed: 8601 = the ISO standard's number; 24 = float32's
  mantissa bits -->`.
"""

import glob
import os
import re

import pytest

from tests.conftest import REPO_ROOT

PAGES = sorted(
    p
    for p in glob.glob(os.path.join(REPO_ROOT, "docs", "**", "*.py"), recursive=True)
    if "/assets/" not in p
)

_NUMBER = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)(?![\w.]*\d)")
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|\\\(.*?\\\)|\\\[.*?\\\]", re.S)
_CODE = re.compile(r"```.*?```|`[^`\n]+`", re.S)
_LINK_TARGET = re.compile(r"\]\([^)]*\)|<https?://[^>]*>|https?://\S+")
_FIXED = re.compile(r"<!--\s*fixed:(.*?)-->", re.S)


def cells(source):
    """`(kind, text)` for each jupytext percent cell of `source`; markdown loses its `# `."""
    found = []
    for block in re.split(r"^# %%", source, flags=re.M)[1:]:
        header, _, body = block.partition("\n")
        if "[markdown]" in header:
            lines = [re.sub(r"^# ?", "", line) for line in body.splitlines()]
            found.append(("markdown", "\n".join(lines)))
        else:
            found.append(("code", body))
    return found


def significant_digits(number):
    digits = number.replace(",", "").replace(".", "").lstrip("0")
    return len(digits.rstrip("0")) if "." not in number else len(digits)


def _literals(code):
    """Every number written in `code`, normalised (`1_000` and `1000` alike)."""
    return {n.replace("_", "") for n in re.findall(r"(?<![\w.])\d[\d_]*(?:\.\d+)?", code)}


def _normalise(number):
    return number.replace(",", "")


def fixed_numbers(markdown):
    """The numbers a page declares fixed in `<!-- fixed: N = reason; ... -->` comments."""
    declared = set()
    for comment in _FIXED.findall(markdown):
        for item in comment.split(";"):
            number, equals, reason = item.partition("=")
            if not equals or not reason.strip():
                raise ValueError(f"a fixed number needs its reason, `N = why`: {item.strip()!r}")
            declared.add(_normalise(number.strip()))
    return declared


def hand_typed_numbers(source):
    """The run-dependent-looking numbers in the markdown cells of a page's `source`."""
    page_cells = cells(source)
    constants = set().union(*(_literals(text) for kind, text in page_cells if kind == "code"))
    allowed = set().union(*(fixed_numbers(text) for kind, text in page_cells if kind != "code"))
    flagged = []
    for kind, text in page_cells:
        if kind != "markdown":
            continue
        text = _CODE.sub(" ", _MATH.sub(" ", _FIXED.sub(" ", text)))
        text = "\n".join(line for line in text.splitlines() if not line.startswith("    "))
        for sentence in re.split(r"(?<=[.!?])\s+|\n\s*\n", text):
            if _LINK_TARGET.search(sentence):
                continue  # a figure quoted with its source
            for number in _NUMBER.findall(_LINK_TARGET.sub(" ", sentence)):
                plain = _normalise(number)
                if significant_digits(number) < 2 or plain in constants or plain in allowed:
                    continue
                if re.fullmatch(r"19[5-9]\d|20[0-3]\d", plain):
                    continue
                flagged.append((number, " ".join(sentence.split())[:120]))
    return flagged


@pytest.mark.parametrize("page", PAGES, ids=lambda p: os.path.relpath(p, REPO_ROOT))
def test_page_prose_states_no_hand_typed_figure(page):
    relative = os.path.relpath(page, os.path.join(REPO_ROOT, "docs"))
    with open(page) as f:
        flagged = hand_typed_numbers(f.read())
    assert not flagged, (
        f"{relative}: numbers typed into markdown; render them from the run or assert them: "
        + "; ".join(f"{number} in {sentence!r}" for number, sentence in flagged)
    )


PLANTED = """
# %%
HIDDEN = 8  # units

# %% [markdown]
# The network has HIDDEN = 8 units and {claim}.
"""


@pytest.mark.parametrize(
    "claim, flagged",
    [
        ("reaches 97.3% test accuracy", ["97.3"]),
        ("has 35 parameters", ["35"]),
        ("has $2 \\cdot 8 + 8$ weights", []),
        ("trains in `EPOCHS = 20` epochs", []),
        ("matches [the paper's 92.5%](https://example.org)", []),
        ("was introduced in 1997", []),
        ("has 8 units", []),
        ("follows ISO 8601 <!-- fixed: 8601 = the standard's number -->", []),
        ("follows ISO 8601 <!-- fixed: 8601 = the standard's number --> in 97.3%", ["97.3"]),
    ],
)
def test_the_check_flags_a_planted_figure_and_nothing_else(claim, flagged):
    found = [number for number, _ in hand_typed_numbers(PLANTED.format(claim=claim))]
    assert found == flagged


def test_a_fixed_number_needs_its_reason():
    with pytest.raises(ValueError, match="reason"):
        hand_typed_numbers(PLANTED.format(claim="is ISO 8601 <!-- fixed: 8601 -->"))
