"""The course in a browser tab (JupyterLite, whose Python is Pyodide): what changes there.

Notebooks 01-11 also run as a static website (``make lite``, docs/browser.md). Their graded
exercises are NumPy, which Pyodide has; three things are not there:

* PyTorch (``torch``): every notebook's cross-check compares the learner's NumPy with it;
* the Atari emulator (``ale_py``): notebook 11 convolves a real Pong frame;
* Gymnasium (``gymnasium``): notebook 05 lets the learner's network play CartPole.

A cell that needs one of them cannot run there. Instead of a red ``ModuleNotFoundError`` (which
would also stop "Run All"), the cell is skipped with one line that says what it would show
on a machine with the course installed. :class:`CellSkipper` decides that from the cell's code
before it runs: a cell is skipped when it imports one of those modules at top level, or uses a
name that a skipped cell would have made (``torch_conv``, the Pong ``frame``). Everything else
runs unchanged, so every graded cell runs as it does at home (a test checks that no answer or
test cell of 01-11 is ever skipped).

Nothing here runs outside the browser: :func:`install` does nothing unless
``sys.platform == "emscripten"``.
"""
from __future__ import annotations

import ast
import re
import symtable
import sys

__all__ = ["IN_BROWSER", "UNAVAILABLE", "CellSkipper", "install", "handing_in"]

#: True inside Pyodide (JupyterLite's kernel), where ``sys.platform`` is "emscripten".
IN_BROWSER = sys.platform == "emscripten"

#: Top-level modules that do not exist in the browser, with the words a learner knows them by.
UNAVAILABLE = {
    "torch": "PyTorch",
    "ale_py": "the Atari emulator (ale-py)",
    "gymnasium": "Gymnasium (its CartPole)",
}


def handing_in() -> str:
    """Printed once, under the first cell that imports course_lib in the browser: where the work is, how to hand it in."""
    return ("Running in your browser (JupyterLite): your edits are kept in this browser's storage "
            "(File > Save Notebook, Ctrl+S). To hand a notebook in, save it, then right-click it in the file "
            "browser on the left > Download: the .ipynb grades like any other. Cells that need PyTorch or the "
            "Atari emulator say so and are skipped.")


def _module_root(name: str | None) -> str:
    return (name or "").split(".")[0]


def _statement_names(statement: ast.stmt) -> tuple[set[str], set[str]]:
    """(global names the statement reads, names it binds at module level), scopes respected.

    ``def f(frame): return frame`` reads no global ``frame``; ``def g(): return frame * 2``
    does. Python's own symbol tables decide that, as the compiler would.
    """
    source = ast.unparse(ast.Module(body=[statement], type_ignores=[]))
    try:
        table = symtable.symtable(source, "<cell>", "exec")
    except SyntaxError:
        return set(), set()
    reads, binds = set(), set()
    for symbol in table.get_symbols():
        if symbol.is_referenced():
            reads.add(symbol.get_name())
        if symbol.is_assigned() or symbol.is_imported():
            binds.add(symbol.get_name())
    todo = list(table.get_children())
    while todo:
        child = todo.pop()
        for symbol in child.get_symbols():
            if symbol.is_referenced() and (symbol.is_global() or symbol.is_declared_global()):
                reads.add(symbol.get_name())
            if symbol.is_declared_global() and symbol.is_assigned():
                binds.add(symbol.get_name())
        todo.extend(child.get_children())
    return reads, binds


def _top_level_imports(statement: ast.stmt) -> list[str]:
    """Modules imported by the statement outside any function or class body."""
    found, todo = [], [statement]
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Import):
            found += [_module_root(alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            found.append(_module_root(node.module))
        todo.extend(ast.iter_child_nodes(node))
    return found


def _text(node: ast.AST) -> str | None:
    """A string literal, or an f-string with a field or two written as "…" (None when mostly fields)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        text = "".join(v.value if isinstance(v, ast.Constant) else "…" for v in node.values).strip(" :")
        if text.startswith("…") or text.count("…") > 2:
            return None
        return text
    return None


def _what_it_shows(tree: ast.Module, source: str) -> str | None:
    """What the cell shows at home, in its own words: the name of its first check, else its first comment."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "name":
                    text = _text(keyword.value)
                    if text and len(text) > 8:
                        return text
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") and len(stripped) > 10 and not stripped.startswith("#!"):
            return stripped.lstrip("#").strip().rstrip(".")
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print" and node.args:
            text = _text(node.args[0])
            if text and len(text.strip(" :…")) > 8:
                return text.strip(" :")
    return None


class CellSkipper:
    """Decides, cell by cell and in the order they run, which cells cannot run in the browser.

    ``check(source)`` returns ``None`` for a cell that runs as written, or the one line to print
    instead of running it. It remembers the names that skipped cells would have defined, so a
    later cell that uses one of them (and does not define it first) is skipped too, and forgets
    such a name once a cell that runs defines it again.
    """

    def __init__(self) -> None:
        self.missing: dict[str, str] = {}  # name -> what it needed ("PyTorch")
        self._last: tuple[str, str | None] | None = None

    def check(self, source: str) -> str | None:
        # IPython transforms a cell more than once before running it (the kernel also looks at
        # the result for imports): the same source in a row is one cell, decided once.
        if self._last is not None and self._last[0] == source:
            return self._last[1]
        decision = self._decide(source)
        self._last = (source, decision)
        return decision

    def _decide(self, source: str) -> str | None:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return None  # Python reports it as usual
        bound: set[str] = set()
        binds_all: set[str] = set()
        need, via = None, None
        for statement in tree.body:
            for module in _top_level_imports(statement):
                if module in UNAVAILABLE and need is None:
                    need = UNAVAILABLE[module]
            reads, binds = _statement_names(statement)
            if need is None:
                # Names the statement binds itself (a loop variable, `except ... as exc`) count as its own.
                used = sorted(name for name in reads - bound - binds if name in self.missing)
                if used:
                    need, via = self.missing[used[0]], used[0]
            bound |= binds
            binds_all |= binds
        if need is None:
            for name in binds_all:
                self.missing.pop(name, None)
            return None
        for name in binds_all:
            self.missing.setdefault(name, need)
        shows = _what_it_shows(tree, source)
        why = f"needs {need}" if via is None else f"uses `{via}`, made by a cell that needs {need}"
        line = f"[browser] Skipped: this cell {why}, which the browser does not have."
        if shows:
            line += f" With the course installed (make course) it shows: {_shorten(shows)}."
        else:
            line += " Run it with the course installed (make course) to see its output."
        return line

    def transform(self, lines: list[str]) -> list[str]:
        """An IPython ``input_transformers_post`` hook: a skipped cell becomes one ``print``."""
        source = "".join(lines)
        line = self.check(source)
        if line is None:
            return lines
        return [f"print({line!r})\n"]


def _shorten(text: str, limit: int = 160) -> str:
    text = re.sub(r"\s+", " ", text).strip().rstrip(".:")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_installed: CellSkipper | None = None


def install(shell=None) -> CellSkipper | None:
    """In the browser: skip the cells that cannot run there (see the module's docstring), once per kernel.

    Does nothing outside Pyodide, or outside IPython. Prints :func:`handing_in` the first time.
    """
    global _installed
    if not IN_BROWSER or _installed is not None:
        return _installed
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return None
        shell = get_ipython()
    if shell is None:
        return None
    _installed = CellSkipper()
    shell.input_transformers_post.append(_installed.transform)
    print(handing_in())
    return _installed
