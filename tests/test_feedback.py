"""What a learner reads when something is wrong in notebooks 01-03, checked in a live kernel.

One kernel per notebook, shared by its tests. It first runs the untouched student notebook
from the top, as a learner who presses "Run All" before writing any code, and keeps every
cell's reply (status, error, traceback, printed text). Then it runs the solutions
notebook's answer cells on top, so that every function is right, and the tests swap single
wrong answers in, run one test or demonstration cell, and put the right answers back.

What is checked (each of these failed before the feedback pass on 01-03):
  * a test that uses an earlier exercise names that exercise ("fix `perceptron_predict`
    first") instead of giving a hint about the later code;
  * a test cell that reads variables the learner sets says "define `w_and`", not NameError;
  * a demonstration that needs unfinished code prints "Finish Exercise N" and does not raise;
  * every test cell of the untouched notebook fails with a plain-words CheckFailed;
  * IPython's traceback of a failed check shows the learner's cell, not course_lib/check.py;
  * the PyTorch cross-check of each notebook compares the learner's code number for number;
  * the form the authoring guide asks for: numbered exercise headings with their points,
    the series line, the time estimate of the syllabus, one section heading style, debug
    exercises that show the symptoms and ask before they explain.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

from conftest import NOTEBOOKS, SOLUTIONS, selected_params, side_by_side
from course_lib.exercises import exercises, nbgrader_meta, read
from course_lib.syllabus import by_name
from kernel import Kernel

NAMES = [p.stem for p in sorted(SOLUTIONS.glob("*.ipynb")) if p.stem != "14_capstone"]  # 14 has its own form
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: Cells the stub run leaves out: the machine check is slow and has nothing to do with feedback.
SKIPPED_IN_STUB_RUN = {"environment_check"}


@dataclass
class Reply:
    status: str
    ename: str = ""
    evalue: str = ""
    traceback: list[str] = field(default_factory=list)
    stdout: str = ""

    @property
    def failed(self) -> bool:
        return self.status == "error"

    def __str__(self) -> str:
        return f"{self.ename}: {self.evalue}" if self.failed else f"ok, printed {self.stdout[:300]!r}"


def execute(kernel: Kernel, code: str, timeout: float = 600) -> Reply:
    """Run ``code`` and keep what the learner would see: the error, IPython's traceback, stdout."""
    printed: list[str] = []

    def hook(msg):
        if msg["msg_type"] == "stream" and msg["content"].get("name") == "stdout":
            printed.append(msg["content"]["text"])

    content = kernel.kc.execute_interactive(code, timeout=timeout, output_hook=hook)["content"]
    return Reply(content["status"], content.get("ename", ""), content.get("evalue", ""),
                 [ANSI.sub("", line) for line in content.get("traceback", [])], "".join(printed))


class Session:
    """A notebook's kernel: the stub run's replies, then the solutions' answers defined on top."""

    def __init__(self, name: str):
        self.name = name
        self.student = read(NOTEBOOKS / f"{name}.ipynb")
        self.solution = read(SOLUTIONS / f"{name}.ipynb")
        self.exercises = {ex.name: ex for ex in exercises(self.solution)}
        self.kernel = Kernel(NOTEBOOKS)
        self.stub: dict[str, Reply] = {}
        for cell in self.student.cells:
            if cell.cell_type == "code" and nbgrader_meta(cell).get("grade_id") not in SKIPPED_IN_STUB_RUN:
                self.stub[cell.id] = execute(self.kernel, cell.source)
        for ex in self.exercises.values():
            self.restore(ex.name)

    def cell(self, cell_id: str):
        return next(c for c in self.solution.cells if c.get("id") == cell_id)

    def restore(self, *names: str) -> None:
        for name in names:
            for index in self.exercises[name].answer_cells:
                reply = execute(self.kernel, self.solution.cells[index].source)
                assert not reply.failed, f"{self.name}: the answer cell of {name} fails: {reply}"

    def run(self, cell_id: str) -> Reply:
        return execute(self.kernel, self.cell(cell_id).source)

    def with_wrong(self, wrong_answers: dict[str, str], cell_id: str) -> Reply:
        """Swap in wrong answers (exercise name -> code), run one cell, put the right answers back."""
        try:
            for code in wrong_answers.values():
                reply = execute(self.kernel, code)
                assert not reply.failed, f"the wrong answer itself does not run: {reply}"
            return self.run(cell_id)
        finally:
            self.restore(*wrong_answers)


_sessions: dict[str, Session] = {}


@pytest.fixture(scope="module")
def sessions(request):
    """The notebooks' kernels, started and run together (each keeps about one core busy) for the notebooks this
    session's tests ask for; a test that names its notebook in its body gets its kernel when it first asks."""
    started = side_by_side(Session, [n for n in selected_params(request) if n in NAMES])
    for name, started_session in started.items():
        if isinstance(started_session, BaseException):
            raise started_session
        _sessions[name] = started_session
    yield _sessions
    for session in _sessions.values():
        session.kernel.close()
    _sessions.clear()


def session(sessions, name: str) -> Session:
    if name not in sessions:
        sessions[name] = Session(name)
    return sessions[name]


def demo_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code" and not nbgrader_meta(c) and "check.demo(" in c.source]


# -- the untouched notebook -------------------------------------------------------------------

@pytest.mark.notebook
@pytest.mark.parametrize("name", NAMES)
def test_untouched_notebook_demonstrations_say_finish_and_go_on(sessions, name):
    s = session(sessions, name)
    raising = [f"{c.id}: {s.stub[c.id]}" for c in s.student.cells
               if c.cell_type == "code" and c.id in s.stub and not nbgrader_meta(c).get("solution")
               and not nbgrader_meta(c).get("grade") and s.stub[c.id].failed]
    assert not raising, f"{name}: demonstration cells raise in the untouched notebook:\n" + "\n".join(raising)
    demos = demo_cells(s.student)
    assert len(demos) >= 5, f"{name}: only {len(demos)} demonstration cells use check.demo"
    silent = [c.id for c in demos if "Finish Exercise" not in s.stub[c.id].stdout
              and "To see this demonstration" not in s.stub[c.id].stdout
              and "ipywidgets" not in c.source]  # a widget says it in its own note, not on stdout
    assert not silent, f"{name}: these demonstrations of unfinished code do not say 'Finish Exercise ...': {silent}"


@pytest.mark.notebook
@pytest.mark.parametrize("name", NAMES)
def test_untouched_notebook_tests_fail_in_plain_words(sessions, name):
    s = session(sessions, name)
    for ex in s.exercises.values():
        for test in ex.tests:
            reply = s.stub[s.solution.cells[test.index].id]
            assert reply.ename == "CheckFailed", f"{name}: untouched {test.grade_id} fails with {reply}, not CheckFailed"


@pytest.mark.notebook
@pytest.mark.parametrize("name", NAMES)
def test_failed_checks_show_the_learners_cell_not_the_library(sessions, name):
    s = session(sessions, name)
    for ex in s.exercises.values():
        for test in ex.tests:
            reply = s.stub[s.solution.cells[test.index].id]
            shown = "\n".join(reply.traceback)
            assert "check.py" not in shown and "course_lib" not in shown, (
                f"{name}: the traceback of the untouched {test.grade_id} shows the library's frames:\n{shown}")
            assert "Cell In[" in shown, f"{name}: the traceback of {test.grade_id} does not show the cell:\n{shown}"


@pytest.mark.notebook
def test_01_logic_weights_asks_for_the_missing_variables(sessions):
    reply = session(sessions, "01_biological_neuron").stub["logic_weights_tests"]
    assert reply.ename == "CheckFailed" and "define `w_and`" in reply.evalue, reply


# -- one bug, one message ----------------------------------------------------------------------

@pytest.mark.notebook
def test_01_neuron_and_layer_blame_the_earlier_exercise(sessions):
    s = session(sessions, "01_biological_neuron")
    no_bias = {"weighted_sum": "def weighted_sum(x, w, b):\n    return x @ w\n"}
    reply = s.with_wrong(no_bias, "neuron_tests")
    assert reply.ename == "CheckFailed" and "fix `weighted_sum` first" in reply.evalue and "Exercise 2" in reply.evalue, reply
    sign = {"step": "def step(z):\n    return np.sign(np.asarray(z))\n"}
    for test in ("neuron_tests", "debug_layer_tests"):
        reply = s.with_wrong(sign, test)
        assert reply.ename == "CheckFailed" and "fix `step` first" in reply.evalue and "Exercise 3" in reply.evalue, (test, reply)


@pytest.mark.notebook
def test_02_training_blames_predict_and_update(sessions):
    s = session(sessions, "02_perceptron")
    strict = {"perceptron_predict": "def perceptron_predict(X, w, b):\n    return (X @ w + b > 0).astype(int)\n"}
    reply = s.with_wrong(strict, "train_perceptron_tests")
    assert reply.ename == "CheckFailed" and "fix `perceptron_predict` first" in reply.evalue, reply
    assert "before each update" not in reply.evalue, f"the message still blames the training loop: {reply}"
    flipped = {"perceptron_update": (
        "def perceptron_update(x, y, w, b, lr):\n"
        "    error = (1 if x @ w + b >= 0 else 0) - y\n"
        "    return w + lr * error * x, b + lr * error\n")}
    reply = s.with_wrong(flipped, "train_perceptron_tests")
    assert reply.ename == "CheckFailed" and "fix `perceptron_update` first" in reply.evalue, reply


@pytest.mark.notebook
def test_03_checkpoint_blames_the_activation_but_reports_its_own_bug_first(sessions):
    s = session(sessions, "03_activations")
    flipped = {"sigmoid": "def sigmoid(z):\n    return 0.5 * (1.0 - np.tanh(0.5 * np.asarray(z, dtype=float)))\n"
                          "\ndef sigmoid_grad(z):\n    s = sigmoid(z)\n    return s * (1.0 - s)\n"}
    reply = s.with_wrong(flipped, "checkpoint_a_layer_tests")
    assert reply.ename == "CheckFailed" and "fix `sigmoid` first" in reply.evalue and "Exercise 2" in reply.evalue, reply
    # a bug of the layer itself is found by the "linear" checks, which need no activation of the learner's
    no_bias = {"checkpoint_a_layer": (
        "def checkpoint_a_layer(X, W, b, activation):\n"
        "    f = {'linear': lambda z: z, 'relu': relu, 'sigmoid': sigmoid, 'tanh': tanh, 'softmax': softmax}\n"
        "    if activation not in f:\n"
        "        raise ValueError(activation)\n"
        "    return f[activation](X @ W)\n")}
    reply = s.with_wrong({**flipped, **no_bias}, "checkpoint_a_layer_tests")
    assert reply.ename == "CheckFailed" and "'linear'" in reply.evalue and "fix `sigmoid`" not in reply.evalue, reply


@pytest.mark.notebook
def test_03_policy_and_jacobian_blame_softmax(sessions):
    s = session(sessions, "03_activations")
    unstable = {"softmax": "def softmax(z, axis=-1):\n    e = np.exp(z)\n    return e / np.sum(e, axis=axis, keepdims=True)\n"}
    for test in ("softmax_jacobian_tests", "checkpoint_a_policy_tests", "checkpoint_a_layer_tests"):
        reply = s.with_wrong(unstable, test)
        assert reply.ename == "CheckFailed" and "fix `softmax` first" in reply.evalue, (test, reply)


@pytest.mark.notebook
def test_03_softmax_without_keepdims_is_told_about_keepdims(sessions):
    s = session(sessions, "03_activations")
    flat = {"softmax": "def softmax(z, axis=-1):\n    e = np.exp(z - np.max(z, axis=axis))\n    return e / np.sum(e, axis=axis)\n"}
    reply = s.with_wrong(flat, "softmax_tests")
    assert reply.ename == "CheckFailed" and "keepdims" in reply.evalue, reply


# -- NumPy first, then PyTorch -----------------------------------------------------------------

@pytest.mark.notebook
@pytest.mark.parametrize("name, cell_id, wrong, words", [
    ("01_biological_neuron", "torch-neuron",
     {"neuron": "def neuron(X, w, b, activation=None):\n    if activation is None:\n        activation = step\n"
                "    return activation(X @ w)\n"}, "torch.nn.Linear"),
    ("02_perceptron", "torch-predict",
     {"perceptron_predict": "def perceptron_predict(X, w, b):\n    return (X @ w + b > 0).astype(int)\n"}, "torch.heaviside"),
    ("03_activations", "torch-activations",
     {"sigmoid": "def sigmoid(z):\n    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))\n"
                 "\ndef sigmoid_grad(z):\n    return np.exp(-np.abs(z)) / 4\n"}, "autograd"),
])
def test_pytorch_cross_check_compares_number_for_number(sessions, name, cell_id, wrong, words):
    s = session(sessions, name)
    right = s.run(cell_id)
    assert not right.failed, f"{name}: the cross-check fails with the solutions: {right}"
    reply = s.with_wrong(wrong, cell_id)
    assert reply.ename == "CheckFailed" and words in reply.evalue, f"{name}: a wrong answer gives {reply}"
    assert "Finish Exercise" in s.stub[cell_id].stdout and not s.stub[cell_id].failed, s.stub[cell_id]


# -- consistent form (read from the files, no kernel) ----------------------------------------------

HEADING = re.compile(r"^### Exercise ([A-D]?\d+) \((\d+) points?(, debug)?\): `([A-Za-z_][A-Za-z0-9_]*)`(.*)$", re.M)
SERIES = re.compile(r"^\*Deep learning in service of reinforcement learning: notebook (\d+) of 13"
                    r"(, followed by \*\*Checkpoint [A-D]\*\*)?\.\*$", re.M)


def _markdown(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


@pytest.mark.parametrize("name", NAMES)
def test_exercise_headings_are_numbered_with_their_points(name):
    nb = read(SOLUTIONS / f"{name}.ipynb")
    text = "\n".join(_markdown(nb))
    assert "**Exercise" not in text, f"{name}: an exercise is still headed in bold, not with '### Exercise k (P points)'"
    headings = HEADING.findall(text)
    graded = exercises(nb)
    assert len(headings) == len(graded), f"{name}: {len(headings)} exercise headings for {len(graded)} graded exercises"
    plain = [label for label, *_ in headings if label[0].isdigit()]
    assert plain == [str(k) for k in range(1, len(plain) + 1)], f"{name}: exercises numbered {plain}"
    checkpoint = [label for label, *_ in headings if not label[0].isdigit()]
    if checkpoint:
        letter = checkpoint[0][0]
        assert checkpoint == [f"{letter}{k}" for k in range(1, len(checkpoint) + 1)], (
            f"{name}: checkpoint exercises numbered {checkpoint}")
        assert by_name(name).checkpoint == letter, f"{name}: Checkpoint {letter} is not this notebook's checkpoint"
    for (label, points, debug, first_name, rest), ex in zip(headings, graded):
        assert float(points) == ex.points, f"{name}: Exercise {label} says {points} points, its test cell gives {ex.points:g}"
        marked = bool(debug) or "debug" in rest.lower()
        assert marked == ex.name.startswith("debug_"), f"{name}: Exercise {label} ({ex.name}) is marked debug={marked}"
        answer = "\n".join(nb.cells[i].source for i in ex.answer_cells)
        assert re.search(rf"(def {first_name}\(|^class {first_name}\b|^{first_name} =)", answer, re.M), (
            f"{name}: Exercise {label} is headed `{first_name}`, which its answer cell ({ex.name}) does not define")


@pytest.mark.parametrize("name", NAMES)
def test_header_names_the_series_and_the_syllabus_time(name):
    nb = read(SOLUTIONS / f"{name}.ipynb")
    header = nb.cells[0].source
    found = SERIES.search(header)
    assert found and int(found.group(1)) == int(name[:2]), f"{name}: the header lacks the series line"
    low, high = by_name(name).hours
    found_time = re.search(r"(\*\*Time:\*\*|### Time\n)(.*?)(\n\n|$)", header, re.S)
    assert found_time, f"{name}: the header states no time estimate"
    said = found_time.group(2).replace("*", "")
    wanted = [f"{low:g} hours", f"{low:g} hour"] if low == high else [f"{low:g} to {high:g}", f"{low:g}–{high:g}"]
    assert any(w in said for w in wanted), f"{name}: the time estimate {said[:80]!r} is not the syllabus's {wanted[0]}"


@pytest.mark.parametrize("name", NAMES)
def test_sections_share_one_heading_style(name):
    for source in _markdown(read(SOLUTIONS / f"{name}.ipynb")):
        for heading in re.findall(r"^## .*$", source, re.M):
            assert re.match(r"^## (\d+\. \S|Checkpoint [A-D]$|Summary$)", heading), f"{name}: section heading {heading!r}"


@pytest.mark.parametrize("name", NAMES)
def test_debug_exercise_shows_symptoms_then_asks_then_explains(name):
    nb = read(SOLUTIONS / f"{name}.ipynb")
    debug = next(ex for ex in exercises(nb) if ex.name.startswith("debug_"))
    answer = debug.answer_cells[0]
    start = max(i for i, c in enumerate(nb.cells[:answer]) if c.cell_type == "markdown" and re.search(r"^## ", c.source, re.M))
    window = nb.cells[start:answer]
    demos = [c for c in window if c.cell_type == "code" and not nbgrader_meta(c)]
    assert demos, f"{name}: the debug exercise shows no broken code or symptoms before the task"
    first_demo = next(i for i, c in enumerate(window) if c.cell_type == "code")
    task = "\n".join(c.source for c in window[first_demo:] if c.cell_type == "markdown")
    assert task.strip(), f"{name}: the debug exercise asks nothing after showing its symptoms"
    later = "\n".join(c.source for c in nb.cells[start + first_demo:] if c.cell_type == "markdown")
    assert "<details>" in later, f"{name}: the debug exercise has no folded explanation after the task"
    before = "\n".join(c.source for c in window if c.cell_type == "markdown")
    unfolded = re.sub(r"<details>.*?</details>", "", before, flags=re.S)
    for spoiler in ("log-sum-exp", "The fix", "X @ W + b", "w + lr * t * x"):
        assert spoiler not in unfolded, f"{name}: the debug exercise gives {spoiler!r} away before the task"