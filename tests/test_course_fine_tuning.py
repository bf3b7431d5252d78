"""The fine-tuning page's diagrams draw the parts they name."""

import matplotlib

matplotlib.use("Agg")

from keraslab.course.diagrams.fine_tuning import fine_tuning_methods, lora_adapter


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_lora_adapter_shows_the_frozen_kernel_and_both_factors():
    texts = " ".join(_texts(lora_adapter()))
    for part in ("frozen kernel $W$", "$A$: $d \\times r$", "$B$: $r \\times k$", "+"):
        assert part in texts


def test_fine_tuning_methods_has_one_column_per_method():
    texts = _texts(fine_tuning_methods())
    for name in ("from scratch", "frozen backbone", "full fine-tuning", "LoRA"):
        assert name in texts
    assert sum("frozen + LoRA" in t for t in texts) == 1
    assert sum("random, trained" in t for t in texts) == 3 + 3  # all of scratch, 3 heads
