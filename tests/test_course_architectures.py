"""The architecture diagrams draw the parts their pages name, and the convolution figure's
numbers are a real cross-correlation."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy.signal import correlate2d  # noqa: E402

from keraslab.course.diagrams import architectures  # noqa: E402


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def grid(cells, x_range):
    """The numbers of the cells whose centres lie in `x_range`, as rows top to bottom."""
    inside = [(y, x, float(t)) for x, y, t in cells if x_range[0] < x < x_range[1]]
    rows = sorted({y for y, _, _ in inside}, reverse=True)
    return np.array([[v for y, x, v in sorted(inside, key=lambda c: c[1]) if y == r] for r in rows])


def test_convolution_feature_map_is_the_cross_correlation_of_image_and_kernel():
    fig = architectures.convolution_sliding(position=(2, 1))
    cells = []
    for t in fig.axes[0].texts:
        try:
            cells.append((*t.get_position(), float(t.get_text())))
        except ValueError:
            continue
    image, kernel, feature_map = grid(cells, (0, 5)), grid(cells, (5.5, 8.5)), grid(cells, (9, 14))
    assert image.shape == (6, 6) and kernel.shape == (3, 3) and feature_map.shape == (4, 4)
    np.testing.assert_array_equal(feature_map, correlate2d(image, kernel, mode="valid"))
    assert any("y_{21}" in t and f"= {feature_map[2, 1]:g}$" in t for t in texts(fig))
    assert {"input image $x$ (6 x 6)", "kernel $w$ (3 x 3)"} <= set(texts(fig))


@pytest.mark.parametrize("steps", [2, 5])
def test_unrolled_rnn_has_one_cell_per_step_and_the_states_between(steps):
    found = texts(architectures.unrolled_rnn(steps=steps))
    assert found.count("cell") == steps
    assert [f"$x_{t}$" for t in range(1, steps + 1)] == [
        t for t in found if t[:3] == "$x_" and t != "$x_t$"
    ]
    assert {f"$h_{t}$" for t in range(steps + 1)} <= set(found)


def test_lstm_cell_shows_all_four_gates_and_both_states():
    joined = "\n".join(texts(architectures.lstm_cell()))
    for part in ["forget gate", "input gate", "candidate", "output gate", "$c_{t-1}$", "$h_t$"]:
        assert part in joined
    for symbol in ["f_t", "i_t", "\\tilde c_t", "o_t"]:
        assert symbol in joined
