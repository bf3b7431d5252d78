"""The few drawing primitives every architecture diagram is made of: a canvas in data
units, labelled boxes, arrows between them, and labels. Diagrams call these and nothing of
matplotlib's own beyond them, so all figures share one look."""

import matplotlib.patches as patches
import matplotlib.pyplot as plt

# One palette for every diagram: what a part of a network is, not which page draws it.
COLORS = {
    "input": "#dbe9f6",
    "layer": "#fde0c5",
    "attention": "#f9c6c9",
    "norm": "#e2f0d9",
    "output": "#e5dcf2",
    "noise": "#eeeeee",
}


def canvas(width, height, scale=0.9):
    """A figure whose axes run over `[0, width] x [0, height]` in data units, no frame."""
    fig, ax = plt.subplots(figsize=(width * scale, height * scale))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def box(ax, center, text, size=(1.6, 0.6), kind="layer", fontsize=9, round_corners=True):
    """A labelled box centred on `center`; returns its `(x0, y0, x1, y1)` extent."""
    (x, y), (w, h) = center, size
    style = "round,pad=0.02,rounding_size=0.08" if round_corners else "square,pad=0.0"
    ax.add_patch(
        patches.FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle=style,
            facecolor=COLORS[kind],
            edgecolor="#444444",
            linewidth=0.9,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)
    return (x - w / 2, y - h / 2, x + w / 2, y + h / 2)


def circle(ax, center, text="", radius=0.25, kind="layer", fontsize=9):
    """A labelled circle (a unit, an operation such as + or ×) centred on `center`."""
    ax.add_patch(
        patches.Circle(center, radius, facecolor=COLORS[kind], edgecolor="#444444", lw=0.9)
    )
    ax.text(*center, text, ha="center", va="center", fontsize=fontsize)


def arrow(ax, start, end, text=None, color="#333333", style="-|>", curve=0.0, fontsize=8):
    """An arrow from `start` to `end`, optionally curved and labelled at its middle."""
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops=dict(
            arrowstyle=style,
            color=color,
            lw=1.0,
            shrinkA=0,
            shrinkB=0,
            connectionstyle=f"arc3,rad={curve}",
        ),
    )
    if text:
        middle = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
        ax.text(*middle, text, fontsize=fontsize, ha="left", va="bottom", color=color)


def label(ax, position, text, fontsize=9, **options):
    """Free text at `position` (a title over a column, a shape beside a tensor)."""
    ax.text(
        *position,
        text,
        fontsize=fontsize,
        ha=options.pop("ha", "center"),
        va=options.pop("va", "center"),
        **options,
    )
