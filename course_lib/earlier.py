"""The learner's own functions from an earlier notebook, carried forward when they pass their tests.

From notebook 05 on, a notebook builds on what earlier ones had the learner write (05's
forward pass feeds 06's losses, 07's backward passes train 09's networks). The course does
not ship those pieces: a library copy would answer the earlier exercise with one import.
Instead ``load("05_forward_propagation", "mlp_forward")`` reads the learner's own notebook
(``05_forward_propagation.ipynb`` beside the current one), runs its setup and answer cells
in a private namespace, runs the visible tests of the exercises that define the names, and
returns the learner's functions only when those tests pass. Otherwise it raises
:class:`EarlierMissing`, whose message says which exercise to finish; demonstrations wrap
the call in ``check.demo`` and print that line instead of a plot.

Under ``course grade`` the sandbox holds only the submission being graded: there ``load``
hands out the solution's version of the earlier piece instead (``autograder.stand_ins`` sets
``_grading``), so an answer that reuses an earlier function passes at grading as it passes at
home, and a bug in the earlier notebook costs its points there, not here again.
"""
from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

from .exercises import exercises, nbgrader_meta, read

__all__ = ["EarlierMissing", "load"]

#: Set inside a grading kernel only: hands out the solutions' pieces (see autograder.stand_ins.Earlier).
_grading = None


class EarlierMissing(RuntimeError):
    """The earlier notebook, or the exercise that defines a name, is missing or does not pass yet."""


def _python(source: str) -> str:
    """The cell as plain Python: magics (``%matplotlib inline``) and shell lines dropped."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def _run(source: str, namespace: dict) -> None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        exec(compile(_python(source), "<earlier notebook>", "exec"), namespace)


def _run_definitions(source: str, namespace: dict) -> None:
    import ast

    try:
        tree = ast.parse(_python(source))
    except SyntaxError:
        return
    kept = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom))]
    if kept:
        try:
            _run(ast.unparse(ast.Module(body=kept, type_ignores=[])), namespace)
        except Exception:
            pass  # a helper that needs a demonstration's variables: the tests below say whether it matters


def _defines(source: str, name: str) -> bool:
    """Whether an answer cell defines ``name``: a function, a class (13's ``NatureDQN``) or a variable."""
    return any(marker in source for marker in (f"def {name}(", f"class {name}(", f"class {name}:", f"{name} ="))


def _learners(nb, notebook: str, names: tuple[str, ...]) -> dict[str, Any]:
    """Run the earlier notebook's setup, helpers and answers in a private namespace; its tests decide."""
    namespace: dict[str, Any] = {"__name__": f"earlier_{notebook}"}
    setup = [c for c in nb.cells if c.cell_type == "code" and nbgrader_meta(c).get("grade_id") == "setup"]
    for cell in setup:
        _run(cell.source, namespace)
    graded = exercises(nb)
    # Functions the notebook hands the learner (a helper like 07's identity_backward) live in
    # ungraded cells, which also hold slow demonstrations: take only their def, class and import lines.
    for cell in nb.cells:
        if cell.cell_type == "code" and not nbgrader_meta(cell):
            _run_definitions(cell.source, namespace)
    for ex in graded:
        for index in ex.answer_cells:
            try:
                _run(nb.cells[index].source, namespace)
            except Exception:
                pass  # an unanswered or broken cell: the tests below say whether it matters
    for name in names:
        owner = next((ex for ex in graded if any(_defines(nb.cells[i].source, name) for i in ex.answer_cells)), None)
        if owner is None or name not in namespace:
            raise EarlierMissing(f"{notebook} defines no `{name}` in its exercises.")
        for test in owner.tests:
            try:
                _run(test.source, namespace)
            except Exception as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise EarlierMissing(f"your `{name}` from notebook {notebook} (exercise `{owner.name}`) does not pass "
                                     f"its tests yet ({first}): finish it there and run this cell again.") from None
    return namespace


def load(notebook: str, *names: str, folder: str | Path | None = None) -> Any:
    """Your ``names`` from ``notebook`` (one function, or a tuple of them), once their visible tests pass."""
    __tracebackhide__ = True
    if not names:
        raise ValueError("name at least one function to load")
    if _grading is not None:
        found = _grading.load(notebook, names)
        return found[0] if len(found) == 1 else found
    path = Path(folder or Path.cwd()) / f"{notebook}.ipynb"
    if not path.is_file():
        raise EarlierMissing(f"your notebook {notebook}.ipynb is not in {path.parent}: this part uses your "
                             f"{', '.join(names)} from it.")
    try:
        nb = read(path)
    except Exception as exc:
        raise EarlierMissing(f"your notebook {path.name} cannot be read ({type(exc).__name__}).") from None
    from . import check

    numpy_only = check._NUMPY_ONLY
    try:
        namespace = _learners(nb, notebook, names)
    finally:  # an earlier notebook's setup or test cells (check.numpy_only) do not change this notebook's rules
        check._NUMPY_ONLY = numpy_only
    found = tuple(namespace[name] for name in names)
    return found[0] if len(found) == 1 else found
