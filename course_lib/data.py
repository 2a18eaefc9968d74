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


#: SHA-256 of the shipped digits file; a corrupted or replaced copy is refused.
DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"


class DataFileError(RuntimeError):
    """A data file that ships with the course is missing or not the one that was shipped."""


def digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 handwritten digits (8x8 pixels, values 0-16) and their labels 0-9, read from the package.

    It is the test set of the UCI "Optical Recognition of Handwritten Digits" data (Alpaydin and
    Kaynak, 1998; CC BY 4.0), the same file scikit-learn bundles as ``load_digits``. It ships in
    ``course_lib/files/digits.csv.gz`` (57 kB), so notebook 09 works offline; its checksum is
    verified on every load. Returns ``images`` of shape (1797, 8, 8) as float64 and ``labels``
    of shape (1797,) as NumPy's index integer ``np.intp``: int64 on a computer, int32 in the browser
    (Pyodide is 32-bit), where ``np.bincount`` and indexing refuse int64 arrays.
    """
    import gzip
    import hashlib
    from pathlib import Path

    path = Path(__file__).resolve().parent / "files" / "digits.csv.gz"
    if not path.is_file():
        raise DataFileError(f"the digits file {path} is missing: reinstall the course (make course).")
    raw = path.read_bytes()
    if hashlib.sha256(raw).hexdigest() != DIGITS_SHA256:
        raise DataFileError(f"{path} is not the file the course shipped (its checksum differs): restore it "
                            "with `git checkout course_lib/files/digits.csv.gz`.")
    table = np.loadtxt(gzip.decompress(raw).decode().splitlines(), delimiter=",", dtype=np.int64)
    return table[:, :64].reshape(-1, 8, 8).astype(np.float64), table[:, 64].astype(np.intp)
