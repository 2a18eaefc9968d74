"""The `course` command as learners and instructors call it."""
from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import NOTEBOOKS, ROOT, SOLUTIONS

NAME = "03_activations"


def course(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "course_lib.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_release_check_reports_no_drift():
    done = course("release", "--check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no drift" in done.stdout


@pytest.mark.notebook
def test_check_on_the_untouched_notebook_says_not_started():
    done = course("check", str(NOTEBOOKS / f"{NAME}.ipynb"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "not started" in done.stdout and "passed" not in done.stdout.split("----")[-2]
    assert "0 of" in done.stdout


@pytest.mark.notebook
def test_check_on_the_solutions_passes_everything():
    done = course("check", str(SOLUTIONS / f"{NAME}.ipynb"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "failing" not in done.stdout and "not started" not in done.stdout


def test_check_on_a_missing_file_explains():
    done = course("check", "notebooks/99_nothing.ipynb")
    assert done.returncode == 2 and "no notebook at" in done.stderr


def test_every_sub_command_is_reachable_from_course():
    done = course("--help")
    assert done.returncode == 0, done.stderr
    for command in ("release", "check", "doctor", "progress", "grade", "train"):
        assert command in done.stdout, f"`course --help` does not list `course {command}`"
    done = course("train", "--smoke", "--print-config", "--set", "lr=3e-4")
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"lr": 0.0003' in done.stdout and '"preset": "smoke"' in done.stdout
    done = course("grade", "--help")
    assert done.returncode == 0 and "--shard" in done.stdout and "--unsandboxed" in done.stdout


def test_the_learners_package_never_imports_the_grader():
    """course_lib is what learners install and import; the grader builds on it, never the reverse."""
    import re

    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "course_lib").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.match(r"\s*(import autograder|from autograder)\b", line)
    ]
    assert not offenders, f"course_lib imports the grader at {offenders}"
    assert not (ROOT / "course_lib" / "grading").exists(), "course_lib/grading/ is back: the grader lives in autograder/"
