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


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_sandbox_tests_hold_no_expected_value_and_no_private_reference(name):
    import ast

    _, cells, others = _test_cells(name)
    for cell in cells:
        protected = instrument.names_used([s for s in others if s is not cell.source])
        sandboxed = instrument.instrument(cell.source, "sandbox", protected)
        reference = instrument.instrument(cell.source, "reference", protected)
        tree = ast.parse(sandboxed)
        for node in ast.walk(tree):
            if instrument._is_check(node, {"close", "equal"}):
                expected = node.args[1] if len(node.args) > 1 else next(k.value for k in node.keywords if k.arg == "expected")
                assert isinstance(expected, ast.Constant) and expected.value is None, ast.unparse(node)
        # a private helper the sandboxed test no longer calls (a reference implementation) is gone
        for fn in re.findall(r"^def (_\w+)\(", reference, flags=re.M):
            if not re.search(rf"(?<!def ){fn}\(", sandboxed):
                assert f"def {fn}(" not in sandboxed, f"{fn} is still defined in the sandbox version"
        assert sandboxed.startswith("__grading__.begin()") and sandboxed.rstrip().endswith("__grading__.done()")
        kinds = lambda src: re.findall(r"check\.(\w+)\(|__grading__\.(begin|section|done)\(", src)
        assert kinds(sandboxed) == kinds(reference), f"{cell.metadata.nbgrader.grade_id}: the two versions record differently"


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
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    finally:
        shutil.rmtree(clone, ignore_errors=True)
    assert done.returncode == 0 and done.stdout.strip() == "reachable", done.stderr[-1000:]
