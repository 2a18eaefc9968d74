"""Rewrite a test cell for grading: expected values out, markers in.

Two versions of every test cell are made from the solutions notebook:

``reference`` (run trusted, on the solutions): the cell as written, plus
  ``__grading__.begin()`` first, ``__grading__.section("hidden"|"visible")`` around the
  hidden tests, ``__grading__.done()`` last, and each ``check.is_true(cond, ...)`` wrapped
  so that the plain values ``cond`` reads are exported with it.

``sandbox`` (run on a learner's submission, in the sandbox): the same, and also
  * the ``expected`` argument of every ``check.close`` / ``check.equal`` replaced by
    ``None``, so no expected value is ever computed where learner code runs;
  * inside the hidden tests, statements that only fed those expected values (private
    reference functions such as ``_softmax``, ``_want = ...`` loops) removed. Only names
    starting with ``_`` (the course's rule for hidden-test names) that no other cell uses
    are removed, so a learner's code can never lose a variable it could know about.

Comments disappear in both (the cell is re-printed from its syntax tree). Removing a
statement that also advanced a random generator would change later inputs; `course grade`
catches that by grading the solutions notebook through the sandbox path (the canary) and
refusing to grade when it loses points.
"""
from __future__ import annotations

import ast
import builtins
import re

CHECK_MODULE = "check"
EXPECTED_ARG = {"close": 1, "equal": 1}
RECORDED = {"close", "equal", "shape", "finite", "dtype_kind", "sums_to_one", "in_range",
            "no_mutation", "no_warnings", "is_true"}
BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"
#: Names an ``is_true`` condition may use without exporting them: the trusted side
#: evaluates the condition with these bound to the real things.
TRUSTED_NAMES = {"np", "numpy", "math"} | set(dir(builtins))
HARNESS = "__grading__"


class InstrumentError(ValueError):
    pass


def _python(source: str) -> str:
    """IPython syntax (magics, ``!cmd``) turned into plain Python, line numbers kept."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(source)
    except Exception:  # pragma: no cover - IPython is always there in this project
        return source


def _is_check(node: ast.AST, kinds: set[str] | None = None) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == CHECK_MODULE
        and (kinds is None or node.func.attr in kinds)
    )


def _harness_call(method: str, *args: ast.expr) -> ast.Expr:
    return ast.Expr(ast.Call(ast.Attribute(ast.Name(HARNESS, ast.Load()), method, ast.Load()), list(args), []))


class _StripExpected(ast.NodeTransformer):
    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if _is_check(node, set(EXPECTED_ARG)):
            index = EXPECTED_ARG[node.func.attr]
            if len(node.args) > index:
                node.args[index] = ast.Constant(None)
            for kw in node.keywords:
                if kw.arg == "expected":
                    kw.value = ast.Constant(None)
        return node


def _free_names(expr: ast.expr) -> list[str]:
    bound = set()
    for node in ast.walk(expr):
        if isinstance(node, ast.comprehension):
            for target in ast.walk(node.target):
                if isinstance(target, ast.Name):
                    bound.add(target.id)
        elif isinstance(node, ast.Lambda):
            bound.update(a.arg for a in node.args.args + node.args.kwonlyargs)
    names = []
    for node in ast.walk(expr):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if node.id not in bound and node.id not in TRUSTED_NAMES and node.id not in names:
                names.append(node.id)
    return names


class _WrapConditions(ast.NodeTransformer):
    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if not _is_check(node, {"is_true"}):
            return node
        if node.args:
            cond, put = node.args[0], lambda new: node.args.__setitem__(0, new)
        else:
            kw = next((k for k in node.keywords if k.arg == "condition"), None)
            if kw is None:
                return node
            cond, put = kw.value, lambda new: setattr(kw, "value", new)
        env = ast.Dict([ast.Constant(n) for n in _free_names(cond)], [ast.Name(n, ast.Load()) for n in _free_names(cond)])
        put(ast.Call(ast.Attribute(ast.Name(HARNESS, ast.Load()), "cond", ast.Load()),
                     [cond, env, ast.Constant(ast.unparse(cond))], []))
        return node


def _target_names(target: ast.expr) -> list[str] | None:
    """Base names an assignment target binds; None when it assigns through something else."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Subscript, ast.Attribute)):
        return _target_names(target.value)
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    if isinstance(target, (ast.Tuple, ast.List)):
        return _names_of_all(target.elts)
    return None


def _names_of_all(targets: list[ast.expr]) -> list[str] | None:
    """Base names several targets bind together; None as soon as one assigns through something else."""
    out: list[str] = []
    for target in targets:
        names = _target_names(target)
        if names is None:
            return None
        out += names
    return out


def _bound_by(stmt: ast.stmt) -> list[str] | None:
    """Names a removable statement defines, or None if the statement is not removable in kind."""
    if any(_is_check(n) for n in ast.walk(stmt)):
        return None
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [stmt.name]
    if isinstance(stmt, ast.Assign):
        return _names_of_all(stmt.targets)
    if isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
        return _target_names(stmt.target)
    return None


def _loads(node: ast.AST, skip: set[int]) -> set[str]:
    """Names read anywhere under ``node``, except inside statements whose id() is in ``skip``
    and except the base name of an assignment target (``_want[i] = ...`` does not read ``_want``
    in the sense that matters here)."""
    found: set[str] = set()

    def visit(n: ast.AST) -> None:
        if id(n) in skip:
            return
        if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = n.targets if isinstance(n, ast.Assign) else [n.target]
            for t in targets:
                for sub in ast.walk(t):
                    if isinstance(sub, ast.Subscript):
                        visit(sub.slice)
            if n.value is not None:
                visit(n.value)
            return
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
            found.add(n.id)
        for child in ast.iter_child_nodes(n):
            visit(child)

    visit(node)
    return found


def _statements(body: list[ast.stmt]):
    for stmt in body:
        yield stmt
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                yield from _statements(inner)
        for handler in getattr(stmt, "handlers", []) or []:
            yield from _statements(handler.body)


def _slice_hidden(module: ast.Module, hidden: list[ast.stmt], protected: set[str]) -> None:
    """Remove hidden-test statements that only computed expected values (already stripped)."""
    candidates = [s for s in _statements(hidden) if (_bound_by(s) or None) is not None]
    removable: set[int] = set()
    while True:
        loads = _loads(module, removable)
        changed = False
        for stmt in candidates:
            if id(stmt) in removable:
                continue
            names = _bound_by(stmt) or []
            if names and all(n.startswith("_") and n not in loads and n not in protected for n in names):
                removable.add(id(stmt))
                changed = True
        if not changed:
            break
    if not removable:
        return

    class _Drop(ast.NodeTransformer):
        def generic_visit(self, node: ast.AST) -> ast.AST:
            super().generic_visit(node)
            for field in ("body", "orelse", "finalbody"):
                inner = getattr(node, field, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                    kept = [s for s in inner if id(s) not in removable]
                    if not kept and field == "body" and not isinstance(node, ast.Module):
                        kept = [ast.Pass()]
                    setattr(node, field, kept)
            return node

    _Drop().visit(module)


def _marker_lines(source: str) -> tuple[int | None, int | None]:
    begin = end = None
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#") and BEGIN_HIDDEN in stripped and begin is None:
            begin = number
        elif stripped.startswith("#") and END_HIDDEN in stripped and begin is not None and end is None:
            end = number
    return begin, end


def instrument(source: str, mode: str, protected: set[str] | frozenset = frozenset()) -> str:
    """The grading version of one test cell (``mode`` is ``"reference"`` or ``"sandbox"``).

    ``protected``: names read by other cells of the notebook, which are never removed.
    """
    if mode not in ("reference", "sandbox"):
        raise ValueError(mode)
    python = _python(source)
    try:
        module = ast.parse(python)
    except SyntaxError as exc:
        raise InstrumentError(f"the test cell is not valid Python: {exc}") from None
    begin, end = _marker_lines(python)
    body = module.body
    hidden: list[ast.stmt] = []
    if begin is not None:
        stop = end if end is not None else float("inf")
        hidden = [s for s in body if s.end_lineno > begin and s.lineno < stop]
    if mode == "sandbox":
        _StripExpected().visit(module)
    _WrapConditions().visit(module)
    if mode == "sandbox" and hidden:
        _slice_hidden(module, hidden, set(protected))
    new_body: list[ast.stmt] = [_harness_call("begin")]
    hidden_ids = {id(s) for s in hidden}
    inside = False
    for stmt in module.body:
        if id(stmt) in hidden_ids and not inside:
            new_body.append(_harness_call("section", ast.Constant("hidden")))
            inside = True
        elif id(stmt) not in hidden_ids and inside:
            new_body.append(_harness_call("section", ast.Constant("visible")))
            inside = False
        new_body.append(stmt)
    if hidden and not any(id(s) in hidden_ids for s in module.body):
        # every hidden statement was removed: keep the markers so both versions agree
        new_body += [_harness_call("section", ast.Constant("hidden")), _harness_call("section", ast.Constant("visible"))]
    elif inside:
        new_body.append(_harness_call("section", ast.Constant("visible")))
    new_body.append(_harness_call("done"))
    module.body = new_body
    ast.fix_missing_locations(module)
    return ast.unparse(module) + "\n"


def names_used(sources: list[str]) -> set[str]:
    """Names the given cells read without binding them themselves (what they need from elsewhere).

    A cell that cannot be parsed counts as reading every identifier-looking word in it.
    """
    found: set[str] = set()
    for src in sources:
        try:
            tree = ast.parse(_python(src))
        except SyntaxError:
            found.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", src))
            continue
        loads, binds = set(), set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                (loads if isinstance(node.ctx, ast.Load) else binds).add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                binds.add(node.name)
            elif isinstance(node, ast.arg):
                binds.add(node.arg)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                binds.update((a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, ast.Global):
                loads.update(node.names)
        found |= loads - binds
    return found
