"""`course doctor` passes on a ready machine and names the fix when a package is really missing."""
from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

from conftest import ROOT


def doctor(python: str) -> subprocess.CompletedProcess:
    return subprocess.run([python, "-m", "course_lib.cli", "doctor"], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_doctor_passes_here():
    done = doctor(sys.executable)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Ready for the course." in done.stdout
    assert "rendered a 210×160 RGB Pong frame" in done.stdout


def environment_without(tmp_path: Path, hidden: tuple[str, ...]) -> str:
    """A real virtual environment holding everything of this one except ``hidden`` packages.

    Every entry of this environment's site-packages is linked into the new one, but the
    hidden packages and their metadata: for Python, they are simply not installed there.
    """
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    here = Path(sysconfig.get_paths()["purelib"])
    there = Path(subprocess.check_output([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip())
    for entry in here.iterdir():
        lowered = entry.name.lower()
        if not any(lowered == h or lowered.startswith(f"{h}-") for h in hidden):
            (there / entry.name).symlink_to(entry)
    share = Path(sys.prefix) / "share"
    if share.is_dir():
        (venv / "share").symlink_to(share)
    return str(venv / "bin" / "python")


def test_doctor_names_the_fix_when_ale_py_is_uninstalled(tmp_path):
    python = environment_without(tmp_path, ("ale_py",))
    done = doctor(python)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "ale-py is not installed" in done.stdout
    fix_lines = [line for line in done.stdout.splitlines() if "fix:" in line and "ale-py==" in line]
    assert fix_lines and "pip install ale-py==0.12.1" in fix_lines[0], done.stdout
    assert "problem(s) to fix" in done.stdout
