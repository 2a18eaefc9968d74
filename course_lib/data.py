"""Toy data sets, generated on the spot so that nothing is ever downloaded."""
from __future__ import annotations

import numpy as np

_GATES = {
    "AND": [0, 0, 0, 1],
    "OR": [0, 1, 1, 1],
    "NAND": [1, 1, 1, 0],
    "NOR": [1, 0, 0, 0],
    "XOR": [0, 1, 1, 0],
}


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The four input pairs of a two-input Boolean gate and its truth table.

    Returns ``X`` of shape (4, 2) with rows (0,0), (0,1), (1,0), (1,1) as floats and
    ``y`` of shape (4,) with the gate's output for each row as integers 0/1.
    """
    key = name.upper()
    if key not in _GATES:
        raise ValueError(f"unknown gate {name!r}; choose one of {', '.join(_GATES)}")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    return X, np.array(_GATES[key], dtype=int)


def two_blobs(n: int = 100, distance: float = 3.0, spread: float = 1.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian clouds in 2-D, labelled 0 and 1; linearly separable when far apart.

    ``n`` points in all (half per class), centres ``distance`` apart along the diagonal.
    """
    if n < 2:
        raise ValueError("n must be at least 2 (one point per class)")
    rng = np.random.default_rng(seed)
    half = n // 2
    offset = distance / (2 * np.sqrt(2))
    a = rng.normal(-offset, spread, size=(half, 2))
    b = rng.normal(offset, spread, size=(n - half, 2))
    X = np.vstack([a, b])
    y = np.concatenate([np.zeros(half, dtype=int), np.ones(n - half, dtype=int)])
    order = rng.permutation(n)
    return X[order], y[order]
