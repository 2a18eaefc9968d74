"""`course progress`: where a learner stands, per notebook and per exercise.

Runs the visible tests of the learner's own notebooks (each in a fresh kernel, on an
in-memory copy: their files are never changed) and reports every exercise as passed,
failing (with the message) or not started, which checkpoints are reached, and roughly how
many hours of the course are left.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .feedback import FAILING, NOT_STARTED, PASSED, ExerciseResult, summarise
from .runner import execute_file
from .syllabus import COURSE, Notebook


@dataclass
class NotebookProgress:
    notebook: Notebook
    results: list[ExerciseResult] = field(default_factory=list)
    missing: bool = False  # the learner's folder has no such notebook (not released yet)
    error: str = ""  # the notebook could not be run at all

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def done_fraction(self) -> float:
        return self.count(PASSED) / len(self.results) if self.results else 0.0

    @property
    def complete(self) -> bool:
        return bool(self.results) and self.count(PASSED) == len(self.results)


def default_folder() -> Path:
    from .repository import find_root

    here = Path.cwd()
    if any(here.glob("[0-9][0-9]_*.ipynb")):
        return here
    return find_root() / "notebooks"


def collect(folder: str | Path | None = None, timeout: int = 300, show_bar: bool = True,
            workers: int | None = None) -> list[NotebookProgress]:
    """Run every notebook of the course found in ``folder``, several at a time (one kernel per core: a kernel
    mostly keeps one core busy and spends its start-up waiting), and report them in course order."""
    import os
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from tqdm.auto import tqdm

    folder = Path(folder) if folder else default_folder()
    present = [nb for nb in COURSE if (folder / f"{nb.name}.ipynb").is_file()]
    bar = tqdm(total=len(present), desc="running your notebooks", unit="notebook", disable=not show_bar)

    def run(nb: Notebook) -> NotebookProgress:
        try:
            executed, result = execute_file(folder / f"{nb.name}.ipynb", timeout=timeout, fast=True)
            return NotebookProgress(nb, summarise(executed, result))
        except Exception as exc:  # invalid JSON, a kernel that cannot start...
            return NotebookProgress(nb, error=f"could not run: {exc}")

    done: dict[str, NotebookProgress] = {}
    with ThreadPoolExecutor(max_workers=max(1, min(workers or os.cpu_count() or 1, len(present) or 1))) as pool:
        futures = {pool.submit(run, nb): nb for nb in present}
        for future in as_completed(futures):
            done[futures[future].name] = future.result()
            bar.set_postfix_str(futures[future].name)
            bar.update(1)
    bar.close()
    return [done.get(nb.name) or NotebookProgress(nb, missing=True) for nb in COURSE]


def checkpoints(report: list[NotebookProgress]) -> dict[str, bool]:
    """A checkpoint is reached when every exercise of its graded set passes."""
    reached = {}
    for p in report:
        if p.notebook.checkpoint:
            prefix = f"checkpoint_{p.notebook.checkpoint.lower()}_"
            items = [r for r in p.results if r.name.startswith(prefix)]
            reached[p.notebook.checkpoint] = bool(items) and all(r.status == PASSED for r in items)
    return reached


def hours_left(report: list[NotebookProgress]) -> float:
    return sum(p.notebook.mid_hours * (1 - p.done_fraction) for p in report)


def text(report: list[NotebookProgress], details: bool = True) -> str:
    lines = [f"{'notebook':<38} {'passed':>6} {'failing':>7} {'todo':>5}  state", "-" * 72]
    for p in report:
        label = f"{p.notebook.number:02d} {p.notebook.title}"[:38]
        if p.missing:
            lines.append(f"{label:<38} {'':>6} {'':>7} {'':>5}  not released yet")
            continue
        if p.error:
            lines.append(f"{label:<38} {'':>6} {'':>7} {'':>5}  {p.error}")
            continue
        state = "complete" if p.complete else ("not started" if p.count(NOT_STARTED) == len(p.results) else "in progress")
        lines.append(f"{label:<38} {p.count(PASSED):>6} {p.count(FAILING):>7} {p.count(NOT_STARTED):>5}  {state}")
        if details:
            for r in p.results:
                if r.status == FAILING:
                    first = r.message.splitlines()[0] if r.message else ""
                    lines.append(f"    {r.name}: failing: {first[:90]}")
                elif r.status == NOT_STARTED:
                    lines.append(f"    {r.name}: not started")
    lines.append("-" * 72)
    marks = checkpoints(report)
    if marks:
        lines.append("checkpoints: " + ", ".join(f"{k} {'reached' if v else 'not yet'}" for k, v in marks.items()))
    lines.append(f"time left: about {hours_left(report):.0f} hours of the course")
    return "\n".join(lines)


def chart(report: list[NotebookProgress], ax=None):
    """Stacked bars per notebook: share of exercises passed, failing, not started."""
    import matplotlib.pyplot as plt

    shown = [p for p in report if p.results]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.45 * max(len(shown), 1) + 1))
    labels = [f"{p.notebook.number:02d} {p.notebook.title}" for p in shown]
    left = [0.0] * len(shown)
    for status, colour in ((PASSED, "#1b9e77"), (FAILING, "#d95f02"), (NOT_STARTED, "#bbbbbb")):
        share = [p.count(status) / len(p.results) for p in shown]
        ax.barh(labels, share, left=left, color=colour, label=status)
        left = [a + b for a, b in zip(left, share)]
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of exercises")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Your progress (visible tests)")
    return ax


def show(folder: str | Path | None = None) -> list[NotebookProgress]:
    """For a notebook cell: the table and the chart."""
    import matplotlib.pyplot as plt

    report = collect(folder)
    print(text(report))
    chart(report)
    plt.show()
    return report


def main(folder: str | None = None, timeout: int = 300) -> int:
    report = collect(folder, timeout=timeout)
    print(text(report))
    return 0
