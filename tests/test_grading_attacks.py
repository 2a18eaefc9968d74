"""`course grade` against submissions written to cheat or to break it, graded in one batch.

Each case in tests/grading_cases/attacks.py says what it must get: an attack earns no point
it did not earn honestly, gets its status and a reason, and every honest submission in the
same batch gets its correct score. The sandbox must keep the network and the instructor's
files out of reach.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from grading_cases import ASSIGNMENT, TOTAL, load_results, write_submissions
from grading_cases.attacks import CASES
from grading_cases.harness import ATTACK_CELL_TIMEOUT, Listener, context, grade, sandbox_problem

pytestmark = [pytest.mark.grading]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    if sandbox_problem():
        pytest.skip(f"the attack suite needs the sandbox: {sandbox_problem()}")
    course = tmp_path_factory.mktemp("attacks") / "course"
    course.mkdir()
    listener = Listener()
    ctx = context(course, listener.port)
    write_submissions(ctx, CASES)
    # the one batch of the suite with cells made to be slow (an infinite loop, a loop that ignores SIGINT):
    # they wait ATTACK_CELL_TIMEOUT each, not the suites' CELL_TIMEOUT
    done = grade(course, "-a", ASSIGNMENT, cell_timeout=ATTACK_CELL_TIMEOUT)
    listener.close()
    assert done.returncode == 0, f"course grade failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return {"course": course, "ctx": ctx, "results": load_results(course), "stdout": done.stdout,
            "connections": listener.connections}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_gets_its_score_and_status(batch, case):
    got = batch["results"].get(case.name)
    assert got is not None, f"{case.name} ({case.about}) was not graded"
    summary = f"{case.name} ({case.about}): got {got['score']}/{TOTAL} {got['status']!r} ({got['reason']})"
    assert got["score"] == case.score, summary
    assert got["status"] == case.status, summary
    assert case.reason in got["reason"], summary


def test_nothing_reached_the_network(batch):
    assert batch["connections"] == [], "a submission connected to the grading machine's loopback"


def test_nothing_was_written_outside_the_sandbox(batch):
    case = next(c for c in CASES if c.name == "attack_writes_outside")
    ctx = batch["ctx"]
    leaked = [p for p in (h.replace("@COURSE@", str(ctx.course)).replace("@REPO@", str(ctx.repo)) for h in case.host_paths)
              if Path(p).exists()]
    assert not leaked, f"files written outside the sandbox: {leaked}"


def test_gradebook_holds_the_same_scores(batch):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{batch['course'] / 'gradebook.db'}") as gb:
        for case in CASES:
            sub = gb.find_submission(ASSIGNMENT, case.name)
            assert sub.score == case.score, f"{case.name}: gradebook says {sub.score}, expected {case.score}"


def test_grades_csv_has_one_row_per_exercise(batch):
    with open(batch["course"] / "grading" / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["student", "assignment", "notebook", "exercise", "score", "max_score", "status", "reason"]
    per_student = {}
    for row in rows:
        per_student.setdefault(row["student"], []).append(row)
    assert set(per_student) == {c.name for c in CASES}
    for case in CASES:
        exercises = per_student[case.name]
        assert len(exercises) == 9
        assert sum(float(r["score"]) for r in exercises) == case.score
        assert sum(float(r["max_score"]) for r in exercises) == TOTAL


def test_feedback_shows_no_hidden_test(batch):
    hidden = ["BEGIN HIDDEN TESTS", "default_rng(301)", "default_rng(304)", "def _softmax", "_sig(z)", "__grading__.begin",
              "__grading__.section"]
    for case in CASES:
        page = batch["course"] / "feedback" / case.name / ASSIGNMENT / f"{ASSIGNMENT}.html"
        assert page.is_file(), f"no feedback for {case.name}"
        html = page.read_text(encoding="utf-8")
        found = [h for h in hidden if h in html]
        assert not found, f"feedback of {case.name} shows hidden test code: {found}"
    stub = (batch["course"] / "feedback" / "honest_stub" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")
    assert "relu is not implemented yet" in stub


def test_audit_records_say_what_was_graded(batch):
    record = batch["results"]["honest_solution"]
    assert len(record["submission"]["sha256"]) == 64 and len(record["tests"]["source_sha256"]) == 64
    assert record["versions"]["nbgrader"] and record["versions"]["bubblewrap"]
    assert record["sandbox"]["sandboxed"] is True
    assert record["timings"]["sandbox"] > 0
    assert record["limits"]["memory_mb"] == 1024
    fork = batch["results"]["attack_fork_bomb"]
    assert "process" in json.dumps(fork["run"]["abort"])


def test_summary_prints_mean_time_per_notebook(batch):
    assert "mean" in batch["stdout"] and "per notebook" in batch["stdout"]


HIDDEN_MARKERS = ["BEGIN HIDDEN TESTS", "default_rng(301)", "default_rng(304)", "def _softmax", "_sig(z)", "__grading__"]
LEAKS = ["attack_prints_kept_test_cells", "attack_hidden_error_quotes_source", "attack_hidden_error_named_by_source",
         "attack_visible_error_quotes_hidden_tests"]


def test_no_reason_and_no_graded_notebook_shows_hidden_tests(batch):
    """What a learner may be handed besides the HTML: grades.csv rows and the autograded notebook."""
    with open(batch["course"] / "grading" / "grades.csv", newline="") as f:
        for row in csv.DictReader(f):
            found = [h for h in HIDDEN_MARKERS if h in row["reason"]]
            assert not found, f"{row['student']} {row['exercise']}: the reason shows test code: {row['reason']}"
    for case in LEAKS:
        graded = batch["course"] / "autograded" / case / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        outputs = json.dumps([c.get("outputs", []) for c in json.loads(graded.read_text())["cells"]])
        found = [h for h in HIDDEN_MARKERS if h in outputs]
        assert not found, f"the graded notebook of {case} shows test code in its outputs: {found}"


@pytest.mark.parametrize("case, kind", [("attack_hidden_error_quotes_source", "A hidden test failed: relu."),
                                        ("attack_hidden_error_named_by_source",
                                         "A hidden test raised an exception of a class defined in the notebook: relu.")])
def test_a_hidden_test_error_shows_its_type_and_its_name(batch, case, kind):
    cell = next(c for c in batch["results"][case]["cells"] if c["grade_id"] == "relu_tests")
    assert cell["score"] == 0 and cell["feedback"] == kind, cell["feedback"]


def test_a_visible_message_quoting_test_code_is_not_shown(batch):
    cell = next(c for c in batch["results"]["attack_visible_error_quotes_hidden_tests"]["cells"] if c["grade_id"] == "tanh_tests")
    assert cell["score"] == 0 and "not shown" in cell["feedback"] and "default_rng" not in cell["feedback"], cell["feedback"]


def test_outputs_below_the_first_test_cell_are_left_out_of_the_feedback(batch):
    from autograder.report import LEFT_OUT

    graded = batch["course"] / "autograded" / "attack_prints_kept_test_cells" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    cells = json.loads(graded.read_text())["cells"]
    printer = next(c for c in cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "debug_log_softmax")
    text = lambda o: "".join(o.get("text", ""))   # the .ipynb keeps a text as a list of lines
    assert [text(o) for o in printer["outputs"]] == [LEFT_OUT + "\n"]
    honest = batch["course"] / "autograded" / "honest_solution" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    first = next(c for c in json.loads(honest.read_text())["cells"] if c["cell_type"] == "code" and c.get("outputs"))
    assert LEFT_OUT not in json.dumps(first["outputs"]), "a cell above the first test cell lost its output"
