"""Diagrams of the Transformer pages: attention as a weighted sum of values, and the three
Transformer variants side by side."""

from keraslab.course.diagrams._draw import arrow, box, canvas, circle, label


def attention_as_weighted_sum(weights=(0.1, 0.6, 0.2, 0.1)):
    """One query attends to four keys; the output is the values summed with the weights.

    Args:
        weights: the softmax weights drawn on the arrows, one per key (they sum to one).

    Returns:
        The matplotlib `Figure`.
    """
    count = len(weights)
    fig, ax = canvas(2.4 * count + 1.5, 6.2, scale=0.7)
    xs = [1.6 + 2.4 * i for i in range(count)]
    middle = (xs[0] + xs[-1]) / 2
    box(ax, (middle, 5.6), "query $q_t$", kind="input")
    for i, (x, weight) in enumerate(zip(xs, weights)):
        box(ax, (x, 4.2), f"key $k_{i}$", size=(1.4, 0.55), kind="input")
        arrow(ax, (middle, 5.3), (x, 4.5))
        circle(ax, (x, 3.0), f"{weight:.1f}", radius=0.38, kind="attention")
        arrow(ax, (x, 3.9), (x, 3.4))
        box(ax, (x, 1.9), f"value $v_{i}$", size=(1.4, 0.55), kind="layer")
        arrow(ax, (x, 2.2), (x, 2.62), style="-")
        arrow(ax, (x, 1.6), (middle, 0.75))
    label(ax, (xs[-1] + 1.2, 3.0), "softmax\nweights $a_{ti}$", fontsize=8, ha="left")
    label(ax, (xs[-1] + 1.2, 4.2), r"$q_t \cdot k_i / \sqrt{d}$", fontsize=8, ha="left")
    box(ax, (middle, 0.45), r"output $\sum_i a_{ti} v_i$", size=(2.6, 0.55), kind="output")
    return fig


# Each variant: its title, its blocks bottom to top, and what its attention may see.
_VARIANTS = {
    "encoder-only (BERT)": {
        "input": "tokens + positions",
        "blocks": ["self-attention\n(padding mask)", "feed-forward"],
        "head": "classification / tagging /\nmasked-LM head",
        "mask": "every token sees every token",
    },
    "decoder-only (GPT)": {
        "input": "tokens + positions",
        "blocks": ["causal self-attention\n(causal mask)", "feed-forward"],
        "head": "next-token head\n(softmax over V)",
        "mask": "token t sees tokens 1..t",
    },
}


def _stack(ax, x, title, variant, cross_from=None):
    """Draws one column; returns the centre of its last block's top edge."""
    label(ax, (x, 9.5), title, fontsize=10, weight="bold")
    box(ax, (x, 1.0), variant["input"], size=(2.6, 0.6), kind="input")
    y = 1.3
    for text in variant["blocks"]:
        arrow(ax, (x, y), (x, y + 0.5))
        kind = "attention" if "attention" in text else "layer"
        box(ax, (x, y + 0.95), text, size=(2.6, 0.9), kind=kind)
        if cross_from is not None and text.startswith("cross"):
            arrow(ax, cross_from, (x - 1.3, y + 0.95), text="memory", curve=-0.2)
        y += 1.4
        arrow(ax, (x, y), (x, y + 0.15), style="-")
        box(ax, (x, y + 0.35), "add & layer norm", size=(2.6, 0.4), kind="norm")
        y += 0.55
    label(ax, (x + 1.5, 3.2), "× N", fontsize=10, ha="left")
    top = (x, y)
    arrow(ax, top, (x, y + 0.5))
    box(ax, (x, y + 0.95), variant["head"], size=(2.6, 0.9), kind="output")
    label(ax, (x, 0.3), variant["mask"], fontsize=8, style="italic")
    return top


def transformer_variants():
    """The encoder-only, decoder-only and encoder-decoder Transformers side by side.

    Each column shows the embedding, the repeated block (attention with its mask, then
    the feed-forward network, each followed by add & layer norm) and the head.

    Returns:
        The matplotlib `Figure`.
    """
    fig, ax = canvas(17.0, 10.0, scale=0.62)
    for x, (title, variant) in zip((1.8, 5.6), _VARIANTS.items()):
        _stack(ax, x, title, variant)
    label(
        ax,
        (12.5, 9.5),
        "encoder-decoder (T5, the original Transformer)",
        fontsize=10,
        weight="bold",
    )
    encoder = {
        "input": "source tokens + positions",
        "blocks": ["self-attention\n(padding mask)", "feed-forward"],
        "head": "memory: one vector\nper source token",
        "mask": "encoder: sees all the source",
    }
    decoder = {
        "input": "target tokens + positions",
        "blocks": [
            "causal self-attention\n(causal mask)",
            "cross-attention\n(to the memory)",
            "feed-forward",
        ],
        "head": "next-token head\n(softmax over V)",
        "mask": "decoder: target 1..t, all source",
    }
    memory_top = _stack(ax, 10.4, "", encoder)
    _stack(ax, 14.6, "", decoder, cross_from=(memory_top[0] + 1.3, memory_top[1] + 0.95))
    return fig
