"""The Transformer pages' diagrams draw the parts they name."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from keraslab.course.diagrams.transformers import (  # noqa: E402
    attention_as_weighted_sum,
    transformer_variants,
)


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_variants_show_each_model_with_its_mask_and_head():
    texts = " | ".join(_texts(transformer_variants()))
    plt.close("all")
    for part in [
        "encoder-only",
        "decoder-only",
        "encoder-decoder",
        "(padding mask)",
        "(causal mask)",
        "cross-attention",
        "masked-LM head",
        "next-token head",
        "memory",
    ]:
        assert part in texts
    assert texts.count("feed-forward") == 4  # one per stack: BERT, GPT, encoder, decoder


@pytest.mark.parametrize("weights", [(0.1, 0.6, 0.2, 0.1), (0.5, 0.5)])
def test_attention_figure_has_one_key_value_and_weight_per_position(weights):
    texts = _texts(attention_as_weighted_sum(weights))
    plt.close("all")
    assert sum(t.startswith("key") for t in texts) == len(weights)
    assert sum(t.startswith("value") for t in texts) == len(weights)
    assert [t for t in texts if t.startswith("0.")] == [f"{w:.1f}" for w in weights]
