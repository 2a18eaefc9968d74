"""Grading speed: plain `nbgrader autograde` against `course grade`, on the same submissions, in one run.

    python benchmarks/grading_speed.py [--students 24] [--workers 0] [--out benchmarks/results/grading_speed.md]

Both start from a prepared nbgrader course directory (config, source/, `nbgrader
generate_assignment` done and not timed) holding the same submissions of 03_activations:
a mix of full solutions, untouched stubs, partly done and wrong notebooks. Timed:
  * nbgrader:      `nbgrader autograde 03_activations` (sequential, unsandboxed, COURSE_FAST=1),
                   and separately `nbgrader generate_feedback` (HTML, which `course grade` also makes);
  * course grade:  `course grade` with its defaults (all cores, bubblewrap sandbox, trusted
                   verdicts, gradebook, grades.csv, audit records and feedback HTML), from a cold
                   cache: its reference and canary runs of the solutions notebook are included.
It checks that both give every honest submission the same total, prints the figures and
writes them, with the machine and versions, to the results file.
"""
from __future__ import annotations

import argparse
import copy
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from machine import cpu_model  # benchmarks/machine.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "03_activations"


def env() -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return dict(os.environ, COURSE_FAST="1", PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


def run(argv: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env(), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return seconds


def nbgrader(course: Path, *args: str) -> float:
    return run([sys.executable, "-m", "nbgrader", *args, "--force"], course)


def prepare(course: Path) -> None:
    course.mkdir(parents=True)
    shutil.copy(ROOT / "autograder" / "nbgrader_config.py", course / "nbgrader_config.py")
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / f"{ASSIGNMENT}.ipynb", course / "source" / ASSIGNMENT)
    nbgrader(course, "generate_assignment", ASSIGNMENT)


def submissions(course: Path, students: int) -> dict[str, str]:
    """Write the class into course/submitted; return student -> kind."""
    solution = nbformat.read(ROOT / "solutions" / f"{ASSIGNMENT}.ipynb", as_version=4)
    stub = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    stub_of = {c.metadata["nbgrader"]["grade_id"]: c.source for c in stub.cells
               if c.metadata.get("nbgrader", {}).get("solution")}

    def partial(keep: int) -> nbformat.NotebookNode:
        nb = copy.deepcopy(solution)
        answers = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
        for c in answers[keep:]:
            c.source = stub_of[c.metadata["nbgrader"]["grade_id"]]
        return nb

    def wrong() -> nbformat.NotebookNode:
        nb = copy.deepcopy(solution)
        for c in nb.cells:
            if c.metadata.get("nbgrader", {}).get("grade_id") == "softmax":
                c.source = "def softmax(z, axis=-1):\n    e = np.exp(z)\n    return e / e.sum()\n"
        return nb

    kinds = {}
    makers = [("solution", lambda: solution), ("stub", lambda: stub), ("partial", lambda: partial(4)), ("wrong_softmax", wrong)]
    for i in range(students):
        kind, make = makers[i % len(makers)]
        name = f"student{i:02d}"
        folder = course / "submitted" / name / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(make(), str(folder / f"{ASSIGNMENT}.ipynb"))
        kinds[name] = kind
    return kinds


def totals(course: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s.student.id: s.score for s in gb.assignment_submissions(ASSIGNMENT)}


def versions() -> str:
    from importlib.metadata import version

    parts = [f"Python {platform.python_version()}"]
    for name in ("nbgrader", "nbclient", "ipykernel", "numpy"):
        parts.append(f"{name} {version(name)}")
    try:
        parts.append(subprocess.run(["bwrap", "--version"], capture_output=True, text=True).stdout.strip())
    except OSError:
        parts.append("bubblewrap missing")
    return ", ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=24)
    parser.add_argument("--workers", type=int, default=0, help="course grade workers (default: all cores)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "grading_speed.md"))
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    if load_before > 0.5:
        print(f"warning: the machine is busy (load average {load_before:.2f}): the parallel run suffers most", flush=True)
    with tempfile.TemporaryDirectory(prefix="grading-speed-") as tmp:
        plain_course, ours = Path(tmp) / "nbgrader", Path(tmp) / "course-grade"
        print(f"preparing two course directories with {args.students} submissions of {ASSIGNMENT}...", flush=True)
        prepare(plain_course)
        prepare(ours)
        kinds = submissions(plain_course, args.students)
        shutil.copytree(plain_course / "submitted", ours / "submitted")

        print("nbgrader autograde (sequential)...", flush=True)
        t_nbgrader = nbgrader(plain_course, "autograde", ASSIGNMENT)
        print(f"  {t_nbgrader:.1f} s", flush=True)
        print("nbgrader generate_feedback...", flush=True)
        t_feedback = nbgrader(plain_course, "generate_feedback", ASSIGNMENT)
        print(f"  {t_feedback:.1f} s", flush=True)

        print("course grade...", flush=True)
        argv = [sys.executable, "-m", "autograder.cli", str(ours), "-a", ASSIGNMENT, "--no-progress"]
        if args.workers:
            argv += ["--workers", str(args.workers)]
        t_ours = run(argv, ROOT)
        print(f"  {t_ours:.1f} s", flush=True)

        theirs, mine = totals(plain_course), totals(ours)
        disagree = {s: (theirs.get(s), mine.get(s)) for s in kinds if theirs.get(s) != mine.get(s)}

    n = args.students
    workers = args.workers or os.cpu_count()
    ratio = t_nbgrader / t_ours
    ratio_fb = (t_nbgrader + t_feedback) / t_ours
    lines = [
        "# Grading speed: plain nbgrader vs `course grade`",
        "",
        f"Generated by `python benchmarks/grading_speed.py --students {n}` on {time.strftime('%Y-%m-%d')}.",
        "",
        f"- machine: {os.cpu_count()} cores (`nproc` = {len(os.sched_getaffinity(0))}), {cpu_model()}",
        f"- software: {versions()}",
        f"- submissions: {n} of `{ASSIGNMENT}` (20 points), a quarter each full solution, untouched stub, "
        "first four exercises done, one wrong answer",
        f"- load average (1 min) before the run: {load_before:.2f}, after: {os.getloadavg()[0]:.2f} "
        "(other work on the machine slows the parallel run more than the sequential one)",
        "",
        "| run | wall clock | per notebook |",
        "|---|---:|---:|",
        f"| `nbgrader autograde` (sequential, no sandbox) | {t_nbgrader:.1f} s | {t_nbgrader / n:.2f} s |",
        f"| `nbgrader autograde` + `generate_feedback` | {t_nbgrader + t_feedback:.1f} s | {(t_nbgrader + t_feedback) / n:.2f} s |",
        f"| `course grade` ({workers} workers, bubblewrap sandbox, trusted verdicts, feedback, audit) | {t_ours:.1f} s | {t_ours / n:.2f} s |",
        "",
        f"**Speed-up: {ratio:.2f}×** over `nbgrader autograde` alone ({ratio_fb:.2f}× counting nbgrader's feedback, "
        "which `course grade` also produces).",
        "",
        "`course grade`'s time includes, from a cold cache, the trusted reference run and the sandboxed canary "
        "run of the solutions notebook, and nbgrader's feedback HTML for every student. It does not render "
        "plots (`--figures` does); nbgrader does.",
        "",
        ("Both gave every submission the same total." if not disagree else
         f"Totals differ for {len(disagree)} submission(s): {disagree}"),
        "",
    ]
    text = "\n".join(lines)
    print()
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return 0 if not disagree else 1


if __name__ == "__main__":
    sys.exit(main())
