"""The foundations diagrams draw the parts they name."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Circle  # noqa: E402

from keraslab.course.diagrams import foundations  # noqa: E402


def texts(fig):
    return [t.get_text() for t in fig.axes[0].texts if t.get_text()]  # arrows have none


def circles(fig):
    return [p for p in fig.axes[0].patches if isinstance(p, Circle)]


def test_neuron_draws_each_input_weight_and_the_activation():
    fig = foundations.neuron(num_inputs=4, activation="ReLU")
    labels = texts(fig)
    for i in range(1, 5):
        assert f"$x_{i}$" in labels and f"$w_{i}$" in labels
    assert "ReLU" in labels and "Σ" in labels and "$y$" in labels
    assert len(circles(fig)) == 5  # four inputs and the sum
    plt.close(fig)


def test_mlp_draws_capped_columns_captioned_with_true_sizes():
    fig = foundations.mlp((784, 3, 10), ("input", "ReLU", "softmax"), max_drawn=5)
    assert len(circles(fig)) == 5 + 3 + 5
    labels = texts(fig)
    assert "input\n784 units" in labels and "softmax\n10 units" in labels
    assert labels.count("⋮") == 2  # the two columns larger than drawn
    # every unit is joined to every unit of the next column
    assert len(fig.axes[0].lines) == 5 * 3 + 3 * 5
    plt.close(fig)


def test_mlp_needs_one_name_per_layer():
    with pytest.raises(ValueError, match="layer_names"):
        foundations.mlp((2, 3), ("input",))


def test_batch_norm_step_shows_the_transform_in_order():
    fig = foundations.batch_norm_step()
    labels = texts(fig)
    assert labels[0] == "batch of $x$" and labels[-1] == "$y$"
    assert any("\\mu_B" in t for t in labels) and any("\\gamma" in t for t in labels)
    plt.close(fig)
