"""Reference stand-ins: at grading, a test calls the solution's version of every other graded piece.

A later exercise often runs an earlier one: 09's ``fit`` shuffles with the learner's
``minibatches``, 13's ``preprocess`` calls their ``luminance``. Graded with the learner's own
earlier piece, one bug would cost its points in every exercise that calls it. The course
promises that a bug costs its points once, so under ``course grade``:

* before each test cell, every name that the answer cells of *another* exercise define, once
  all of that exercise's test cells have run, is rebound in the learner's namespace to the
  solution's version (built in a private namespace from the solutions notebook's setup cell,
  the definitions of its ungraded cells and those answer cells). Only exercises already
  graded are handed in, so no solution reaches the kernel before its own tests have run; the
  names the exercise under test defines (the solution's and the learner's own) are left alone;
* ``course_lib.earlier.load`` hands out the solution's version of an earlier notebook's piece
  (at home it hands the learner's own, once it passes its tests): what passes at home passes
  at grading. A name that the current notebook grades is refused, so that an exercise cannot
  be answered by loading an earlier notebook's twin of it.

At home the tests keep their ``check.prerequisite`` ("fix `minibatches` first").

The trusted side (:func:`plan`, :func:`earlier_payload`) reads the solutions and builds the
code the runner sends; :class:`StandIns` and :class:`Earlier` run inside the grading kernel.
"""
from __future__ import annotations

import ast
import builtins
import contextlib
import io
from typing import Any

from course_lib.earlier import _python  # a cell as plain Python for exec: magics and shell lines dropped

#: The answer cells' grade_id is the exercise's name; the setup cell's is this.
SETUP = "setup"


# -- trusted side ---------------------------------------------------------------------------
def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(_python(source))
    except SyntaxError:
        return None


def top_level_names(source: str) -> list[str]:
    """The names a cell binds at its top level (functions, classes, assignments, imports)."""
    tree = _parse(source)
    if tree is None:
        return []
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names += [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names += [(a.asname or a.name).split(".")[0] for a in node.names]
    return list(dict.fromkeys(names))


def _definitions(source: str) -> str:
    """Only the def, class and import statements of an ungraded cell (its demonstrations may be slow)."""
    tree = _parse(source)
    if tree is None:
        return ""
    kept = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom))]
    return ast.unparse(ast.Module(body=kept, type_ignores=[])) if kept else ""


def _meta(cell) -> dict:
    return (cell.get("metadata") or {}).get("nbgrader") or {}


def _exercise_of(grade_id: str) -> str:
    from course_lib.exercises import exercise_name

    return exercise_name(grade_id)


def notebook_parts(nb) -> dict:
    """The solutions notebook as stand-ins need it: ``base`` code and each exercise's answer code and names.

    ``base`` is the setup cell and the definitions of the ungraded cells (the helpers a notebook
    hands the learner, like 07's ``identity_backward``), in notebook order.
    """
    base: list[str] = []
    answers: dict[str, list[str]] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = _meta(cell)
        gid = meta.get("grade_id")
        if gid == SETUP:
            base.append(_python(cell.source))
        elif meta.get("solution") and not meta.get("grade") and gid:
            answers.setdefault(gid, []).append(_python(cell.source))
        elif not meta:
            code = _definitions(cell.source)
            if code:
                base.append(code)
    exercises = {}
    for name, sources in answers.items():
        names = [n for s in sources for n in top_level_names(s)]
        exercises[name] = {"code": "\n\n".join(sources), "names": list(dict.fromkeys(names))}
    return {"base": "\n\n".join(base), "exercises": exercises}


def plan(nb) -> dict[str, list[str]]:
    """Test cell grade_id -> the exercises whose stand-ins it gets: every other exercise whose test cells all came before."""
    last_test: dict[str, int] = {}
    answers = set()
    order: list[tuple[int, str]] = []
    for index, cell in enumerate(nb.cells):
        meta = _meta(cell)
        gid = meta.get("grade_id")
        if cell.cell_type != "code" or not gid:
            continue
        if meta.get("grade"):
            last_test[_exercise_of(gid)] = index
            order.append((index, gid))
        elif meta.get("solution"):
            answers.add(gid)
    out = {}
    for index, gid in order:
        mine = _exercise_of(gid)
        out[gid] = [ex for ex, last in last_test.items() if last < index and ex != mine and ex in answers]
    return out


def prelude(parts: dict, exercises: list[str], keep: set[str]) -> str:
    """The code the runner sends before a test cell: hand in the stand-ins of ``exercises``, except the names in ``keep``."""
    chosen = [(ex, parts["exercises"][ex]["code"], [n for n in parts["exercises"][ex]["names"]
                                                    if n not in keep and not n.startswith("_")])
              for ex in exercises if ex in parts["exercises"]]
    if not chosen:
        return ""
    return f"__grading__.stand_ins({parts['base']!r}, {chosen!r})\n"


def earlier_payload(notebooks: dict[str, Any], current: str, current_names: set[str]) -> dict:
    """What ``earlier.load`` may hand out while ``current`` is graded: the earlier notebooks' solution parts."""
    return {"current": current, "refused": sorted(current_names),
            "notebooks": {name: notebook_parts(nb) for name, nb in sorted(notebooks.items()) if name < current}}


# -- inside the grading kernel --------------------------------------------------------------
def _exec(code: str, namespace: dict, label: str) -> None:
    if not code.strip():
        return
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        exec(compile(code, f"<solution: {label}>", "exec"), namespace)


class _Solutions:
    """One notebook's solution pieces, each exercise's answer code run once, on demand, in one private namespace."""

    def __init__(self, parts: dict, label: str):
        self.parts, self.label = parts, label
        self.namespace: dict | None = None
        self.loaded: set[str] = set()

    def _ready(self) -> dict:
        if self.namespace is None:
            self.namespace = {"__name__": "__main__", "__builtins__": builtins}
            from course_lib import check

            numpy_only = check._NUMPY_ONLY
            try:
                _exec(self.parts["base"], self.namespace, f"{self.label} setup")
            except Exception:
                pass  # what is missing shows as a failing test, in words
            finally:  # running a setup cell again must not change the current notebook's rules
                check._NUMPY_ONLY = numpy_only
        return self.namespace

    def load(self, exercise: str, code: str) -> dict:
        namespace = self._ready()
        if exercise not in self.loaded:
            self.loaded.add(exercise)
            try:
                _exec(code, namespace, f"{self.label} {exercise}")
            except Exception:
                pass
        return namespace

    def load_all(self) -> dict:
        for exercise, part in self.parts["exercises"].items():
            self.load(exercise, part["code"])
        return self._ready()

    def owner(self, name: str) -> str | None:
        return next((ex for ex, part in self.parts["exercises"].items() if name in part["names"]), None)


class StandIns:
    """Rebinds the names of exercises already graded to the solution's versions before a test cell."""

    def __init__(self):
        self.solutions: _Solutions | None = None

    def __call__(self, base: str, chosen: list) -> None:
        from IPython import get_ipython

        if self.solutions is None:
            self.solutions = _Solutions({"base": base, "exercises": {}}, "this notebook")
        user = get_ipython().user_ns
        for exercise, code, names in chosen:
            namespace = self.solutions.load(exercise, code)
            for name in names:
                if name in namespace:
                    user[name] = namespace[name]


class Earlier:
    """``course_lib.earlier.load`` at grading: an earlier notebook's pieces, as its solution writes them."""

    def __init__(self, payload: dict):
        self.current = payload["current"]
        self.refused = set(payload["refused"])
        self.notebooks = {name: _Solutions(parts, name) for name, parts in payload["notebooks"].items()}

    def load(self, notebook: str, names: tuple[str, ...]) -> tuple:
        from course_lib.earlier import EarlierMissing

        for name in names:
            if name in self.refused:
                raise EarlierMissing(f"`{name}` is an exercise of this notebook: write it here, not with "
                                     f"earlier.load from {notebook}.")
        solutions = self.notebooks.get(notebook)
        if solutions is None:
            raise EarlierMissing(f"{notebook} is not a notebook that comes before {self.current}.")
        for name in names:
            if solutions.owner(name) is None:
                raise EarlierMissing(f"{notebook} defines no `{name}` in its exercises.")
        namespace = solutions.load_all()  # its pieces call each other (05's mlp_forward calls dense_forward)
        return tuple(namespace[name] for name in names)


def install(payload: dict | None) -> StandIns:
    """Called by the runner's bootstrap: stand-ins for this notebook's tests, and earlier.load's source at grading."""
    from course_lib import earlier

    stand_ins = StandIns()
    earlier._grading = Earlier(payload) if payload else None
    return stand_ins
