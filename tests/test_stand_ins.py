"""Stand-ins (autograder.stand_ins) and the deep no_mutation, without a grader run.

What is handed to a test cell at grading: only exercises whose tests already ran, never the
exercise under test, never the learner's own helper names; earlier.load at grading hands the
earlier notebook's solution pieces and refuses the current notebook's names. The end-to-end
proof (a mistake in a called exercise costs nothing elsewhere under `course grade`) is in
tests/test_grading_variants.py.
"""
from __future__ import annotations

import ast
import builtins

import nbformat
import numpy as np
import pytest

from autograder import stand_ins
from conftest import SOLUTIONS
from course_lib import check, earlier


def _nb(cells):
    nb = nbformat.v4.new_notebook()
    for kind, gid, source in cells:
        cell = nbformat.v4.new_code_cell(source)
        if kind == "setup":
            cell.metadata["nbgrader"] = {"grade_id": "setup", "locked": True, "grade": False, "solution": False}
        elif kind == "answer":
            cell.metadata["nbgrader"] = {"grade_id": gid, "solution": True, "grade": False}
        elif kind == "test":
            cell.metadata["nbgrader"] = {"grade_id": gid, "grade": True, "solution": False, "points": 1}
        nb.cells.append(cell)
    return nb


TOY = _nb([
    ("setup", "setup", "%matplotlib inline\nimport numpy as np"),
    ("plain", None, "def handed(x):\n    return x + 1\nprint(handed(slow_demo_value))"),
    ("answer", "double", "def double(x):\n    return 2 * x\n\n_private = 3"),
    ("test", "double_tests", "check.equal(double(2), 4)"),
    ("answer", "quad", "def quad(x):\n    return double(double(x))"),
    ("test", "quad_tests", "check.equal(quad(1), 4)"),
    ("answer", "later", "def later(x):\n    return quad(x) + handed(0)"),
    ("test", "later_tests", "check.equal(later(1), 5)"),
])


def test_a_test_gets_only_the_exercises_graded_before_it_never_its_own():
    assert stand_ins.plan(TOY) == {"double_tests": [], "quad_tests": ["double"], "later_tests": ["double", "quad"]}


def test_parts_keep_setup_and_definitions_of_ungraded_cells_but_not_their_demonstrations():
    parts = stand_ins.notebook_parts(TOY)
    assert "import numpy as np" in parts["base"] and "%matplotlib" not in parts["base"]
    assert "def handed" in parts["base"] and "slow_demo_value" not in parts["base"]
    assert parts["exercises"]["double"]["names"] == ["double", "_private"]


def test_the_prelude_hands_in_public_names_and_keeps_the_learners_own():
    parts = stand_ins.notebook_parts(TOY)
    code = stand_ins.prelude(parts, ["double", "quad"], keep={"quad"})
    assert code.startswith("__grading__.stand_ins(")
    chosen = ast.literal_eval(ast.parse(code).body[0].value.args[1])
    assert [(ex, names) for ex, _, names in chosen] == [("double", ["double"]), ("quad", [])]
    assert stand_ins.prelude(parts, [], keep=set()) == ""


def test_stand_ins_rebind_names_to_the_solutions_and_call_each_other(monkeypatch):
    user = {"double": lambda x: 0, "quad": lambda x: 0}

    class Shell:
        user_ns = user

    monkeypatch.setattr("IPython.get_ipython", lambda: Shell())
    parts = stand_ins.notebook_parts(TOY)
    hand_in = stand_ins.StandIns()
    hand_in(parts["base"], [(ex, parts["exercises"][ex]["code"], parts["exercises"][ex]["names"]) for ex in ("double", "quad")])
    assert user["quad"](3) == 12 and user["double"](5) == 10
    assert "handed" not in user  # helpers stay in the solutions' namespace


def test_earlier_load_at_grading_hands_the_solution_and_refuses_this_notebooks_names(monkeypatch):
    nb5 = nbformat.read(SOLUTIONS / "05_forward_propagation.ipynb", as_version=4)
    payload = stand_ins.earlier_payload({"05_forward_propagation": nb5, "09_training_loop": nb5}, "06_loss_functions",
                                        {"mse"})
    assert list(payload["notebooks"]) == ["05_forward_propagation"]  # later notebooks are never handed out
    monkeypatch.setattr(earlier, "_grading", stand_ins.Earlier(payload))
    mlp_forward = earlier.load("05_forward_propagation", "mlp_forward", folder="/nonexistent")
    rng = np.random.default_rng(0)
    layers = [(rng.normal(size=(3, 4)), np.zeros(4)), (rng.normal(size=(4, 2)), np.zeros(2))]
    out = mlp_forward(rng.normal(size=(5, 3)), layers, [lambda z: np.maximum(z, 0), lambda z: z])
    assert np.shape(out[0] if isinstance(out, tuple) else out) == (5, 2)
    with pytest.raises(earlier.EarlierMissing, match="exercise of this notebook"):
        earlier.load("05_forward_propagation", "mse")
    with pytest.raises(earlier.EarlierMissing, match="comes before"):
        earlier.load("09_training_loop", "fit")


def test_the_bootstrap_installs_stand_ins_on_the_recorder():
    from autograder.pipeline import bootstrap_code

    code = bootstrap_code("sandbox", "t0ken", False, {"current": "x", "refused": [], "notebooks": {}})
    assert "stand_ins" in code and "'current': 'x'" in code
    compile(code, "<bootstrap>", "exec")


@pytest.mark.parametrize("change, label", [
    (lambda layers: layers[0][0].__setitem__((0, 0), 9.0), "an array inside a tuple"),
    (lambda layers: layers.reverse(), "the order of a list of tuples"),
    (lambda layers: layers[1][1].fill(0.5), "the bias inside the second tuple"),
    (lambda layers: layers.append(layers[0]), "the length of a list"),
])
def test_no_mutation_sees_changes_inside_tuples_and_lists(change, label):
    def sneaky(layers):
        change(layers)
        return 0

    layers = [(np.zeros((2, 2)), np.zeros(2)), (np.ones((2, 1)), np.ones(1))]
    with pytest.raises(check.CheckFailed, match="in place"):
        check.no_mutation(sneaky, layers)


def test_no_mutation_sees_a_scalar_changed_in_a_dict_and_a_swapped_object():
    state = {"step": 1, "model": object()}
    with pytest.raises(check.CheckFailed, match="in place"):
        check.no_mutation(lambda s: s.update(step=2), state)
    with pytest.raises(check.CheckFailed, match="in place"):
        check.no_mutation(lambda s: s.update(model=object()), state)
    assert check.no_mutation(lambda s: s["step"] + 1, {"step": 1}) == 2  # reading is fine


def test_the_grader_compares_snapshots_the_same_way():
    from autograder import plain, verdict

    before = [(np.zeros(2), np.ones(1))]
    snap = plain.decode(plain.encode(check._snapshot(before)))
    before[0][0][1] = 3.0
    assert not verdict._same(snap, plain.decode(plain.encode(check._snapshot(before))))
    assert verdict._same(snap, plain.decode(plain.encode(check._snapshot([(np.zeros(2), np.ones(1))]))))


def test_python_loops_finds_loops_and_comprehensions():
    def looped(x):
        total = 0
        for v in x:
            total += v
        return [t for t in (total,)]

    def vectorised(x):
        return np.sum(x)

    assert check.python_loops(looped) == ["for (line 3)", "list comprehension (line 5)"]
    assert check.python_loops(vectorised) == []
    assert check.python_loops(builtins.len) == []
