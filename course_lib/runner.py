"""Execute a notebook in a fresh Jupyter kernel and report what each graded cell did.

Used by ``course check`` (a learner's own feedback) and by the test suite. For grades,
nbgrader's ``autograde`` is the engine; this module only answers "which cells raised,
and with what message" quickly and without a gradebook.
"""
from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from .exercises import nbgrader_meta


@dataclass
class CellError:
    index: int
    grade_id: str | None
    ename: str
    evalue: str


@dataclass
class RunResult:
    path: Path
    seconds: float
    errors: list[CellError] = field(default_factory=list)
    aborted: str | None = None  # why execution stopped early (timeout, dead kernel)

    def error_for(self, grade_id: str) -> CellError | None:
        return next((e for e in self.errors if e.grade_id == grade_id), None)


#: Quiet the kernel's own start-up log (e.g. ipykernel's note about local TCP transport),
#: which would otherwise land in the middle of `course check`'s table.
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR"]


def kernel_env(fast: bool = True) -> dict[str, str]:
    env = dict(os.environ)
    env["COURSE_FAST"] = "1" if fast else "0"
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    # NumPy's BLAS threads help large products only; the course's are small, and several kernels at once
    # (course progress, the tests) each spinning a thread per core made them up to 10x slower
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    return env


def execute(nb: nbformat.NotebookNode, workdir: str | Path, timeout: int = 120, fast: bool = True) -> tuple[nbformat.NotebookNode, RunResult]:
    """Run every cell, continuing past errors; return the executed notebook and its errors."""
    workdir = Path(workdir)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        extra_arguments=KERNEL_ARGS,
        resources={"metadata": {"path": str(workdir)}},
    )
    started = time.perf_counter()
    aborted = None
    try:
        # the kernel process's own stderr (C libraries such as the Atari emulator print banners there) would land
        # in the middle of `course check`'s table; what the notebook prints comes through the kernel's messages
        client.execute(env=kernel_env(fast), stderr=subprocess.DEVNULL)
    except CellTimeoutError as exc:
        aborted = f"a cell ran longer than {timeout} s: {str(exc).splitlines()[0]}"
    except DeadKernelError as exc:
        aborted = f"the kernel died: {exc}"
    seconds = time.perf_counter() - started
    errors = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                errors.append(CellError(index, nbgrader_meta(cell).get("grade_id"), out.get("ename", ""), out.get("evalue", "")))
                break
    return nb, RunResult(Path(workdir), seconds, errors, aborted)


def execute_file(path: str | Path, timeout: int = 120, fast: bool = True) -> tuple[nbformat.NotebookNode, RunResult]:
    path = Path(path)
    nb = nbformat.read(str(path), as_version=4)
    executed, result = execute(nb, path.parent, timeout=timeout, fast=fast)
    result.path = path
    return executed, result
