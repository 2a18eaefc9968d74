"""Read a notebook's graded structure from its nbgrader cell metadata.

nbgrader marks answer cells (``solution``) and test cells (``grade`` with ``points``).
The course adds one naming convention on top, so that tools can group cells into
exercises without a second source of truth: a test cell's ``grade_id`` is the
exercise's name followed by ``_tests`` (and an optional suffix), e.g. ``relu`` and
``relu_tests``. See docs/authoring.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
import json
from pathlib import Path

_TEST_SUFFIX = re.compile(r"_tests?(_[A-Za-z0-9_]*)?$")


def exercise_name(grade_id: str) -> str:
    """``relu_tests`` -> ``relu``; an answer cell's id is already the exercise name."""
    return _TEST_SUFFIX.sub("", grade_id)


@dataclass
class TestCell:
    grade_id: str
    points: float
    index: int
    source: str


@dataclass
class Exercise:
    name: str
    answer_cells: list[int] = field(default_factory=list)
    tests: list[TestCell] = field(default_factory=list)

    @property
    def points(self) -> float:
        return sum(t.points for t in self.tests)


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


class _Node(dict):
    """A notebook read as plain JSON, with nbformat's attribute access (``nb.cells``, ``cell.source``)."""

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _plain(value):
    if isinstance(value, dict):
        return _Node({k: _plain(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def read(path: str | Path) -> nbformat.NotebookNode:
    """The notebook at ``path``; cell sources are strings. Without nbformat (the browser), plain JSON."""
    try:
        import nbformat
    except ImportError:  # Pyodide has no nbformat; reading the cells is all `earlier` needs
        nb = _plain(json.loads(Path(path).read_text(encoding="utf-8")))
        for cell in nb.get("cells", []):
            if isinstance(cell.get("source"), list):
                cell["source"] = "".join(cell["source"])
        return nb
    return nbformat.read(str(path), as_version=4)


def exercises(nb: nbformat.NotebookNode) -> list[Exercise]:
    """The notebook's exercises in order of first appearance, each with its cells."""
    found: dict[str, Exercise] = {}
    for index, cell in enumerate(nb.cells):
        meta = nbgrader_meta(cell)
        grade_id = meta.get("grade_id")
        if not grade_id or cell.cell_type != "code":
            continue
        if meta.get("solution") and not meta.get("grade"):
            found.setdefault(grade_id, Exercise(grade_id)).answer_cells.append(index)
        elif meta.get("grade"):
            name = exercise_name(grade_id)
            test = TestCell(grade_id, float(meta.get("points", 0)), index, cell.source)
            found.setdefault(name, Exercise(name)).tests.append(test)
    return [ex for ex in found.values() if ex.tests]


def total_points(nb: nbformat.NotebookNode) -> float:
    return sum(ex.points for ex in exercises(nb))
