"""Turn an executed notebook into one line per exercise: passed, failing (and why), or not started."""
from __future__ import annotations

import shutil
import textwrap
from dataclasses import dataclass

import nbformat

from .exercises import exercises
from .runner import RunResult

PASSED, FAILING, NOT_STARTED = "passed", "failing", "not started"


@dataclass
class ExerciseResult:
    name: str
    points: float
    status: str
    message: str = ""


def summarise(nb: nbformat.NotebookNode, run: RunResult) -> list[ExerciseResult]:
    by_index = {e.index: e for e in run.errors}
    results = []
    for ex in exercises(nb):
        answer_errors = [by_index[i] for i in ex.answer_cells if i in by_index]
        test_errors = [by_index[t.index] for t in ex.tests if t.index in by_index]
        stub = [e for e in answer_errors + test_errors if e.ename == "NotImplementedError" or "not implemented yet" in e.evalue]
        if stub:
            results.append(ExerciseResult(ex.name, ex.points, NOT_STARTED, "replace `raise NotImplementedError()` with your code"))
        elif answer_errors:
            e = answer_errors[0]
            results.append(ExerciseResult(ex.name, ex.points, FAILING, f"your answer cell raised {e.ename}: {e.evalue}"))
        elif test_errors:
            e = test_errors[0]
            text = e.evalue if e.ename in ("CheckFailed", "AssertionError") and e.evalue else f"{e.ename}: {e.evalue}"
            results.append(ExerciseResult(ex.name, ex.points, FAILING, text))
        elif run.aborted and any(t.index >= _first_unrun(nb) for t in ex.tests):
            results.append(ExerciseResult(ex.name, ex.points, FAILING, f"not reached: {run.aborted}"))
        else:
            results.append(ExerciseResult(ex.name, ex.points, PASSED))
    return results


def _first_unrun(nb: nbformat.NotebookNode) -> int:
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.source.strip() and cell.get("execution_count") is None:
            return index
    return len(nb.cells)


def _points(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def table(results: list[ExerciseResult], width: int | None = None) -> str:
    width = width or min(shutil.get_terminal_size((100, 20)).columns, 120)
    name_w = max([len("exercise")] + [len(r.name) for r in results])
    head = f"{'exercise':<{name_w}}  points  result"
    lines = [head, "-" * len(head)]
    indent = " " * (name_w + 10)
    for r in results:
        text = r.status if not r.message or r.status == PASSED else f"{r.status}: {r.message}"
        body = []
        for para in text.splitlines() or [""]:
            body += textwrap.wrap(para, max(30, width - len(indent))) or [""]
        lines.append(f"{r.name:<{name_w}}  {_points(r.points):>6}  {body[0]}")
        lines += [indent + more for more in body[1:]]
    earned = sum(r.points for r in results if r.status == PASSED)
    total = sum(r.points for r in results)
    lines.append("-" * len(head))
    lines.append(f"{sum(r.status == PASSED for r in results)} of {len(results)} exercises pass the visible tests "
                 f"({_points(earned)} of {_points(total)} points; hidden tests run at grading).")
    return "\n".join(lines)
