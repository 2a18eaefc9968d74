"""Running `course grade` from the tests: one batch per suite, one shared reference cache."""
from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

import nbformat

from . import ASSIGNMENT, Context

ROOT = Path(__file__).resolve().parents[2]

#: Seconds any cell may run in the suites' batches: `course grade`'s own default, a wide margin over what
#: honest cells need on a busy 2-core machine (03_activations' slowest cell, the one that imports PyTorch,
#: took 6 to 8 s with the load average at 7 to 14). Only tests of timeouts use less (ATTACK_CELL_TIMEOUT).
CELL_TIMEOUT = 120
#: The attack batch holds the two cells made to be slow (an infinite loop, and one that ignores the
#: interrupt), and each waits this long before it is stopped: shorter than CELL_TIMEOUT to keep the batch
#: short, still several times what the honest cells of the same batch need on a busy machine.
ATTACK_CELL_TIMEOUT = 60
#: Wall-clock seconds per submission (`course grade`'s default); the sandbox's CPU limit follows it.
SUBMISSION_TIMEOUT = 600


@lru_cache(maxsize=1)
def shared_cache() -> Path:
    """One reference cache per test process: the solutions run once for all grading suites."""
    folder = Path(tempfile.mkdtemp(prefix="course-grade-cache-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


@lru_cache(maxsize=1)
def sandbox_problem() -> str | None:
    """None when bubblewrap works here (`make test` installs it where it can); else why not."""
    from autograder import sandbox

    info = sandbox.probe()
    return None if info.available else info.reason


def sandbox_args() -> list[str]:
    """Where there is no sandbox, suites that do not test isolation still run, unsandboxed."""
    return [] if sandbox_problem() is None else ["--unsandboxed"]


def tool_env() -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", COURSE_FAST="1")


@lru_cache(maxsize=1)
def student_notebook() -> str:
    """The released 03_activations, made by nbgrader (as `course release` does)."""
    from course_lib.cli import ensure_tools_on_path
    from autograder.release import generate

    ensure_tools_on_path()
    return nbformat.writes(generate(ROOT, [ASSIGNMENT])[ASSIGNMENT])


def context(course: Path, port: int = 0) -> Context:
    solution = nbformat.read(ROOT / "solutions" / f"{ASSIGNMENT}.ipynb", as_version=4)
    return Context(solution, nbformat.reads(student_notebook(), as_version=4), course, ROOT, port)


def grade(submissions: Path, *args: str, timeout: float = 2400, cell_timeout: float = CELL_TIMEOUT) -> subprocess.CompletedProcess:
    """`course grade` on ``submissions`` with the suites' limits (``args`` come last, so they win).

    ``timeout`` only guards the test against a grader that hangs: a batch on a busy machine takes minutes."""
    argv = [sys.executable, "-m", "autograder.cli", str(submissions), "--workers", "2",
            "--cell-timeout", str(cell_timeout), "--timeout", str(SUBMISSION_TIMEOUT), "--memory", "1024", "--no-progress",
            "--cache", str(shared_cache()), *sandbox_args(), *args]
    return subprocess.run(argv, cwd=ROOT, env=tool_env(), capture_output=True, text=True, timeout=timeout)


class Listener:
    """A TCP server on the host's loopback that records every connection it gets."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections: list[tuple] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, addr = self.sock.accept()
            except OSError:
                return
            self.connections.append(addr)
            conn.close()

    def close(self) -> None:
        self.sock.close()
