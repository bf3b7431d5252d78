"""Diagrams of the backends part: how data-parallel training splits one global batch over
processes and keeps their replicas identical."""

from keraslab.course.diagrams._draw import arrow, box, canvas, label


def data_parallel(processes=2):
    """One data-parallel step: the global batch split into `processes` shards, a replica
    of the model on each, their gradients averaged by one all-reduce, and the same update
    applied everywhere.

    Args:
        processes: int. How many processes (columns) to draw.

    Returns:
        The matplotlib `Figure`.
    """
    width = 3.2 * processes + 0.6
    fig, ax = canvas(width, 6.2, scale=0.75)
    center = width / 2
    box(ax, (center, 5.7), "global batch of $B$ examples", size=(3.6, 0.5), kind="input")
    box(
        ax,
        (center, 2.6),
        "all-reduce: $g = \\frac{1}{N} \\sum_k g_k$",
        size=(width - 0.6, 0.5),
        kind="attention",
    )
    for p in range(processes):
        x = 1.9 + 3.2 * p
        label(ax, (x, 5.05), f"process {p}", fontsize=9, fontweight="bold")
        box(ax, (x, 4.4), f"shard {p}: $B/N$ examples", size=(2.6, 0.5), kind="input", fontsize=8)
        box(ax, (x, 3.5), f"replica: forward,\nbackward $\\to g_{p + 1}$", size=(2.6, 0.7))
        box(ax, (x, 1.6), "optimizer applies $g$", size=(2.6, 0.5), kind="norm", fontsize=8)
        box(
            ax,
            (x, 0.6),
            "same weights as\nevery other process",
            size=(2.6, 0.6),
            kind="output",
            fontsize=8,
        )
        arrow(ax, (center, 5.45), (x, 4.65))
        arrow(ax, (x, 4.15), (x, 3.85))
        arrow(ax, (x, 3.15), (x, 2.85))
        arrow(ax, (x, 2.35), (x, 1.85))
        arrow(ax, (x, 1.35), (x, 0.9))
    return fig
