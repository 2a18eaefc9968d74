"""The trusted comparison: points come from here, never from the learner's kernel.

Inputs are plain data only: the reference records (the solutions notebook run trusted, in
``reference`` mode: kinds, expected values, tolerances and other parameters, per test
cell) and the records a submission's kernel exported from the sandbox (actual values).
A test cell earns its points only when
  * it ran without an exception and was not cut short,
  * its records carry this run's token, in increasing order, and have exactly the kinds and
    the order of the reference's (begin ... done: so it ran to its end, as written),
  * every recorded value, rebuilt strictly by :func:`plain.decode` (whitelisted dtypes, no
    objects), passes the same ``course_lib.check`` function with the *reference's*
    expected value and parameters, called here in the trusted process; where the
    reference marks the check ``own`` (its expected value is built from the learner's own
    results, e.g. a second run that must repeat the first), the expected value is the one
    the learner's kernel recorded, and only the parameters come from the reference.
``is_true`` conditions are re-evaluated here, from the exported values of the names they
read; only where that is impossible (the reference run says so) is the kernel's boolean
used. Messages of failed hidden tests name the test, never its values or source.
"""
from __future__ import annotations

import builtins
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from course_lib import check
from course_lib.check import CheckFailed

from . import plain

MARKERS = {"begin", "section", "done"}
VALUE_CHECKS = {"close", "equal", "shape", "finite", "dtype_kind", "sums_to_one", "in_range"}
SAFE_BUILTINS = {name: getattr(builtins, name) for name in (
    "abs", "all", "any", "bool", "dict", "enumerate", "float", "int", "isinstance", "len", "list", "max", "min",
    "range", "round", "set", "sorted", "str", "sum", "tuple", "zip")}


class ReferenceFailure(RuntimeError):
    """The solutions notebook does not pass its own tests (or its run is unusable)."""


@dataclass
class CellVerdict:
    grade_id: str
    points: float
    score: float
    status: str            # graded / timeout / crashed / resource limit / ungradable
    outcome: str           # passed / failed / not run
    reason: str            # one line, for grades.csv and the audit record
    feedback: str          # what the learner reads under the test cell


@dataclass
class Reference:
    token: str
    cells: dict[str, list[dict]]           # grade_id -> reference records
    evaluable: dict[tuple[str, int], bool] = field(default_factory=dict)
    quotes: "Quotes | None" = None         # set by the pipeline: what the feedback must not quote

    def strings(self) -> list[str]:
        """Every text parameter of the reference's checks (names, hints, messages): feedback may show these."""
        out = []
        for records in self.cells.values():
            for r in records:
                for value in (r.get("params") or {}).values():
                    try:
                        value = plain.decode(value)
                    except plain.DecodeError:
                        continue
                    if isinstance(value, str):
                        out.append(value)
        return out


QUOTE = 24
QUOTED = ("failed; its message is not shown, because it quotes the code the grader runs for the tests "
          "(hidden tests included)")


def _squash(text: str) -> str:
    return " ".join(str(text).split())


def _windows(text: str) -> set[str]:
    return {text[i:i + QUOTE] for i in range(len(text) - QUOTE + 1)}


class Quotes:
    """Recognises text that quotes the grading versions of the test cells (``QUOTE`` characters
    or more, spaces squashed) beyond what the learner can read anyway: the released notebook,
    the reference's names and hints, their own code. A message a learner's code wrote
    (an exception's text, an ``is_true`` message, a warning, a string value) is shown under a
    test cell; where it quotes the grading code, which the kernel had seen by then (a
    ``pre_run_cell`` hook keeping each cell), it is replaced by :data:`QUOTED`."""

    def __init__(self, graded_sources: list[str], public: list[str]):
        seen: set[str] = set()
        for text in public:
            seen |= _windows(_squash(text))
        self.secret: set[str] = set()
        for text in graded_sources:
            self.secret |= _windows(_squash(text))
        self.secret -= seen

    def quoted(self, text: str, own: str = "") -> bool:
        """True when ``text`` quotes the grading code; ``own``: the learner's code, squashed."""
        return any(w in self.secret and w not in own for w in _windows(_squash(text)))

    def scrub(self, verdicts: list[CellVerdict], own: str = "") -> None:
        for v in verdicts:
            if v.outcome != "passed" and (self.quoted(v.feedback, own) or self.quoted(v.reason, own)):
                v.feedback = v.reason = QUOTED


def _records(cell: dict, token: str) -> tuple[list[dict], int]:
    """The cell's records that carry ``token``; and how many did not (forged or stale)."""
    good, bad = [], 0
    for r in cell.get("records") or []:
        if isinstance(r, dict) and r.get("token") == token and isinstance(r.get("seq"), int) and isinstance(r.get("kind"), str):
            good.append(r)
        else:
            bad += 1
    return good, bad


def load_reference(result: dict, token: str, test_cells: dict[int, str]) -> Reference:
    """Check the reference run and index its records by test cell."""
    if result.get("abort"):
        raise ReferenceFailure(f"the solutions notebook did not run to its end: {result['abort'].get('reason')}")
    by_index = {c["index"]: c for c in result.get("cells", [])}
    cells: dict[str, list[dict]] = {}
    for index, gid in test_cells.items():
        cell = by_index.get(index)
        if cell is None:
            raise ReferenceFailure(f"test cell {gid} did not run in the solutions notebook")
        if cell.get("error"):
            e = cell["error"]
            raise ReferenceFailure(f"the solutions notebook fails its own test cell {gid}: {e.get('ename')}: {e.get('evalue')}")
        records, _ = _records(cell, token)
        kinds = [r["kind"] for r in records]
        if not kinds or kinds[0] != "begin" or kinds[-1] != "done":
            raise ReferenceFailure(f"test cell {gid} of the solutions notebook did not record its checks")
        cells[gid] = records
    ref = Reference(token, cells)
    for gid, records in cells.items():
        for n, r in enumerate(records):
            if r["kind"] == "is_true":
                ok = False
                if r.get("src") and isinstance(r.get("env"), dict):
                    try:
                        ok = bool(_evaluate(r["src"], r["env"])) is True
                    except Exception:
                        ok = False
                ref.evaluable[(gid, n)] = ok
    return ref


def _evaluate(src: str, env: dict) -> Any:
    names = {k: plain.decode(v) for k, v in env.items()}
    scope = {"__builtins__": SAFE_BUILTINS, "np": np, "numpy": np, "math": math, **names}
    return eval(compile(src, "<is_true>", "eval"), scope, scope)  # noqa: S307 - trusted source, plain data


def _param(record: dict, key: str, default: Any = None) -> Any:
    params = record.get("params") or {}
    return plain.decode(params[key]) if key in params else default


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def judge(ref: dict, got: dict, gid: str, n: int, reference: Reference) -> str | None:
    """None when the recorded value passes the reference's check; else the failure message."""
    kind = ref["kind"]
    if kind in MARKERS:
        return None
    if kind in VALUE_CHECKS:
        params = {k: plain.decode(v) for k, v in (ref.get("params") or {}).items()}
        try:
            actual = plain.decode(got.get("actual"))
        except plain.DecodeError as exc:
            name = params.get("name", "result")
            return f"{name} is {plain.describe(got.get('actual'))}, not a number or an array of numbers ({exc})."
        if ref.get("own"):  # a self-consistency check: the expected value is the learner's own earlier result
            try:
                params["expected"] = plain.decode(got["expected"])
            except (KeyError, plain.DecodeError):
                return f"{params.get('name', 'result')}: the earlier result it is compared with could not be read."
        try:
            getattr(check, kind)(actual, **params)
        except CheckFailed as exc:
            return str(exc)
        except Exception as exc:  # a value the check cannot even compare
            return f"{params.get('name', 'result')} could not be compared: {type(exc).__name__}: {exc}"
        return None
    if kind == "is_true":
        message = _one_line(got.get("message") or _param(ref, "message", "a check failed"), 500)
        hint = _param(ref, "hint")
        if isinstance(hint, str) and hint:
            message += f"\nHint: {hint}"
        if reference.evaluable.get((gid, n)):
            env = got.get("env")
            if not isinstance(env, dict) or set(env) != set(ref.get("env") or {}):
                return message
            try:
                value = _evaluate(ref["src"], env)
            except Exception:
                return message
            return None if (type(value) in (bool, np.bool_) and bool(value)) else message
        return None if got.get("value") is True else message
    if kind == "no_mutation":
        name = _param(ref, "name", "your function")
        before, after = got.get("before"), got.get("after")
        if not (isinstance(before, list) and isinstance(after, list) and len(before) == len(after) == len(ref.get("before", []))):
            return f"{name}: its arguments could not be checked."
        for i, (b, a) in enumerate(zip(before, after)):
            try:
                old, new = plain.decode(b), plain.decode(a)
            except plain.DecodeError:
                return f"{name}: its argument {i + 1} could not be checked."
            if not _same(old, new):
                return (f"{name} changed its argument {i + 1} in place.\nHint: work on a copy (e.g. `w = w.copy()` or "
                        "`w = w + step` instead of `w += step`), so the caller's array stays as it was.")
        return None
    if kind == "no_warnings":
        warning = got.get("warning")
        if warning is None:
            return None
        return str(warning)[:2000] if isinstance(warning, str) else "raised a warning."
    return f"unknown check {kind!r}"


def _same(old: Any, new: Any) -> bool:
    """The argument as it was before the call equals what it is after (snapshots as ``check._snapshot`` makes them)."""
    return check._unchanged(old, new)


def _hidden_message(ref: dict, head: str = "A hidden test failed") -> str:
    """What a learner reads of a failed hidden check: what it tried and the hint, from the reference, never values.

    A value check says what it tried in its name; an ``is_true`` in its message (the
    solution's, as the reference run formatted it). A check with neither is named by its kind.
    """
    params = ref.get("params") or {}
    name = _param(ref, "name") if "name" in params else None
    if not isinstance(name, str) and ref.get("kind") == "is_true" and "message" in params:
        name = _param(ref, "message")
    hint = _param(ref, "hint") if "hint" in params else None
    name = _one_line(name, 300).rstrip(".") if isinstance(name, str) and name.strip() else None
    hint = hint if isinstance(hint, str) else None
    what = name or _KIND_WORDS.get(ref.get("kind"), "one of its checks")
    return f"{head}: {what}." + (f"\nHint: {hint}" if hint else "")


#: How a hidden check with no name is described (the suite requires names; this is the last resort).
_KIND_WORDS = {"close": "a comparison of your result with the expected values", "equal": "an exact comparison of your result",
               "shape": "the shape of your result", "finite": "whether your result is finite",
               "dtype_kind": "the type of your result's numbers", "sums_to_one": "whether your rows sum to 1",
               "in_range": "whether your result lies in the allowed range", "no_mutation": "whether your function changes its inputs",
               "no_warnings": "whether your function runs without warnings", "is_true": "one of its checks"}


#: Exception names shown as they are; any other name is the learner's to choose (a class made with
#: ``type(text, (Exception,), {})`` can be called anything) and is not repeated.
KNOWN_EXCEPTIONS = {n for n in dir(builtins) if isinstance(getattr(builtins, n), type)
                    and issubclass(getattr(builtins, n), BaseException)} | {"CheckFailed"}


def exception_name(ename: str) -> str:
    return ename if ename in KNOWN_EXCEPTIONS else "an exception of a class defined in the notebook"


def _hidden_error(ref_records: list[dict], at: int | None, ename: str, timed_out: bool) -> str:
    """A hidden test that raised: its type, and the name and hint of the check it was in (from the reference)."""
    head = ("A hidden test ran too long" if timed_out else "A hidden test failed" if ename == "CheckFailed"
            else f"A hidden test raised {exception_name(ename)}")
    # the next record the reference made is the check the error came in (markers skipped)
    want = next((r for r in ref_records[at:] if r["kind"] not in MARKERS), None) if at is not None else None
    if want is None:
        return head + " (after its last check)." if at is not None else head + "."
    return _hidden_message(want, head)


def judge_cell(gid: str, points: float, cell: dict | None, reference: Reference, abort: dict | None,
               last_seq: int, token: str) -> tuple[CellVerdict, int]:
    """The verdict for one test cell; also returns the highest record number seen."""
    ref_records = reference.cells[gid]

    def verdict(outcome: str, reason: str, feedback: str | None = None, status: str = "graded") -> CellVerdict:
        score = points if outcome == "passed" else 0.0
        return CellVerdict(gid, points, score, status, outcome, _one_line(reason), feedback if feedback is not None else reason)

    if cell is None or cell.get("status") == "not_run":
        why = abort.get("reason", "the notebook stopped earlier") if abort else "the test cell did not run"
        status = abort.get("status", "crashed") if abort else "crashed"
        return verdict("not run", f"not run: {why}", status=status), last_seq
    records, forged = _records(cell, token)
    seqs = [r["seq"] for r in records]
    in_order = all(b > a for a, b in zip([last_seq] + seqs, seqs))
    top = max([last_seq] + seqs)
    status = {"timeout": "timeout", "killed": "resource limit", "dead": (abort or {}).get("status", "crashed")}.get(cell.get("status"), "graded")
    error = cell.get("error") or {}
    if error.get("ename") == "MemoryError":
        status = "resource limit"

    section, hidden_seen = "visible", False
    failure: tuple[str, str] | None = None  # (reason, feedback)
    matched = 0
    for n, (want, got) in enumerate(zip(ref_records, records)):
        if want["kind"] == "section":
            section = want.get("section", "visible")
            hidden_seen = hidden_seen or section == "hidden"
        if got["kind"] != want["kind"]:
            failure = ("the test cell did not run as written (its checks came in another order)",) * 2
            break
        message = judge(want, got, gid, n, reference)
        matched = n + 1
        if message is not None:
            if section == "hidden":
                text = _hidden_message(want)
                failure = (text.splitlines()[0], text)
            else:
                failure = (message.splitlines()[0], message)
            break
    if failure:
        return verdict("failed", failure[0], failure[1], status), top
    if error:
        ename, evalue = str(error.get("ename") or "Error"), _one_line(error.get("evalue", ""), 400)
        timed_out = ename == "Timeout" and cell.get("status") == "timeout"   # the runner's word, not an exception's name
        # Once the kernel has been given the hidden tests (the runner says so: it sends them as a
        # second part), an error may carry their source, put in its message by the learner's code:
        # it is shown by its type and the name and hint of its check, from the reference, only.
        if cell.get("hidden_sent") is True or hidden_seen:
            genuine = bool(records) and in_order and not forged
            text = _hidden_error(ref_records, matched if genuine else None, ename, timed_out)
        elif timed_out:
            text = f"the test cell ran too long: {evalue}"
        elif ename == "CheckFailed":
            text = evalue
        else:
            kind = exception_name(ename)
            text = f"the test cell raised {kind}: {evalue}" if evalue else f"the test cell raised {kind}"
        return verdict("failed", text, status=status), top
    if cell.get("status") in ("timeout", "killed", "dead"):
        why = abort.get("reason", "the kernel stopped") if abort else "the kernel stopped"
        return verdict("failed", f"the test cell was stopped: {why}", status=status), top
    if not in_order or forged:
        return verdict("failed", "the test cell's results were tampered with (records out of order or forged)"), top
    if len(records) < len(ref_records) or matched < len(ref_records):
        return verdict("failed", "the test cell stopped before its end (something in the notebook interfered with it)"), top
    if len(records) > len(ref_records):
        return verdict("failed", "the test cell produced results it should not have (something in the notebook interfered with it)"), top
    return verdict("passed", "passed"), top


def judge_notebook(result: dict, tests: list[tuple[int, str, float]], reference: Reference, token: str) -> list[CellVerdict]:
    """Verdicts for every test cell, in notebook order. ``tests``: (cell index, grade_id, points);
    ``token``: the record token of this submission's run."""
    by_index = {c.get("index"): c for c in result.get("cells", []) if isinstance(c, dict)}
    abort = result.get("abort")
    out, last = [], 0
    for index, gid, points in tests:
        v, last = judge_cell(gid, points, by_index.get(index), reference, abort, last, token)
        out.append(v)
    return out
