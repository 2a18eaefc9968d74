"""The instructor's sub-commands of `course`: `course release` and `course grade`.

``course_lib/cli.py`` finds them through the ``course.commands`` entry points declared in
pyproject.toml, so the learner's package never imports the grader.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EXIT_SETUP, EXIT_UNTRUSTED, EXIT_NO_SANDBOX = 2, 3, 4


def add_release_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("release", help="regenerate notebooks/ from solutions/ with nbgrader generate_assignment")
    p.add_argument("names", nargs="*", help="notebook names (default: all), e.g. 03_activations")
    p.add_argument("--check", action="store_true", help="only report drift; exit 1 if notebooks/ is out of date")
    p.add_argument("--root", help="the course repository (default: found from the current folder)")
    p.set_defaults(func=run_release)
    return p


def run_release(args: argparse.Namespace) -> int:
    from course_lib.repository import RepositoryNotFound, find_root

    from .release import ReleaseError, release

    try:
        root = Path(args.root).resolve() if args.root else find_root()
        drifted = release(root, check_only=args.check, names=args.names or None)
    except (ReleaseError, RepositoryNotFound) as exc:
        print(f"course release: {exc}", file=sys.stderr)
        return EXIT_SETUP
    if args.check:
        if drifted:
            print("notebooks/ differs from what `course release` would write for: " + ", ".join(drifted))
            print("Run `course release` and commit the result.")
            return 1
        print("notebooks/ matches solutions/: no drift.")
        return 0
    print(f"regenerated {len(drifted)} student notebook(s)" + (f": {', '.join(drifted)}" if drifted else " (all were up to date)"))
    return 0


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "grade",
        help="autograde a class: sandboxed, parallel, verdicts outside the learner's kernel (nbgrader gradebook)",
        description="Grade submissions in nbgrader's layout (a course directory or its submitted/ folder) or a folder "
                    "of loose <student>.ipynb files. Writes the gradebook, grading/grades.csv, an audit record per "
                    "submission and nbgrader feedback HTML. See docs/grading.md.",
    )
    p.add_argument("submissions", help="course directory, its submitted/ folder, or a folder of <student>.ipynb files")
    p.add_argument("--assignment", "-a", action="append", help="grade only this assignment (repeatable; required for loose files)")
    p.add_argument("--course", help="nbgrader course directory to use (default: the one holding submitted/, "
                                    "or <folder>.course next to a folder of loose files)")
    p.add_argument("--db-url", help="gradebook database URL (default: CourseDirectory.db_url of the course's "
                                    "nbgrader_config.py, else sqlite:///<course>/gradebook.db; e.g. "
                                    "postgresql://user@host/db to share one gradebook between machines)")
    p.add_argument("--workers", "-j", type=int, default=0, help="parallel workers (default: all cores)")
    p.add_argument("--shard", help="grade only slice i of N (i/N, from 1), for several machines sharing a gradebook")
    p.add_argument("--timeout", type=float, default=600, help="wall-clock seconds per submission (default 600)")
    p.add_argument("--cell-timeout", type=float, help="seconds per cell before it is interrupted "
                                                      "(default: Execute.timeout of nbgrader_config.py, else 120)")
    p.add_argument("--memory", type=int, default=2048, help="MB of memory per submission (default 2048)")
    p.add_argument("--max-procs", type=int, default=32, help="processes a submission may run at once (default 32)")
    p.add_argument("--max-size", type=float, default=20, help="largest accepted notebook file in MB (default 20)")
    p.add_argument("--unsandboxed", action="store_true",
                   help="run learners' code WITHOUT the bubblewrap sandbox (only where bwrap is missing and you trust "
                        "every submission; limits and verdicts still apply)")
    p.add_argument("--figures", action="store_true", help="render plots (kept in the feedback; slower)")
    p.add_argument("--no-feedback", action="store_true", help="skip nbgrader's feedback HTML")
    p.add_argument("--no-canary", action="store_true", help="skip grading the solutions notebook as a self-check")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--cache", help="folder for cached reference runs (default: <course>/grading/cache)")
    p.add_argument("--root", help="the course repository (default: found from the current folder)")
    p.set_defaults(func=run)
    return p


def _cell_timeout(course: Path) -> float:
    try:
        from traitlets.config.loader import PyFileConfigLoader

        config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
        value = config.Execute.get("timeout")
        if isinstance(value, (int, float)) and value > 0:
            return float(value)
    except Exception:
        pass
    return 120.0


def _config_db_url(course: Path) -> str | None:
    """CourseDirectory.db_url from the course's nbgrader_config.py, if it sets one."""
    try:
        from traitlets.config.loader import PyFileConfigLoader

        config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
        value = config.CourseDirectory.get("db_url")
        return value if isinstance(value, str) and value else None
    except Exception:
        return None


def _course_for(path: Path) -> Path:
    if (path / "submitted").is_dir():
        return path
    if path.name == "submitted":
        return path.parent
    if any(p.suffix == ".ipynb" for p in path.iterdir() if p.is_file()):
        return path.parent / f"{path.name}.course"
    return path.parent


def run(args: argparse.Namespace) -> int:
    from course_lib.repository import RepositoryNotFound, find_root

    from . import pipeline, sandbox
    from .course import CourseError, ensure_course
    from .intake import IntakeError, parse_shard

    path = Path(args.submissions).resolve()
    if not path.is_dir():
        print(f"course grade: no folder {path}", file=sys.stderr)
        return EXIT_SETUP
    try:
        repo = Path(args.root).resolve() if args.root else find_root()
    except RepositoryNotFound:
        repo = None
    course = Path(args.course).resolve() if args.course else _course_for(path)
    try:
        shard = parse_shard(args.shard) if args.shard else None
        ensure_course(course, repo)
    except (IntakeError, CourseError) as exc:
        print(f"course grade: {exc}", file=sys.stderr)
        return EXIT_SETUP

    if args.unsandboxed:
        print("course grade: WARNING: --unsandboxed: learners' code runs with your rights, with no network or "
              "filesystem isolation (resource limits and trusted verdicts still apply).", file=sys.stderr)
    else:
        info = sandbox.probe()
        if not info.available:
            print(f"course grade: refusing to grade: {info.reason}.\n"
                  "Install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap), or pass --unsandboxed to run "
                  "learners' code without a sandbox.", file=sys.stderr)
            return EXIT_NO_SANDBOX
        exposed = sandbox.exposure({"course directory": course, "reference cache": args.cache,
                                    "solutions folder": repo / "solutions" if repo else None})
        if exposed:
            print(f"course grade: refusing to grade: {exposed}.", file=sys.stderr)
            return EXIT_SETUP

    cell_timeout = args.cell_timeout or _cell_timeout(course)
    limits = sandbox.Limits(memory_mb=args.memory, max_procs=args.max_procs, cpu_s=int(max(60, args.timeout)))
    options = pipeline.Options(workers=max(0, args.workers), cell_timeout=cell_timeout, timeout=args.timeout,
                               sandboxed=not args.unsandboxed, figures=args.figures, max_bytes=int(args.max_size * 1e6),
                               canary=not args.no_canary, feedback=not args.no_feedback, progress=not args.no_progress,
                               limits=limits, cache=args.cache, scratch=os.environ.get("COURSE_GRADE_SCRATCH"))
    try:
        db_url = args.db_url or _config_db_url(course)
        summary = pipeline.grade(path, course, repo, args.assignment, db_url, shard, options)
    except pipeline.GradeError as exc:
        print(f"course grade: {exc}", file=sys.stderr)
        return EXIT_UNTRUSTED
    except (IntakeError, CourseError) as exc:
        print(f"course grade: {exc}", file=sys.stderr)
        return EXIT_SETUP
    print(pipeline.summary_text(summary))
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m autograder.cli ...`` (same as ``course grade ...``)."""
    from course_lib.cli import ensure_tools_on_path

    parser = argparse.ArgumentParser(prog="course")
    sub = parser.add_subparsers(dest="command", required=True)
    add_parser(sub)
    args = parser.parse_args(["grade", *(argv if argv is not None else sys.argv[1:])])
    ensure_tools_on_path()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
