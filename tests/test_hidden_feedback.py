"""Every hidden check says what it tried and gives a hint about the cause.

A hidden test's values never reach the learner: `course grade` shows "A hidden test failed:
<name>." and the check's hint (docs/grading.md, "Feedback"). A check with no name or no hint
would leave them with nothing to act on. This reads the solutions notebooks' test cells (no
kernel): every check recorded inside BEGIN/END HIDDEN TESTS, and every check inside a helper
function of the test cells that the hidden block calls, must carry ``hint=`` and either
``name=`` or, for ``check.is_true``, its message (which then must not be empty).
"""
from __future__ import annotations

import ast

import pytest

from conftest import NOTEBOOK_NAMES, SOLUTIONS
from course_lib.exercises import nbgrader_meta, read

#: the checks that the grader records and judges (no_mutation and no_warnings are named by their call)
RECORDED = {"close", "equal", "shape", "finite", "dtype_kind", "sums_to_one", "in_range", "is_true"}
BEGIN, END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def _checks(tree: ast.AST):
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "check" and node.func.attr in RECORDED):
            yield node


def missing(node: ast.Call) -> list[str]:
    """What a check call lacks: 'hint', 'name' (or an is_true message)."""
    keywords = {k.arg: k.value for k in node.keywords}
    is_true = node.func.attr == "is_true"
    hint = keywords.get("hint", node.args[2] if is_true and len(node.args) >= 3 else None)
    out = []
    if hint is None or (isinstance(hint, ast.Constant) and not hint.value):
        out.append("hint")
    if is_true:
        message = keywords.get("message", node.args[1] if len(node.args) >= 2 else None)
        if message is None or (isinstance(message, ast.Constant) and not message.value):
            out.append("message")
    elif "name" not in keywords:
        out.append("name")
    return out


def problems(name: str) -> list[str]:
    nb = read(SOLUTIONS / f"{name}.ipynb")
    helpers: dict[str, ast.FunctionDef] = {}
    hidden: list[tuple[str, ast.Module]] = []
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type != "code" or not meta.get("grade"):
            continue
        whole = ast.parse(cell.source.replace(BEGIN, "").replace(END, ""))
        helpers.update({n.name: n for n in ast.walk(whole) if isinstance(n, ast.FunctionDef)})
        if BEGIN in cell.source:
            hidden.append((meta["grade_id"], ast.parse(cell.source.split(BEGIN, 1)[1].split(END, 1)[0])))
    found = []
    for gid, tree in hidden:
        called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        nodes = [(n, "") for n in _checks(tree)]
        for helper in sorted(called & set(helpers)):
            nodes += [(n, f" (in {helper})") for n in _checks(helpers[helper])]
        for node, where in nodes:
            lacks = missing(node)
            if lacks:
                found.append(f"{gid}{where}: check.{node.func.attr} has no {' and no '.join(lacks)}: "
                             f"{ast.unparse(node)[:120]}")
    return found


def test_the_rule_sees_a_check_without_hint():
    tree = ast.parse("check.close(a, b, name='x')\ncheck.is_true(c, 'm', hint='h')\ncheck.shape(a, (2,), hint='h')")
    assert [missing(n) for n in _checks(tree)] == [["hint"], [], ["name"]]


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_every_hidden_check_names_what_it_tried_and_hints_at_the_cause(name):
    found = problems(name)
    assert not found, f"{name}: {len(found)} hidden checks would fail without saying what or why:\n" + "\n".join(found[:40])
