"""Submissions that prove a bug costs its points once under `course grade`.

An exercise *calls* another when the solution's answer or the exercise's tests use a name that
the other exercise's answer defines, and the other exercise is graded first (09's ``fit`` calls
``minibatches`` and ``accuracy``). For every exercise that calls others, some submission holds
that exercise right and every exercise it calls wrong (each with the first realistic mistake of
tests/mistakes/): the called exercises must lose all their points, the calling one keep all
of them, and every other exercise (left as the solution wrote it) keep all of its.

:func:`packs` puts as many of these pairs as fit into one submission: an exercise can be held
right in a submission only where none of the exercises it calls is held right there, and held
wrong only where it is not held right. A notebook needs two or three submissions, not one per
exercise.
"""
from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course_lib.earlier import _python
from course_lib.exercises import exercises, nbgrader_meta

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Pack:
    right: set[str] = field(default_factory=set)   # exercises that call others: must keep their points
    wrong: set[str] = field(default_factory=set)   # exercises they call, with a mistake: must lose theirs


def _names(source: str) -> set[str]:
    try:
        tree = ast.parse(_python(source))
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | \
           {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}


def _defined(source: str) -> set[str]:
    from autograder.stand_ins import top_level_names

    return {n for n in top_level_names(source) if not n.startswith("_")}


def calls(nb: nbformat.NotebookNode) -> dict[str, set[str]]:
    """Exercise -> the exercises graded before it whose names its answer (the solution's) or its tests use."""
    graded = exercises(nb)
    defines = {ex.name: set().union(*(_defined(nb.cells[i].source) for i in ex.answer_cells)) for ex in graded}
    first_test = {ex.name: min(t.index for t in ex.tests) for ex in graded}
    last_test = {ex.name: max(t.index for t in ex.tests) for ex in graded}
    out = {}
    for ex in graded:
        used = set().union(*(_names(nb.cells[i].source) for i in ex.answer_cells), *(_names(t.source) for t in ex.tests))
        used -= defines[ex.name]
        out[ex.name] = {other for other, names in defines.items()
                        if other != ex.name and names & used and last_test[other] < first_test[ex.name]}
    return out


def packs(nb: nbformat.NotebookNode) -> list[Pack]:
    found: list[Pack] = []
    for name, called in calls(nb).items():
        if not called:
            continue
        for pack in found:
            if name not in pack.wrong and not called & pack.right:
                pack.right.add(name)
                pack.wrong |= called
                break
        else:
            found.append(Pack({name}, set(called)))
    return found


def first_mistakes(notebook: str) -> dict[str, str]:
    path = ROOT / "tests" / "mistakes" / f"{notebook}.py"
    spec = importlib.util.spec_from_file_location(f"isolation_mistakes_{notebook}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {name: entries[0][1] for name, entries in module.MISTAKES.items() if entries}


def submission(nb: nbformat.NotebookNode, pack: Pack, mistakes: dict[str, str]) -> nbformat.NotebookNode:
    """The solutions notebook with each exercise of ``pack.wrong`` answered by its first mistake."""
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        gid = meta.get("grade_id")
        if meta.get("solution") and not meta.get("grade") and gid in pack.wrong:
            cell.source = mistakes[gid]
    return nb
