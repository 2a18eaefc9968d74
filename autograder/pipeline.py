"""`course grade` end to end: intake -> repair -> sandbox -> verdict -> report, N at a time.

The main process is the trusted side: it prepares the course directory (nbgrader),
decides verdicts, and alone writes the gradebook and the reports. A pool of worker
processes (default: one per core) does the slow parts: the trusted *reference* run of each
solutions notebook (unsandboxed: it is the instructor's code), the *canary* (the solutions
notebook graded through the sandbox path exactly like a submission, which must earn full
marks before any grade is written), every submission (repair + sandboxed run), and
nbgrader's feedback HTML. Results are collected as they finish; a submission that breaks
anything gets its own status and reason, and the others go on.
"""
from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import multiprocessing
import os
import secrets
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import course as coursedir
from . import instrument, intake, report, repair, sandbox, stand_ins, verdict
from .report import Graded, fmt

CANARY = "__solution__"


class GradeError(RuntimeError):
    """Grading cannot start or cannot be trusted (not one submission's fault)."""


@dataclass
class Options:
    workers: int = 0                     # 0: os.cpu_count()
    cell_timeout: float = 120.0
    timeout: float = 600.0               # wall clock per submission, everything included
    sandboxed: bool = True
    figures: bool = False
    max_bytes: int = 20 * 2**20
    canary: bool = True
    feedback: bool = True
    progress: bool = True
    limits: sandbox.Limits = field(default_factory=sandbox.Limits)
    cache: str | None = None             # where reference runs are cached (default: <course>/grading/cache)
    scratch: str | None = None           # where job folders are made (default: the system's temp dir)


@dataclass
class Summary:
    graded: list[Graded]
    seconds: float
    workers: int
    counts: dict
    csv: Path
    feedback_failures: list[str] = field(default_factory=list)

    @property
    def mean_seconds(self) -> float:
        return self.seconds / max(1, len(self.graded))


def grader_version() -> str:
    """A hash of the code that decides grades: a change invalidates cached reference runs."""
    from course_lib import check

    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(here.glob("*.py")) + [Path(check.__file__).resolve()]:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def bootstrap_code(mode: str, token: str, figures: bool, earlier: dict | None = None) -> str:
    lines = ["def __course_grading_bootstrap():",
             "    import autograder.record as r",
             "    import autograder.stand_ins as s",
             f"    r.install(mode={mode!r}, token={token!r}).stand_ins = s.install({earlier!r})"]
    if not figures:
        lines.append("    r.quiet_figures()")
    lines += ["__course_grading_bootstrap()", "del __course_grading_bootstrap", ""]
    return "\n".join(lines)


def job_cells(nb: nbformat.NotebookNode, kit: coursedir.Kit, mode: str) -> tuple[list[dict], list[tuple[int, str, float]]]:
    """The cells the runner executes; each test cell with the prelude that hands in the stand-ins it gets."""
    answers: dict[str, list[str]] = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and repair.role(cell) == repair.ANSWER:
            answers.setdefault(repair._meta(cell).get("grade_id"), []).append(cell.source)
    cells, tests = [], []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        gid = repair._meta(cell).get("grade_id")
        if repair.role(cell) == repair.TEST and gid in kit.tests:
            source = kit.tests[gid][mode]
            exercise = kit.tests[gid]["exercise"]
            # the exercise under test keeps its own names: the solution's and whatever the learner's answer defines
            keep = set(kit.parts.get("exercises", {}).get(exercise, {}).get("names", []))
            keep |= {n for s in answers.get(exercise, []) for n in stand_ins.top_level_names(s)}
            cells.append({"index": index, "source": source, "parts": instrument.split_hidden(source),
                          "prelude": stand_ins.prelude(kit.parts, kit.plan.get(gid, []), keep) if kit.parts else ""})
            tests.append((index, gid, kit.tests[gid]["points"]))
        else:
            cells.append({"index": index, "source": cell.source})
    return cells, tests


def _job(cells: list[dict], mode: str, token: str, options: Options, earlier: dict | None = None) -> dict:
    return {"mode": mode, "result_token": secrets.token_hex(16), "cells": cells, "cell_timeout": options.cell_timeout,
            "interrupt_grace": 3, "limits": options.limits.to_dict(),
            "bootstrap": bootstrap_code(mode, token, options.figures, earlier),
            "figures": options.figures}


# -- worker side (plain arguments in, plain results out) -----------------------------------
def run_reference(kit: coursedir.Kit, options: Options, mpl_cache: str | None) -> dict:
    token = secrets.token_hex(16)
    source = kit.source()
    cells, tests = job_cells(source, kit, "reference")
    outcome = sandbox.run_job(_job(cells, "reference", token, options, kit.earlier), None, False, options.timeout,
                              Path(mpl_cache) if mpl_cache else None, Path(options.scratch) if options.scratch else None,
                              kit.extra_files)
    return {"token": token, "tests": tests, "result": outcome.result, "failure": outcome.failure,
            "stderr": outcome.stderr_tail, "seconds": outcome.seconds}


def run_submission(sub: intake.Submission, kit: coursedir.Kit, options: Options, mpl_cache: str | None) -> dict:
    started = time.monotonic()
    out: dict = {"notes": list(sub.notes), "timings": {}}
    if sub.problem or sub.path is None:
        out.update(status="ungradable", reason=sub.problem or "no notebook found")
        return out
    try:
        size = sub.path.stat().st_size
        data = sub.path.read_bytes() if size <= options.max_bytes else b"x" * 0
    except OSError as exc:
        out.update(status="ungradable", reason=f"the file cannot be read ({exc.strerror})")
        return out
    if size > options.max_bytes:
        out.update(status="ungradable", reason=f"the file is {size / 1e6:.1f} MB, above the {options.max_bytes / 1e6:.1f} MB limit",
                   size=size)
        return out
    fixed = repair.repair(data, kit.source(), kit.release(), options.max_bytes)
    out.update(sha256=fixed.sha256, size=fixed.size)
    out["notes"] += fixed.notes
    out["timings"]["repair"] = round(time.monotonic() - started, 4)
    if fixed.nb is None:
        out.update(status="ungradable", reason=fixed.reason)
        return out
    out["nb"] = nbformat.writes(fixed.nb)
    out["flags"] = suspicious(fixed.nb)
    token = secrets.token_hex(16)
    cells, tests = job_cells(fixed.nb, kit, "sandbox")
    outcome = sandbox.run_job(_job(cells, "sandbox", token, options, kit.earlier), None, options.sandboxed, options.timeout,
                              Path(mpl_cache) if mpl_cache else None, Path(options.scratch) if options.scratch else None,
                              kit.extra_files)
    out.update(token=token, tests=tests, result=outcome.result, failure=outcome.failure, failure_status=outcome.status,
               stderr=outcome.stderr_tail)
    out["timings"]["sandbox"] = round(outcome.seconds, 4)
    out["timings"]["worker_total"] = round(time.monotonic() - started, 4)
    return out


def make_feedback(course: str, db_url: str, assignment: str, student: str) -> tuple[str, bool, str]:
    api = coursedir.nbgrader_api(Path(course), db_url)
    result = api.generate_feedback(assignment, student, force=True)
    return student, bool(result.get("success")), (result.get("error") or "")[-500:]


#: Patterns worth a human look (they do not change a grade; the verdict does not need them).
_SUSPICIOUS = {
    "custom exception handler": "set_custom_exc",
    "input transformer": "input_transformers",
    "IPython event hook": "events.register",
    "changes the check module": "check.",
    "hard process exit": "os._exit",
    "process control": "os.fork",
    "signal handling": "signal.signal",
    "network access": "socket",
    "module tampering": "sys.modules",
    "grading internals": "__grading__",
    "changes the NumPy rule": "numpy_only",
    "grading stand-ins": "stand_ins",
    "reads other files": "open(",
}


def suspicious(nb: nbformat.NotebookNode) -> list[str]:
    """Names of suspicious constructs in the learner's own cells (for the audit record)."""
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "code" and repair.role(c) in (None, repair.ANSWER))
    flags = []
    for label, needle in _SUSPICIOUS.items():
        if needle == "check.":
            if any(f"check.{name} =" in text or f"check.{name}=" in text for name in
                   ("close", "equal", "shape", "is_true", "no_warnings", "no_mutation", "_fail", "_recorder", "call",
                    "_NUMPY_ONLY", "_torch_refused", "prerequisite")):
                flags.append(label)
        elif needle in text:
            flags.append(label)
    return flags


# -- trusted side --------------------------------------------------------------------------------
def _read_timestamp(folder: Path | None) -> str | None:
    if folder is None or not (folder / "timestamp.txt").is_file():
        return None
    try:
        from nbgrader.utils import parse_utc

        return str(parse_utc((folder / "timestamp.txt").read_text().strip()))
    except Exception:
        return None


def decide(sub: intake.Submission, kit: coursedir.Kit, raw: dict, reference: verdict.Reference) -> Graded:
    """Verdicts for one submission from its raw run (no learner code involved from here on)."""
    max_score = sum(t["points"] for t in kit.tests.values())
    g = Graded(sub.student, sub.assignment, sub.notebook, "graded", "", 0.0, max_score, notes=list(raw.get("notes", [])),
               flags=list(raw.get("flags", [])), file=str(sub.path) if sub.path else None, sha256=raw.get("sha256"),
               size=raw.get("size"), timings=dict(raw.get("timings", {})), timestamp=_read_timestamp(sub.folder))
    tests = [(i, gid, pts) for i, gid, pts in raw.get("tests", [])] or [(None, gid, t["points"]) for gid, t in kit.tests.items()]
    if raw.get("status") == "ungradable":
        g.status, g.reason = "ungradable", raw["reason"]
        g.cells = [verdict.CellVerdict(gid, t["points"], 0.0, "ungradable", "not run", raw["reason"], raw["reason"])
                   for gid, t in kit.tests.items()]
        return g
    result = raw.get("result")
    if result is None:
        status = raw.get("failure_status") or "crashed"
        g.status, g.reason = status, raw.get("failure") or "no result"
        g.cells = [verdict.CellVerdict(gid, pts, 0.0, status, "not run", g.reason, g.reason) for _, gid, pts in tests]
        g.run = {"stderr_tail": raw.get("stderr", "")[-2000:]}
        return g
    g.cells = verdict.judge_notebook(result, tests, reference, raw.get("token", ""))
    if reference.quotes is not None and raw.get("nb"):
        own = " ".join(c.source for c in nbformat.reads(raw["nb"], as_version=4).cells
                       if c.cell_type == "code" and repair.role(c) != repair.TEST)
        reference.quotes.scrub(g.cells, " ".join(own.split()))
    g.score = sum(c.score for c in g.cells)
    g.run = {k: result.get(k) for k in ("abort", "output_truncated", "records_overflow", "peak_processes", "peak_rss_mb")}
    g.run["kernel_log_tail"] = str(result.get("kernel_log_tail", ""))[-2000:]
    g.timings["kernel"] = result.get("timings", {})
    g.status, event = _status(result, g.cells)
    points = f"{fmt(g.score)}/{fmt(max_score)} points"
    parts = [event or "graded", points]
    if result.get("output_truncated"):
        parts.append("output truncated")
    if g.notes:
        parts.append("repaired: " + "; ".join(g.notes))
    g.reason = "; ".join(parts)
    return g


def _status(result: dict, cells: list[verdict.CellVerdict]) -> tuple[str, str | None]:
    """The submission's status and the event behind it (None when nothing went wrong)."""
    by_index = {c.get("index"): c for c in result.get("cells", []) if isinstance(c, dict)}
    for c in sorted(by_index.values(), key=lambda c: c.get("index", 0)):
        error = c.get("error") or {}
        if error.get("ename") == "MemoryError":
            return "resource limit", f"cell {c['index']} ran out of memory (MemoryError)"
        if c.get("status") == "timeout" and not result.get("abort"):
            return "timeout", f"cell {c['index']} ran longer than the cell time limit and was interrupted"
    abort = result.get("abort")
    if abort:
        return abort.get("status", "crashed"), abort.get("reason", "the run stopped")
    return "graded", None


class _Cache:
    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, kind: str, kit: coursedir.Kit, version: str) -> Path:
        key = hashlib.sha256(f"{version}|{kit.source_sha256}|{kit.tests_sha256}".encode()).hexdigest()[:24]
        return self.folder / f"{kind}-{kit.assignment}-{key}.json"

    def load(self, kind: str, kit: coursedir.Kit, version: str) -> dict | None:
        p = self.path(kind, kit, version)
        try:
            return json.loads(p.read_text())
        except (OSError, ValueError):
            return None

    def save(self, kind: str, kit: coursedir.Kit, version: str, value: dict) -> None:
        p = self.path(kind, kit, version)
        tmp = p.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(value))
        os.replace(tmp, p)


def grade(submissions_path: Path, course: Path, repo: Path | None, assignments: list[str] | None = None,
          db_url: str | None = None, shard: tuple[int, int] | None = None, options: Options | None = None,
          log=print) -> Summary:
    options = options or Options()
    started = time.monotonic()
    course = Path(course).resolve()
    coursedir.ensure_course(course, repo)
    db_url = coursedir.db_url_for(course, db_url)
    known = coursedir.assignments(course, repo)
    try:
        subs = intake.find(Path(submissions_path), known, assignments)
    except intake.IntakeError as exc:
        raise GradeError(str(exc)) from None
    if shard:
        subs = intake.shard(subs, *shard)
    grading = coursedir.grading_dir(course)
    csv_name = f"grades-shard-{shard[0]}-of-{shard[1]}.csv" if shard else "grades.csv"
    if not subs:
        report.write_csv(grading / csv_name, [])
        return Summary([], time.monotonic() - started, 0, {}, grading / csv_name)
    needed = sorted({s.assignment for s in subs})
    kits: dict[str, coursedir.Kit] = {}
    for a in needed:
        try:
            coursedir.prepare_assignment(course, repo, a, db_url)
            kits[a] = coursedir.build_kit(course, a, repo)
        except coursedir.CourseError as exc:
            raise GradeError(str(exc)) from None
    cache = _Cache(Path(options.cache) if options.cache else coursedir.default_cache(course))
    cache.folder.mkdir(parents=True, exist_ok=True)
    version = grader_version()
    mpl = sandbox.prepare_mpl_cache(cache.folder)
    mpl_cache = str(mpl) if mpl else None
    workers = options.workers or os.cpu_count() or 1

    context = {"sandbox": {"tool": "bubblewrap" if options.sandboxed else None, "sandboxed": options.sandboxed},
               "limits": {**options.limits.to_dict(), "cell_timeout_s": options.cell_timeout, "wall_timeout_s": options.timeout,
                          "max_file_mb": options.max_bytes / 2**20},
               "grader": {"version": version, "workers": workers, "shard": list(shard) if shard else None, "db": db_url.split("://")[0]}}

    references: dict[str, verdict.Reference] = {}
    canary_ok: dict[str, bool] = {}
    for a, kit in kits.items():
        cached = cache.load("reference", kit, version)
        if cached:
            references[a] = _load_reference(kit, cached)
        if not options.canary or (cache.load("canary", kit, version) or {}).get("passed"):
            canary_ok[a] = True

    graded: list[Graded] = []
    pending: dict[str, list[tuple[intake.Submission, dict]]] = {a: [] for a in kits}
    feedback_futures: list[cf.Future] = []
    feedback_failures: list[str] = []
    counts: Counter = Counter()
    bar = _progress(len(subs), options.progress)
    gb = None

    def write(sub: intake.Submission, raw: dict) -> None:
        nonlocal gb
        kit = kits[sub.assignment]
        g = decide(sub, kit, raw, references[sub.assignment])
        g.timings["total"] = raw.get("timings", {}).get("worker_total")
        nb = nbformat.reads(raw["nb"], as_version=4) if raw.get("nb") else None
        release = kit.release()
        headline = f"{g.status}: {g.reason}"
        fb = report.feedback_notebook(nb, release, raw.get("result"), g.cells, headline)
        report.write_autograded(course, g, fb, sub.folder)
        if gb is None:
            from nbgrader.api import Gradebook

            gb = Gradebook(db_url)
        report.write_gradebook(gb, g, nb, release)
        report.write_audit(grading, g, {**context, "tests": {"source": kit.source_path, "source_sha256": kit.source_sha256,
                                                             "instrumented_sha256": kit.tests_sha256}})
        graded.append(g)
        counts[g.status] += 1
        bar.set_postfix_str(", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
        bar.update(1)
        if options.feedback:
            feedback_futures.append(pool.submit(make_feedback, str(course), db_url, sub.assignment, sub.student))

    def settle(a: str) -> None:
        if a in references and canary_ok.get(a):
            for sub, raw in pending[a]:
                write(sub, raw)
            pending[a] = []

    ctx = multiprocessing.get_context("spawn")
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
    futures: dict[cf.Future, tuple[str, str, object]] = {}
    try:
        for a, kit in kits.items():
            if a not in references:
                futures[pool.submit(run_reference, kit, options, mpl_cache)] = ("reference", a, None)
            if not canary_ok.get(a):
                canary = intake.Submission(CANARY, a, kit.notebook, Path(kit.source_path))
                futures[pool.submit(run_submission, canary, kit, options, mpl_cache)] = ("canary", a, canary)
        for sub in subs:
            futures[pool.submit(run_submission, sub, kits[sub.assignment], options, mpl_cache)] = ("submission", sub.assignment, sub)
        canary_raw: dict[str, dict] = {}
        retried: set[str] = set()
        remaining = set(futures)
        while remaining:
            done, remaining = cf.wait(remaining, return_when=cf.FIRST_COMPLETED)
            for fut in done:
                kind, a, sub = futures[fut]
                try:
                    raw = fut.result()
                except Exception as exc:  # the worker process itself died: retry once, then report
                    if kind != "submission":
                        raise GradeError(f"the {kind} run of {a} failed: {type(exc).__name__}: {exc}") from None
                    if sub.key not in retried:
                        retried.add(sub.key)
                        if getattr(pool, "_broken", False):
                            pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
                        new = pool.submit(run_submission, sub, kits[a], options, mpl_cache)
                        futures[new] = (kind, a, sub)
                        remaining.add(new)
                        continue
                    raw = {"result": None, "failure": f"the grading worker failed twice ({type(exc).__name__})",
                           "failure_status": "crashed", "notes": list(sub.notes)}
                if kind == "reference":
                    if raw.get("result") is None:
                        raise GradeError(f"the solutions notebook of {a} could not be run: {raw.get('failure')}\n{raw.get('stderr', '')[-1500:]}")
                    cache_entry = {"token": raw["token"], "tests": raw["tests"], "result": raw["result"]}
                    try:
                        references[a] = _load_reference(kits[a], cache_entry)
                    except verdict.ReferenceFailure as exc:
                        raise GradeError(f"{a}: {exc}") from None
                    cache.save("reference", kits[a], version, cache_entry)
                elif kind == "canary":
                    canary_raw[a] = raw
                else:
                    pending[a].append((sub, raw))
                if a in references and a in canary_raw:
                    _check_canary(kits[a], canary_raw.pop(a), references[a])
                    canary_ok[a] = True
                    cache.save("canary", kits[a], version, {"passed": True})
                settle(a)
        for a in kits:
            settle(a)
        bar.close()
        if feedback_futures:
            fb_bar = _progress(len(feedback_futures), options.progress, "feedback")
            for fut in cf.as_completed(feedback_futures):
                try:
                    student, ok, error = fut.result()
                    if not ok:
                        feedback_failures.append(f"{student}: {error}")
                except Exception as exc:
                    feedback_failures.append(f"{type(exc).__name__}: {exc}")
                fb_bar.update(1)
            fb_bar.close()
    finally:
        bar.close()
        pool.shutdown(wait=True, cancel_futures=True)
        if gb is not None:
            gb.close()
    report.write_csv(grading / csv_name, graded)
    try:
        _nbgrader_export(course, db_url, grading / "nbgrader_export.csv")
    except Exception as exc:  # the export is a convenience; grades are already written
        log(f"course grade: nbgrader export failed: {exc}", file=sys.stderr)
    seconds = time.monotonic() - started
    return Summary(graded, seconds, workers, dict(counts), grading / csv_name, feedback_failures)


def _load_reference(kit: coursedir.Kit, entry: dict) -> verdict.Reference:
    tests = {int(i): gid for i, gid, _ in entry["tests"]}
    reference = verdict.load_reference(entry["result"], entry["token"], tests)
    released = [c.source for c in kit.release().cells if c.cell_type == "code"]
    reference.quotes = verdict.Quotes([t["sandbox"] for t in kit.tests.values()], released + reference.strings())
    return reference


def _check_canary(kit: coursedir.Kit, raw: dict, reference: verdict.Reference) -> None:
    sub = intake.Submission(CANARY, kit.assignment, kit.notebook, Path(kit.source_path))
    g = decide(sub, kit, raw, reference)
    lost = [c for c in g.cells if c.outcome != "passed"]
    if g.status != "graded" or lost or not g.cells:
        detail = "\n".join(f"  {c.grade_id}: {c.reason}" for c in lost) or f"  {g.reason}"
        if raw.get("result") is None and raw.get("stderr"):  # the runner itself failed: say how
            detail += "\nthe grading runner's last words:\n" + raw["stderr"][-1500:]
        raise GradeError(
            f"{kit.assignment}: the solutions notebook, graded through the sandbox like a submission, does not earn "
            f"full marks ({fmt(g.score)}/{fmt(g.max_score)}; status {g.status}). No grade was written.\n{detail}\n"
            "Usually a hidden test computes an input from a statement that only fed expected values; see docs/grading.md.")


def _nbgrader_export(course: Path, db_url: str, path: Path) -> None:
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    plugin = CsvExportPlugin()
    plugin.to = str(path)
    with Gradebook(db_url) as gb:
        plugin.export(gb)


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def set_postfix_str(self, s: str) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, enabled: bool, desc: str = "grading"):
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="nb", file=sys.stderr, dynamic_ncols=True)


def summary_text(s: Summary) -> str:
    lines = [f"graded {len(s.graded)} submission(s) with {s.workers} worker(s) in {s.seconds:.1f} s "
             f"(mean {s.mean_seconds:.2f} s per notebook)"]
    if s.counts:
        lines.append("status: " + ", ".join(f"{k} {v}" for k, v in sorted(s.counts.items())))
    for g in sorted(s.graded, key=lambda g: (g.assignment, g.student)):
        if g.status != "graded":
            lines.append(f"  {g.assignment}/{g.student}: {g.status}: {g.reason}")
    lines.append(f"grades: {s.csv}")
    if s.feedback_failures:
        lines.append("feedback could not be generated for: " + "; ".join(s.feedback_failures[:5]))
    return "\n".join(lines)
