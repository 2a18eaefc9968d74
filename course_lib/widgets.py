"""Interactive widgets for the notebooks (ipywidgets + matplotlib)."""
from __future__ import annotations

from typing import Callable

import matplotlib.pyplot as plt
import numpy as np

from .plots import decision_regions, line_from_weights


def equation(w: np.ndarray, b: float) -> str:
    """The decision line as a person writes it: ``1.0·x₁ − 0.5·x₂ + 2.0 = 0``."""
    text = f"{'−' if w[0] < 0 else ''}{abs(w[0]):.1f}·x₁"
    for value, term in ((w[1], "·x₂"), (b, "")):
        text += f" {'−' if value < 0 else '+'} {abs(value):.1f}{term}"
    return text + " = 0"


class NeuronExplorer:
    """Sliders for a two-input neuron's weights and bias, with its decision line drawn live.

    ``neuron(X, w, b)`` is the learner's own neuron (from notebook 01); it is applied to
    every point of the plane to shade where it fires. Without one, a step neuron is used.
    The object is shown by Jupyter through its ``widget`` attribute.
    """

    def __init__(
        self,
        neuron: Callable[[np.ndarray, np.ndarray, float], np.ndarray] | None = None,
        X: np.ndarray | None = None,
        y: np.ndarray | None = None,
        w: tuple[float, float] = (1.0, 1.0),
        b: float = -1.5,
        limit: float = 3.0,
    ) -> None:
        import ipywidgets as widgets

        self.neuron = neuron or (lambda P, w, b: (P @ w + b >= 0).astype(float))
        self.X, self.y = X, y
        slider = dict(min=-limit, max=limit, step=0.1, continuous_update=False, readout_format=".1f")
        self.w1 = widgets.FloatSlider(value=w[0], description="weight w₁", **slider)
        self.w2 = widgets.FloatSlider(value=w[1], description="weight w₂", **slider)
        self.b = widgets.FloatSlider(value=b, description="bias b", **slider)
        self.equation = widgets.HTML()
        self.out = widgets.Output()
        for s in (self.w1, self.w2, self.b):
            s.observe(self._redraw, names="value")
        self.widget = widgets.VBox([widgets.VBox([self.w1, self.w2, self.b]), self.equation, self.out])
        self.widget.add_class("neuron-explorer")
        self._redraw()

    @property
    def weights(self) -> np.ndarray:
        return np.array([self.w1.value, self.w2.value])

    def line(self, xlim: tuple[float, float] = (-0.5, 1.5)):
        """The current decision line's two end points (None when both weights are zero)."""
        return line_from_weights(self.weights, self.b.value, xlim)

    def _redraw(self, *_):
        w, b = self.weights, float(self.b.value)
        self.equation.value = f"<b>decision line</b>: {equation(w, b)} &nbsp; (the neuron fires on the green side)"
        with self.out:
            self.out.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(4.5, 4.5))
            try:
                decision_regions(lambda P: self.neuron(P, w, b), self.X, self.y, ax=ax)
            except NotImplementedError:
                ax.text(0.5, 0.5, "implement neuron() above\nto see where it fires", ha="center", va="center", transform=ax.transAxes)
            line = self.line()
            if line is not None:
                ax.plot(*line, "k-", lw=2, label="decision line")
            ax.set_xlim(-0.5, 1.5)
            ax.set_ylim(-0.5, 1.5)
            plt.show()
            plt.close(fig)

    def _ipython_display_(self):  # pragma: no cover - exercised in Jupyter
        from IPython.display import display

        display(self.widget)


def neuron_explorer(neuron=None, X=None, y=None, **kwargs) -> NeuronExplorer:
    """Build and return a :class:`NeuronExplorer`; put it last in a cell to show it."""
    return NeuronExplorer(neuron, X, y, **kwargs)
