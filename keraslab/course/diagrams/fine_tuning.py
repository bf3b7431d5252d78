"""Diagrams of the fine-tuning page: what each of the four ways trains, and a LoRA adapter."""

from keraslab.course.diagrams._draw import arrow, box, canvas, circle, label


def lora_adapter():
    """One projection with a LoRA adapter: the frozen kernel `W` beside the trainable
    low-rank path `x A B`, summed.

    Returns:
        The matplotlib `Figure`.
    """
    fig, ax = canvas(7.0, 5.2, scale=0.75)
    box(ax, (3.5, 0.5), "input $x$ (width $d$)", size=(2.6, 0.55), kind="input")
    box(ax, (1.8, 2.4), "frozen kernel $W$\n$d \\times k$", size=(2.2, 0.9), kind="noise")
    box(ax, (5.2, 1.8), "$A$: $d \\times r$", size=(1.8, 0.55), kind="attention")
    box(ax, (5.2, 3.0), "$B$: $r \\times k$ (starts at 0)", size=(2.6, 0.55), kind="attention")
    circle(ax, (3.5, 4.0), "+", radius=0.3, kind="norm")
    box(ax, (3.5, 4.85), "output $xW + \\frac{\\alpha}{r} xAB$", size=(3.2, 0.55), kind="output")
    arrow(ax, (3.0, 0.78), (1.8, 1.95))
    arrow(ax, (4.0, 0.78), (5.2, 1.52))
    arrow(ax, (5.2, 2.08), (5.2, 2.72))
    arrow(ax, (1.8, 2.85), (3.22, 3.9))
    arrow(ax, (5.2, 3.28), (3.78, 3.9), text="$\\times \\alpha / r$")
    arrow(ax, (3.5, 4.3), (3.5, 4.57))
    label(ax, (6.3, 2.4), "trained", fontsize=8, ha="left")
    return fig


# Each way of training: its name, and which parts train (True) or stay frozen (False).
_METHODS = {
    "from scratch": {"head": True, "blocks": True, "embedding": True},
    "frozen backbone": {"head": True, "blocks": False, "embedding": False},
    "full fine-tuning": {"head": True, "blocks": True, "embedding": True},
    "LoRA": {"head": True, "blocks": "adapters", "embedding": False},
}


def fine_tuning_methods():
    """The four ways side by side: which parts of the encoder train, which start from the
    preset.

    Returns:
        The matplotlib `Figure`.
    """
    fig, ax = canvas(13.0, 4.6, scale=0.75)
    for i, (name, parts) in enumerate(_METHODS.items()):
        x = 1.7 + 3.2 * i
        label(ax, (x, 4.3), name, fontsize=10, fontweight="bold")
        pretrained = name != "from scratch"
        for y, part, text in [
            (0.6, "embedding", "embedding"),
            (1.7, "blocks", "encoder blocks"),
            (2.9, "head", "new head"),
        ]:
            state = parts[part]
            kind = "noise" if state is False else ("attention" if state == "adapters" else "layer")
            words = {False: "frozen", True: "trained", "adapters": "frozen + LoRA"}[state]
            origin = "random" if part == "head" or not pretrained else "preset"
            box(ax, (x, y), f"{text}\n{origin}, {words}", size=(2.7, 0.75), kind=kind, fontsize=8)
        arrow(ax, (x, 0.98), (x, 1.32))
        arrow(ax, (x, 2.08), (x, 2.52))
        box(ax, (x, 3.75), "topic", size=(1.2, 0.4), kind="output", fontsize=8)
        arrow(ax, (x, 3.28), (x, 3.55))
    return fig
