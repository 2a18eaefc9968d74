"""Each solutions notebook runs top to bottom without an error, within its budget, as a learner runs it.

The budget is CPU time (the kernel's own, read by a cell appended at the end), not the wall
clock: a notebook that does a minute of work takes a minute on a quiet 2-core laptop and two
beside another busy program, and only the first is the notebook's doing. The wall clock is
printed in the suite's timing report and guarded only against a hang (HANG_LIMIT per cell).
"""
from __future__ import annotations

import nbformat
import pytest

from conftest import NOTEBOOK_NAMES, NOTEBOOK_TIME_LIMIT, SOLUTIONS, record_time
from course_lib.runner import execute

#: Seconds one cell may run before the test calls it hung (wide: a loaded machine is slow, not stuck).
HANG_LIMIT = 600
_CPU_CELL = ("import resource as _resource\n"
             "print('__cpu_seconds__', sum(getattr(_resource.getrusage(_who), _f) for _who in "
             "(_resource.RUSAGE_SELF, _resource.RUSAGE_CHILDREN) for _f in ('ru_utime', 'ru_stime')))")


def _cpu_seconds(cell) -> float | None:
    for out in cell.get("outputs", []):
        for line in out.get("text", "").splitlines():
            if line.startswith("__cpu_seconds__"):
                return float(line.split()[1])
    return None


@pytest.mark.notebook
@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_solution_runs_top_to_bottom_in_time(name):
    # fast=False: the learner's own run, with demonstrations at full size.
    nb = nbformat.read(SOLUTIONS / f"{name}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_CPU_CELL))
    nb, run = execute(nb, SOLUTIONS, timeout=HANG_LIMIT, fast=False)
    cpu = _cpu_seconds(nb.cells[-1])
    record_time(f"{name} (solution, full size)", run.seconds)
    if cpu is not None:
        record_time(f"{name} (solution, full size, kernel CPU)", cpu)
    assert run.aborted is None, f"{name}: {run.aborted}"
    assert not run.errors, f"{name}: cells failed: " + "; ".join(f"cell {e.index} {e.ename}: {e.evalue}" for e in run.errors)
    assert cpu is not None, f"{name}: the kernel's CPU time could not be read"
    assert cpu <= NOTEBOOK_TIME_LIMIT, (f"{name} used {cpu:.0f} s of CPU time, over the {NOTEBOOK_TIME_LIMIT:.0f} s budget "
                                        f"(wall clock {run.seconds:.0f} s)")
    images = sum(1 for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
    assert images >= 1, f"{name} shows no plot"
