"""notebooks/ is exactly what `course release` makes from solutions/, and nothing leaks into it."""
from __future__ import annotations

import json

import pytest

from conftest import NOTEBOOK_NAMES, NOTEBOOKS, ROOT, SOLUTIONS
from course_lib.exercises import exercises, read
from autograder.release import dumps, generate


@pytest.fixture(scope="module")
def generated():
    return generate(ROOT)


def test_course_covers_the_foundation_notebooks():
    assert {"01_biological_neuron", "02_perceptron", "03_activations"} <= set(NOTEBOOK_NAMES)


def test_notebooks_match_what_release_writes(generated):
    drifted = [
        name for name, nb in generated.items()
        if not (NOTEBOOKS / f"{name}.ipynb").exists() or (NOTEBOOKS / f"{name}.ipynb").read_text() != dumps(nb)
    ]
    extra = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb") if p.stem not in generated)
    assert not drifted, f"notebooks/ is out of date for {drifted}: run `course release` and commit"
    assert not extra, f"notebooks/ holds notebooks with no solutions source: {extra}"


@pytest.mark.parametrize("folder", ["solutions", "notebooks"])
def test_committed_notebooks_have_no_outputs(folder):
    with_outputs = [
        p.name for p in sorted((ROOT / folder).glob("*.ipynb"))
        if any(c.get("outputs") or c.get("execution_count") for c in json.loads(p.read_text())["cells"] if c["cell_type"] == "code")
    ]
    assert not with_outputs, f"{folder}/ notebooks with outputs (clear them): {with_outputs}"


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_student_notebook_hides_solutions_and_hidden_tests(name):
    text = (NOTEBOOKS / f"{name}.ipynb").read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text, f"{name}: the student notebook still contains {marker!r}"
    source, student = read(SOLUTIONS / f"{name}.ipynb"), read(NOTEBOOKS / f"{name}.ipynb")
    assert [e.name for e in exercises(source)] == [e.name for e in exercises(student)]
    assert all(len(e.answer_cells) == 1 for e in exercises(student)), "one answer cell per exercise"


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_every_exercise_has_visible_and_hidden_tests(name):
    nb = read(SOLUTIONS / f"{name}.ipynb")
    graded = exercises(nb)
    assert len(graded) >= 3, f"{name} has only {len(graded)} graded exercises"
    for ex in graded:
        assert len(ex.tests) == 1, f"{name}/{ex.name}: expected one test cell, found {len(ex.tests)}"
        source = ex.tests[0].source
        visible = source.split("### BEGIN HIDDEN TESTS")[0]
        assert "### BEGIN HIDDEN TESTS" in source, f"{name}/{ex.name} has no hidden tests"
        assert "check." in visible, f"{name}/{ex.name}: visible tests must use course_lib.check"
        assert "assert " not in source, f"{name}/{ex.name}: use course_lib.check, not bare asserts"
    assert any(ex.name.startswith("debug_") for ex in graded), f"{name} has no graded debug exercise"


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_notebook_states_objectives_time_and_rl_link(name):
    text = " ".join("".join(c.source) for c in read(SOLUTIONS / f"{name}.ipynb").cells if c.cell_type == "markdown").lower()
    for needle in ("learning objectives", "time", "reinforcement learning", "extra practice"):
        assert needle in text, f"{name}: the notebook never mentions {needle!r}"
