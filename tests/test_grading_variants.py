"""Honest answers that differ from the solution where the tests leave room earn full marks.

For every notebook with variants in tests/grading_cases/variants.py, `course grade` grades
them in one batch with every other notebook (each notebook's canary, the solution graded the
same way, must earn full marks first), and so for the suite's own small assignment whose hidden tests leave
the random stream free and check that two runs with one seed agree. Each variant must earn
every point, as the solution does, and is shown to be valid by running it in a plain kernel,
where every test (hidden ones included) must pass as it would for a learner in Jupyter. A
notebook with no variant listed is reported as skipped, with what to add. The untouched student
notebook is graded in every notebook's batch too: it must earn nothing, and the batch itself
proves that the solution (the canary) earns full marks under the real grader.

The same batch proves that one bug costs its points once (tests/grading_cases/isolation.py):
submissions whose exercises that others call hold a realistic mistake, while the exercises
calling them are right, must lose exactly the mistaken exercises' points.
"""
from __future__ import annotations

import json

import nbformat
import pytest

from conftest import NOTEBOOK_NAMES, NOTEBOOKS, SOLUTIONS, selected_params
from course_lib.exercises import exercise_name
from grading_cases import isolation
from grading_cases.harness import grade
from grading_cases.variants import (SELF_CONSISTENCY, SELF_CONSISTENCY_VARIANTS, VARIANTS, Variant,
                                    self_consistency_source)
from kernel import Kernel

pytestmark = [pytest.mark.grading]

#: The capstone's demonstration cells (they never carry points) run longest: its slowest took 29 s with
#: COURSE_FAST on, at a load average of 12 on 2 cores; 300 s leaves a wide margin on a busy machine.
CELL_TIMEOUT = "300"
ALL_VARIANTS = {**{n: v for n, v in VARIANTS.items() if n in NOTEBOOK_NAMES}, SELF_CONSISTENCY: SELF_CONSISTENCY_VARIANTS}
CASES = [(name, v) for name, variants in ALL_VARIANTS.items() for v in variants]
IDS = [f"{name}-{v.name}" for name, v in CASES]


def _source(name: str) -> nbformat.NotebookNode:
    if name == SELF_CONSISTENCY:
        return self_consistency_source()
    return nbformat.read(SOLUTIONS / f"{name}.ipynb", as_version=4)


def _notebook(name: str, variant: Variant) -> nbformat.NotebookNode:
    nb = _source(name)
    known = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells
             if c.metadata.get("nbgrader", {}).get("solution")}
    for gid, code in variant.answers.items():
        assert gid in known, f"{name}: the variant {variant.name} replaces {gid}, which is not an answer cell"
        known[gid].source = code
    return nb


@pytest.fixture(scope="module")
def graded(request, tmp_path_factory):
    """name -> {student: audit record}, from ONE `course grade` batch of every notebook, made when first asked for.

    One batch rather than one per notebook: the grader's workers then always have a submission, a reference run
    or a canary to run, instead of waiting at the end of each small batch (about a third less time on 2 cores)."""
    done: dict[str, dict] = {}

    def batch(name: str) -> dict:
        if not done:
            course = tmp_path_factory.mktemp("variants") / "course"
            names = sorted(selected_params(request))
            for each in names:
                if each == SELF_CONSISTENCY:   # not in solutions/: its source lives in the course directory
                    (course / "source" / each).mkdir(parents=True)
                    nbformat.write(_source(each), str(course / "source" / each / f"{each}.ipynb"))
                for variant in ALL_VARIANTS.get(each, []):
                    target = course / "submitted" / variant.name / each
                    target.mkdir(parents=True)
                    nbformat.write(_notebook(each, variant), str(target / f"{each}.ipynb"))
                if each != SELF_CONSISTENCY:   # one bug, charged once: see grading_cases/isolation.py
                    source, mistakes = _source(each), isolation.first_mistakes(each)
                    for number, pack in enumerate(isolation.packs(source), 1):
                        target = course / "submitted" / f"isolation-{number}" / each
                        target.mkdir(parents=True)
                        nbformat.write(isolation.submission(source, pack, mistakes), str(target / f"{each}.ipynb"))
                if each != SELF_CONSISTENCY:   # the untouched student notebook rides along: it must earn nothing
                    target = course / "submitted" / "untouched" / each
                    target.mkdir(parents=True)
                    nbformat.write(nbformat.read(NOTEBOOKS / f"{each}.ipynb", as_version=4), str(target / f"{each}.ipynb"))
            # --memory: course grade's own default; the suites' 1024 MB is too little for torch (notebook 14)
            run = grade(course, *(arg for each in names for arg in ("-a", each)), "--cell-timeout", CELL_TIMEOUT,
                        "--no-feedback", "--memory", "2048", timeout=5400)
            assert run.returncode == 0, f"course grade failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
            for each in names:
                done[each] = {r["student"]: r for r in (json.loads(p.read_text())
                                                        for p in (course / "grading" / "audit" / each).glob("*.json"))}
        return done.get(name, {})
    return batch


@pytest.mark.parametrize("name, variant", CASES, ids=IDS)
def test_honest_variant_earns_full_marks(graded, name, variant):
    record = graded(name).get(variant.name)
    assert record is not None, f"{name}: the variant {variant.name} was not graded"
    lost = [f"{c['grade_id']}: {c['reason']}" for c in record["cells"] if c["outcome"] != "passed"]
    assert record["score"] == record["max_score"] and record["status"] == "graded", (
        f"{name} {variant.name} ({variant.about}) got {record['score']}/{record['max_score']} {record['status']!r}, "
        "where the solution gets full marks: " + "; ".join(lost))


@pytest.mark.parametrize("name, variant", CASES, ids=IDS)
def test_variant_passes_every_test_in_plain_jupyter(name, variant):
    """The premise: the variant is a right answer, as a learner running the notebook would see."""
    nb = _notebook(name, variant)
    with Kernel(SOLUTIONS) as kernel:
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            error = kernel.run(cell.source)
            if cell.metadata.get("nbgrader", {}).get("grade"):
                assert error is None, f"{name} {variant.name}: {cell.metadata['nbgrader']['grade_id']} fails: {error}"


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_course_grade_gives_the_solution_full_marks_and_the_untouched_notebook_none(graded, name):
    """Every notebook under the real grader: its canary (the solution) passed, or grading would have stopped."""
    record = graded(name).get("untouched")
    assert record is not None, f"{name}: the untouched notebook was not graded"
    earned = [f"{c['grade_id']}: {c['score']}" for c in record["cells"] if c["score"]]
    assert record["max_score"] > 0 and record["score"] == 0 and not earned, (
        f"{name}: the untouched student notebook earned {record['score']} under course grade: {earned}")


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_one_bug_costs_its_points_once(graded, name):
    """Every exercise that calls other exercises keeps its points when those hold a realistic mistake; they lose theirs."""
    packs = isolation.packs(_source(name))
    if not packs:
        pytest.skip(f"{name}: no exercise calls another graded exercise")
    problems = []
    for number, pack in enumerate(packs, 1):
        record = graded(name).get(f"isolation-{number}")
        assert record is not None, f"{name}: the isolation submission {number} was not graded"
        for cell in record["cells"]:
            exercise = exercise_name(cell["grade_id"])
            if exercise in pack.wrong and cell["score"] != 0:
                problems.append(f"submission {number}: {cell['grade_id']} holds a mistake and kept {cell['score']} points")
            elif exercise not in pack.wrong and cell["score"] != cell["points"]:
                called = sorted(isolation.calls(_source(name)).get(exercise, set()) & pack.wrong)
                problems.append(f"submission {number}: {cell['grade_id']} is right but got {cell['score']}/{cell['points']}"
                                + (f" while {', '.join(called)} held a mistake" if called else "") + f": {cell['reason']}")
    assert not problems, f"{name}: " + "\n".join(problems)


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_every_notebook_has_an_honest_variant(name):
    if not VARIANTS.get(name):
        pytest.skip(f"{name} has no honest variant in tests/grading_cases/variants.py: add one that differs from the "
                    "solution where its tests leave room (a random stream, a free choice of values, another formula)")
