"""What `course grade` leaves behind, through nbgrader where nbgrader has a place for it.

  gradebook      nbgrader's Gradebook API: student, submission (with its timestamp.txt),
                 ``auto_score`` of every grade cell, "No response." on untouched answers
  autograded/    the notebook as graded, for nbgrader's ``generate_feedback``: the
                 learner's cells, the (capped) outputs of those above the first test
                 cell, and under each test cell only the *released* test code and the
                 verdict: no hidden test, no traceback
  feedback/      nbgrader ``generate_feedback`` HTML, one per student and assignment
  grading/grades.csv          one row per exercise: student, assignment, notebook, exercise,
                              score, max_score, status, reason
  grading/audit/<a>/<s>.json  one record per submission: hashes of the submission and the
                              tests, package versions, sandbox and limits, timings, status,
                              repairs, per-cell results
"""
from __future__ import annotations

import csv
import json
import platform
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbformat import v4

from . import repair
from .verdict import CellVerdict, exception_name

STATUSES = ("graded", "ungradable", "crashed", "timeout", "resource limit")
CSV_COLUMNS = ["student", "assignment", "notebook", "exercise", "score", "max_score", "status", "reason"]
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass
class Graded:
    """Everything known about one graded submission."""
    student: str
    assignment: str
    notebook: str
    status: str
    reason: str
    score: float = 0.0
    max_score: float = 0.0
    cells: list[CellVerdict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    file: str | None = None
    sha256: str | None = None
    size: int | None = None
    timings: dict = field(default_factory=dict)
    run: dict = field(default_factory=dict)         # peaks, truncation, kernel log tail
    timestamp: str | None = None

    def exercises(self) -> list[dict]:
        rows: dict[str, dict] = {}
        for c in self.cells:
            from course_lib.exercises import exercise_name

            name = exercise_name(c.grade_id)
            row = rows.setdefault(name, {"exercise": name, "score": 0.0, "max_score": 0.0, "status": "graded", "reason": ""})
            row["score"] += c.score
            row["max_score"] += c.points
            if c.status != "graded" and row["status"] == "graded":
                row["status"] = c.status
            if c.outcome != "passed" and not row["reason"]:
                row["reason"] = f"{c.grade_id}: {c.reason}"
        for row in rows.values():
            row["reason"] = row["reason"] or "passed"
        return list(rows.values())


def fmt(points: float) -> str:
    return str(int(points)) if float(points).is_integer() else f"{points:g}"


# -- grades.csv and audit records -----------------------------------------------------------
def write_csv(path: Path, graded: list[Graded]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, CSV_COLUMNS)
        writer.writeheader()
        for g in sorted(graded, key=lambda g: (g.assignment, g.student)):
            for row in g.exercises():
                writer.writerow({"student": g.student, "assignment": g.assignment, "notebook": g.notebook,
                                 "exercise": row["exercise"], "score": fmt(row["score"]), "max_score": fmt(row["max_score"]),
                                 "status": g.status if g.status == "ungradable" else row["status"], "reason": row["reason"]})


_versions_cache: dict | None = None


def versions() -> dict:
    global _versions_cache
    if _versions_cache is None:
        from importlib.metadata import PackageNotFoundError, version

        out = {"python": platform.python_version(), "platform": platform.platform()}
        for name in ("course-lib", "nbgrader", "nbclient", "nbformat", "nbconvert", "jupyter_client", "ipykernel", "ipython",
                     "numpy", "matplotlib", "SQLAlchemy", "psycopg"):
            try:
                out[name] = version(name)
            except PackageNotFoundError:
                pass
        try:
            out["bubblewrap"] = subprocess.run(["bwrap", "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out["bubblewrap"] = None
        _versions_cache = out
    return _versions_cache


def audit_path(grading: Path, g: Graded) -> Path:
    return grading / "audit" / g.assignment / f"{g.student}.json"


def write_audit(grading: Path, g: Graded, context: dict) -> Path:
    record = {
        "student": g.student, "assignment": g.assignment, "notebook": g.notebook,
        "status": g.status, "reason": g.reason, "score": g.score, "max_score": g.max_score,
        "submission": {"file": g.file, "sha256": g.sha256, "bytes": g.size, "timestamp": g.timestamp},
        "tests": context.get("tests", {}),
        "repairs": g.notes, "flags": g.flags,
        "cells": [asdict(c) for c in g.cells],
        "timings": g.timings,
        "run": g.run,
        "sandbox": context.get("sandbox", {}),
        "limits": context.get("limits", {}),
        "grader": context.get("grader", {}),
        "versions": versions(),
    }
    path = audit_path(grading, g)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1, default=str) + "\n", encoding="utf-8")
    return path


# -- the autograded notebook that nbgrader turns into feedback -----------------------------
def _clean_output(out: dict) -> nbformat.NotebookNode | None:
    kind = out.get("output_type")
    if kind == "stream":
        return v4.new_output("stream", name=out.get("name", "stdout"), text=str(out.get("text", "")))
    if kind == "display_data":
        data = {k: v for k, v in (out.get("data") or {}).items() if k in ("text/plain", "image/png") and isinstance(v, str)}
        return v4.new_output("display_data", data=data) if data else None
    if kind == "error":
        trace = [_ANSI.sub("", str(t)) for t in out.get("traceback", [])]
        return v4.new_output("stream", name="stderr",
                             text="".join(trace) + f"\n{out.get('ename', 'Error')}: {out.get('evalue', '')}\n")
    return None


LEFT_OUT = "(output not kept in the feedback: only cells above the first test cell keep theirs)"


def _left_out(run: dict) -> list:
    """What stands for the outputs of a cell below the first test cell: a note, and the error's type."""
    error = run.get("error") if isinstance(run.get("error"), dict) else None
    if error:
        ename = str(error.get("ename") or "")
        kind = "ran too long" if ename == "Timeout" and run.get("status") == "timeout" else f"raised {exception_name(ename)}"
        return [v4.new_output("stream", name="stderr", text=f"This cell {kind} when it was graded. {LEFT_OUT}\n")]
    if any(isinstance(o, dict) for o in run.get("outputs") or []):
        return [v4.new_output("stream", name="stdout", text=LEFT_OUT + "\n")]
    return []


def feedback_notebook(nb: nbformat.NotebookNode | None, release: nbformat.NotebookNode, result: dict | None,
                      verdicts: list[CellVerdict], headline: str) -> nbformat.NotebookNode:
    """The learner's notebook with released test code, their outputs, and a verdict per test cell."""
    if nb is None:  # ungradable: the release, with the reason on top
        nb = nbformat.from_dict(json.loads(nbformat.writes(release)))
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
    else:
        nb = nbformat.from_dict(json.loads(nbformat.writes(nb)))
    visible = {repair._meta(c).get("grade_id"): c.source for c in release.cells if repair.role(c) == repair.TEST}
    by_index = {c.get("index"): c for c in (result or {}).get("cells", []) if isinstance(c, dict)}
    by_gid = {v.grade_id: v for v in verdicts}
    # Outputs of cells that ran after the kernel was given a test cell may hold what it saw of
    # that cell's grading version (a pre_run_cell hook keeping each raw_cell, printed later):
    # only the outputs of the cells above the first test cell are kept.
    first_test = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code" and repair.role(c) == repair.TEST), len(nb.cells))
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        gid = repair._meta(cell).get("grade_id")
        cell.execution_count = None
        if repair.role(cell) == repair.TEST:
            cell.source = visible.get(gid, "# (test code not shown)")
            v = by_gid.get(gid)
            text = "not graded" if v is None else (
                f"✔ passed: {fmt(v.score)} of {fmt(v.points)} points" if v.outcome == "passed"
                else f"✘ {fmt(v.score)} of {fmt(v.points)} points\n{v.feedback}")
            cell.outputs = [v4.new_output("stream", name="stdout", text=text + "\n")]
        elif index < first_test:
            run = by_index.get(index) or {}
            cell.outputs = [o for o in (_clean_output(o) for o in run.get("outputs", []) if isinstance(o, dict)) if o]
        else:
            cell.outputs = _left_out(by_index.get(index) or {})
    nb.cells.insert(0, v4.new_markdown_cell(f"**Autograder:** {headline}"))
    return nb


def write_autograded(course: Path, g: Graded, nb: nbformat.NotebookNode, submission_folder: Path | None) -> Path:
    folder = course / "autograded" / g.student / g.assignment
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    path = folder / f"{g.notebook}.ipynb"
    nbformat.write(nb, str(path))
    if submission_folder is not None and (submission_folder / "timestamp.txt").is_file():
        shutil.copy(submission_folder / "timestamp.txt", folder / "timestamp.txt")
    return path


# -- the gradebook ----------------------------------------------------------------------------
def write_gradebook(gb, g: Graded, nb: nbformat.NotebookNode | None, release: nbformat.NotebookNode) -> None:
    """Scores into nbgrader's gradebook the way its SaveAutoGrades would, from our verdicts."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbgrader's own SQLAlchemy autoflush warnings
        _write_gradebook(gb, g, nb, release)


def _write_gradebook(gb, g: Graded, nb: nbformat.NotebookNode | None, release: nbformat.NotebookNode) -> None:
    gb.update_or_create_student(g.student)
    if g.timestamp:
        gb.update_or_create_submission(g.assignment, g.student, timestamp=g.timestamp)
    else:
        gb.update_or_create_submission(g.assignment, g.student)
    sub_nb = gb.find_submission_notebook(g.notebook, g.assignment, g.student)
    scores = {c.grade_id: c.score for c in g.cells}
    for grade in sub_nb.grades:
        grade.auto_score = float(scores.get(grade.name, 0.0))
        grade.needs_manual_grade = grade.manual_score is not None
    answers = {repair._meta(c).get("grade_id"): c for c in (nb.cells if nb is not None else []) if repair.role(c) == repair.ANSWER}
    for comment in sub_nb.comments:
        cell = answers.get(comment.name)
        comment.auto_comment = "No response." if cell is None or repair.is_unanswered(cell, release) else None
    gb.db.commit()
