"""Diagrams of the foundations pages: one neuron, an MLP as layers of units, and the
batch-normalisation step."""

import numpy as np

from keraslab.course.diagrams._draw import arrow, box, canvas, circle, label


def neuron(num_inputs=3, activation="f"):
    """One neuron: inputs `x_i`, weighted by `w_i`, summed with the bias `b`, then passed
    through the activation.

    Args:
        num_inputs: int, inputs drawn on the left. Defaults to `3`.
        activation: str, the activation's name in its box. Defaults to `"f"`.

    Returns:
        The matplotlib `Figure`.
    """
    fig, ax = canvas(8, 1.2 * num_inputs + 1.2)
    middle = (1.2 * num_inputs + 1.2) / 2
    total, out = (4.2, middle), (6.0, middle)
    for i in range(num_inputs):
        y = 1.2 * (num_inputs - i)
        circle(ax, (0.8, y), f"$x_{i + 1}$", radius=0.32, kind="input")
        arrow(ax, (1.12, y), (3.85, middle + (y - middle) * 0.1), text=f"$w_{i + 1}$")
    label(ax, (4.2, middle + 0.85), "bias $b$")
    arrow(ax, (4.2, middle + 0.65), (4.2, middle + 0.36))
    circle(ax, total, "Σ", radius=0.35)
    arrow(ax, (4.55, middle), (5.4, middle), text="$z$")
    box(ax, out, activation, size=(1.2, 0.6), kind="norm")
    arrow(ax, (6.6, middle), (7.4, middle))
    label(ax, (7.7, middle), "$y$", fontsize=11)
    return fig


def mlp(layer_sizes, layer_names, max_drawn=6):
    """A multilayer perceptron as columns of units, every unit of a layer connected to
    every unit of the next.

    Args:
        layer_sizes: sequence of ints, units per layer, input first.
        layer_names: sequence of str, one caption per layer ("input", "ReLU", ...).
        max_drawn: int, most units drawn per column; a larger layer shows that many and
            a "⋮", and its caption gives the true size. Defaults to `6`.

    Returns:
        The matplotlib `Figure`.
    """
    if len(layer_sizes) != len(layer_names):
        raise ValueError(
            f"Arguments layer_sizes and layer_names must have the same length; received "
            f"{len(layer_sizes)} and {len(layer_names)}."
        )
    height = max_drawn + 2.0
    fig, ax = canvas(2.6 * len(layer_sizes), height, scale=0.7)
    columns = []
    for i, size in enumerate(layer_sizes):
        drawn = min(size, max_drawn)
        ys = height / 2 + (np.arange(drawn)[::-1] - (drawn - 1) / 2) * 0.9
        columns.append((1.3 + 2.6 * i, ys))
    for (x0, ys0), (x1, ys1) in zip(columns[:-1], columns[1:]):
        for y0 in ys0:
            for y1 in ys1:
                ax.plot([x0, x1], [y0, y1], color="#999999", lw=0.4, zorder=0)
    last = len(layer_sizes) - 1
    for i, ((x, ys), size, name) in enumerate(zip(columns, layer_sizes, layer_names)):
        kind = "input" if i == 0 else "output" if i == last else "layer"
        for y in ys:
            circle(ax, (x, y), radius=0.28, kind=kind)
        if size > max_drawn:
            label(ax, (x, ys[-1] - 0.55), "⋮", fontsize=12)
        label(ax, (x, 0.4), f"{name}\n{size} units", fontsize=8)
    return fig


def batch_norm_step():
    """Batch normalisation of one unit over a batch: centre, scale to unit variance,
    then the learned scale `γ` and shift `β`.

    Returns:
        The matplotlib `Figure`.
    """
    fig, ax = canvas(11, 2.2)
    steps = [
        ("batch of $x$", "input"),
        ("subtract the\nbatch mean $\\mu_B$", "norm"),
        ("divide by\n$\\sqrt{\\sigma_B^2 + \\epsilon}$", "norm"),
        ("scale by $\\gamma$,\nshift by $\\beta$", "layer"),
        ("$y$", "output"),
    ]
    for i, (text, kind) in enumerate(steps):
        box(ax, (1.2 + 2.15 * i, 1.1), text, size=(1.8, 1.0), kind=kind)
        if i:
            arrow(ax, (2.1 + 2.15 * (i - 1), 1.1), (0.3 + 2.15 * i, 1.1))
    return fig
