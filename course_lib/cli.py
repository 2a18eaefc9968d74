"""The `course` command: one entry point for learners, instructors and capstone runners."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def ensure_tools_on_path() -> None:
    """Put this interpreter's bin/ first on PATH.

    nbgrader runs helper programs (``alembic``) by name; when `course` is called as
    ``.venv/bin/course`` without activating the environment, they would not be found.
    """
    bin_dir = str(Path(sys.executable).parent)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if parts[:1] != [bin_dir]:
        os.environ["PATH"] = os.pathsep.join([bin_dir, *parts])


def _check(args: argparse.Namespace) -> int:
    from .feedback import PASSED, summarise, table
    from .runner import execute_file

    path = Path(args.notebook)
    if not path.is_file():
        print(f"course check: no notebook at {path}", file=sys.stderr)
        return 2
    print(f"Running {path} top to bottom in a fresh kernel (your file is not changed)...", flush=True)
    try:
        nb, run = execute_file(path, timeout=args.timeout, fast=not args.full)
    except Exception as exc:  # a notebook that is not valid JSON, a missing kernel...
        print(f"course check: could not run {path}: {exc}", file=sys.stderr)
        return 2
    results = summarise(nb, run)
    if not results:
        print(f"{path} has no graded exercises.")
        return 0
    print(table(results))
    print(f"({run.seconds:.1f} s)")
    return 0 if all(r.status == PASSED for r in results) else 1


def _doctor(args: argparse.Namespace) -> int:
    from .doctor import main

    return main(as_json=args.json)


def _progress(args: argparse.Namespace) -> int:
    from .progress import main

    folder = args.folder
    if folder and not Path(folder).is_dir():
        print(f"course progress: no folder {folder}", file=sys.stderr)
        return 2
    return main(folder, timeout=args.timeout)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="course", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="run a notebook's visible tests and print a table of exercises")
    p.add_argument("notebook", help="path to the notebook, e.g. notebooks/03_activations.ipynb")
    p.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell (default 300)")
    p.add_argument("--full", action="store_true", help="run demonstrations at full size (COURSE_FAST=0)")
    p.set_defaults(func=_check)

    p = sub.add_parser("doctor", help="check that this machine is ready for the course, with the fix for each problem")
    p.add_argument("--json", action="store_true", help="print the findings as JSON")
    p.set_defaults(func=_doctor)

    p = sub.add_parser("progress", help="run the visible tests of your notebooks and show where you stand")
    p.add_argument("folder", nargs="?", help="folder with your notebooks (default: notebooks/ of the course)")
    p.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell (default 300)")
    p.set_defaults(func=_progress)

    # The instructor's commands (release, grade, from the `autograder` package) and the
    # capstone runner's (train) live beside their code and register themselves as
    # `course.commands` entry points: this package never imports the grader.
    for add_parser in plugin_commands():
        add_parser(sub)
    return parser


def plugin_commands() -> list:
    """The ``add_parser(subparsers)`` functions of every installed `course.commands` entry point."""
    from importlib.metadata import entry_points

    found = sorted(entry_points(group="course.commands"), key=lambda ep: ep.name)
    return [ep.load() for ep in found]


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    ensure_tools_on_path()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
