"""Rewrite a test cell for grading: expected values out, markers in.

Two versions of every test cell are made from the solutions notebook:

``reference`` (run trusted, on the solutions): the cell as written, plus
  ``__grading__.begin()`` first, ``__grading__.section("hidden"|"visible")`` around the
  hidden tests, ``__grading__.done()`` last, and each ``check.is_true(cond, ...)`` wrapped
  so that the plain values ``cond`` reads are exported with it.

``sandbox`` (run on a learner's submission, in the sandbox): the same, and also
  * the ``expected`` argument of every ``check.close`` / ``check.equal`` replaced by
    ``None``, so no expected value is ever computed where learner code runs;
  * except where that expected value is itself built from the learner's results (a
    *self-consistency* check such as ``check.equal(_second, _first)``, two runs of the
    learner's function with one seed): comparing with the reference's value would judge
    the learner's second run against the *solution's* first. Such an expected argument is
    kept, in both versions, wrapped as ``__grading__.own(expected)``, so that the
    recorder exports it and the verdict compares the learner's two values with each
    other. It may need nothing the sandbox would otherwise not run (a private reference
    function...): that is an :class:`InstrumentError` at authoring time;
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
#: check functions that run the learner's function and hand back its result
RUNS_LEARNER = {"call", "no_mutation", "no_warnings"}
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


def _expected(node: ast.Call) -> tuple[ast.expr | None, object]:
    """The expected argument of a ``check.close``/``check.equal`` call, and a setter for it."""
    index = EXPECTED_ARG[node.func.attr]
    if len(node.args) > index:
        return node.args[index], lambda new: node.args.__setitem__(index, new)
    kw = next((k for k in node.keywords if k.arg == "expected"), None)
    if kw is None:
        return None, None
    return kw.value, lambda new: setattr(kw, "value", new)


class _StripExpected(ast.NodeTransformer):
    """Expected values out (sandbox); those built from the learner's results wrapped as ``__grading__.own``."""

    def __init__(self, mode: str, own: set[int]):
        self.mode, self.own = mode, own
        self.wrappers: list[ast.Call] = []

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if _is_check(node, set(EXPECTED_ARG)):
            expected, put = _expected(node)
            if expected is None:
                return node
            if id(node) in self.own:
                wrapper = ast.copy_location(
                    ast.Call(ast.Attribute(ast.Name(HARNESS, ast.Load()), "own", ast.Load()), [expected], []), expected)
                self.wrappers.append(wrapper)
                put(wrapper)
            elif self.mode == "sandbox":
                put(ast.Constant(None))
        return node


def _bound_names(target: ast.AST) -> list[str]:
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]


class _Learner:
    """Which expected values of a test cell are built from the learner's own results.

    Tainted ("the learner's") are: the names the answer cells define (``learner``), the
    result of ``check.call``/``no_mutation``/``no_warnings``, functions of the cell that
    run learner code, and whatever is computed from those. Top-level statements are
    followed in order (rebinding a name to something else clears it; loops run to a fixed
    point); inside a function of the cell, a parameter is the learner's when some call in
    the cell passes it something that is, and a global when it is anywhere. A value the
    learner's function changes *in place* is not followed: bind results to names.
    """

    def __init__(self, module: ast.Module, learner: set[str]):
        self.learner = set(learner) - TRUSTED_NAMES
        self.functions = {n.name: n for n in ast.walk(module) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        self.runs_learner: set[str] = set()
        while True:
            more = {name for name, fn in self.functions.items() if name not in self.runs_learner and any(
                self._runs_learner(n) for n in ast.walk(fn))}
            if not more:
                break
            self.runs_learner |= more
        self.own: set[int] = set()            # ids of check calls whose expected value is the learner's
        self.learner_stmts: set[int] = set()  # ids of statements that bind the learner's values
        self.params: dict[str, set[str]] = {name: set() for name in self.functions}
        self.anywhere: set[str] = set(self.learner)
        while True:
            before = (sum(map(len, self.params.values())), len(self.anywhere))
            self._body(module.body, set(self.learner) | self.runs_learner)
            for name, fn in self.functions.items():
                args = fn.args
                every = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
                every |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
                self._body(fn.body, ((self.anywhere | self.runs_learner) - every) | self.params[name])
            if (sum(map(len, self.params.values())), len(self.anywhere)) == before:
                break

    def _runs_learner(self, node: ast.AST) -> bool:
        if _is_check(node, RUNS_LEARNER):
            return True
        return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and (
            node.func.id in self.learner or node.func.id in self.runs_learner)

    def tainted(self, expr: ast.AST | None, state: set[str]) -> bool:
        if expr is None:
            return False
        for node in ast.walk(expr):
            if _is_check(node, RUNS_LEARNER):
                return True
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in state:
                return True
        return False

    def _expressions(self, stmt: ast.stmt, state: set[str]) -> None:
        """Mark the check calls of one simple statement, and the parameters its calls feed."""
        for node in ast.walk(stmt):
            if not isinstance(node, ast.Call):
                continue
            if _is_check(node, set(EXPECTED_ARG)) and self.tainted(_expected(node)[0], state):
                self.own.add(id(node))
            if isinstance(node.func, ast.Name) and node.func.id in self.functions:
                fn = self.functions[node.func.id].args
                positional = [a.arg for a in fn.posonlyargs + fn.args]
                for i, arg in enumerate(node.args):
                    if self.tainted(arg, state):
                        if i < len(positional):
                            self.params[node.func.id].add(positional[i])
                        elif fn.vararg is not None:
                            self.params[node.func.id].add(fn.vararg.arg)
                for kw in node.keywords:
                    if self.tainted(kw.value, state):
                        known = {a.arg for a in fn.posonlyargs + fn.args + fn.kwonlyargs}
                        if kw.arg in known:
                            self.params[node.func.id].add(kw.arg)
                        elif fn.kwarg is not None:
                            self.params[node.func.id].add(fn.kwarg.arg)

    def _bind(self, stmt: ast.stmt, names: list[str], tainted: bool, state: set[str], whole: bool = True) -> set[str]:
        if tainted:
            self.learner_stmts.add(id(stmt))
            self.anywhere |= set(names)
            return state | set(names)
        return state - set(names) if whole else state

    def _body(self, body: list[ast.stmt], state: set[str]) -> set[str]:
        for stmt in body:
            state = self._stmt(stmt, state)
        return state

    def _loop(self, stmt: ast.stmt, state: set[str], head) -> set[str]:
        entry = set(state)
        while True:
            inside = head(entry)
            out = self._body(stmt.body, inside)
            if out <= entry:
                break
            entry |= out
        return self._body(stmt.orelse, entry) | entry

    def _stmt(self, stmt: ast.stmt, state: set[str]) -> set[str]:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for d in stmt.decorator_list + stmt.args.defaults + [d for d in stmt.args.kw_defaults if d is not None]:
                self._expressions(ast.Expr(d), state)
            return self._bind(stmt, [stmt.name], stmt.name in self.runs_learner, state)
        if isinstance(stmt, ast.ClassDef):
            return state - {stmt.name}
        if isinstance(stmt, (ast.For, ast.AsyncFor)):
            self._expressions(ast.Expr(stmt.iter), state)
            return self._loop(stmt, state, lambda s: self._bind(stmt, _bound_names(stmt.target), self.tainted(stmt.iter, s), s))
        if isinstance(stmt, ast.While):
            def head(s: set[str]) -> set[str]:
                self._expressions(ast.Expr(stmt.test), s)
                return s
            return self._loop(stmt, state, head)
        if isinstance(stmt, ast.If):
            self._expressions(ast.Expr(stmt.test), state)
            return self._body(stmt.body, set(state)) | self._body(stmt.orelse, set(state))
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                self._expressions(ast.Expr(item.context_expr), state)
                if item.optional_vars is not None:
                    state = self._bind(stmt, _bound_names(item.optional_vars), self.tainted(item.context_expr, state), state)
            return self._body(stmt.body, state)
        if isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            out = self._body(stmt.body, set(state))
            for handler in stmt.handlers:
                out |= self._body(handler.body, state | out)
            out |= self._body(stmt.orelse, out)
            return self._body(stmt.finalbody, out | state)
        self._expressions(stmt, state)
        if isinstance(stmt, ast.Assign):
            tainted = self.tainted(stmt.value, state)
            for target in stmt.targets:
                names = _target_names(target) or []
                state = self._bind(stmt, names, tainted, state, whole=isinstance(target, (ast.Name, ast.Tuple, ast.List)))
            return state
        if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            return self._bind(stmt, _target_names(stmt.target) or [], self.tainted(stmt.value, state), state,
                              whole=isinstance(stmt.target, ast.Name))
        if isinstance(stmt, ast.AugAssign):
            return self._bind(stmt, _target_names(stmt.target) or [], self.tainted(stmt.value, state), state, whole=False)
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            return state - {(a.asname or a.name).split(".")[0] for a in stmt.names}
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Attribute):
            # `_runs.append(check.call(f, x))`: the container now holds the learner's values
            owner = stmt.value.func.value
            if isinstance(owner, ast.Name) and any(self.tainted(a, state) for a in stmt.value.args):
                return self._bind(stmt, [owner.id], True, state)
        return state


def defined_names(sources: list[str]) -> set[str]:
    """Names the given cells bind at their top level (imports aside): given the answer cells,
    the learner's functions and variables."""
    found: set[str] = set()
    for src in sources:
        try:
            tree = ast.parse(_python(src))
        except SyntaxError:
            continue
        for stmt in tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found.add(stmt.name)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                for target in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]):
                    found.update(_target_names(target) or [])
    return found - TRUSTED_NAMES


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


def _removable(module: ast.Module, hidden: list[ast.stmt], protected: set[str], ignore: set[int] = frozenset()) -> set[int]:
    """Ids of the hidden-test statements that only computed expected values (already stripped).

    ``ignore``: ids of nodes whose reads do not count (to ask what would go without them)."""
    candidates = [s for s in _statements(hidden) if (_bound_by(s) or None) is not None]
    removable: set[int] = set()
    while True:
        loads = _loads(module, removable | set(ignore))
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
    return removable


def _drop(module: ast.Module, removable: set[int]) -> None:
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


def _refuse_reference_code(module: ast.Module, hidden: list[ast.stmt], protected: set[str], wrappers: list[ast.Call],
                           removable: set[int], learner_stmts: set[int]) -> None:
    """An expected value built from the learner's results is computed in the sandbox: it must not
    bring along statements that only fed expected values (a private reference function...)."""
    without = _removable(module, hidden, protected, {id(w) for w in wrappers})
    needed = [s for s in _statements(hidden) if id(s) in without - removable and id(s) not in learner_stmts]
    if needed:
        names = sorted({n for s in needed for n in (_bound_by(s) or [])})
        lines = sorted({w.lineno for w in wrappers if getattr(w, "lineno", None)})
        raise InstrumentError(
            f"the expected value of a check (line {', '.join(map(str, lines)) or '?'}) is built from the learner's own "
            f"results, so it is computed where the learner's code runs; it also needs {', '.join(names)}, which would "
            "bring hidden reference code or values into the sandbox. Compare the learner's results with each other "
            "using NumPy only, or check each one against a reference value in a check of its own.")


def _marker_lines(source: str) -> tuple[int | None, int | None]:
    begin = end = None
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#") and BEGIN_HIDDEN in stripped and begin is None:
            begin = number
        elif stripped.startswith("#") and END_HIDDEN in stripped and begin is not None and end is None:
            end = number
    return begin, end


def instrument(source: str, mode: str, protected: set[str] | frozenset = frozenset(),
               learner: set[str] | frozenset = frozenset()) -> str:
    """The grading version of one test cell (``mode`` is ``"reference"`` or ``"sandbox"``).

    ``protected``: names read by other cells of the notebook, which are never removed.
    ``learner``: names the answer cells define (:func:`defined_names`): values computed from
    them, like the results of ``check.call``, are the learner's own (see :class:`_Learner`).
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
    own = _Learner(module, set(learner))
    strip = _StripExpected(mode, own.own)
    strip.visit(module)
    _WrapConditions().visit(module)
    if mode == "sandbox" and hidden:
        removable = _removable(module, hidden, set(protected))
        if strip.wrappers:
            _refuse_reference_code(module, hidden, set(protected), strip.wrappers, removable, own.learner_stmts)
        _drop(module, removable)
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


HIDDEN_LINE = f"{HARNESS}.section('hidden')"


def split_hidden(instrumented: str) -> list[str]:
    """An instrumented cell as the parts it is executed in: up to its hidden tests, then the rest.

    The grading runner sends them one after the other, so that it can tell whether an error
    came before the kernel had been given the hidden tests (see ``verdict.judge_cell``).
    """
    lines = instrumented.splitlines(keepends=True)
    for number, line in enumerate(lines):
        if line.rstrip("\n") == HIDDEN_LINE:
            return ["".join(lines[:number]), "".join(lines[number:])]
    return [instrumented]


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
