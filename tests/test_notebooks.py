"""Each solutions notebook runs top to bottom without an error, in time, as a learner runs it."""
from __future__ import annotations

import pytest

from conftest import NOTEBOOK_NAMES, NOTEBOOK_TIME_LIMIT, SOLUTIONS, record_time
from course_lib.runner import execute_file


@pytest.mark.notebook
@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_solution_runs_top_to_bottom_in_time(name):
    # fast=False: the learner's own run, with demonstrations at full size.
    nb, run = execute_file(SOLUTIONS / f"{name}.ipynb", timeout=int(NOTEBOOK_TIME_LIMIT), fast=False)
    record_time(f"{name} (solution, full size)", run.seconds)
    assert run.aborted is None, f"{name}: {run.aborted}"
    assert not run.errors, f"{name}: cells failed: " + "; ".join(f"cell {e.index} {e.ename}: {e.evalue}" for e in run.errors)
    assert run.seconds <= NOTEBOOK_TIME_LIMIT, f"{name} took {run.seconds:.0f} s, over the {NOTEBOOK_TIME_LIMIT:.0f} s budget"
    images = sum(1 for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
    assert images >= 1, f"{name} shows no plot"
