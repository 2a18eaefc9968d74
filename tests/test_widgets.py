"""The interactive neuron of notebook 01: moving a slider moves the decision line."""
from __future__ import annotations

import matplotlib
import numpy as np

matplotlib.use("Agg")

from course_lib.data import logic_gate  # noqa: E402
from course_lib.widgets import equation, neuron_explorer  # noqa: E402


def test_equation_reads_naturally():
    assert equation(np.array([1.0, -0.5]), 2.0) == "1.0·x₁ − 0.5·x₂ + 2.0 = 0"


def test_moving_the_weight_slider_moves_the_line():
    calls = []

    def neuron(X, w, b):
        calls.append(w.copy())
        return (X @ w + b >= 0).astype(float)

    X, y = logic_gate("AND")
    explorer = neuron_explorer(neuron, X, y, w=(1.0, 1.0), b=-1.5)
    before_x, before_y = explorer.line()
    text_before = explorer.equation.value
    explorer.w1.value = -2.0
    after_x, after_y = explorer.line()
    assert np.allclose(before_x, after_x)
    assert not np.allclose(before_y, after_y), "the decision line did not move with w1"
    assert explorer.equation.value != text_before and "−2.0·x₁" in explorer.equation.value
    assert np.allclose(calls[-1], [-2.0, 1.0]), "the learner's neuron was not called with the new weights"


def test_zero_weights_have_no_line():
    explorer = neuron_explorer(w=(0.0, 0.0), b=1.0)
    assert explorer.line() is None
