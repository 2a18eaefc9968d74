"""The course's gradient checker: is an analytic gradient right, and if not, what kind of wrong?

Notebook 07 has the learner write their own checker (``numerical_gradient`` and
``relative_error``); this module is the one the *tests* use. It has another interface on
purpose: it never hands back a numerical gradient or a relative error. It takes the
gradient a backward pass produced, the scalar function it should be the gradient of, and
the point, does the central differences itself (in float64, on a copy), and either returns
quietly or raises :class:`course_lib.check.CheckFailed` with a message that names the
parameter, the worst entry, and the likely cause read off the pattern of the error:

* off by a constant factor, and when it equals the batch size m or 1/m, a missing or
  doubled average over the batch;
* the transpose of the right answer;
* the right size with the wrong sign;
* zero where the gradient should pass, or non-zero where it should be blocked, with the
  other entries right: a ReLU mask taken from the wrong array;
* one entry per row off by the same amount: the one-hot labels not subtracted
  (softmax cross-entropy);
* only the bias gradients wrong, or only the earlier layers (:func:`compare_all`).

Both functions set ``__tracebackhide__`` so that a learner reads their own cell and the
message, not this file. Neither calls a recorded ``check`` function, so inside a grading
kernel they behave exactly as at home (the graded decision itself is made by the test
cell's ``check.close`` calls; see docs/grading.md).

A correct backward pass in float64 has a relative error around 1e-7 or less against central
differences; above 1e-3 it is a bug. The default threshold, 1e-5, sits between the two.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np

from .check import CheckFailed, _fmt

__all__ = ["THRESHOLD", "compare", "compare_all"]


#: Largest relative error accepted as "the same gradient" (float64, central differences).
THRESHOLD = 1e-5
#: Floor of the relative error's denominator, so that two gradients of zero agree.
TINY = 1e-12


def _fail(message: str) -> None:
    __tracebackhide__ = True
    raise CheckFailed(message) from None


def _where(index: tuple) -> str:
    if len(index) == 0:
        return ""
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def _array(value: Any, name: str) -> np.ndarray:
    __tracebackhide__ = True
    if value is None:
        _fail(f"{name} is None.\nHint: a function that ends without `return` gives None: did you forget to return it?")
    if callable(value) and not isinstance(value, np.ndarray):
        _fail(f"{name} is a function, not an array: did you forget the parentheses when calling it?")
    try:
        array = np.asarray(value)
    except Exception:
        array = np.asarray(None)
    if array.dtype == object or array.dtype.kind not in "biuf":
        _fail(f"{name} is not an array of numbers (it is a {type(value).__name__}).")
    return array.astype(np.float64)


def _shape_hint(got: tuple, want: tuple, batch_size: int | None) -> str:
    if len(want) == 2 and got == want[::-1] and got != want:
        return ("it is the transpose of the right shape: a gradient always has the shape of what it is the gradient "
                "of. For Z = A_prev @ W + b that means dW = A_prev.T @ dZ (shape of W) and dA_prev = dZ @ W.T "
                "(shape of A_prev): check the order of the factors and where the .T goes.")
    if len(want) == 1 and len(got) == 2 and got[-1] == want[0]:
        return "it kept the batch axis: sum over the batch (axis=0), so that there is one entry per unit."
    if len(want) == 1 and batch_size is not None and got == (batch_size,):
        return ("it has one entry per example, not one per unit: a bias gradient sums dZ over the batch axis "
                "(axis=0), not over the units (axis=1).")
    if int(np.prod(got)) == int(np.prod(want)):
        return "it has the right number of entries but the wrong layout: check your reshapes and axis arguments."
    return "a gradient always has the shape of what it is the gradient of."


def _ratio(got: np.ndarray, want: np.ndarray, scale: float) -> float | None:
    """The constant c with got = c * want, if there is one (on entries that are clearly non-zero)."""
    big = np.abs(want) > 1e-3 * scale
    if big.sum() < 1:
        return None
    c = float(np.median(got[big] / want[big]))
    if c == 0.0 or not np.allclose(got, c * want, rtol=1e-4, atol=1e-7 * scale):
        return None
    return c


def _diagnose(got: np.ndarray, want: np.ndarray, name: str, batch_size: int | None) -> str:
    """The likely cause of a mismatch, read off its pattern."""
    scale = float(max(np.max(np.abs(want)), np.max(np.abs(got)), TINY))
    tol = 1e-4 * scale
    if np.max(np.abs(want)) <= TINY:
        return ("the numerical gradient is zero everywhere, yours is not: this parameter does not change the loss "
                "at this point, so whatever your backward pass sends here should be zero.")
    if np.max(np.abs(got)) <= TINY:
        return ("your gradient is zero everywhere, the numerical one is not: is the gradient sent back at all "
                "(a mask that blocks everything, a result that is never assigned, an update that overwrites it)?")
    if got.ndim == 2 and got.shape[0] == got.shape[1] and np.allclose(got, want.T, rtol=1e-4, atol=tol):
        return ("yours is the transpose of the right answer. For Z = A_prev @ W + b, dW = A_prev.T @ dZ and "
                "dA_prev = dZ @ W.T: check the order of the factors and where the .T goes.")
    c = _ratio(got, want, scale)
    if c is not None and np.isclose(c, -1.0, rtol=1e-4):
        return ("every entry has the right size but the wrong sign. Check the signs: the loss's gradient is "
                "(prediction - target), not (target - prediction), and a gradient step subtracts it.")
    if c is not None:
        text = f"every entry is off by the same factor, {_fmt(c)} times the right one"
        m = batch_size
        if m is not None and m > 1 and np.isclose(c, m, rtol=1e-4):
            return (text + f", which is the batch size m = {m}: the 1/m of the mean over the batch is missing. "
                    "Did you forget to average over the batch? The loss averages, so its gradient has the 1/m once.")
        if m is not None and m > 1 and np.isclose(c, 1.0 / m, rtol=1e-4):
            return (text + f", which is 1/m for the batch size m = {m}: did you average over the batch twice? "
                    "The 1/m belongs to the loss's gradient only; a layer's backward pass sums over the batch.")
        if m is not None and m > 1 and (np.isclose(c, -m, rtol=1e-4) or np.isclose(c, -1.0 / m, rtol=1e-4)):
            return (text + f": both the sign and the 1/m of the mean over the batch (m = {m}) are off. Did you "
                    "average over the batch twice or not at all, and is the difference (prediction - target)?")
        if np.isclose(abs(c), 2.0, rtol=1e-4) or np.isclose(abs(c), 0.5, rtol=1e-4):
            return (text + ": a factor of 2 usually comes from a square: the derivative of u² is 2u (and that of "
                    "½u² is u). Check the constant in front of your loss's derivative.")
        return text + ": look for a missing or extra scale (a mean instead of a sum, a forgotten constant)."
    diff = got - want
    if got.ndim == 2 and got.shape[0] >= 1:
        off = np.abs(diff) > tol
        if np.all(off.sum(axis=1) == 1):
            values = diff[off]
            if np.allclose(values, values[0], rtol=1e-4, atol=0.0):
                extra = ""
                if batch_size is not None and np.isclose(abs(values[0]), 1.0 / batch_size, rtol=1e-4):
                    extra = f" (1/m for m = {batch_size})"
                return (f"exactly one entry in each row is off, always by the same amount {_fmt(values[0])}{extra}: "
                        "the column of each example's label. Did you subtract the one-hot labels? For softmax "
                        "cross-entropy, dZ = (softmax(Z) - one_hot(labels)) / m.")
    wrong = ~np.isclose(got, want, rtol=1e-4, atol=tol)
    got_zero, want_zero = np.abs(got) <= tol, np.abs(want) <= tol
    blocked = wrong & got_zero & ~want_zero
    leaked = wrong & want_zero & ~got_zero
    if wrong.any() and np.all((blocked | leaked)[wrong]):
        parts = []
        if blocked.any():
            parts.append(f"{int(blocked.sum())} entries are zero where the gradient should pass")
        if leaked.any():
            parts.append(f"{int(leaked.sum())} entries pass a gradient where it should be zero")
        return (" and ".join(parts) + ", and every other entry is right: the pattern of a ReLU mask taken from the "
                "wrong array. ReLU passes the gradient where its own input is positive: dZ = dA * (Z > 0), with Z "
                "this layer's pre-activation (not dA, not A_prev, not another layer's Z).")
    if diff.size >= 2 and np.allclose(diff, diff.flat[0], rtol=1e-4, atol=tol):
        return (f"every entry is off by the same amount, {_fmt(diff.flat[0])}: is a term missing or added twice "
                "(a bias, a constant)?")
    if wrong.sum() < wrong.size:
        return (f"{int(wrong.sum())} of {wrong.size} entries are wrong and the others are right, with no simple "
                "pattern (sign, factor, transpose, mask): work out one wrong entry by hand.")
    return ("the mismatch has no simple pattern (it is not a sign, a factor, a transpose or a mask): work out one "
            "entry by hand with the chain rule and compare it with your code.")


def _check(name: str, analytic: Any, f: Callable[[np.ndarray], Any], x: Any, eps: float, threshold: float,
           batch_size: int | None) -> tuple[str | None, float | None, tuple]:
    """Failure text (or None), the relative error when it could be measured, and the parameter's shape."""
    __tracebackhide__ = True
    got = _array(analytic, name)
    point = np.array(x, dtype=np.float64)
    if got.shape != point.shape:
        return (f"{name} has shape {got.shape}, but the parameter it is the gradient of has shape {point.shape}."
                f"\nHint: {_shape_hint(got.shape, point.shape, batch_size)}"), None, point.shape
    bad = ~np.isfinite(got)
    if bad.any():
        first = tuple(np.argwhere(bad)[0])
        return (f"{name} holds a non-finite value ({_fmt(got[first])} at {_where(first)})."
                "\nHint: NaN or infinity comes from exp() of a large number, log(0) or 0/0: look for an overflow."), \
            None, point.shape
    # central differences, one entry at a time, on a private copy of the point
    want = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        old = point[index]
        point[index] = old + eps
        up = float(f(point.copy()))
        point[index] = old - eps
        down = float(f(point.copy()))
        point[index] = old
        want[index] = (up - down) / (2.0 * eps)
    denominator = max(float(np.max(np.abs(got) + np.abs(want))) if got.size else 0.0, TINY)
    error = float(np.max(np.abs(got - want))) / denominator if got.size else 0.0
    if error <= threshold:
        return None, error, point.shape
    worst = tuple(np.unravel_index(np.argmax(np.abs(got - want)), got.shape)) if got.ndim else ()
    text = (f"{name} does not match the gradient measured by central differences: relative error {error:.1e} "
            f"(a correct backward pass gives about 1e-7 or less; above 1e-3 is a bug).\n"
            f"Worst entry {name}{_where(worst)}: yours {_fmt(got[worst])}, numerical {_fmt(want[worst])}.\n"
            f"Hint: {_diagnose(got, want, name, batch_size)}")
    return text, error, point.shape


def compare(name: str, analytic: Any, f: Callable[[np.ndarray], Any], x: Any, *, eps: float = 1e-6,
            threshold: float = THRESHOLD, batch_size: int | None = None) -> None:
    """Fail, with a diagnosis, unless ``analytic`` is the gradient of the scalar ``f`` at ``x``.

    ``name`` names the parameter in the message (``"dW1"``); ``f`` takes an array shaped like
    ``x`` and returns a number; ``batch_size`` (the m of a mean over the batch) lets the
    message recognise a factor of m or 1/m. Returns None when the gradients agree.
    """
    __tracebackhide__ = True
    text, _, _ = _check(name, analytic, f, x, eps, threshold, batch_size)
    if text is not None:
        _fail(text)


def compare_all(items: Iterable[tuple[str, Any, Callable[[np.ndarray], Any], Any]], *, eps: float = 1e-6,
                threshold: float = THRESHOLD, batch_size: int | None = None, by_layer: bool = False) -> None:
    """:func:`compare` for several parameters at once, e.g. every (dW, db) of a network.

    ``items`` holds ``(name, analytic, f, x)`` tuples. On failure the message is a table
    of every parameter (shape, relative error, right or wrong), then what is wrong with each
    wrong one, then what the set of wrong ones suggests: only the biases (1-D parameters)
    wrong while the weights are right, or, with ``by_layer=True`` (items listed first layer
    first), only the earlier layers wrong while the later ones are right.
    """
    __tracebackhide__ = True
    rows = []
    for name, analytic, f, x in items:
        text, error, shape = _check(name, analytic, f, x, eps, threshold, batch_size)
        rows.append((name, text, error, shape))
    failing = [r for r in rows if r[1] is not None]
    if not failing:
        return
    width = max(len(r[0]) for r in rows)
    table = ["gradient check, parameter by parameter:"]
    for name, text, error, shape in rows:
        measured = "wrong shape" if error is None else f"{error:.1e}"
        table.append(f"  {name:<{width}}  {str(shape):<10}  relative error {measured:<11}  "
                     f"{'ok' if text is None else 'WRONG'}")
    summary = ""
    passing = [r for r in rows if r[1] is None]
    if passing:
        if all(len(r[3]) == 1 for r in failing) and any(len(r[3]) > 1 for r in passing):
            summary = ("\nOnly the bias gradients are wrong; every weight gradient is right. The bias is added to "
                       "every example, so its gradient is dZ summed over the batch: db = dZ.sum(axis=0).")
        elif by_layer:
            last_wrong = max(i for i, r in enumerate(rows) if r[1] is not None)
            first_right = min(i for i, r in enumerate(rows) if r[1] is None)
            if last_wrong < first_right:
                summary = ("\nThe later parameters are right and the earlier ones are wrong: the mistake is in what "
                           "flows backwards between layers: dA_prev = dZ @ W.T, and each activation's derivative "
                           "taken at its own layer's Z (cache[l]['Z'] for layer l).")
    details = "\n\n".join(r[1] for r in failing)
    _fail("\n".join(table) + summary + "\n\n" + details)
