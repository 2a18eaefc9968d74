"""A live Jupyter kernel for tests that run cells one at a time (e.g. swapping in a wrong answer).

Re-running only an exercise's answer and test cells in one kernel proves the same thing
as re-grading the whole notebook for each mistake, at a fraction of the cost.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jupyter_client.manager import KernelManager

from course_lib.runner import KERNEL_ARGS, kernel_env


@dataclass
class Error:
    ename: str
    evalue: str

    def __str__(self) -> str:
        return f"{self.ename}: {self.evalue}"


class Kernel:
    def __init__(self, cwd: Path, fast: bool = True):
        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(cwd=str(cwd), env=kernel_env(fast), extra_arguments=KERNEL_ARGS)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=180)   # a busy machine starts a kernel in seconds, not minutes

    def run(self, code: str, timeout: float = 600) -> Error | None:
        """Execute ``code``; return the error it raised, or None."""
        reply = self.kc.execute_interactive(code, timeout=timeout, output_hook=lambda msg: None)
        content = reply["content"]
        if content["status"] == "error":
            return Error(content.get("ename", ""), content.get("evalue", ""))
        return None

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)

    def __enter__(self) -> "Kernel":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
