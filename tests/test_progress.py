"""`course progress` on untouched notebooks reports nothing done; on the solutions, everything passed."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import NOTEBOOK_NAMES, NOTEBOOKS, ROOT, SOLUTIONS
from course_lib.feedback import PASSED
from course_lib.progress import checkpoints, collect, hours_left, text

pytestmark = pytest.mark.notebook


def test_untouched_notebooks_show_nothing_passed():
    report = collect(NOTEBOOKS, show_bar=False)
    ran = [p for p in report if not p.missing]
    assert {p.notebook.name for p in ran} == set(NOTEBOOK_NAMES)
    for p in ran:
        assert p.results, f"{p.notebook.name}: no exercises found"
        passed = [r.name for r in p.results if r.status == PASSED]
        assert not passed, f"{p.notebook.name}: untouched exercises reported as passed: {passed}"
    assert checkpoints(report) == {"A": False, "B": False, "C": False, "D": False}
    assert "not started" in text(report)


def test_solutions_show_everything_passed(tmp_path):
    for name in NOTEBOOK_NAMES:
        shutil.copy(SOLUTIONS / f"{name}.ipynb", tmp_path / f"{name}.ipynb")
    report = collect(tmp_path, show_bar=False)
    before = hours_left(collect(tmp_path / "nothing-here", show_bar=False))
    for p in report:
        if not p.missing:
            failing = [(r.name, r.message) for r in p.results if r.status != PASSED]
            assert not failing, f"{p.notebook.name}: {failing}"
            assert p.complete
    assert checkpoints(report) == {"A": True, "B": True, "C": True, "D": True}
    assert hours_left(report) < before


def test_command_line_prints_the_table(tmp_path):
    """The command itself, on a folder with one notebook (the two tests above run them all)."""
    shutil.copy(NOTEBOOKS / "01_biological_neuron.ipynb", tmp_path)
    done = subprocess.run([sys.executable, "-m", "course_lib.cli", "progress", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "01 Biological inspiration" in done.stdout and "time left" in done.stdout
