"""`course grade` against broken submissions: repaired from the source, or ungradable with a reason.

All cases of tests/grading_cases/malformed.py are graded in one batch, with honest ones, so
this also proves that no broken file stops the others being graded.
"""
from __future__ import annotations

import pytest

from grading_cases import ASSIGNMENT, TOTAL, load_results, write_submissions
from grading_cases.malformed import CASES
from grading_cases.harness import context, grade

pytestmark = [pytest.mark.grading]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    course = tmp_path_factory.mktemp("malformed") / "course"
    course.mkdir()
    ctx = context(course)
    write_submissions(ctx, CASES)
    done = grade(course / "submitted", "--no-feedback")
    assert done.returncode == 0, f"course grade failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return {"course": course, "results": load_results(course), "stdout": done.stdout}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_gets_its_score_status_and_reason(batch, case):
    got = batch["results"].get(case.name)
    assert got is not None, f"{case.name} ({case.about}) was not graded"
    summary = f"{case.name} ({case.about}): got {got['score']}/{TOTAL} {got['status']!r} ({got['reason']})"
    assert (got["score"], got["status"]) == (case.score, case.status), summary
    assert case.reason in got["reason"], summary


def test_ungradable_submissions_are_in_the_gradebook_with_zero(batch):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{batch['course'] / 'gradebook.db'}") as gb:
        for case in CASES:
            assert gb.find_submission(ASSIGNMENT, case.name).score == case.score


def test_summary_lists_each_ungradable_submission_with_its_reason(batch):
    for case in CASES:
        if case.status == "ungradable":
            assert f"{ASSIGNMENT}/{case.name}: ungradable: " in batch["stdout"]
