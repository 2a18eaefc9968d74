"""Submissions for the grading suites, as data: each case builds one file and says what it must get.

``Case.build(ctx)`` returns the bytes of the submitted file (and, optionally, the file name
inside ``submitted/<case>/<assignment>/``); ``score``, ``status`` and ``reason`` (a piece of
the one-line reason) are what `course grade` must report for it. The cases use notebook
03_activations (20 points): relu 2, sigmoid 3, tanh 2, softmax 3, softmax_jacobian 2,
checkpoint_a_layer 3, checkpoint_a_policy 2, checkpoint_a_greedy_action 1,
debug_log_softmax 2.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nbformat

ASSIGNMENT = "03_activations"
TOTAL = 20.0
POINTS = {"relu": 2, "sigmoid": 3, "tanh": 2, "softmax": 3, "softmax_jacobian": 2, "checkpoint_a_layer": 3,
          "checkpoint_a_policy": 2, "checkpoint_a_greedy_action": 1, "debug_log_softmax": 2}


@dataclass
class Context:
    solution: nbformat.NotebookNode      # the solutions notebook (full marks)
    student: nbformat.NotebookNode       # the released notebook (stubs, zero)
    course: Path                         # the course directory being graded (must stay out of reach)
    repo: Path
    port: int = 0                        # a TCP port on the host that must never be reached


@dataclass
class Case:
    name: str
    build: Callable[[Context], bytes | tuple[bytes, str]]
    score: float
    status: str
    reason: str = ""
    about: str = ""
    host_paths: list[str] = field(default_factory=list)   # files that must not exist on the host afterwards


def answer_ids(nb: nbformat.NotebookNode) -> list[str]:
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("solution")]


def cell(nb: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def with_answers(base: nbformat.NotebookNode, replace: dict[str, str] | None = None,
                 prepend: dict[str, str] | None = None, stub: list[str] | None = None,
                 student: nbformat.NotebookNode | None = None) -> nbformat.NotebookNode:
    """A copy of ``base`` with some answer cells replaced, prefixed, or set back to the stub."""
    nb = copy.deepcopy(base)
    for gid, code in (replace or {}).items():
        cell(nb, gid).source = code
    for gid, code in (prepend or {}).items():
        c = cell(nb, gid)
        c.source = code + "\n\n" + c.source
    for gid in stub or []:
        cell(nb, gid).source = cell(student, gid).source
    return nb


def dumps(nb: nbformat.NotebookNode) -> bytes:
    return nbformat.writes(nb).encode("utf-8")


def write_submissions(ctx: Context, cases: list[Case]) -> None:
    for case in cases:
        built = case.build(ctx)
        data, name = built if isinstance(built, tuple) else (built, f"{ASSIGNMENT}.ipynb")
        folder = ctx.course / "submitted" / case.name / ASSIGNMENT
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)


def load_results(course: Path) -> dict[str, dict]:
    """student -> its audit record (score, status, reason, cells...)."""
    out = {}
    for path in sorted((course / "grading" / "audit" / ASSIGNMENT).glob("*.json")):
        record = json.loads(path.read_text())
        out[record["student"]] = record
    return out
