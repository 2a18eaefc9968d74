"""The oldest Python the project promises can install it, and `make` says so in words when it cannot.

The floor is pyproject.toml's ``requires-python`` (">=3.11": any 3.11.x, Debian 12's stock 3.11.2
included). Every distribution installed from requirements.lock must admit it in its own
``Requires-Python``, or `make lock` could raise the floor behind the README's back (soupsieve 4.1.2,
pinned until issue 22, needs Python 3.11.5 or newer and stopped `make course` on Debian 12).
README.md and environment.yml must state the same floor. Before it installs anything, `make course`
and `make test` run tools/setup_check.sh, which names an interpreter below the floor, one that cannot
make a venv, and a disk without room, in words instead of a pip resolver error.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import distributions
from pathlib import Path

import pytest
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from conftest import ROOT


def python_floor() -> Version:
    """The lowest Python pyproject.toml's requires-python admits (its ``>=`` bound)."""
    spec = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    bounds = [Version(s.version) for s in SpecifierSet(spec) if s.operator == ">="]
    assert len(bounds) == 1, f"pyproject.toml's requires-python {spec!r} should have one '>=' bound, the floor"
    return bounds[0]


def excluding_the_floor(metadata: list[tuple[str, str, str | None]], floor: Version) -> list[str]:
    """``name version (Requires-Python)`` for each (name, version, Requires-Python) that leaves ``floor`` out."""
    out = []
    for name, version, requires in metadata:
        if not requires:
            continue
        try:
            admits = SpecifierSet(requires).contains(floor, prereleases=True)
        except InvalidSpecifier:
            admits = False
        if not admits:
            out.append(f"{name} {version} (Requires-Python {requires})")
    return out


def installed() -> list[tuple[str, str, str | None]]:
    return [(d.metadata["Name"], d.version, d.metadata.get("Requires-Python")) for d in distributions()]


def test_every_installed_distribution_admits_the_python_floor():
    floor = python_floor()
    found = installed()
    assert len(found) > 100, f"only {len(found)} distributions found: is this the project's .venv?"
    bad = excluding_the_floor(found, floor)
    assert not bad, (f"pyproject.toml promises Python {floor} or newer, but these installed releases refuse it: "
                     f"{'; '.join(sorted(bad))}. Pin an older release of each in requirements.lock, one whose "
                     f"Requires-Python admits {floor} (pip download --no-deps --python-version {floor} NAME finds it)")


def test_the_floor_check_catches_the_lock_before_issue_22():
    """The metadata of soupsieve 4.1.2 (pinned until issue 22) beside releases that admit 3.11.0."""
    floor = Version("3.11")
    before = [("soupsieve", "4.1.2", ">=3.11.5"), ("beautifulsoup4", "4.15.0", ">=3.7.0"), ("six", "1.17.0", None)]
    assert excluding_the_floor(before, floor) == ["soupsieve 4.1.2 (Requires-Python >=3.11.5)"]
    after = [("soupsieve", "2.10", ">=3.10"), ("beautifulsoup4", "4.15.0", ">=3.7.0"), ("six", "1.17.0", None)]
    assert excluding_the_floor(after, floor) == []
    # a bound that leaves out the floor another way, and metadata that is not a specifier at all
    assert excluding_the_floor([("a", "1", "<3.11"), ("b", "1", "!=3.11.0"), ("c", "1", "3.11")], floor) == \
        ["a 1 (Requires-Python <3.11)", "b 1 (Requires-Python !=3.11.0)", "c 1 (Requires-Python 3.11)"]
    assert excluding_the_floor([("d", "1", ">=3.11.5")], Version("3.12")) == []   # a higher floor admits it


def test_the_floor_is_the_one_pyproject_readme_and_conda_state():
    floor = python_floor()
    major_minor = f"{floor.major}.{floor.minor}"
    readme = (ROOT / "README.md").read_text()
    stated = set(re.findall(r"Python (3\.\d+)(?:\.\d+)?(?:\+| or newer)", readme))
    assert stated == {major_minor}, f"README.md states the Python floor as {sorted(stated)}, pyproject.toml as {floor}"
    conda = re.findall(r"^\s*-\s*python\s*([=<>!~]*)\s*([\d.]+)\s*(?:#.*)?$", (ROOT / "environment.yml").read_text(), re.M)
    assert conda, "environment.yml names no python version"
    op, version = conda[0]
    assert Version(version) >= floor and Version(version).release[:2] == floor.release[:2], \
        f"environment.yml asks for python{op}{version}, pyproject.toml's floor is {floor}"
    if os.environ.get("VIRTUAL_ENV") or sys.prefix != sys.base_prefix:
        assert sys.version_info[:3] >= floor.release, f"this .venv runs Python {sys.version.split()[0]}, below {floor}"


# -- the set-up check that `make course` and `make test` run first ----------------------------------

def _clone(tmp_path: Path, floor: str | None = None) -> Path:
    """The files the set-up reads, in a folder of their own (pyproject.toml's floor replaced when given)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    clone = tmp_path / "clone"
    (clone / "tools").mkdir(parents=True)
    for name in ("Makefile", "requirements.lock", "tools/setup_check.sh"):
        shutil.copy(ROOT / name, clone / name)
    text = (ROOT / "pyproject.toml").read_text()
    if floor is not None:
        text, n = re.subn(r'^requires-python = ".*"$', f'requires-python = ">={floor}"', text, flags=re.M)
        assert n == 1
    (clone / "pyproject.toml").write_text(text)
    return clone


def _make(clone: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", *args], cwd=clone, capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, **(env or {})))


def _no_install_started(clone: Path, done: subprocess.CompletedProcess) -> None:
    said = done.stdout + done.stderr
    assert done.returncode != 0, f"make went on:\n{said}"
    assert not (clone / ".venv").exists(), "make made .venv although the set-up check failed"
    assert "pip install" not in said and "No matching distribution" not in said, said


@pytest.mark.parametrize("target", ["course", "test"])
def test_make_names_a_python_below_the_floor_before_installing(tmp_path, target):
    clone = _clone(tmp_path, floor="3.99")
    done = _make(clone, target, f"PYTHON={sys.executable}")
    _no_install_started(clone, done)
    mine = "%d.%d.%d" % sys.version_info[:3]
    assert f"is Python {mine}, and the course needs Python 3.99 or newer" in done.stderr, done.stderr
    assert "PYTHON=" in done.stderr, "the message should say how to name another Python"


def test_make_names_a_missing_python(tmp_path):
    clone = _clone(tmp_path)
    done = _make(clone, "course", "PYTHON=/nowhere/python3.11")
    _no_install_started(clone, done)
    assert "no Python called '/nowhere/python3.11' was found" in done.stderr, done.stderr
    floor = python_floor()
    assert f"Python {floor} or newer" in done.stderr, done.stderr


def test_make_names_a_python_that_cannot_make_a_venv(tmp_path):
    """Debian and Ubuntu ship ensurepip apart (python3-venv): a Python without it cannot make .venv."""
    clone = _clone(tmp_path)
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "ensurepip.py").write_text("raise ImportError('ensurepip is not installed here')\n")
    done = _make(clone, "test", f"PYTHON={sys.executable}", env={"PYTHONPATH": str(shadow)})
    _no_install_started(clone, done)
    assert "cannot make a virtual environment" in done.stderr and "apt-get install python3-venv" in done.stderr, \
        done.stderr


def test_make_names_a_venv_made_with_an_older_python(tmp_path):
    clone = _clone(tmp_path, floor="3.99")
    (clone / ".venv" / "bin").mkdir(parents=True)
    os.symlink(sys.executable, clone / ".venv" / "bin" / "python")
    done = _make(clone, "course")
    said = done.stdout + done.stderr
    assert done.returncode != 0 and "pip install" not in said, said
    assert "was made with Python" in done.stderr and "make clean-venv" in done.stderr, done.stderr


@pytest.mark.parametrize("target", ["course", "test"])
def test_make_names_a_disk_without_room(tmp_path, target):
    clone = _clone(tmp_path)
    done = _make(clone, target, f"PYTHON={sys.executable}", "SETUP_NEW_MB=999999999")
    _no_install_started(clone, done)
    found = re.search(r"a new \.venv needs about 999999999 MB .* has (\d+) MB free", " ".join(done.stderr.split()))
    assert found, done.stderr
    assert "VENV=" in done.stderr, "the message should say how to put the environment on another disk"


def test_set_up_check_passes_here_and_says_nothing(tmp_path):
    """The real floor, this interpreter, this disk: the check lets make go on (and prints nothing)."""
    clone = _clone(tmp_path)
    done = _make(clone, "setup-check", f"PYTHON={sys.executable}")
    assert done.returncode == 0 and done.stdout.strip() == "" and done.stderr.strip() == "", done.stdout + done.stderr
