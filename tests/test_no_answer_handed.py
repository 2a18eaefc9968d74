"""No graded answer is handed over: delegating an exercise to the library earns nothing.

docs/authoring.md, "No graded answer is handed over": no graded exercise can be answered by
one call to something the course installs or a notebook's locked cells import. Where the
library must do the same job (the capstone trainer needs an epsilon schedule, epsilon-greedy
acting, a TD target and a loss without the notebook), it does it through another interface.

This test grades, in one `course grade` batch, notebook 14 as the unchanged solutions
notebook (the control: full marks) and as submissions whose answers delegate to the nearest
thing `course_lib` offers, the way a learner who read the library would try: the names the
library used to export, its private methods called with the exercise's arguments, and its
classes built around the exercise's inputs. Each must earn zero for every exercise.

The delegating submissions keep only the setup, answer and test cells: their demonstrations
(the training run, the evaluation, the video, the plots) are left out, as a learner may edit or
delete them; grades come from the test cells alone. So the batch costs about two runs of the
whole notebook (the trusted reference run and the control) and three short ones. A notebook
whose job the library also does adds its delegations here.
"""
from __future__ import annotations

import json
import time

import nbformat
import pytest

from conftest import SOLUTIONS
from course_lib.exercises import exercises
from grading_cases.harness import grade

pytestmark = [pytest.mark.grading]

NOTEBOOK = "14_capstone"
POINTS = {"epsilon_at": 1, "choose_actions": 2, "td_target": 3, "debug_dqn_loss": 2}

#: student -> exercise -> the answer cell that delegates
DELEGATIONS: dict[str, dict[str, str]] = {
    "delegates_by_old_imports": {
        "epsilon_at": (
            "def epsilon_at(step, start, end, decay_steps):\n"
            "    from course_lib.rl.config import DQNConfig\n"
            "    config = DQNConfig(epsilon_start=start, epsilon_end=end, epsilon_decay_steps=decay_steps)\n"
            "    return config.epsilon(step)\n"),
        "choose_actions": (
            "def choose_actions(q_values, epsilon, generator=None):\n"
            "    from course_lib.rl.acting import epsilon_greedy\n"
            "    return epsilon_greedy(q_values, epsilon, generator)\n"),
        "td_target": (
            "def td_target(rewards, terminated, next_q_online, next_q_target, gamma):\n"
            "    from course_lib.rl import double_dqn_target\n"
            "    return double_dqn_target(rewards, terminated, next_q_online, next_q_target, gamma)\n"),
        "debug_dqn_loss": (
            "def dqn_loss(q_values, actions, targets):\n"
            "    from course_lib.rl.learner import dqn_loss as library_loss\n"
            "    return library_loss(q_values, actions, targets)\n"),
    },
    "delegates_to_private_methods": {
        "epsilon_at": (
            "from course_lib.rl import DQNConfig\n"
            "from course_lib.rl.trainer import Trainer\n\n\n"
            "def epsilon_at(step, start, end, decay_steps):\n"
            "    trainer = Trainer(DQNConfig(epsilon_start=start, epsilon_end=end, epsilon_decay_steps=decay_steps), 'unused-run')\n"
            "    trainer.env_steps = step\n"
            "    return trainer.epsilon_schedule(step)\n"),
        "choose_actions": (
            "from course_lib.rl.acting import _act\n\n\n"
            "def choose_actions(q_values, epsilon, generator=None):\n"
            "    return _act(lambda frames: q_values, q_values, epsilon, generator)\n"),
        "td_target": (
            "from course_lib.rl.learner import DQNLearner\n\n\n"
            "def td_target(rewards, terminated, next_q_online, next_q_target, gamma):\n"
            "    return DQNLearner._td_loss(rewards, terminated, next_q_online, next_q_target, gamma)\n"),
        "debug_dqn_loss": (
            "from course_lib.rl.learner import DQNLearner\n\n\n"
            "def dqn_loss(q_values, actions, targets):\n"
            "    return DQNLearner._td_loss(q_values, actions, targets)\n"),
    },
    "delegates_to_library_objects": {
        "epsilon_at": (
            "def epsilon_at(step, start, end, decay_steps):\n"
            "    from course_lib.rl import trainer\n"
            "    return trainer.Trainer.epsilon_now(step)\n"),
        "choose_actions": (
            "from course_lib.rl import DQNConfig\n"
            "from course_lib.rl.evaluation import SeededPlayer\n\n\n"
            "def choose_actions(q_values, epsilon, generator=None):\n"
            "    player = SeededPlayer(torch.nn.Identity(), DQNConfig(), device=q_values.device, epsilon=epsilon)\n"
            "    return torch.as_tensor(player(q_values.cpu().numpy()))\n"),
        "td_target": (
            "from course_lib.rl import DQNConfig\n"
            "from course_lib.rl.learner import DQNLearner\n\n\n"
            "def td_target(rewards, terminated, next_q_online, next_q_target, gamma):\n"
            "    a = next_q_online.shape[1]\n"
            "    config = DQNConfig.smoke(gamma=gamma, n_step=rewards.shape[1])\n"
            "    learner = DQNLearner(torch.nn.Linear(a, a), config, torch.device('cpu'))\n"
            "    batch = (next_q_online, next_q_online.argmax(1), rewards, terminated, next_q_online)\n"
            "    return learner._td_loss(batch)[0]\n"),
        "debug_dqn_loss": (
            "from course_lib.rl import DQNConfig\n"
            "from course_lib.rl.learner import DQNLearner\n\n\n"
            "def dqn_loss(q_values, actions, targets):\n"
            "    a = q_values.shape[1]\n"
            "    learner = DQNLearner(torch.nn.Linear(a, a), DQNConfig.smoke(n_step=1), torch.device('cpu'))\n"
            "    done = torch.ones_like(targets)[:, None]\n"
            "    return learner._td_loss((q_values, actions, targets[:, None], done, q_values))[0]\n"),
    },
}


def _answer_cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def delegating(solution, answers):
    nb = nbformat.from_dict(json.loads(json.dumps(solution)))
    for grade_id, code in answers.items():
        _answer_cell(nb, grade_id).source = code
    for cell in nb.cells:  # demonstrations (no grade_id: training, evaluation, video, plots) left out
        if cell.cell_type == "code" and not cell.metadata.get("nbgrader", {}).get("grade_id"):
            cell.source = "# demonstration left out of this test submission"
    return nb


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    solution = nbformat.read(SOLUTIONS / f"{NOTEBOOK}.ipynb", as_version=4)
    assert {ex.name: ex.points for ex in exercises(solution)} == POINTS, "notebook 14's exercises changed: update this test"
    course = tmp_path_factory.mktemp("no-answer-handed") / "course"
    submissions = {"control_solution": solution}
    submissions.update({student: delegating(solution, answers) for student, answers in DELEGATIONS.items()})
    for student, nb in submissions.items():
        folder = course / "submitted" / student / NOTEBOOK
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{NOTEBOOK}.ipynb")
    started = time.perf_counter()
    # One batch. The control stands in for the canary; the training cell needs more than the suites' 5 s per
    # cell, and PyTorch more than their 1 GB of address space (2 GB is `course grade`'s default).
    done = grade(course / "submitted", "--no-feedback", "--no-canary", "--cell-timeout", "120", "--memory", "2048")
    seconds = time.perf_counter() - started
    assert done.returncode == 0, f"course grade failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    records = {}
    for path in sorted((course / "grading" / "audit" / NOTEBOOK).glob("*.json")):
        record = json.loads(path.read_text())
        records[record["student"]] = record
    print(f"course grade: {len(submissions)} submissions of {NOTEBOOK} in {seconds:.0f} s")
    return records


def _cells(record):
    return {c["grade_id"].removesuffix("_tests"): c for c in record["cells"]}


def test_every_exercise_has_delegations():
    for student, answers in DELEGATIONS.items():
        assert set(answers) == set(POINTS), f"{student} does not delegate every exercise of {NOTEBOOK}"


def test_the_old_twins_are_gone_from_the_library():
    import course_lib.rl
    import course_lib.rl.acting as acting
    import course_lib.rl.config as config
    import course_lib.rl.learner as learner

    for name in ("double_dqn_target", "dqn_loss", "epsilon_greedy"):
        assert name not in course_lib.rl.__all__
        assert not hasattr(learner, name) and not hasattr(acting, name)
    assert not hasattr(config.DQNConfig, "epsilon")


def test_the_unchanged_solution_earns_full_marks(batch):
    record = batch["control_solution"]
    assert record["status"] == "graded" and record["score"] == record["max_score"] == sum(POINTS.values()), record["reason"]


@pytest.mark.parametrize("student", sorted(DELEGATIONS))
def test_delegating_to_the_library_earns_nothing(batch, student):
    record = batch.get(student)
    assert record is not None, f"{student} was not graded"
    cells = _cells(record)
    assert set(cells) == set(POINTS)
    earned = {name: cell["score"] for name, cell in cells.items() if cell["score"] != 0}
    assert not earned, f"{student} earned points by delegating to the library: {earned}"
    for name, cell in cells.items():
        assert cell["outcome"] == "failed", f"{student}/{name}: {cell['outcome']} ({cell['reason']})"
