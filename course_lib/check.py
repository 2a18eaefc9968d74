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

import contextlib
import functools
import inspect
import linecache
import os
import re
import sys
import warnings
from typing import Any, Callable, Iterator

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
    "raised",
    "defined",
    "prerequisite",
    "demo",
    "numpy_only",
    "python_loops",
]


#: Frames from files under this folder (the whole course library) are left out of a learner's traceback.
_LIBRARY = os.path.dirname(os.path.abspath(__file__)) + os.sep


class CheckFailed(AssertionError):
    """A test failed; the message says why in plain words."""

    def _render_traceback_(self) -> list[str]:
        """IPython's traceback of this failure without this module's frames.

        ``__tracebackhide__`` hides a frame in IPython except the innermost one, which for a
        failed check is always ``_fail`` here: IPython asks an exception for its own rendering
        first, so the traceback is rebuilt without this file's frames and rendered as usual.
        """
        import types

        from IPython import get_ipython

        shell = get_ipython()
        if shell is None:  # pragma: no cover - only IPython calls this
            raise NotImplementedError
        kept, tb = [], self.__traceback__
        while tb is not None:
            if not tb.tb_frame.f_code.co_filename.startswith(_LIBRARY):
                kept.append(tb)
            tb = tb.tb_next
        rebuilt = None
        for entry in reversed(kept):
            rebuilt = types.TracebackType(rebuilt, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
        return shell.InteractiveTB.structured_traceback(type(self), self, rebuilt)


#: Set only by the grading harness (``autograder.record``) inside a grading
#: kernel: each comparison below is then handed to it, to be exported as plain data and
#: decided outside the learner's kernel. ``None`` everywhere else: checks decide here.
_recorder: Callable | None = None


# Every function of this module sets ``__tracebackhide__``: IPython then leaves its frames
# out of a failure's traceback, so a learner reads their own cell and the message, not
# thirty lines of this file.


def _recordable(fn: Callable) -> Callable:
    @functools.wraps(fn)
    def checked(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        if _recorder is None:
            return fn(*args, **kwargs)
        return _recorder(fn, args, kwargs)

    return checked


def _fail(message: str, hint: str | None = None) -> None:
    __tracebackhide__ = True
    text = message if not hint else f"{message}\nHint: {hint}"
    raise CheckFailed(text) from None


def _sentences(*parts: str | None) -> str | None:
    """Hints joined as sentences: each starts with a capital letter, so two causes read as two."""
    kept = [p.strip() for p in parts if p and p.strip()]
    # Capitalise a plain first word only ("the slope" -> "The slope"), never code such as `dW`.
    # A one-letter first word ("w + lr * x", "z = ...") is a variable: "W" would be another one.
    return " ".join(p[0].upper() + p[1:] if re.match(r"[a-z]{2,}\b(?![(\[.'_])(?! *[-+*/=<>@])", p) else p
                    for p in kept) or None


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
    __tracebackhide__ = True
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


def _not_implemented(label: str) -> None:
    __tracebackhide__ = True
    _fail(f"{label} is not implemented yet.", "replace the line `raise NotImplementedError()` with your code.")


def _first_line(exc: BaseException, limit: int = 300) -> str:
    """The first line of an exception's message (learner-written, so kept short), or "" when it has none."""
    text = str(exc).strip()
    return text.splitlines()[0][:limit] if text else ""


def raised(fn: Callable, *args: Any, name: str | None = None, **kwargs: Any) -> str | None:
    """Call a learner's function that *should* raise; return the name of what it raised, or None.

    For tests like "an unknown activation name must raise ValueError":
    ``check.is_true(check.raised(layer, X, W, b, "rleu") == "ValueError", "...")``. An
    unwritten function still says "not implemented yet".
    """
    __tracebackhide__ = True
    label = name or getattr(fn, "__name__", "your function")
    try:
        fn(*args, **kwargs)
    except NotImplementedError:
        _not_implemented(label)
    except Exception as exc:
        return type(exc).__name__
    return None


def _describe(value: Any) -> str:
    """A learner-readable description of an argument: its kind and shape, never its contents."""
    shape = getattr(value, "shape", None)
    if shape is not None and not isinstance(value, (int, float)):
        kind = "tensor" if type(value).__module__.startswith("torch") else "array"
        return f"{kind} of shape {tuple(shape)}"
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__} of length {len(value)}"
    if isinstance(value, (bool, int, float, np.number)):
        return f"{type(value).__name__} {_fmt(value)}"
    if value is None:
        return "None"
    return type(value).__name__


_USUAL_CAUSES: tuple[tuple[type, str, str], ...] = (
    (ValueError, r"could not be broadcast together with shapes\s+(\S+)\s+(\S+)",
     "shapes {0} and {1} do not broadcast: did you keep the summed axis (`keepdims=True`), "
     "or combine a row with a column by mistake?"),
    (ValueError, r"matmul|not aligned|mismatch in its core dimension",
     "the inner sizes of a matrix product must agree, (m, k) @ (k, n): check the order of the "
     "factors and whether one of them needs a `.T`."),
    (RuntimeError, r"shapes cannot be multiplied",
     "the inner sizes of a matrix product must agree: check the order of the factors and whether one needs a `.T`."),
    (RuntimeError, r"size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\)",
     "sizes {0} and {1} do not broadcast: did you keep the reduced dimension (`keepdim=True`)?"),
    (ValueError, r"truth value of an (empty )?array",
     "an `if` or `and`/`or` got a whole array: use element-wise functions such as np.where, "
     "np.maximum or `&` instead."),
    (IndexError, r"", "an index is out of range: check which axis you index and how long that axis is "
                      "(shape[0] counts rows, shape[1] columns)."),
    (TypeError, r"NoneType", "something is None: a helper you call may end without `return`."),
    (TypeError, r"", "a value has the wrong type: check that you pass arrays or numbers, in the order the docstring gives."),
    (NameError, r"", "a name in your function is not defined: a typo, or a variable from a cell that has not run yet."),
    (ZeroDivisionError, r"", "a division by zero: check the denominator (an empty batch, a zero count?)."),
    (AttributeError, r"", "an object lacks that method or attribute: a list where an array was expected "
                          "(np.asarray), or a NumPy array where a tensor was expected?"),
    (KeyError, r"", "a dictionary has no such key: check its spelling."),
)


def _usual_cause(exc: BaseException) -> str | None:
    text = str(exc)
    for kind, pattern, hint in _USUAL_CAUSES:
        if isinstance(exc, kind):
            found = re.search(pattern, text)
            if found:
                return hint.format(*found.groups())
    return None


def _learner_line(exc: BaseException) -> str | None:
    """The last line of the learner's own code (a notebook cell) that the error passed through."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith("<") or "ipykernel_" in filename or "ipython-input" in filename:
            if tb.tb_frame.f_globals.get("__name__") != __name__:
                text = linecache.getline(filename, tb.tb_lineno).strip()
                if text:
                    line = text
        tb = tb.tb_next
    return line


#: The NumPy rule in force (see :func:`numpy_only`): False (none), "exercise" (set by a test cell, until the next
#: call) or "notebook" (set by the setup cell of a notebook whose exercises are all NumPy, 01-11).
_NUMPY_ONLY: bool | str = False


def numpy_only(exercise: bool | None = None) -> None:
    """NumPy exercises are written in NumPy: a learner's function that runs PyTorch fails its tests.

    Notebooks 01-11 have the learner write in NumPy what PyTorch then does for them (the
    cross-check). ``F.mse_loss(torch.tensor(p), torch.tensor(t)).item()`` would answer 06's
    MSE without writing it; inside :func:`call`, :func:`no_mutation` and :func:`no_warnings`
    any PyTorch operation (or importing torch) raises instead, and the learner reads why.
    Outside them (the cross-check demonstrations) PyTorch works as usual.

    * ``check.numpy_only()`` in the setup cell: every exercise of the notebook is NumPy (01-11).
      Nothing later lifts it: ``numpy_only(False)`` then fails in words.
    * ``check.numpy_only(True)`` or ``check.numpy_only(False)`` as the first line of every test
      cell of a notebook that mixes NumPy and PyTorch exercises (12): this exercise is NumPy, or
      is not. It holds until the next call, so each test cell sets its own rule, whatever a
      learner's cell or an earlier test cell set before it.
    """
    __tracebackhide__ = True
    global _NUMPY_ONLY
    if exercise is None:
        _NUMPY_ONLY = "notebook"
    elif not isinstance(exercise, bool):
        raise TypeError(f"check.numpy_only takes True, False or nothing, not {exercise!r}")
    elif _NUMPY_ONLY == "notebook":
        if not exercise:
            _fail("every exercise of this notebook is written in NumPy (its setup cell says so): "
                  "check.numpy_only(False) cannot lift that rule.",
                  "remove the call to check.numpy_only(False), and write the exercise with NumPy operations.")
    else:
        _NUMPY_ONLY = "exercise" if exercise else False


def _numpy_rule() -> str:
    """The rule a refused PyTorch operation broke, in words."""
    if _NUMPY_ONLY == "notebook":
        return "the exercises of this notebook are written in NumPy"
    return "this exercise is written in NumPy"


class _UsedTorch(Exception):
    """A NumPy exercise ran a PyTorch operation (the operation's name is the message)."""


class _NoTorchImport:
    """A meta-path finder that refuses to import torch (while torch is not imported yet)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == "torch" or fullname.startswith("torch."):
            raise _UsedTorch(f"it imports {fullname}")
        return None


_NO_TORCH_IMPORT = _NoTorchImport()


@functools.lru_cache(maxsize=1)
def _refuse_torch_mode() -> type:
    """A TorchDispatchMode that raises on every PyTorch operation; made once, when torch is already imported."""
    from torch.utils._python_dispatch import TorchDispatchMode

    class _Refuse(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            op = str(func).replace("aten.", "torch.").removesuffix(".default")
            # torch.tensor(...) and torch.as_tensor(...) reach the dispatcher as lift_fresh: name what was written
            raise _UsedTorch("it makes a tensor with torch.tensor" if "lift_fresh" in op else "it runs " + op)

    return _Refuse


@contextlib.contextmanager
def _torch_refused() -> Iterator[None]:
    """Inside: importing torch (when it is not imported yet) or running any PyTorch operation raises _UsedTorch."""
    if not _NUMPY_ONLY:
        yield
    elif "torch" in sys.modules:
        with _refuse_torch_mode()():
            yield
    else:
        sys.meta_path.insert(0, _NO_TORCH_IMPORT)
        try:
            yield
        finally:
            sys.meta_path.remove(_NO_TORCH_IMPORT)


def _invoke(fn: Callable, args: tuple, kwargs: dict, label: str, passthrough: tuple[type, ...] = ()) -> Any:
    """Call the learner's function; turn "not written yet" and raw errors into plain messages."""
    __tracebackhide__ = True
    try:
        with _torch_refused():
            return fn(*args, **kwargs)
    except _UsedTorch as exc:
        _fail(f"{label} used PyTorch ({exc}): {_numpy_rule()}.",
              "write it with NumPy operations (np.mean, np.exp, @, ...); PyTorch comes afterwards, in the cross-check "
              "that compares it with your code.")
    except NotImplementedError:
        _not_implemented(label)
    except (CheckFailed, MemoryError):
        raise  # a MemoryError is the sandbox's memory limit at work: the grader reports it as such
    except passthrough:
        raise
    except Exception as exc:
        inputs = ", ".join([_describe(a) for a in args] + [f"{k}={_describe(v)}" for k, v in kwargs.items()])
        where = _learner_line(exc)
        detail = _first_line(exc)
        message = f"{label} raised {type(exc).__name__} when called with ({inputs})" + (f": {detail}" if detail else ".")
        if where:
            message += f"\nIt failed at this line of your code: {where}"
        _fail(message, _usual_cause(exc))


def call(fn: Callable, *args: Any, name: str | None = None, **kwargs: Any) -> Any:
    """Call a learner's function, turning "not written yet" and raw Python/NumPy errors into plain messages.

    A learner who forgets ``keepdims`` sees "softmax raised ValueError when called with
    (array of shape (2, 3)) ... shapes (2,3) and (2,) do not broadcast: did you keep the
    summed axis?" instead of a NumPy traceback.
    """
    __tracebackhide__ = True
    label = name or getattr(fn, "__name__", "your function")
    return _invoke(fn, args, kwargs, label)


@_recordable
def shape(actual: Any, expected_shape: tuple, name: str = "result", hint: str | None = None) -> np.ndarray:
    """Fail unless ``actual`` has exactly ``expected_shape``."""
    __tracebackhide__ = True
    array = _as_array(actual, name)
    expected_shape = tuple(expected_shape)
    if array.shape != expected_shape:
        extra = None
        if array.shape == expected_shape[::-1] and len(expected_shape) == 2:
            extra = "the shape is the transpose of the expected one: check the order of a matrix product or a missing `.T`."
        elif array.ndim == len(expected_shape) - 1 and any(
                expected_shape[i] == 1 and expected_shape[:i] + expected_shape[i + 1:] == array.shape
                for i in range(len(expected_shape))):
            extra = "it lacks the axis of length 1 that was expected: did a sum or max drop it (try keepdims=True)?"
        elif array.size == int(np.prod(expected_shape)):
            extra = "it has the right number of entries but the wrong layout: check your axis arguments and reshapes."
        elif array.ndim < len(expected_shape):
            extra = "it has fewer dimensions than expected."
        _fail(f"{name} has shape {array.shape}, expected {expected_shape}.", _sentences(extra, hint))
    return array


@_recordable
def finite(actual: Any, name: str = "result", hint: str | None = None) -> np.ndarray:
    """Fail if ``actual`` holds NaN or infinity, saying where the first one is."""
    __tracebackhide__ = True
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
    __tracebackhide__ = True
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
            if (np.all(np.isfinite(ratio)) and np.allclose(ratio, ratio.flat[0], rtol=1e-3) and not np.isclose(ratio.flat[0], 1.0)
                    and abs(ratio.flat[0]) > 1e-6):  # all zeros is not "a factor of 0": nothing was computed
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
    __tracebackhide__ = True
    want = np.asarray(expected)
    got = _as_array(actual, name)
    shape.__wrapped__(got, want.shape, name, hint)
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
        _fail(message, _sentences(diagnosis, hint))
    return got


@_recordable
def equal(actual: Any, expected: Any, name: str = "result", hint: str | None = None) -> np.ndarray:
    """Fail unless ``actual`` equals ``expected`` exactly (for labels, counts, booleans)."""
    __tracebackhide__ = True
    want = np.asarray(expected)
    got = _as_array(actual, name)
    shape.__wrapped__(got, want.shape, name, hint)
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
    __tracebackhide__ = True
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
    __tracebackhide__ = True
    array = finite(actual, name)
    outside = (array < low) | (array > high)
    if np.any(outside):
        first = tuple(np.argwhere(outside)[0]) if array.ndim else ()
        value = array[first] if array.ndim else array
        _fail(f"{name} has {_fmt(value)}{_where(first)}, outside the allowed range [{_fmt(low)}, {_fmt(high)}].", hint)
    return array


def _snapshot(value: Any) -> Any:
    """A copy of an argument to compare after the call: arrays and scalars by value, inside lists, tuples and dicts.

    Tags keep the kinds apart: ``("scalar", 3)``, ``("tuple", [...])``, ``("object", id)``. An object
    of any other kind is remembered by identity, so that swapping it for another (or reordering a
    list of them) is seen even where its contents are not.
    """
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (bool, int, float, complex, str, np.number)):
        return ("scalar", value)
    if isinstance(value, list):
        return [_snapshot(v) for v in value]
    if isinstance(value, tuple):
        return ("tuple", [_snapshot(v) for v in value])
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    if value is None:
        return None
    return ("object", id(value))


def _unchanged(before: Any, after: Any) -> bool:
    """Whether ``after`` (a snapshot taken after the call) equals ``before``; both as :func:`_snapshot` makes them."""
    if before is None or after is None:
        return before is None and after is None
    if isinstance(before, np.ndarray):
        return (isinstance(after, np.ndarray) and before.shape == after.shape and before.dtype == after.dtype
                and np.array_equal(before, after, equal_nan=before.dtype.kind in "fc"))
    if isinstance(before, tuple):
        if not (isinstance(after, tuple) and len(after) == 2 and after[0] == before[0]):
            return False
        if before[0] == "tuple":
            return _unchanged(before[1], after[1])
        old, new = before[1], after[1]
        return type(new) is type(old) and (new == old or (old != old and new != new))  # NaN stays NaN
    if isinstance(before, list):
        return isinstance(after, list) and len(before) == len(after) and all(_unchanged(b, a) for b, a in zip(before, after))
    if isinstance(before, dict):
        return isinstance(after, dict) and before.keys() == after.keys() and all(_unchanged(before[k], after[k]) for k in before)
    return True


def _floating_point_cause(text: str) -> str:
    """The usual cause of a NumPy floating-point error, from its message."""
    if "divide by zero" in text and "log" in text:
        return ("log(0) is minus infinity: a probability rounded to exactly 0 before the log. Work in log space "
                "(log-sum-exp, or the softplus identity) instead of taking the log of an exp.")
    if "divide by zero" in text:
        return "a division by zero: check the denominator (a sum of exps that underflowed to 0, an empty batch?)."
    if "invalid value" in text:
        return ("an invalid operation (0/0, inf - inf, inf * 0, or the log or square root of a negative number) "
                "made a NaN: look for an overflow earlier in the formula.")
    return "exp() of a large number overflows: rewrite the formula so that exp() only ever sees zero or negative numbers."


def _argument_names(fn: Callable, args: tuple, kwargs: dict) -> list[str]:
    """How the learner's function calls each argument (``w``), for messages; positions as a fallback."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        params = []
    names = []
    for i in range(len(args)):
        if i < len(params) and params[i].kind in (params[i].POSITIONAL_ONLY, params[i].POSITIONAL_OR_KEYWORD):
            names.append(f"argument `{params[i].name}`")
        else:
            names.append(f"argument {i + 1}")
    return names + [f"argument `{k}`" for k in kwargs]


@_recordable
def no_mutation(fn: Callable, *args: Any, name: str | None = None, **kwargs: Any) -> Any:
    """Call ``fn`` and fail if it changed any array argument in place; return its result.

    Changing an input in place is a classic silent bug: the caller's weights or data
    change behind its back (in RL, a replay sample edited in place corrupts the buffer).
    """
    __tracebackhide__ = True
    label = name or getattr(fn, "__name__", "your function")
    params = list(args) + list(kwargs.values())
    names = _argument_names(fn, args, kwargs)
    before = [_snapshot(p) for p in params]
    result = _invoke(fn, args, kwargs, label)
    for arg_name, old, new in zip(names, before, params):
        if not _unchanged(old, _snapshot(new)):
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
    __tracebackhide__ = True
    label = name or getattr(fn, "__name__", "your function")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            try:
                return _invoke(fn, args, kwargs, label, passthrough=(FloatingPointError, RuntimeWarning, UserWarning))
            except FloatingPointError as exc:
                _fail(f"{label} hit a floating-point error: {exc}.", _floating_point_cause(str(exc)))
            except (RuntimeWarning, UserWarning) as exc:
                _fail(f"{label} raised a warning: {exc}.", "a correct, stable implementation runs without warnings.")


@_recordable
def is_true(condition: Any, message: str, hint: str | None = None) -> None:
    """Fail with ``message`` unless ``condition`` holds (for checks the helpers above do not cover)."""
    __tracebackhide__ = True
    __tracebackhide__ = True
    if not bool(condition):
        _fail(message, hint)



def python_loops(fn: Callable) -> list[str]:
    """The Python loops in the source of ``fn``: ``["for (line 3)", "list comprehension (line 5)"]``, or ``[]``.

    An exercise that asks for a vectorised answer (im2col, a batched forward pass) checks it
    with ``check.is_true(not loops, ...)`` where ``loops = check.python_loops(fn)``: a loop
    over the batch gives the right numbers and misses the point. Functions the learner's
    function calls are not looked into; a function whose source cannot be read has none.
    """
    __tracebackhide__ = True
    import ast
    import textwrap

    try:
        source = textwrap.dedent(inspect.getsource(fn))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError, IndentationError):
        return []
    kinds = {ast.For: "for", ast.AsyncFor: "for", ast.While: "while", ast.ListComp: "list comprehension",
             ast.SetComp: "set comprehension", ast.DictComp: "dict comprehension", ast.GeneratorExp: "generator expression"}
    found = [(node.lineno, kinds[type(node)]) for node in ast.walk(tree) if type(node) in kinds]
    return [f"{kind} (line {line})" for line, kind in sorted(found)]


def defined(*names: str, where: str = "the cell above") -> None:
    """Fail with "define `w_and` in the cell above first" when a test reads a name that does not exist yet.

    Call it at the top of a test cell that reads variables (not functions) the learner sets,
    instead of letting Python say ``NameError``.
    """
    __tracebackhide__ = True
    namespace = sys._getframe(1).f_globals
    missing = [n for n in names if n not in namespace]
    if missing:
        listed = ", ".join(f"`{n}`" for n in missing)
        _fail(f"{listed} {'is' if len(missing) == 1 else 'are'} not defined yet: define {listed} in {where} first, "
              "then run this cell again.")


def prerequisite(name: str, checks: Callable[[], Any], where: str = "") -> None:
    """Before testing code that uses an earlier exercise, check that exercise and blame it by name.

    ``checks`` runs a few quick checks of the earlier function ``name``; when one fails the
    learner reads "this test uses your `perceptron_predict`, which is not right yet: fix it
    first" instead of a misleading hint about the later code. Tests of later code should,
    where they can, also feed it a correct earlier piece, so that one bug costs its points once.
    """
    __tracebackhide__ = True
    try:
        checks()
    except CheckFailed as exc:
        place = f" ({where})" if where else ""
        _fail(f"this test uses your `{name}`{place}, which is not right yet: fix `{name}` first, then run this cell "
              f"again.\nWhat its check says: {exc}")


@contextlib.contextmanager
def demo(exercise: str) -> Iterator[None]:
    """Run a demonstration that needs the learner's code; say "finish Exercise N to see this" until it is written.

    ``with check.demo("Exercise 2"):`` around a plot or a printout that calls learner
    functions. An unwritten function prints one line and the notebook goes on; a function
    that raises explains which exercise to fix.
    """
    __tracebackhide__ = True
    try:
        yield
    except NotImplementedError:
        print(f"Finish {exercise} to see this demonstration (its function still raises NotImplementedError).")
    except NameError as exc:
        missing = f"`{exc.name}` is not defined yet" if getattr(exc, "name", None) else str(exc)
        print(f"Finish {exercise} to see this demonstration ({missing}).")
    except (CheckFailed, MemoryError):
        raise
    except Exception as exc:
        if type(exc).__name__ == "EarlierMissing":  # course_lib.earlier, not imported here: it is slow to load
            print(f"To see this demonstration: {exc}")
            return
        detail = _first_line(exc, 200)
        _fail(f"this demonstration uses your code from {exercise}, which raised {type(exc).__name__}"
              + (f": {detail}" if detail else "") + f". Fix {exercise} (its tests say what is wrong) and run this cell again.",
              _usual_cause(exc))
