"""Comparison helpers whose failures tell a learner, in plain words, what is wrong.

Every visible and hidden test in the course goes through these functions instead of a
bare ``assert``. A bare assert says ``AssertionError`` and nothing else; a learner who
sees "softmax(z) row 2 sums to 0.73, not 1: did you normalise over the right axis?" can
fix their code. Each helper raises :class:`CheckFailed` (an ``AssertionError``, so
nbgrader counts it as a failed test) and returns the checked value when it passes, so
checks can be chained.

The helpers look for the usual mistakes before reporting a mismatch: a wrong shape, a
transposed matrix, NaN or infinity, a flipped sign, a constant factor, integer instead
of float arithmetic, a function that forgot to ``return``, or one that changed its
input in place.
"""
from __future__ import annotations

import functools
import warnings
from typing import Any, Callable

import numpy as np

__all__ = [
    "CheckFailed",
    "call",
    "close",
    "equal",
    "shape",
    "finite",
    "dtype_kind",
    "sums_to_one",
    "in_range",
    "no_mutation",
    "no_warnings",
    "is_true",
]


class CheckFailed(AssertionError):
    """A test failed; the message says why in plain words."""


#: Set only by the grading harness (``course_lib.grading.record``) inside a grading
#: kernel: each comparison below is then handed to it, to be exported as plain data and
#: decided outside the learner's kernel. ``None`` everywhere else: checks decide here.
_recorder: Callable | None = None


def _recordable(fn: Callable) -> Callable:
    @functools.wraps(fn)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if _recorder is None:
            return fn(*args, **kwargs)
        return _recorder(fn, args, kwargs)

    return checked


def _fail(message: str, hint: str | None = None) -> None:
    text = message if not hint else f"{message}\nHint: {hint}"
    raise CheckFailed(text) from None


def _fmt(x: Any) -> str:
    """Short, readable rendering of a number."""
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    try:
        value = float(x)
    except (TypeError, ValueError):
        return repr(x)
    if np.isnan(value) or np.isinf(value):
        return str(value)
    return f"{value:.6g}"


def _where(index: tuple) -> str:
    if len(index) == 0:
        return ""
    if len(index) == 1:
        return f" at index {int(index[0])}"
    return f" at index ({', '.join(str(int(i)) for i in index)})"


def _as_array(value: Any, name: str) -> np.ndarray:
    if value is None:
        _fail(
            f"{name} is None.",
            "a function that ends without a `return` statement gives None: "
            "did you forget to return your result?",
        )
    if callable(value) and not isinstance(value, np.ndarray):
        _fail(f"{name} is a function, not a value: did you forget the parentheses when calling it?")
    try:
        array = np.asarray(value)
    except Exception as exc:  # pragma: no cover - exotic objects
        _fail(f"{name} cannot be read as a NumPy array ({type(value).__name__}: {exc}).")
    if array.dtype == object:
        _fail(
            f"{name} is not a numeric array (it holds Python objects of type "
            f"{type(value).__name__}).",
            "return a NumPy array or a number, not a list of arrays or a string.",
        )
    return array


def call(fn: Callable, *args: Any, name: str | None = None, **kwargs: Any) -> Any:
    """Call a learner's function, turning "not written yet" into a plain message."""
    label = name or getattr(fn, "__name__", "your function")
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        _fail(
            f"{label} is not implemented yet.",
            "replace the line `raise NotImplementedError()` with your code.",
        )


@_recordable
def shape(actual: Any, expected_shape: tuple, name: str = "result", hint: str | None = None) -> np.ndarray:
    """Fail unless ``actual`` has exactly ``expected_shape``."""
    array = _as_array(actual, name)
    expected_shape = tuple(expected_shape)
    if array.shape != expected_shape:
        extra = hint
        if extra is None and array.shape == expected_shape[::-1] and len(expected_shape) == 2:
            extra = "the shape is the transpose of the expected one: check the order of a matrix product or a missing `.T`."
        elif extra is None and array.size == int(np.prod(expected_shape)):
            extra = "it has the right number of entries but the wrong layout: check your axis arguments and reshapes."
        elif extra is None and array.ndim < len(expected_shape):
            extra = "it has fewer dimensions than expected: did a sum or max drop an axis (try keepdims=True)?"
        _fail(f"{name} has shape {array.shape}, expected {expected_shape}.", extra)
    return array


@_recordable
def finite(actual: Any, name: str = "result", hint: str | None = None) -> np.ndarray:
    """Fail if ``actual`` holds NaN or infinity, saying where the first one is."""
    array = _as_array(actual, name)
    if array.dtype.kind in "fc":
        bad = ~np.isfinite(array)
        if bad.any():
            first = tuple(np.argwhere(bad)[0]) if array.ndim else ()
            value = array[first] if array.ndim else array
            count = int(bad.sum())
            _fail(
                f"{name} contains {count} non-finite value{'s' if count > 1 else ''} "
                f"({_fmt(value)}{_where(first)}).",
                hint
                or "NaN or infinity usually comes from exp() of a large number, log(0), or 0/0: "
                "look for an overflow in your formula.",
            )
    return array


@_recordable
def dtype_kind(actual: Any, kinds: str, name: str = "result", hint: str | None = None) -> np.ndarray:
    """Fail unless the array's dtype kind is one of ``kinds`` ('f' float, 'i' int, 'b' bool, 'u' unsigned)."""
    array = _as_array(actual, name)
    names = {"f": "floating point", "i": "integer", "u": "unsigned integer", "b": "boolean", "c": "complex"}
    if array.dtype.kind not in kinds:
        wanted = " or ".join(names.get(k, k) for k in kinds)
        _fail(f"{name} has dtype {array.dtype}, expected {wanted}.", hint)
    return array


def _diagnose(got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> str | None:
    """Name the usual mistake behind a mismatch, if the numbers reveal one."""
    with np.errstate(all="ignore"):
        if np.allclose(got, -want, rtol=rtol, atol=atol) and np.any(np.abs(want) > atol):
            return "every entry has the right size but the wrong sign: check a minus sign."
        if got.ndim == 2 and got.shape == want.T.shape and got.shape != want.shape:
            return "your result looks transposed."
        if want.dtype.kind == "f" and got.dtype.kind in "iub" and np.allclose(got, np.round(want)):
            return "your result holds whole numbers where fractions were expected: did integer arithmetic round them?"
        nonzero = np.abs(want) > max(atol, 1e-12)
        if nonzero.sum() >= 2:
            ratio = got[nonzero] / want[nonzero]
            if np.all(np.isfinite(ratio)) and np.allclose(ratio, ratio.flat[0], rtol=1e-3) and not np.isclose(ratio.flat[0], 1.0):
                return (
                    f"every entry is off by the same factor of about {_fmt(ratio.flat[0])}: "
                    "look for a missing or extra scale (a mean instead of a sum, a forgotten constant)."
                )
            diff = got[nonzero] - want[nonzero]
            if np.allclose(diff, diff.flat[0], rtol=1e-3, atol=atol) and not np.isclose(diff.flat[0], 0.0, atol=atol):
                return (
                    f"every entry is off by the same amount, {_fmt(diff.flat[0])}: "
                    "is a bias or an offset missing or added twice?"
                )
    return None


@_recordable
def close(
    actual: Any,
    expected: Any,
    name: str = "result",
    rtol: float = 1e-6,
    atol: float = 1e-8,
    hint: str | None = None,
) -> np.ndarray:
    """Fail unless ``actual`` matches ``expected`` in shape and, within tolerance, in value.

    The message names the worst entry, what it should be and the tolerance, and adds a
    diagnosis when the mismatch has a recognisable pattern (sign, factor, offset,
    transpose, integer arithmetic).
    """
    want = np.asarray(expected)
    got = _as_array(actual, name)
    shape(got, want.shape, name)
    if want.dtype.kind in "fc" or got.dtype.kind in "fc":
        finite(got, name, hint)
    if got.dtype.kind not in "biuf":
        _fail(f"{name} has dtype {got.dtype}; a number or an array of numbers was expected.", hint)
    got_f = got.astype(np.float64)
    want_f = want.astype(np.float64)
    ok = np.isclose(got_f, want_f, rtol=rtol, atol=atol)
    if not np.all(ok):
        error = np.abs(got_f - want_f) - (atol + rtol * np.abs(want_f))
        worst = tuple(np.unravel_index(np.argmax(error), got.shape)) if got.ndim else ()
        wrong = int((~ok).sum())
        summary = f" ({wrong} of {ok.size} entries are wrong)" if got.ndim else ""
        tolerance = atol + rtol * abs(float(want_f[worst] if got.ndim else want_f))
        message = (
            f"{name} is wrong{_where(worst)}: got {_fmt(got_f[worst] if got.ndim else got_f)}, "
            f"expected {_fmt(want_f[worst] if got.ndim else want_f)} "
            f"(allowed error {_fmt(tolerance)}){summary}."
        )
        diagnosis = _diagnose(got_f, want_f, rtol, atol)
        _fail(message, " ".join(part for part in (diagnosis, hint) if part) or None)
    return got


@_recordable
def equal(actual: Any, expected: Any, name: str = "result", hint: str | None = None) -> np.ndarray:
    """Fail unless ``actual`` equals ``expected`` exactly (for labels, counts, booleans)."""
    want = np.asarray(expected)
    got = _as_array(actual, name)
    shape(got, want.shape, name)
    same = got == want
    if not np.all(same):
        if got.ndim == 0:
            _fail(f"{name} is {_fmt(got)}, expected {_fmt(want)}.", hint)
        first = tuple(np.argwhere(~same)[0])
        wrong = int((~same).sum())
        _fail(
            f"{name} is wrong{_where(first)}: got {_fmt(got[first])}, expected {_fmt(want[first])} "
            f"({wrong} of {same.size} entries are wrong).",
            hint,
        )
    return got


@_recordable
def sums_to_one(actual: Any, axis: int = -1, name: str = "result", atol: float = 1e-6, hint: str | None = None) -> np.ndarray:
    """Fail unless every slice along ``axis`` sums to 1 (probabilities)."""
    array = finite(actual, name)
    totals = np.sum(array, axis=axis)
    bad = ~np.isclose(totals, 1.0, atol=atol)
    if np.any(bad):
        if totals.ndim == 0:
            _fail(f"{name} sums to {_fmt(totals)}, not 1.", hint or "probabilities must add up to 1.")
        first = tuple(np.argwhere(bad)[0])
        row = "row" if array.ndim == 2 and axis in (-1, 1) else "slice"
        label = str(first[0]) if len(first) == 1 else str(first)
        _fail(
            f"{name} {row} {label} sums to {_fmt(totals[first])}, not 1.",
            hint or "did you normalise over the right axis (and keep its dimension with keepdims=True)?",
        )
    return array


@_recordable
def in_range(actual: Any, low: float, high: float, name: str = "result", hint: str | None = None) -> np.ndarray:
    """Fail unless every entry lies in the closed interval [low, high]."""
    array = finite(actual, name)
    outside = (array < low) | (array > high)
    if np.any(outside):
        first = tuple(np.argwhere(outside)[0]) if array.ndim else ()
        value = array[first] if array.ndim else array
        _fail(f"{name} has {_fmt(value)}{_where(first)}, outside the allowed range [{_fmt(low)}, {_fmt(high)}].", hint)
    return array


def _snapshot(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_snapshot(v) for v in value]
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    return None


def _unchanged(before: Any, after: Any) -> bool:
    if before is None:
        return True
    if isinstance(before, np.ndarray):
        return before.shape == after.shape and np.array_equal(before, after, equal_nan=True)
    if isinstance(before, list):
        return len(before) == len(after) and all(_unchanged(b, a) for b, a in zip(before, after))
    if isinstance(before, dict):
        return before.keys() == after.keys() and all(_unchanged(before[k], after[k]) for k in before)
    return True


@_recordable
def no_mutation(fn: Callable, *args: Any, name: str | None = None, **kwargs: Any) -> Any:
    """Call ``fn`` and fail if it changed any array argument in place; return its result.

    Changing an input in place is a classic silent bug: the caller's weights or data
    change behind its back (in RL, a replay sample edited in place corrupts the buffer).
    """
    label = name or getattr(fn, "__name__", "your function")
    params = list(args) + list(kwargs.values())
    names = [f"argument {i + 1}" for i in range(len(args))] + [f"`{k}`" for k in kwargs]
    before = [_snapshot(p) for p in params]
    result = call(fn, *args, name=label, **kwargs)
    for arg_name, old, new in zip(names, before, params):
        if not _unchanged(old, new):
            _fail(
                f"{label} changed its {arg_name} in place.",
                "work on a copy (e.g. `w = w.copy()` or `w = w + step` instead of `w += step`), "
                "so the caller's array stays as it was.",
            )
    return result


@_recordable
def no_warnings(fn: Callable, *args: Any, name: str | None = None, **kwargs: Any) -> Any:
    """Call ``fn`` and fail on any overflow, invalid operation, division by zero or warning.

    Underflow (tiny numbers rounding to 0) is allowed: it is harmless here.
    """
    label = name or getattr(fn, "__name__", "your function")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            try:
                return call(fn, *args, name=label, **kwargs)
            except FloatingPointError as exc:
                _fail(
                    f"{label} hit a floating-point error: {exc}.",
                    "exp() of a large number overflows: rewrite the formula so that exp() "
                    "only ever sees zero or negative numbers.",
                )
            except (RuntimeWarning, UserWarning) as exc:
                _fail(f"{label} raised a warning: {exc}.", "a correct, stable implementation runs without warnings.")


@_recordable
def is_true(condition: Any, message: str, hint: str | None = None) -> None:
    """Fail with ``message`` unless ``condition`` holds (for checks the helpers above do not cover)."""
    if not bool(condition):
        _fail(message, hint)

