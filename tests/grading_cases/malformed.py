"""Broken submissions, each with the status and reason it must get; honest ones alongside.

Plain nbgrader stops on several of these (a duplicated grade cell aborts the whole batch),
or scores them wrongly; `course grade` repairs what it can from the source notebook and
calls the rest ungradable with a reason a human can act on.
"""
from __future__ import annotations

import copy
import json

import nbformat

from . import TOTAL, Case, Context, cell, dumps, with_answers


def _nb(ctx: Context, edit) -> bytes:
    nb = copy.deepcopy(ctx.solution)
    edit(nb)
    return dumps(nb)


def _drop(gid: str):
    def edit(nb):
        nb.cells.remove(cell(nb, gid))
    return edit


def _duplicate(gid: str):
    def edit(nb):
        c = cell(nb, gid)
        twin = copy.deepcopy(c)
        twin.id = f"{c.id}-copy"[:64]
        nb.cells.insert(nb.cells.index(c) + 1, twin)
    return edit


def _newer_schema(nb):
    for gid in ("relu", "relu_tests"):
        cell(nb, gid).metadata["nbgrader"]["schema_version"] = 99
    cell(nb, "sigmoid").metadata["nbgrader"]["grade"] = True        # an answer cell claiming to be a test
    cell(nb, "sigmoid").metadata["nbgrader"]["points"] = 50


def _fake_grade_cell(nb):
    bonus = nbformat.v4.new_code_cell("print('bonus')")
    bonus.metadata["nbgrader"] = {"grade": True, "grade_id": "bonus_tests", "locked": True, "points": 100,
                                  "schema_version": 3, "solution": False, "task": False}
    nb.cells.insert(3, bonus)


def _edited_test_cell(ctx: Context) -> bytes:
    nb = with_answers(ctx.solution, replace={"debug_log_softmax": "def log_softmax(z):\n    return z\n"})
    cell(nb, "debug_log_softmax_tests").source = "print('log_softmax: the visible tests pass.')"
    return dumps(nb)


def _garbage_cells(ctx: Context) -> bytes:
    obj = json.loads(dumps(ctx.solution))
    obj["cells"].insert(2, {"cell_type": "bogus", "source": "x", "metadata": {}})
    obj["cells"].insert(3, {"cell_type": "code", "source": 42, "metadata": {}, "outputs": [], "execution_count": None})
    obj["cells"][1]["outputs"] = [{"output_type": "nonsense"}]
    obj["cells"][1]["execution_count"] = "seven"
    return json.dumps(obj).encode()


def _nbformat3(ctx: Context) -> bytes:
    v3 = nbformat.convert(copy.deepcopy(ctx.solution), 3)
    return json.dumps(v3).encode()


def _oversized(ctx: Context) -> bytes:
    nb = copy.deepcopy(ctx.solution)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="y" * 21_000_000)]
    return dumps(nb)


CASES = [
    Case("honest_solution", lambda ctx: dumps(ctx.solution), TOTAL, "graded", "graded", "the solutions notebook"),
    Case("honest_stub", lambda ctx: dumps(ctx.student), 0, "graded", "graded", "the untouched student notebook"),
    Case("deleted_test_cell", lambda ctx: _nb(ctx, _drop("relu_tests")), TOTAL, "graded",
         "restored deleted test cell 'relu_tests'", "a test cell deleted by the learner"),
    # tanh's own 2 points are lost; checkpoint_a_layer, which calls tanh, is graded with the solution's tanh
    # (autograder/stand_ins.py: one bug costs its points once) and keeps its 3
    Case("deleted_answer_cell", lambda ctx: _nb(ctx, _drop("tanh")), TOTAL - 2, "graded",
         "answer cell 'tanh' was missing", "an answer cell deleted (tanh is then undefined; checkpoint_a_layer uses it)"),
    Case("duplicated_grade_cell", lambda ctx: _nb(ctx, _duplicate("relu_tests")), TOTAL, "graded",
         "removed a duplicate of grade cell 'relu_tests'", "a grade cell pasted twice (aborts a plain nbgrader batch)"),
    Case("duplicated_answer_cell", lambda ctx: _nb(ctx, _duplicate("softmax")), TOTAL, "graded",
         "removed a duplicate of answer cell 'softmax'", "an answer cell pasted twice"),
    Case("newer_schema_version", lambda ctx: _nb(ctx, _newer_schema), TOTAL, "graded",
         "reset the grading metadata", "schema_version 99 and an answer cell flagged as a 50-point test"),
    Case("fake_grade_cell", lambda ctx: _nb(ctx, _fake_grade_cell), TOTAL, "graded",
         "removed grading metadata", "a cell of the learner's own claiming to be a 100-point test"),
    Case("edited_test_cell", _edited_test_cell, TOTAL - 2, "graded",
         "restored test cell 'debug_log_softmax_tests'", "a wrong answer whose test cell was replaced by a print"),
    Case("garbage_cells", _garbage_cells, TOTAL, "graded", "dropped 2 unreadable cells",
         "an unknown cell type, a numeric source, an invalid output and execution count"),
    Case("nbformat3", _nbformat3, TOTAL, "graded", "converted from nbformat 3", "an nbformat 3 notebook"),
    Case("renamed_notebook", lambda ctx: (dumps(ctx.solution), "03_activations (1).ipynb"), TOTAL, "graded",
         "renamed", "the notebook saved under another name"),
    Case("invalid_json", lambda ctx: dumps(ctx.solution)[:-200], 0, "ungradable", "not valid JSON", "a truncated file"),
    Case("empty_file", lambda ctx: b"", 0, "ungradable", "empty", "an empty file"),
    Case("non_utf8", lambda ctx: dumps(ctx.solution).replace(b"ReLU", b"Re\xff\xfeLU", 1), 0, "ungradable", "not UTF-8",
         "bytes that are not UTF-8"),
    Case("not_a_notebook", lambda ctx: b'["this", "is", "json"]', 0, "ungradable", "not a notebook", "JSON, but a list"),
    Case("nbformat5", lambda ctx: dumps(ctx.solution).replace(b'"nbformat": 4', b'"nbformat": 5', 1), 0, "ungradable",
         "nbformat 5 is not supported", "an unknown nbformat major version"),
    Case("oversized", _oversized, 0, "ungradable", "above the", "a 21 MB notebook (the limit is 20 MB)"),
]
