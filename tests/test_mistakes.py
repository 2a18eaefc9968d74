"""Every graded exercise has at least one realistic wrong answer, and each one loses the points.

For each solutions notebook, tests/mistakes/<notebook>.py lists mistakes learners really
make. The notebook runs once in a kernel; then, for each mistake, the wrong answer
replaces the exercise's answer cell, every test cell of that exercise must fail with a
plain-words CheckFailed message (and, where the mistake lists a third element, a message that
contains those words: the diagnosis that names the mistake) (so the learner is told what is wrong, and nbgrader
withholds the points), and the correct answer is put back and must pass again.
"""
from __future__ import annotations

import importlib.util

import pytest

from conftest import NOTEBOOK_NAMES, ROOT, SOLUTIONS, selected_params, side_by_side
from course_lib.exercises import exercises, read
from kernel import Kernel


def load_mistakes(name: str) -> dict:
    path = ROOT / "tests" / "mistakes" / f"{name}.py"
    assert path.is_file(), f"no mistakes file for {name}: add {path.relative_to(ROOT)}"
    spec = importlib.util.spec_from_file_location(f"mistakes_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MISTAKES


def mistake_problems(name: str) -> list[str]:
    """What is wrong with the mistakes of one notebook: each must fail every test cell of its exercise."""
    nb = read(SOLUTIONS / f"{name}.ipynb")
    mistakes = load_mistakes(name)
    graded = exercises(nb)
    names = {ex.name for ex in graded}
    assert not names - set(mistakes), f"exercises with no wrong answer to test: {sorted(names - set(mistakes))}"
    assert not set(mistakes) - names, f"mistakes name unknown exercises: {sorted(set(mistakes) - names)}"

    with Kernel(SOLUTIONS) as kernel:
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                error = kernel.run(cell.source)
                assert error is None, f"{name} cell {index} fails with the correct solution: {error}"
        problems = []
        for ex in graded:
            assert ex.answer_cells, f"exercise {ex.name} has tests but no answer cell"
            for description, wrong_code, *named in mistakes[ex.name]:
                kernel.run(wrong_code)
                for test in ex.tests:
                    error = kernel.run(test.source)
                    if error is None:
                        problems.append(f"{ex.name}: the mistake '{description}' passes {test.grade_id}")
                    elif error.ename != "CheckFailed":
                        problems.append(
                            f"{ex.name}: the mistake '{description}' fails {test.grade_id} with {error}, "
                            "not a plain-words CheckFailed message"
                        )
                    elif named and named[0].lower() not in error.evalue.lower():
                        problems.append(f"{ex.name}: the mistake '{description}' fails {test.grade_id} without "
                                        f"naming it ({named[0]!r} not in the message): {error.evalue[:300]}")
                for index in ex.answer_cells:
                    assert kernel.run(nb.cells[index].source) is None
                for test in ex.tests:
                    error = kernel.run(test.source)
                    assert error is None, f"{ex.name}: the correct answer fails {test.grade_id} after restoring it: {error}"
    return problems


@pytest.fixture(scope="module")
def problems(request):
    """name -> the problems found, or the exception that stopped the check; every notebook's kernel at once
    (a kernel mostly keeps one core busy, and the machines that run this have two or more)."""
    return side_by_side(mistake_problems, selected_params(request))


@pytest.mark.notebook
@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_each_mistake_loses_its_points(problems, name):
    found = problems[name]
    if isinstance(found, BaseException):
        raise found
    assert not found, "\n".join(found)


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_every_mistake_names_the_words_of_its_diagnosis(name):
    """A hint that points at the wrong cause must fail the suite: every mistake says which words its message holds."""
    unnamed = [f"{exercise}: {entry[0]}" for exercise, entries in load_mistakes(name).items() for entry in entries
               if len(entry) < 3 or not (isinstance(entry[2], str) and entry[2].strip())]
    assert not unnamed, (f"{name}: these mistakes do not name the words their failure message must contain (add a "
                         "third element, the diagnosis):\n" + "\n".join(unnamed))
