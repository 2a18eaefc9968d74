"""Shared fixtures and the per-notebook timing report."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"
NOTEBOOK_NAMES = sorted(p.stem for p in SOLUTIONS.glob("*.ipynb"))

#: CPU seconds a notebook may use top to bottom at full size (about a minute of work, with a margin; see test_notebooks).
NOTEBOOK_TIME_LIMIT = 90.0

os.environ["COURSE_FAST"] = "1"
# every kernel the suite starts (nbgrader's too) inherits this: see course_lib.runner.kernel_env
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

_timings: dict[str, float] = {}


def record_time(label: str, seconds: float) -> None:
    _timings[label] = seconds


def pytest_terminal_summary(terminalreporter):
    if not _timings:
        return
    terminalreporter.section("notebook execution times (wall clock; the budget of %.0f s is kernel CPU time)" % NOTEBOOK_TIME_LIMIT)
    for label, seconds in sorted(_timings.items()):
        terminalreporter.write_line(f"{label:<45} {seconds:6.1f} s")


def selected_params(request, param: str = "name") -> list:
    """The values of ``param`` in the tests of this module that this session runs (after -k and friends), so
    that a module fixture preparing every notebook at once prepares only those asked for."""
    module = request.module.__name__
    values = []
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and item.module.__name__ == module and param in callspec.params:
            value = callspec.params[param]
            if value not in values:
                values.append(value)
    return values


def side_by_side(fn, names: list) -> dict:
    """``fn(name)`` for every name, one thread per core (each mostly waits on a kernel or a grader process it
    started): name -> the result, or the exception it raised, for the test of that name to raise."""
    from concurrent.futures import ThreadPoolExecutor

    def guarded(name):
        try:
            return fn(name)
        except BaseException as exc:
            return exc

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return dict(zip(names, pool.map(guarded, names)))

