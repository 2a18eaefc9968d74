"""Recording mode of ``course_lib.check``, installed by the grading harness inside a kernel.

In a grading kernel every check call (``check.close``, ``check.equal``, ...) is handed to
a :class:`Recorder` instead of deciding. The recorder exports the learner's *actual*
value as plain JSON (:mod:`autograder.plain`) in a display output of its own MIME
type, with the run's random token and a sequence number, and does not raise: pass or
fail is decided later by :mod:`autograder.verdict` in a trusted process that
holds the expected values. The instrumented test cells (:mod:`.instrument`) call
``__grading__.begin()`` first and ``__grading__.done()`` last, so the trusted side can
tell a test cell that ran to its end from one that was cut short.

Two modes:
  ``sandbox``   learner's submission, in the sandbox: export actual values only. The
                instrumented test cells there no longer contain expected values at all.
  ``reference`` the instructor's solutions notebook, trusted and unsandboxed: export the
                expected values and parameters too, and also run the real check, so that
                a solution failing its own tests is caught.

A self-consistency check (``check.equal(_second, _first)``: two runs of the learner's
function must agree) gets its expected argument wrapped by the instrumented cell as
``__grading__.own(_first)``: that value is the learner's own, so it is exported too, and
the verdict compares the learner's two values with each other, not with the reference's.

Nothing here can stop code in the same kernel from calling these functions itself; what
it cannot do is learn the expected values, which never enter the sandbox. See
docs/grading.md for what remains.
"""
from __future__ import annotations

import builtins
import inspect
from typing import Any, Callable

from . import plain

MIME = "application/vnd.course-grading.record+json"

#: The check functions whose calls are recorded, and the argument holding the value under test.
VALUE_CHECKS = {"close", "equal", "shape", "finite", "dtype_kind", "sums_to_one", "in_range"}
CALL_CHECKS = {"no_mutation", "no_warnings"}


class Cond:
    """An ``is_true`` condition together with the plain values it was computed from."""

    __slots__ = ("value", "env", "src")

    def __init__(self, value: Any, env: dict, src: str):
        self.value, self.env, self.src = value, env, src

    def __bool__(self) -> bool:
        return bool(self.value)


class Own:
    """An expected value built from the learner's own results (see :mod:`.instrument`)."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


class Recorder:
    def __init__(self, mode: str, token: str, publish: Callable[[dict], None]):
        if mode not in ("sandbox", "reference"):
            raise ValueError(mode)
        self.mode, self.token, self._publish = mode, token, publish
        self.seq = 0
        self._depth = 0

    # -- the channel -------------------------------------------------------------------
    def emit(self, kind: str, **fields: Any) -> None:
        self.seq += 1
        self._publish({MIME: {"token": self.token, "seq": self.seq, "kind": kind, **fields}})

    # -- the markers the instrumented test cells call ------------------------------------
    def begin(self) -> None:
        self.emit("begin")

    def section(self, name: str) -> None:
        self.emit("section", section=str(name))

    def done(self) -> None:
        self.emit("done")

    def cond(self, value: Any, env: dict, src: str = "") -> Cond:
        return Cond(value, env, src)

    def own(self, value: Any) -> Own:
        return Own(value)

    # -- check calls ---------------------------------------------------------------------
    def __call__(self, fn: Callable, args: tuple, kwargs: dict) -> Any:
        if self._depth:  # a check calling another check internally
            return fn(*args, **kwargs)
        self._depth += 1
        try:
            return self._record(fn, args, kwargs)
        finally:
            self._depth -= 1

    def _record(self, fn: Callable, args: tuple, kwargs: dict) -> Any:
        kind = fn.__name__
        bound = inspect.signature(fn).bind(*args, **kwargs)
        bound.apply_defaults()
        own = isinstance(bound.arguments.get("expected"), Own)
        if own:  # the learner's own earlier result: unwrapped, exported, compared with in the verdict
            bound.arguments["expected"] = bound.arguments["expected"].value
            args, kwargs = bound.args, bound.kwargs
        a = dict(bound.arguments)
        reference = self.mode == "reference"
        if kind in VALUE_CHECKS:
            actual = a.pop("actual")
            fields = {"actual": plain.encode(actual)}
            if own:
                fields["own"] = True
                if not reference:
                    fields["expected"] = plain.encode(a["expected"])
            if reference:
                fields["params"] = {k: plain.encode(v) for k, v in a.items()}
            self.emit(kind, **fields)
            if reference:
                return fn(*args, **kwargs)
            return _as_value(actual)
        if kind == "is_true":
            condition = a["condition"]
            fields: dict[str, Any] = {}
            if isinstance(condition, Cond):
                fields["env"] = {str(k): plain.encode(v) for k, v in condition.env.items()}
                fields["src"] = condition.src if reference else ""
                condition = condition.value
            truth = bool(condition)  # raises like the original would (e.g. an ambiguous array)
            fields["value"] = truth
            if reference:
                fields["params"] = {"message": plain.encode(a["message"]), "hint": plain.encode(a["hint"])}
            else:  # the learner's own message, shown back to them only when this visible check fails
                message = a["message"]
                fields["message"] = message[:500] if type(message) is str else ""
            self.emit(kind, **fields)
            if reference:
                return fn(truth, a["message"], a["hint"])
            return None
        if kind == "no_mutation":
            from course_lib import check

            params = list(a["args"]) + list(a["kwargs"].values())
            before = [plain.encode(check._snapshot(p)) for p in params]
            result = check.call(a["fn"], *a["args"], name=a["name"], **a["kwargs"])
            after = [plain.encode(check._snapshot(p)) for p in params]
            fields = {"before": before, "after": after}
            if reference:
                fields["params"] = {"name": plain.encode(a["name"] or getattr(a["fn"], "__name__", "your function"))}
            self.emit(kind, **fields)
            if reference:
                for old, new in zip(before, after):
                    if old != new:
                        check._fail(f"the solution changed an argument of {a['name'] or a['fn']} in place")
            return result
        if kind == "no_warnings":
            from course_lib.check import CheckFailed

            fields = {}
            if reference:
                fields["params"] = {"name": plain.encode(a["name"] or getattr(a["fn"], "__name__", "your function"))}
            try:
                result = fn(*args, **kwargs)
            except CheckFailed as exc:
                self.emit(kind, warning=str(exc)[:2000], **fields)
                raise
            self.emit(kind, warning=None, **fields)
            return result
        return fn(*args, **kwargs)


def _as_value(actual: Any) -> Any:
    """What the check would have returned: the value as an array when it is numeric."""
    import numpy as np

    try:
        array = np.asarray(actual)
    except Exception:
        return actual
    return array if array.dtype != object else actual


_installed: Recorder | None = None


def install(mode: str, token: str) -> Recorder:
    """Switch ``course_lib.check`` to recording mode in this kernel (called by the runner's bootstrap)."""
    global _installed
    from IPython.display import publish_display_data

    from course_lib import check

    recorder = Recorder(mode, token, lambda data: publish_display_data(data))
    check._recorder = recorder
    builtins.__grading__ = recorder
    _installed = recorder
    return recorder


def quiet_figures() -> None:
    """Close figures instead of rendering them: plots never carry points, and PNGs cost time."""
    try:
        import matplotlib_inline.backend_inline as inline
    except Exception:  # pragma: no cover - matplotlib-inline missing
        return

    def _close(*args: Any, **kwargs: Any) -> None:
        import matplotlib.pyplot as plt

        plt.close("all")
        _close._to_draw.clear()

    # matplotlib_inline queues each new figure on ``show._to_draw``: without these, every
    # plt.figure() in a grading kernel raised AttributeError
    _close._to_draw = []          # type: ignore[attr-defined]
    _close._draw_called = False   # type: ignore[attr-defined]
    inline.show = _close
    inline.flush_figures = _close
