"""Plots the notebooks share, so that every notebook draws a decision boundary the same way."""
from __future__ import annotations

from typing import Callable

import matplotlib.pyplot as plt
import numpy as np

CLASS_COLOURS = ("#d95f02", "#1b9e77")  # class 0, class 1 (colour-blind safe)


def grid(xlim: tuple[float, float], ylim: tuple[float, float], steps: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A mesh over the plane and its points as an (steps*steps, 2) array."""
    xs = np.linspace(*xlim, steps)
    ys = np.linspace(*ylim, steps)
    gx, gy = np.meshgrid(xs, ys)
    return gx, gy, np.column_stack([gx.ravel(), gy.ravel()])


def decision_regions(
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray | None = None,
    y: np.ndarray | None = None,
    ax: plt.Axes | None = None,
    xlim: tuple[float, float] = (-0.5, 1.5),
    ylim: tuple[float, float] = (-0.5, 1.5),
    title: str | None = None,
    steps: int = 200,
) -> plt.Axes:
    """Shade where ``predict`` says class 1, and scatter the labelled points on top.

    ``predict`` maps an (m, 2) array of points to m values; values above 0.5 count as
    class 1, so it may return labels or probabilities.
    """
    ax = ax or plt.gca()
    gx, gy, points = grid(xlim, ylim, steps)
    values = np.asarray(predict(points), dtype=float).reshape(gx.shape)
    ax.contourf(gx, gy, values > 0.5, levels=[-0.5, 0.5, 1.5], colors=CLASS_COLOURS, alpha=0.25)
    if X is not None and y is not None:
        for label, colour in enumerate(CLASS_COLOURS):
            mask = np.asarray(y) == label
            ax.scatter(X[mask, 0], X[mask, 1], c=colour, edgecolors="k", s=70, label=f"class {label}", zorder=3)
        ax.legend(loc="upper left", fontsize=8)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return ax


def line_from_weights(w: np.ndarray, b: float, xlim: tuple[float, float]) -> tuple[np.ndarray, np.ndarray] | None:
    """Points of the line w1*x1 + w2*x2 + b = 0 across ``xlim`` (None if w is all zero).

    Returns two x values and two y values; a vertical line when w2 is zero.
    """
    w1, w2 = float(w[0]), float(w[1])
    if abs(w2) > 1e-12:
        xs = np.array(xlim, dtype=float)
        return xs, -(w1 * xs + b) / w2
    if abs(w1) > 1e-12:
        x = -b / w1
        return np.array([x, x]), np.array([-1e3, 1e3])
    return None


def curve_and_derivative(fn: Callable, dfn: Callable, name: str, ax: plt.Axes | None = None, xlim=(-6, 6)) -> plt.Axes:
    """An activation function and its derivative on one set of axes."""
    ax = ax or plt.gca()
    z = np.linspace(*xlim, 400)
    ax.plot(z, fn(z), label=name, lw=2)
    ax.plot(z, dfn(z), "--", label=f"{name}'", lw=2)
    ax.axhline(0, color="grey", lw=0.5)
    ax.axvline(0, color="grey", lw=0.5)
    ax.set_title(name)
    ax.set_xlabel("z")
    ax.legend(fontsize=8)
    return ax
