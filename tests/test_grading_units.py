"""The grading pipeline's parts, each on its own (fast: no kernel, no sandbox)."""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from conftest import NOTEBOOK_NAMES, SOLUTIONS
from course_lib import check
from autograder import instrument, intake, plain, record, repair, verdict


# -- plain: what crosses the sandbox boundary ------------------------------------------------------
@pytest.mark.parametrize("value", [
    None, True, 3, -2**70, 0.5, math.nan, -math.inf, 1 + 2j, "text", (1, [2.0, "x"]), {"a": 1, 2: [None]},
    np.float32(1.5), np.int64(7), np.bool_(True), np.arange(6, dtype=np.int16).reshape(2, 3),
    np.array([[np.nan, np.inf], [-0.0, 1e-300]]), np.array(["left", "right"]), np.zeros((0, 3)),
    np.array([1 + 1j], dtype=np.complex64),
])
def test_plain_round_trip(value):
    back = plain.decode(json.loads(json.dumps(plain.encode(value))))
    if isinstance(value, np.ndarray):
        assert type(back) is np.ndarray and back.dtype == value.dtype and back.shape == value.shape
        assert np.array_equal(back, value, equal_nan=value.dtype.kind in "fc")
    elif isinstance(value, float) and math.isnan(value):
        assert math.isnan(back)
    else:
        assert back == value and type(back) is type(value)


def test_plain_reduces_hostile_objects_to_their_data_or_to_nothing():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

        def tolist(self):
            return [42]

    class Anything:
        def __eq__(self, other):
            return True

    liar = np.array([1.0, 2.0]).view(Liar)
    back = plain.decode(plain.encode(liar))
    assert type(back) is np.ndarray and back.tolist() == [1.0, 2.0]
    with pytest.raises(plain.DecodeError):
        plain.decode(plain.encode(Anything()))
    assert plain.encode(np.array([object()], dtype=object))["t"] == "opaque"


@pytest.mark.parametrize("forged", [
    {"t": "nd", "dtype": "|O", "shape": [1], "data": [1]},
    {"t": "nd", "dtype": "<f8", "shape": [3], "data": [1.0]},
    {"t": "nd", "dtype": "<f8", "shape": [1], "data": ["NaN-ish"]},
    {"t": "int", "v": "12abc"},
    {"t": "pickle", "v": "gASV"},
    {"t": "bool", "v": 1},
    ["not", "a", "dict"],
])
def test_plain_rejects_forgeries(forged):
    with pytest.raises(plain.DecodeError):
        plain.decode(forged)


# -- instrument: expected values never reach the sandbox ---------------------------------------------
def _test_cells(name):
    nb = nbformat.read(SOLUTIONS / f"{name}.ipynb", as_version=4)
    cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    others = [c.source for c in nb.cells if c.cell_type == "code"]
    return nb, cells, others


def _learner_names(nb):
    return instrument.defined_names([c.source for c in nb.cells if c.cell_type == "code" and repair.role(c) == repair.ANSWER])


def _own_expected(node):
    """The expression inside ``__grading__.own(...)``, or None when ``node`` is not that wrapper."""
    import ast

    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "own"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "__grading__" and len(node.args) == 1):
        return node.args[0]
    return None


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_sandbox_tests_hold_no_expected_value_and_no_private_reference(name):
    import ast

    nb, cells, others = _test_cells(name)
    learner = _learner_names(nb)
    for cell in cells:
        protected = instrument.names_used([s for s in others if s is not cell.source])
        sandboxed = instrument.instrument(cell.source, "sandbox", protected, learner)
        reference = instrument.instrument(cell.source, "reference", protected, learner)
        tree = ast.parse(sandboxed)
        for node in ast.walk(tree):
            if instrument._is_check(node, {"close", "equal"}):
                expected = node.args[1] if len(node.args) > 1 else next(k.value for k in node.keywords if k.arg == "expected")
                if _own_expected(expected) is None:   # else: the learner's own earlier result (next test)
                    assert isinstance(expected, ast.Constant) and expected.value is None, ast.unparse(node)
        # a private helper the sandboxed test no longer uses (a reference implementation) is gone; one it
        # still calls or passes on (check.prerequisite("f", _f_is_right)) stays
        for fn in re.findall(r"^def (_\w+)\(", reference, flags=re.M):
            if not re.search(rf"(?<!def )\b{fn}\b", sandboxed):
                assert f"def {fn}(" not in sandboxed, f"{fn} is still defined in the sandbox version"
        assert sandboxed.startswith("__grading__.begin()") and sandboxed.rstrip().endswith("__grading__.done()")
        kinds = lambda src: re.findall(r"check\.(\w+)\(|__grading__\.(begin|section|done)\(", src)
        assert kinds(sandboxed) == kinds(reference), f"{cell.metadata.nbgrader.grade_id}: the two versions record differently"


#: Checks of the solutions known to take their expected value from the learner's own results
#: ("two runs with the same seed agree"), which must be found: notebook -> {test cell: [expressions]}.
#: (Others, e.g. 09's "two runs with generators of the same seed", are held to the scan below.)
SELF_CONSISTENCY = {"02_perceptron": {"train_perceptron_tests": ["_first"]}}


def _learner_bound_before(tree, line: int) -> set[str]:
    """A plain scan, independent of instrument's: the names whose last assignment above ``line`` (in
    the text) takes the result of a check.call / no_mutation / no_warnings, of a function of the cell
    that makes one, or of another such name."""
    import ast

    runs = {"call", "no_mutation", "no_warnings"}
    local = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)
             and any(instrument._is_check(m, runs) for m in ast.walk(n))}
    inside = {id(m) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) for m in ast.walk(f) if m is not f}
    assigns = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Assign) and id(n) not in inside and n.lineno < line),
                     key=lambda n: n.lineno)
    names: set[str] = set()
    for node in assigns:
        learners = any(instrument._is_check(m, runs) or (isinstance(m, ast.Call) and isinstance(m.func, ast.Name)
                                                          and m.func.id in local)
                       or (isinstance(m, ast.Name) and m.id in names) for m in ast.walk(node.value))
        bound = {t.id for target in node.targets for t in ast.walk(target) if isinstance(t, ast.Name)}
        names = names | bound if learners else names - bound
    return names


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_every_expected_value_built_from_the_learners_results_is_found(name):
    """Scan every test cell: an expected value computed from the learner's own output (a second run
    that must repeat the first) is judged on the learner's values, never against the reference's."""
    import ast

    nb, cells, others = _test_cells(name)
    learner = _learner_names(nb)
    found = {}
    for cell in cells:
        gid = cell.metadata.nbgrader.grade_id
        protected = instrument.names_used([s for s in others if s is not cell.source])
        sandboxed = instrument.instrument(cell.source, "sandbox", protected, learner)
        reference = instrument.instrument(cell.source, "reference", protected, learner)
        own = [ast.unparse(e) for e in map(_own_expected, ast.walk(ast.parse(sandboxed))) if e is not None]
        assert own == [ast.unparse(e) for e in map(_own_expected, ast.walk(ast.parse(reference))) if e is not None], gid
        if own:
            found[gid] = own
        tree = ast.parse(instrument._python(cell.source))
        for node in ast.walk(tree):
            if instrument._is_check(node, {"close", "equal"}) and len(node.args) > 1:
                reads = {n.id for n in ast.walk(node.args[1]) if isinstance(n, ast.Name)}
                if reads & _learner_bound_before(tree, node.lineno):
                    assert ast.unparse(node.args[1]) in own, f"{gid}: {ast.unparse(node)} is compared with the reference's value"
    for gid, expressions in SELF_CONSISTENCY.get(name, {}).items():
        assert set(expressions) <= set(found.get(gid, [])), (
            f"{name} {gid}: {expressions} compare the learner's results with each other, but only {found.get(gid)} "
            "were recognised as the learner's own")


def test_expected_values_from_the_learners_results_are_followed_through_the_cell():
    own = lambda src, **kw: [line for line in instrument.instrument(src, "sandbox", **kw).splitlines() if "__grading__.own(" in line]
    # directly, through a helper of the cell, through a learner name, through a parameter
    assert own("_a = check.call(f, 1)\n_b = check.call(f, 1)\ncheck.equal(_b, _a, name='again')\n") == [
        "check.equal(_b, __grading__.own(_a), name='again')"]
    assert own("def _run(x):\n    return check.no_mutation(f, x)[0]\n_a = _run(1)\ncheck.close(_run(1), _a + 0.0)\n")
    assert own("_a = f(3)\ncheck.close(f(3), _a)\n", learner={"f"})
    assert own("def _same(x, y):\n    check.equal(x, y)\n_same(check.call(f, 2), check.call(f, 2))\n") == [
        "    check.equal(x, __grading__.own(y))"]
    # not the learner's: inputs passed to it, values rebound to something else, reference values
    assert not own("_z = np.ones(3)\ncheck.close(check.call(f, _z), np.where(_z > 0, _z, 0.0))\n")
    assert not own("_a = check.call(f, 1)\n_a = np.zeros(3)\ncheck.close(check.call(f, 2), _a)\n")
    assert not own("_a = f(3)\ncheck.close(f(3), _a)\n")      # f is not known to be the learner's
    # in a loop, the value of the previous round counts
    assert own("_last = None\nfor _i in range(3):\n    check.equal(check.call(f, _i), _last)\n    _last = check.call(f, _i)\n")
    # and the reference version wraps the same expression, so both record the same
    src = "_a = check.call(f, 1)\ncheck.equal(check.call(f, 1), _a)\n"
    assert "check.equal(check.call(f, 1), __grading__.own(_a))" in instrument.instrument(src, "reference")


def test_an_expected_value_from_the_learners_results_may_not_need_reference_code():
    src = ("### BEGIN HIDDEN TESTS\ndef _ref(x):\n    return x * 2\n_a = check.call(f, 1)\n"
           "check.close(check.call(g, 1), _ref(_a), name='g')\n### END HIDDEN TESTS\n")
    with pytest.raises(instrument.InstrumentError, match="_ref"):
        instrument.instrument(src, "sandbox")
    # a learner's result used only as that expected value is kept (it is the learner's, not the reference's)
    ok = ("### BEGIN HIDDEN TESTS\n_a = check.call(f, 1)\ncheck.close(check.call(f, 1), _a, name='f')\n### END HIDDEN TESTS\n")
    out = instrument.instrument(ok, "sandbox")
    assert "_a = check.call(f, 1)" in out and "__grading__.own(_a)" in out


def test_hidden_tests_are_sent_to_the_kernel_as_a_second_part():
    out = instrument.instrument("x = 1\n### BEGIN HIDDEN TESTS\n_y = 2\ncheck.equal(check.call(f, _y), 2)\n"
                                "### END HIDDEN TESTS\nprint('ok')\n", "sandbox")
    first, second = instrument.split_hidden(out)
    assert first + second == out and "_y" not in first and second.startswith("__grading__.section('hidden')")
    assert instrument.split_hidden(instrument.instrument("x = 1\n", "sandbox")) == [instrument.instrument("x = 1\n", "sandbox")]


def test_hidden_reference_functions_of_03_never_reach_the_sandbox():
    nb, cells, others = _test_cells("03_activations")
    sandboxed = "\n".join(instrument.instrument(c.source, "sandbox", instrument.names_used(others)) for c in cells)
    reference = "\n".join(instrument.instrument(c.source, "reference", instrument.names_used(others)) for c in cells)
    for helper in ("def _softmax(", "def _sig(", "def _ref_layer(", "def _lsm("):
        if helper in reference:
            assert helper not in sandboxed


def test_slicing_keeps_inputs_and_names_other_cells_read():
    src = ("x = 1\n### BEGIN HIDDEN TESTS\n_rng = np.random.default_rng(1)\n_z = _rng.normal(size=3)\n"
           "def _ref(z):\n    return z * 2\n_want = _ref(_z)\n_shared = 5\ncheck.close(check.call(f, _z), _want, name='f')\n"
           "### END HIDDEN TESTS\n")
    out = instrument.instrument(src, "sandbox", protected={"_shared"})
    assert "_z = _rng.normal" in out and "_shared = 5" in out
    assert "_ref" not in out and "_want" not in out
    assert "__grading__.section('hidden')" in out


def test_is_true_conditions_export_the_values_they_read():
    out = instrument.instrument("check.is_true(len(result) == 2 and all(v > 0 for v in result), 'm')\n", "sandbox")
    assert "__grading__.cond(" in out and "{'result': result}" in out


# -- record: check in recording mode -----------------------------------------------------------------
def test_recording_mode_exports_instead_of_deciding():
    published = []
    recorder = record.Recorder("sandbox", "tok", published.append)
    check._recorder = recorder
    try:
        out = check.close(np.array([1.0, 2.0]), None, name="x")   # no expected value at all: cannot decide
        check.is_true(recorder.cond(False, {"n": 3}, "n == 2"), "n must be 2")
        with pytest.raises(check.CheckFailed):
            check.no_warnings(lambda: np.exp(np.array([1000.0])), name="f")
    finally:
        check._recorder = None
    assert isinstance(out, np.ndarray)
    records = [p[record.MIME] for p in published]
    assert [r["kind"] for r in records] == ["close", "is_true", "no_warnings"]
    assert records[0]["actual"]["data"] == [1.0, 2.0] and "expected" not in json.dumps(records[0])
    assert records[1]["value"] is False and records[1]["env"] == {"n": {"t": "int", "v": 3}}
    assert "overflow" in records[2]["warning"]


def test_recording_mode_exports_the_learners_own_expected_value():
    published = []
    recorder = record.Recorder("sandbox", "tok", published.append)
    check._recorder = recorder
    try:
        check.equal([1, 2], recorder.own([1, 3]), name="second run")
    finally:
        check._recorder = None
    got = published[0][record.MIME]
    assert got["own"] is True and plain.decode(got["expected"]) == [1, 3] and plain.decode(got["actual"]) == [1, 2]
    reference = record.Recorder("reference", "tok", published.append)
    check._recorder = reference
    try:
        with pytest.raises(check.CheckFailed):          # the real check, on the unwrapped value
            check.equal([1, 2], reference.own([1, 3]), name="second run")
    finally:
        check._recorder = None
    assert published[1][record.MIME]["own"] is True


# -- verdict: the trusted comparison ------------------------------------------------------------------
def _reference(records):
    return verdict.Reference("ref", {"t_tests": records})


def _ref(kind, **kw):
    return {"token": "ref", "seq": 0, "kind": kind, **kw}


def _got(kind, seq, **kw):
    return {"token": "sub", "seq": seq, "kind": kind, **kw}


REF = [_ref("begin"),
       _ref("close", actual=plain.encode(np.array([0.5, 1.0])),
            params={k: plain.encode(v) for k, v in {"expected": [0.5, 1.0], "name": "f(z)", "rtol": 1e-6, "atol": 1e-8,
                                                      "hint": None}.items()}),
       _ref("done")]


def _judge(records, status="ok", error=None):
    cell = {"index": 1, "status": status, "error": error, "records": records}
    v, _ = verdict.judge_cell("t_tests", 2.0, cell, _reference(REF), None, 0, "sub")
    return v


def test_verdict_passes_a_right_value_and_fails_a_wrong_one():
    right = _judge([_got("begin", 1), _got("close", 2, actual=plain.encode([0.5, 1.0])), _got("done", 3)])
    assert (right.outcome, right.score) == ("passed", 2.0)
    wrong = _judge([_got("begin", 1), _got("close", 2, actual=plain.encode([0.5, 2.0])), _got("done", 3)])
    assert wrong.score == 0 and "f(z) is wrong at index 1" in wrong.reason


@pytest.mark.parametrize("records, why", [
    ([_got("begin", 1), _got("close", 2, actual=plain.encode([0.5, 1.0]))], "stopped before its end"),
    ([_got("begin", 1), _got("close", 2, actual={"t": "opaque", "type": "Anything"}), _got("done", 3)], "not a number"),
    ([_got("begin", 3), _got("close", 2, actual=plain.encode([0.5, 1.0])), _got("done", 4)], "tampered"),
    ([_got("begin", 1), _got("close", 2, actual=plain.encode([0.5, 1.0])), _got("done", 3),
      {"token": "guess", "seq": 9, "kind": "done"}], "tampered"),
    ([_got("begin", 1), _got("done", 2)], "did not run as written"),
])
def test_verdict_withholds_points_from_incomplete_or_forged_runs(records, why):
    v = _judge(records)
    assert v.score == 0 and why in v.reason, v.reason


def test_hidden_failures_name_the_test_but_not_its_values():
    ref = [REF[0], _ref("section", section="hidden"), REF[1], _ref("section", section="visible"), REF[2]]
    cell = {"index": 1, "status": "ok", "records": [_got("begin", 1), _got("section", 2, section="hidden"),
                                                    _got("close", 3, actual=plain.encode([0.5, 7.0])),
                                                    _got("section", 4, section="visible"), _got("done", 5)]}
    v, _ = verdict.judge_cell("t_tests", 2.0, cell, verdict.Reference("ref", {"t_tests": ref}), None, 0, "sub")
    assert v.score == 0 and v.feedback.startswith("A hidden test failed: f(z).") and "7" not in v.feedback


def test_a_self_consistency_check_compares_the_learners_two_values():
    ref = [_ref("begin"), _ref("equal", own=True, actual=plain.encode([3, 1, 0]),
                                params={"expected": plain.encode([3, 1, 0]), "name": plain.encode("second run"),
                                        "hint": plain.encode(None)}), _ref("done")]
    reference = verdict.Reference("ref", {"t_tests": ref})

    def judged(**fields):
        cell = {"index": 1, "status": "ok", "records": [_got("begin", 1), _got("equal", 2, **fields), _got("done", 3)]}
        return verdict.judge_cell("t_tests", 3.0, cell, reference, None, 0, "sub")[0]

    # another valid random stream: not the reference's errors, but the same twice
    assert judged(actual=plain.encode([5, 2, 2, 0]), expected=plain.encode([5, 2, 2, 0])).score == 3.0
    assert judged(actual=plain.encode([5, 2, 2, 0]), expected=plain.encode([4, 2, 0])).score == 0
    assert judged(actual=plain.encode([3, 1, 0])).score == 0           # no earlier result recorded


def _hidden_ref():
    return [_ref("begin"), _ref("section", section="hidden"),
            _ref("no_mutation", before=[], params={"name": plain.encode("relu")}),
            _ref("close", actual=plain.encode([1.0]), params={"expected": plain.encode([1.0]),
                 "name": plain.encode("relu(z) on a random 3-D array"), "hint": plain.encode("max(z, 0)")}),
            _ref("section", section="visible"), _ref("done")]


@pytest.mark.parametrize("ename, evalue", [
    ("CheckFailed", "relu raised ValueError when called with (array of shape (6, 4, 3)): _rng = np.random.default_rng(301)"),
    ("ValueError", "__grading__.section('hidden') _rng = np.random.default_rng(301)"),
    ("_rng = np.random.default_rng(301)", "_rng = np.random.default_rng(301)"),
    ("Timeout", "_rng = np.random.default_rng(301)"),       # an exception named Timeout, not the runner's timeout
])
def test_a_hidden_test_that_raises_shows_its_type_name_and_hint_only(ename, evalue):
    reference = verdict.Reference("ref", {"t_tests": _hidden_ref()})
    cell = {"index": 1, "status": "error", "hidden_sent": True, "error": {"ename": ename, "evalue": evalue},
            "records": [_got("begin", 1), _got("section", 2, section="hidden")]}
    v, _ = verdict.judge_cell("t_tests", 2.0, cell, reference, None, 0, "sub")
    assert v.score == 0 and "default_rng" not in v.feedback + v.reason and "section(" not in v.feedback
    assert v.feedback.startswith("A hidden test") and ": relu." in v.feedback, v.feedback
    if ename == "ValueError":
        assert v.feedback.startswith("A hidden test raised ValueError: relu.")
    if ename.startswith("_rng"):
        assert "a class defined in the notebook" in v.feedback
    # the runner's word counts, not the records': records stopped early still make it a hidden test's error
    cell = dict(cell, records=[_got("begin", 1)])
    assert "default_rng" not in verdict.judge_cell("t_tests", 2.0, cell, reference, None, 0, "sub")[0].feedback


def test_an_error_before_the_hidden_tests_keeps_its_message():
    reference = verdict.Reference("ref", {"t_tests": [_ref("begin"), REF[1], *_hidden_ref()[1:]]})
    cell = {"index": 1, "status": "error", "hidden_sent": False, "records": [_got("begin", 1)],
            "error": {"ename": "CheckFailed", "evalue": "relu is not implemented yet."}}
    assert verdict.judge_cell("t_tests", 2.0, cell, reference, None, 0, "sub")[0].feedback == "relu is not implemented yet."


def test_feedback_never_quotes_the_graded_test_code():
    hidden = "__grading__.begin()\n__grading__.section('hidden')\n_rng = np.random.default_rng(301)\n_z = _rng.normal(size=(6, 4, 3)) * 50.0\n"
    quotes = verdict.Quotes([hidden], ["check.close(relu(z), [0.0])", "relu(z) on a random 3-D array"])
    leak = "tanh raised ValueError when called with (array of shape (3,)): _rng = np.random.default_rng(301) _z = _rng"
    assert quotes.quoted(leak) and quotes.quoted(" ".join(leak.split("_z")))
    assert not quotes.quoted("A hidden test failed: relu(z) on a random 3-D array.")
    assert not quotes.quoted("relu is wrong at index 1: got 7, expected 0.5.")
    assert not quotes.quoted(leak, own=" ".join(hidden.split()))          # the learner's own code is theirs
    v = verdict.CellVerdict("t", 2, 0, "graded", "failed", leak, leak)
    quotes.scrub([v])
    assert v.feedback == v.reason == verdict.QUOTED


def test_feedback_keeps_no_output_of_cells_run_after_a_test_cell():
    from autograder import report

    source = nbformat.v4.new_notebook()
    test_meta = {"nbgrader": {"grade": True, "solution": False, "locked": True, "points": 1, "grade_id": "t_tests",
                              "schema_version": 3}}
    source.cells = [nbformat.v4.new_code_cell("print('before')"), nbformat.v4.new_code_cell("check.equal(1, 1)", metadata=test_meta),
                    nbformat.v4.new_code_cell("print(kept_cells)"), nbformat.v4.new_code_cell("raise type('x' * 50, (Exception,), {})()")]
    result = {"cells": [
        {"index": 0, "outputs": [{"output_type": "stream", "name": "stdout", "text": "before\n"}]},
        {"index": 1, "outputs": []},
        {"index": 2, "outputs": [{"output_type": "stream", "name": "stdout", "text": "__grading__.begin() SECRET\n"}]},
        {"index": 3, "status": "error", "error": {"ename": "x" * 50, "evalue": "SECRET"},
         "outputs": [{"output_type": "error", "ename": "x" * 50, "evalue": "SECRET", "traceback": ["SECRET"]}]}]}
    v = verdict.CellVerdict("t_tests", 1, 1, "graded", "passed", "passed", "passed")
    fb = report.feedback_notebook(source, source, result, [v], "graded")
    text = json.dumps(fb)
    assert "before" in text and "SECRET" not in text and "x" * 50 not in text
    assert report.LEFT_OUT in fb.cells[3].outputs[0]["text"] and "raised an exception" in fb.cells[4].outputs[0]["text"]


# -- repair and intake ----------------------------------------------------------------------------------
def test_repair_restores_grade_cells_and_drops_outputs():
    source = nbformat.read(SOLUTIONS / f"{NOTEBOOK_NAMES[0]}.ipynb", as_version=4)
    tests = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")]
    broken = nbformat.from_dict(json.loads(nbformat.writes(source)))
    broken.cells = [c for c in broken.cells if c.metadata.get("nbgrader", {}).get("grade_id") != tests[0].metadata.nbgrader.grade_id]
    broken.cells[1].outputs = [nbformat.v4.new_output("stream", text="old output")]
    fixed = repair.repair(nbformat.writes(broken).encode(), source, source, 10**8)
    assert fixed.nb is not None
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in fixed.nb.cells]
    assert ids.count(tests[0].metadata.nbgrader.grade_id) == 1
    assert all(not c.get("outputs") for c in fixed.nb.cells if c.cell_type == "code")
    assert any("restored deleted test cell" in n for n in fixed.notes)


def test_shards_split_the_class_without_overlap():
    subs = [intake.Submission(f"s{i}", "a", "a", None) for i in range(200)]
    parts = [intake.shard(subs, i, 3) for i in (1, 2, 3)]
    assert sorted(s.student for p in parts for s in p) == sorted(s.student for s in subs)
    assert all(parts)
    with pytest.raises(intake.IntakeError):
        intake.parse_shard("0/2")


def test_grading_refuses_without_a_sandbox(monkeypatch, tmp_path, capsys):
    from autograder import cli, sandbox

    monkeypatch.setattr(sandbox, "bwrap_path", lambda: None)
    (tmp_path / "alice.ipynb").write_text("{}")
    parser = __import__("argparse").ArgumentParser()
    sub = parser.add_subparsers()
    cli.add_parser(sub)
    args = parser.parse_args(["grade", str(tmp_path), "-a", "03_activations", "--course", str(tmp_path / "course")])
    assert cli.run(args) == cli.EXIT_NO_SANDBOX
    assert "--unsandboxed" in capsys.readouterr().err


def test_grading_refuses_a_course_directory_the_sandbox_can_see(monkeypatch, tmp_path, capsys):
    import sys

    from autograder import cli, sandbox

    monkeypatch.setattr(sandbox, "probe", lambda: sandbox.SandboxInfo(True, version="test"))
    inside = Path(sys.prefix) / "course-under-the-venv"   # bound read-only into every sandbox
    assert sandbox.exposure({"course directory": inside}) is not None
    assert sandbox.exposure({"course directory": tmp_path / "course"}) is None
    (tmp_path / "alice.ipynb").write_text("{}")
    parser = __import__("argparse").ArgumentParser()
    cli.add_parser(parser.add_subparsers())
    args = parser.parse_args(["grade", str(tmp_path), "-a", "03_activations", "--course", str(tmp_path / "course"),
                              "--cache", str(inside / "cache")])
    assert cli.run(args) == cli.EXIT_SETUP
    err = capsys.readouterr().err
    assert "reference cache" in err and "every sandbox can read" in err, err


def test_sandbox_can_enter_bound_folders_under_tmp(monkeypatch, tmp_path):
    """A repository (so its venv and course_lib) cloned under /tmp must be usable inside the sandbox,
    whose /tmp is private: the folders leading to the binds are made, and readable by its uid."""
    import os
    import shutil
    import subprocess
    import sys
    import tempfile

    from autograder import sandbox

    if not sandbox.probe().available:
        pytest.skip("bubblewrap cannot run here")
    clone = Path(tempfile.mkdtemp(prefix="clone-", dir="/tmp"))   # not pytest's tmp_path: that one is 0700
    shared = clone / "deeper" / "lib"
    shared.mkdir(parents=True)
    (shared / "marker.txt").write_text("reachable")
    real = sandbox.python_paths()
    monkeypatch.setattr(sandbox, "python_paths", lambda: [*real, str(shared)])
    job = tmp_path / "job"
    for d in ("home/work", "tmp", "etc"):
        (job / d).mkdir(parents=True)
    uid = sandbox.UID_BASE + os.getpid() if os.geteuid() == 0 else None
    shown = uid if uid is not None else os.getuid()
    (job / "etc" / "passwd").write_text(f"grader:x:{shown}:{shown}:grader:/home/grader:/bin/false\n")
    (job / "etc" / "group").write_text(f"grader:x:{shown}:\n")
    if uid is not None:
        for root, dirs, names in os.walk(job):
            for n in dirs + names:
                os.chown(os.path.join(root, n), uid, uid)
    argv = sandbox.command(job, uid, None, {"HOME": sandbox.SANDBOX_HOME, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    at = argv.index(sys.executable, argv.index("--"))
    argv = argv[: at + 1] + ["-c", f"print(open({str(shared / 'marker.txt')!r}).read())"]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    finally:
        shutil.rmtree(clone, ignore_errors=True)
    assert done.returncode == 0 and done.stdout.strip() == "reachable", done.stderr[-1000:]


def test_only_test_cells_spend_the_record_budget():
    """A demonstration that checks a large array (notebook 11 once compared a photograph's feature maps) must not
    use up the record budget, or the test cells after it lose their records and the solution fails as reference."""
    from autograder.execute import MIME, Budget, CellRun, _handle

    message = {"msg_type": "display_data", "content": {"data": {MIME: "x" * 900}}}
    budget = Budget(per_cell=10_000, total=10_000, records=1_000)
    demo, test = CellRun(3, keeps_records=False), CellRun(4, keeps_records=True)
    for _ in range(5):
        _handle(message, demo, budget, figures=False)
    assert demo.records == [] and not budget.records_overflow
    _handle(message, test, budget, figures=False)
    assert test.records == ["x" * 900] and not budget.records_overflow
    _handle(message, test, budget, figures=False)
    assert len(test.records) == 1 and budget.records_overflow  # the test cells' own budget still holds
