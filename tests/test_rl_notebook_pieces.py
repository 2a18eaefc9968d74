"""Notebook 14 trains with the learner's functions, and 13's network, only once they pass their visible tests.

Before the training cell hands `epsilon_at`, `choose_actions`, `td_target` and `dqn_loss` to
the trainer, it runs each exercise's visible tests again, quietly (`yours_if_it_passes`), and
falls back to the library's built-in version when they fail. Before, it used a function as
soon as it *ran*: an epsilon that was never clipped, or a TD target that ignored the end of
a game, trained silently. Here the notebook's own cells run in-process (no kernel): the
solutions pass, and every realistic mistake of tests/mistakes/14_capstone.py is rejected.
"""
from __future__ import annotations

import ast
import contextlib
import io
import runpy

import pytest

from conftest import ROOT, SOLUTIONS

NOTEBOOK = "14_capstone"
#: exercise -> (the function the learner writes, the exercise as the notebook names it, options)
PIECES = {
    "epsilon_at": ("epsilon_at", "Exercise 1", {}),
    "choose_actions": ("choose_actions", "Exercise 2", {"device": "cpu"}),
    "td_target": ("td_target", "Exercise 3", {"device": "cpu"}),
    "debug_dqn_loss": ("dqn_loss", "Exercise 4", {"device": "cpu"}),
}


def _python(source: str) -> str:
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


@pytest.fixture(scope="module")
def notebook():
    import nbformat

    nb = nbformat.read(SOLUTIONS / f"{NOTEBOOK}.ipynb", as_version=4)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in nb.cells
             if c.metadata.get("nbgrader", {}).get("grade_id")}
    training = [c.source for c in nb.cells if c.cell_type == "code" and "def yours_if_it_passes" in c.source]
    assert len(training) == 1, "notebook 14's training cell (with yours_if_it_passes) not found"
    helpers = [node for node in ast.parse(_python(training[0])).body
               if isinstance(node, ast.FunctionDef) and node.name in ("yours_if_it_passes", "your_network_if_it_passes")]
    assert len(helpers) == 2, "the training cell's two choosers (functions, network) not found"
    namespace: dict = {"__name__": "notebook14"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(_python(by_id["setup"]), namespace)
        namespace["device"] = __import__("torch").device("cpu")
        for exercise in PIECES:
            exec(by_id[exercise], namespace)
            exec(by_id[f"{exercise}_tests"], namespace)
        exec(compile(ast.Module(helpers, []), "<training cell>", "exec"), namespace)
    return namespace, by_id


def _choose(namespace, exercise):
    name, label, options = PIECES[exercise]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        chosen = namespace["yours_if_it_passes"](name, label, **options)
    return chosen, out.getvalue()


def test_the_solutions_are_used(notebook):
    namespace, _ = notebook
    for exercise, (name, _, _) in PIECES.items():
        chosen, said = _choose(namespace, exercise)
        assert chosen is namespace[name], said
        assert said.split() == [name, "yours"]


def test_every_realistic_mistake_falls_back_to_the_library(notebook):
    namespace, by_id = notebook
    mistakes = runpy.run_path(str(ROOT / "tests" / "mistakes" / f"{NOTEBOOK}.py"))["MISTAKES"]
    assert set(mistakes) == set(PIECES)
    trained_silently = []
    for exercise, wrong_answers in mistakes.items():
        name = PIECES[exercise][0]
        for description, code, *_ in wrong_answers:
            exec(code, namespace)
            chosen, said = _choose(namespace, exercise)
            if chosen is not None or "the library's, because yours does not pass" not in said:
                trained_silently.append(f"{exercise}: {description} ({said.strip()})")
        exec(by_id[exercise], namespace)  # the solution again
    assert not trained_silently, "mistakes the training run would use:\n" + "\n".join(trained_silently)


def test_an_exercise_whose_cells_have_not_run_uses_the_library(notebook):
    namespace, _ = notebook
    saved = namespace.pop("td_target_visible_tests")
    try:
        chosen, said = _choose(namespace, "td_target")
    finally:
        namespace["td_target_visible_tests"] = saved
    assert chosen is None and "run the cells of Exercise 3" in said


def _network(namespace, folder, monkeypatch):
    monkeypatch.chdir(folder)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        chosen = namespace["your_network_if_it_passes"]()
    return chosen, out.getvalue()


def test_the_network_is_notebook_13s_once_it_passes_there(notebook, tmp_path, monkeypatch):
    """Beside a finished 13 the capstone trains the learner's NatureDQN; beside the untouched 13, or none, the library's."""
    import shutil

    from conftest import NOTEBOOKS

    namespace, _ = notebook
    finished, untouched, absent = tmp_path / "finished", tmp_path / "untouched", tmp_path / "absent"
    for folder in (finished, untouched, absent):
        folder.mkdir()
    shutil.copy(SOLUTIONS / "13_dqn_network.ipynb", finished)
    shutil.copy(NOTEBOOKS / "13_dqn_network.ipynb", untouched)

    chosen, said = _network(namespace, finished, monkeypatch)
    assert chosen is not namespace["nature_dqn"] and "yours (NatureDQN from notebook 13)" in said, said
    assert chosen.__name__ == "NatureDQN" and sum(p.numel() for p in chosen(6).parameters()) == 1_687_206
    for folder, why in ((untouched, "does not pass its tests yet"), (absent, "is not in")):
        chosen, said = _network(namespace, folder, monkeypatch)
        assert chosen is namespace["nature_dqn"] and "the library's Nature DQN" in said and why in said, said
