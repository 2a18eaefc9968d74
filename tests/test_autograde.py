"""Grading grades: nbgrader autograde gives the solutions full marks, the stubs zero, mistakes zero.

One nbgrader course directory per notebook is built in a temporary folder, the way an
instructor's would be: source/ from solutions/, `nbgrader generate_assignment`, then three
submissions: the solutions notebook itself, the untouched student notebook, and the
student notebook with every answer replaced by a realistic wrong one (tests/mistakes).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import NOTEBOOK_NAMES, NOTEBOOKS, ROOT, SOLUTIONS, selected_params, side_by_side
from course_lib.exercises import exercises
from test_mistakes import load_mistakes

pytestmark = [pytest.mark.grading]


def nbgrader(course: Path, *args: str) -> None:
    env = dict(os.environ, COURSE_FAST="1", PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args, "--force"], cwd=course, env=env,
                          capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def mistaken(student: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    wrong = load_mistakes(name)
    nb = nbformat.from_dict(student)
    for ex in exercises(nb):
        nb.cells[ex.answer_cells[0]].source = wrong[ex.name][0][1]
    return nb


def autograde_one(root: Path, name: str) -> Path:
    """A course directory of one assignment, as an instructor's would be, autograded: returns its gradebook's path."""
    course = root / name
    course.mkdir()
    shutil.copy(ROOT / "autograder" / "nbgrader_config.py", course / "nbgrader_config.py")
    (course / "source" / name).mkdir(parents=True)
    shutil.copy(SOLUTIONS / f"{name}.ipynb", course / "source" / name)
    nbgrader(course, "generate_assignment", name)
    student = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    submissions = {
        "solution": nbformat.read(SOLUTIONS / f"{name}.ipynb", as_version=4),
        "stub": student,
        "mistaken": mistaken(student, name),
    }
    for who, nb in submissions.items():
        folder = course / "submitted" / who / name
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{name}.ipynb")
    nbgrader(course, "autograde", name)
    return course / "gradebook.db"


@pytest.fixture(scope="module")
def gradebook(request, tmp_path_factory):
    """name -> (student -> {cell: (score, max)}). One course directory (and gradebook) per notebook, so that
    nbgrader, which grades one submission at a time, runs on every core at once."""
    from nbgrader.api import Gradebook

    root = tmp_path_factory.mktemp("courses")
    paths = side_by_side(lambda name: autograde_one(root, name), selected_params(request))
    books = {}
    for name, path in paths.items():
        if isinstance(path, BaseException):
            raise path
        with Gradebook(f"sqlite:///{path}") as gb:
            books[name] = {who: scores(gb, name, who) for who in ("solution", "stub", "mistaken")}
    return books


def scores(gb, name: str, student: str) -> dict[str, tuple[float, float]]:
    nb = gb.find_submission_notebook(name, name, student)
    return {g.name: (g.score, g.max_score) for g in nb.grades}


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_solution_earns_full_marks(gradebook, name):
    got = gradebook[name]["solution"]
    assert got, f"{name}: no autograded cells were recorded"
    short = {cell: s for cell, s in got.items() if s[0] != s[1]}
    assert not short, f"{name}: the solutions notebook lost points in {short}"


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_untouched_student_notebook_earns_zero(gradebook, name):
    earned = {cell: s for cell, s in gradebook[name]["stub"].items() if s[0] != 0}
    assert not earned, f"{name}: the untouched stub earned points in {earned}"


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_wrong_answers_earn_zero(gradebook, name):
    earned = {cell: s for cell, s in gradebook[name]["mistaken"].items() if s[0] != 0}
    assert not earned, f"{name}: wrong answers still earned points in {earned}"
