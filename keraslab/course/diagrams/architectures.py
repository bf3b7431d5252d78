"""Diagrams of the architectures part of the course: a convolution sliding over an image,
a recurrent network unrolled in time, and the LSTM cell with its four gates."""

from keraslab.course.diagrams._draw import arrow, box, canvas, circle, label


def _grid(ax, origin, values, kind, highlight=(), cell=0.7):
    """Draws `values` (rows of numbers) as a grid of square cells whose top-left corner
    is `origin`; the cells `(row, column)` in `highlight` are drawn as `"attention"`."""
    x0, y0 = origin
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            center = (x0 + (j + 0.5) * cell, y0 - (i + 0.5) * cell)
            shade = "attention" if (i, j) in highlight else kind
            box(ax, center, f"{value:g}", (cell, cell), shade, fontsize=8, round_corners=False)


def convolution_sliding(position=(1, 2)):
    """A 3x3 kernel sliding over a 6x6 image: the window at `position` (row, column of its
    top-left pixel), the kernel, and the 4x4 feature map whose cell it produces.

    Returns:
        matplotlib `Figure`.
    """
    image = [
        [0, 0, 1, 1, 0, 0],
        [0, 1, 1, 1, 1, 0],
        [1, 1, 0, 0, 1, 1],
        [1, 1, 0, 0, 1, 1],
        [0, 1, 1, 1, 1, 0],
        [0, 0, 1, 1, 0, 0],
    ]
    kernel = [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]
    feature_map = [
        [
            sum(image[i + a][j + b] * kernel[a][b] for a in range(3) for b in range(3))
            for j in range(4)
        ]
        for i in range(4)
    ]
    row, column = position
    window = {(row + a, column + b) for a in range(3) for b in range(3)}
    fig, ax = canvas(13.5, 6.2, scale=0.75)
    cell, top = 0.7, 5.4
    _grid(ax, (0.3, top), image, "input", window, cell)
    _grid(ax, (6.0, top - 0.95), kernel, "layer", (), cell)
    _grid(ax, (9.8, top - 0.3), feature_map, "output", {(row, column)}, cell)
    label(ax, (0.3 + 3 * cell, top + 0.4), "input image $x$ (6 x 6)")
    label(ax, (6.0 + 1.5 * cell, top - 0.55), "kernel $w$ (3 x 3)")
    label(ax, (9.8 + 2 * cell, top + 0.1), "feature map $y$ (4 x 4)")
    middle = top - 2.0
    label(ax, (5.2, middle + 0.3), "$\\odot$", fontsize=16)
    label(ax, (8.8, middle + 0.3), "$\\Sigma$", fontsize=16)
    window_middle = top - (row + 1.5) * cell
    arrow(ax, (0.3 + 6 * cell + 0.05, window_middle), (5.9, middle), curve=-0.1)
    arrow(ax, (6.0 + 3 * cell + 0.1, middle), (9.7, top - 0.3 - (row + 0.5) * cell))
    label(
        ax,
        (6.75, 0.3),
        f"$y_{{{row}{column}}} = \\sum_{{a,b}} x_{{{row}+a,\\,{column}+b}}\\, w_{{ab}}"
        f" = {feature_map[row][column]:g}$; slide one pixel and repeat",
        fontsize=10,
    )
    return fig


def unrolled_rnn(steps=4):
    """A recurrent network, rolled (one cell with a loop) and unrolled over `steps`
    steps: the same cell, with the same weights, at every step, passing `h_t` along.

    Returns:
        matplotlib `Figure`.
    """
    fig, ax = canvas(3.2 + 2.4 * steps, 4.6, scale=0.8)
    box(ax, (1.2, 2.3), "cell\n$W, U, b$", (1.4, 0.9))
    arrow(ax, (1.2, 0.8), (1.2, 1.85))
    arrow(ax, (1.2, 2.75), (1.2, 3.8))
    label(ax, (1.2, 0.55), "$x_t$")
    label(ax, (1.2, 4.05), "$h_t$")
    arrow(ax, (1.9, 2.5), (1.9, 2.1), curve=-2.2)
    label(ax, (2.75, 2.3), "=", fontsize=16)
    for t in range(steps):
        x = 4.2 + 2.4 * t
        box(ax, (x, 2.3), "cell", (1.4, 0.9))
        arrow(ax, (x, 0.8), (x, 1.85))
        arrow(ax, (x, 2.75), (x, 3.8))
        label(ax, (x, 0.55), f"$x_{t + 1}$")
        label(ax, (x, 4.05), f"$h_{t + 1}$")
        arrow(ax, (x - 1.7, 2.3), (x - 0.7, 2.3))
        label(ax, (x - 1.2, 2.55), f"$h_{t}$", fontsize=8)
    label(ax, (4.2 + 1.2 * (steps - 1), 0.05), "unrolled in time: one cell, shared weights")
    return fig


def lstm_cell():
    """The LSTM cell: the cell state `c` runs along the top, scaled by the forget gate and
    added to by the input gate times the candidate; the output gate reads `tanh(c_t)`
    out as the new state `h_t`. The labels are the symbols of the page's equations.

    Returns:
        matplotlib `Figure`.
    """
    fig, ax = canvas(11.0, 6.2, scale=0.8)
    top, gates, bottom = 5.0, 2.6, 0.8
    gate_x = {"forget": 2.4, "input": 4.2, "candidate": 5.9, "output": 7.9}
    texts = {
        "forget": "forget gate\n$f_t = \\sigma(\\cdot)$",
        "input": "input gate\n$i_t = \\sigma(\\cdot)$",
        "candidate": "candidate\n$\\tilde c_t = \\tanh(\\cdot)$",
        "output": "output gate\n$o_t = \\sigma(\\cdot)$",
    }
    box(ax, (5.3, 3.3), "", (9.0, 4.6), "noise")
    label(ax, (0.3, top + 0.25), "$c_{t-1}$", ha="left")
    label(ax, (0.3, bottom + 0.25), "$h_{t-1}$", ha="left")
    label(ax, (10.9, top + 0.25), "$c_t$", ha="right")
    label(ax, (10.9, bottom + 0.25), "$h_t$", ha="right")
    label(ax, (gate_x["forget"], 0.05), "$x_t$")
    arrow(ax, (gate_x["forget"], 0.25), (gate_x["forget"], bottom - 0.05))
    ax.plot([0.3, gate_x["output"] + 0.4], [bottom, bottom], color="#333333", lw=1.0)
    for name, x in gate_x.items():
        box(
            ax,
            (x, gates),
            texts[name],
            (1.6, 0.9),
            "attention" if name != "candidate" else "layer",
            fontsize=8,
        )
        arrow(ax, (x, bottom), (x, gates - 0.45))
    circle(ax, (gate_x["forget"], top), "x")
    circle(ax, (5.05, top), "+")
    circle(ax, (5.05, 3.9), "x")
    circle(ax, (9.2, top - 1.3), "tanh", radius=0.35, fontsize=7)
    circle(ax, (9.2, bottom + 0.9), "x")
    arrow(ax, (0.6, top), (gate_x["forget"] - 0.25, top))
    arrow(ax, (gate_x["forget"] + 0.25, top), (4.8, top))
    arrow(ax, (5.3, top), (10.6, top))
    arrow(ax, (gate_x["forget"], gates + 0.45), (gate_x["forget"], top - 0.25))
    arrow(ax, (gate_x["input"], gates + 0.45), (4.85, 3.75))
    arrow(ax, (gate_x["candidate"], gates + 0.45), (5.25, 3.75))
    arrow(ax, (5.05, 4.15), (5.05, top - 0.25))
    arrow(ax, (9.2, top), (9.2, top - 0.95))
    arrow(ax, (9.2, top - 1.65), (9.2, bottom + 1.15))
    arrow(ax, (gate_x["output"] + 0.8, gates), (8.95, bottom + 0.9), curve=0.2)
    arrow(ax, (9.2, bottom + 0.65), (9.2, bottom))
    arrow(ax, (9.2, bottom), (10.6, bottom))
    label(ax, (3.7, top + 0.3), "$f_t \\odot c_{t-1}$", fontsize=8)
    label(ax, (6.5, 4.0), "$i_t \\odot \\tilde c_t$", fontsize=8)
    label(ax, (10.1, top - 1.3), "$\\tanh(c_t)$", fontsize=8)
    label(ax, (9.9, bottom + 0.3), "$o_t \\odot \\tanh(c_t)$", fontsize=8)
    return fig
