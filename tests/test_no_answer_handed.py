"""No graded answer is handed over: delegating an exercise to the library earns nothing.

docs/authoring.md, "No graded answer is handed over": no graded exercise can be answered by
one call to something the course installs or a notebook's locked cells import. Where the
library must do the same job (the capstone trainer needs an epsilon schedule, epsilon-greedy
acting, a TD target and a loss without the notebook), it does it through another interface.

This test grades, in one `course grade` batch, notebooks 13 and 14 as the unchanged solutions
notebook (the control: full marks) and as submissions whose answers delegate to the nearest
thing `course_lib` offers, the way a learner who read the library would try: the names the
library used to export, its private methods called with the exercise's arguments, and its
classes built around the exercise's inputs. Each delegated exercise must earn zero. Notebook
13 teaches what the capstone's library also does (the Nature DQN network, a replay buffer,
epsilon-greedy acting, the TD target), and its Checkpoint D1 asks about the learner's network
(measuring the library's copy earns nothing): its delegations replace those answers only. And the
NumPy notebooks (01-11, whose setup calls `check.numpy_only()`) give nothing for an exercise
handed to PyTorch (06's MSE by `F.mse_loss`, 11's fast convolution by `F.conv2d`), and neither do
12's NumPy exercises (its test cells set the rule per exercise with `check.numpy_only(True/False)`);
12's `BatchNormLayer`, whose text asks for the arithmetic written by hand, earns nothing with any of
torch's normalisations (`batch_norm` under another name, `rms_norm` or `instance_norm`, each of
which gives the right numbers).

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

#: notebook 14: student -> exercise -> the answer cell that delegates (every exercise of 14)
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


#: notebook 13: student -> exercise -> the answer cell that delegates (the exercises the library has a job like)
DQN_NOTEBOOK = "13_dqn_network"
DQN_DELEGATIONS: dict[str, dict[str, str]] = {
    "imports_the_library_network": {
        "NatureDQN": "from course_lib.rl.networks import NatureDQN\n",
        "ReplayBuffer": "from course_lib.rl.replay import ReplayBuffer\n",
        "epsilon_greedy": (
            "from course_lib.rl.acting import _act\n\n\n"
            "def epsilon_greedy(q_values, epsilon, rng):\n"
            "    q = torch.as_tensor(np.asarray(q_values), dtype=torch.float32)[None]\n"
            "    generator = torch.Generator().manual_seed(int(rng.integers(2**31)))\n"
            "    return int(_act(lambda frames: q, q, epsilon, generator)[0])\n"),
        "td_target": (
            "from course_lib.rl import DQNConfig\n"
            "from course_lib.rl.learner import DQNLearner\n\n\n"
            "def td_target(rewards, next_q_target, terminated, gamma):\n"
            "    a = next_q_target.shape[1]\n"
            "    config = DQNConfig.smoke(gamma=gamma, n_step=1, double_dqn=False)\n"
            "    learner = DQNLearner(torch.nn.Linear(a, a), config, torch.device('cpu'))\n"
            "    batch = (next_q_target, next_q_target.argmax(1), rewards[:, None], terminated[:, None], next_q_target)\n"
            "    return learner._td_loss(batch)[0]\n"),
    },
    "wraps_the_library_network": {
        "NatureDQN": (
            "from course_lib.rl import nature_dqn\n\n\n"
            "class NatureDQN(nn.Module):\n"
            "    def __init__(self, n_actions, in_frames=4):\n"
            "        super().__init__()\n"
            "        self.inner = nature_dqn(n_actions, in_frames)\n\n"
            "    def forward(self, frames):\n"
            "        return self.inner(frames)\n"),
        # Checkpoint D1 asks about the learner's network: counting the library's parameters earns nothing
        "checkpoint_d_layers": (
            "from course_lib.rl import count_parameters, nature_dqn\n\n\n"
            "def checkpoint_d_layers(n_actions, in_frames=4):\n"
            "    net = nature_dqn(n_actions, in_frames)\n"
            "    x, table = torch.zeros(1, in_frames, 84, 84), {}\n"
            "    names = iter(['conv1', 'conv2', 'conv3', 'flatten', 'fc', 'out'])\n"
            "    for layer in [*net.features, *net.head]:\n"
            "        x = layer(x)\n"
            "        if not isinstance(layer, nn.ReLU):\n"
            "            table[next(names)] = (tuple(x.shape[1:]), count_parameters(layer))\n"
            "    return table\n"),
    },
    "measures_the_library_network": {
        "checkpoint_d_layers": (
            "from course_lib.rl.networks import NatureDQN as LibraryDQN\n\n\n"
            "def checkpoint_d_layers(n_actions, in_frames=4):\n"
            "    net = LibraryDQN(n_actions, in_frames)\n"
            "    seen = []\n"
            "    hooks = [m.register_forward_hook(lambda m, i, o: seen.append((m, tuple(o.shape[1:]))))\n"
            "             for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Flatten, nn.Linear))]\n"
            "    with torch.no_grad():\n"
            "        net(torch.zeros(1, in_frames, 84, 84, dtype=torch.uint8))\n"
            "    for hook in hooks:\n"
            "        hook.remove()\n"
            "    names = ['conv1', 'conv2', 'conv3', 'flatten', 'fc', 'out']\n"
            "    return {n: (shape, sum(p.numel() for p in m.parameters())) for n, (m, shape) in zip(names, seen)}\n"),
    },
    "subclasses_the_library_network": {
        "NatureDQN": (
            "import course_lib.rl.networks as networks\n\n\n"
            "class NatureDQN(networks.NatureDQN):\n"
            "    pass\n"),
    },
}


#: NumPy notebooks (their setup calls check.numpy_only()): an exercise handed to PyTorch earns nothing
TORCH_DELEGATIONS: dict[str, dict[str, dict[str, str]]] = {
    "06_loss_functions": {"delegates_to_pytorch": {"mse": (
        "import torch\nimport torch.nn.functional as F\n\n\n"
        "def mse(pred, target):\n"
        "    return F.mse_loss(torch.as_tensor(np.asarray(pred, dtype=float)), "
        "torch.as_tensor(np.asarray(target, dtype=float))).item()\n\n\n"
        "def mse_grad(pred, target):\n"
        "    pred = np.asarray(pred, dtype=float)\n"
        "    return 2.0 * (pred - np.asarray(target, dtype=float)) / pred.size\n")}},
    "11_convolutional_networks": {"delegates_to_pytorch": {"conv2d_fast": (
        "def conv2d_fast(x, w, b, stride=1, padding=0):\n"
        "    import torch\n"
        "    import torch.nn.functional as F\n"
        "    out = F.conv2d(torch.from_numpy(np.asarray(x, dtype=float))[None], torch.from_numpy(np.asarray(w, dtype=float)),\n"
        "                   torch.from_numpy(np.asarray(b, dtype=float)), stride=stride, padding=padding)\n"
        "    return out[0].numpy()\n")}},
}
_BN_LAYER_INIT = (
    "class BatchNormLayer(nn.Module):\n"
    "    def __init__(self, width, momentum=0.1, eps=1e-5):\n"
    "        super().__init__()\n"
    "        self.momentum, self.eps = momentum, eps\n"
    "        self.weight = nn.Parameter(torch.ones(width))\n"
    "        self.bias = nn.Parameter(torch.zeros(width))\n"
    "        self.register_buffer('running_mean', torch.zeros(width))\n"
    "        self.register_buffer('running_var', torch.ones(width))\n\n")
_BN_RUNNING = (
    "    def forward(self, x):\n"
    "        if not self.training:\n"
    "            return (x - self.running_mean) / torch.sqrt(self.running_var + self.eps) * self.weight + self.bias\n"
    "        m, mean = x.shape[0], x.mean(dim=0)\n"
    "        with torch.no_grad():\n"
    "            self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)\n"
    "            self.running_var.mul_(1 - self.momentum).add_(self.momentum * x.var(dim=0))\n")

#: 12 mixes NumPy and PyTorch exercises: its NumPy ones handed to PyTorch, and its hand-written batch-norm layer
#: handed to any of torch's normalisations (each of these gives the right numbers), earn nothing
MIXED_DELEGATIONS: dict[str, dict[str, dict[str, str]]] = {"12_batchnorm_residual": {
    "delegates_to_pytorch": {
        "batchnorm_forward": (
            "import torch.nn.functional as F\n\n\n"
            "def batchnorm_forward(X, gamma, beta, state, training, momentum=0.1, eps=1e-5):\n"
            "    mean, var = torch.tensor(state['mean']), torch.tensor(state['var'])\n"
            "    y = F.batch_norm(torch.as_tensor(np.asarray(X, dtype=float)), mean, var, torch.as_tensor(gamma),\n"
            "                     torch.as_tensor(beta), training, momentum, eps)\n"
            "    state['mean'], state['var'] = mean.numpy(), var.numpy()\n"
            "    return y.numpy()\n"),
        "residual_block_forward": (
            "def residual_block_forward(X, W1, b1, W2, b2):\n"
            "    X, W1, b1, W2, b2 = (torch.as_tensor(a) for a in (X, W1, b1, W2, b2))\n"
            "    return torch.relu(X + torch.relu(X @ W1 + b1) @ W2 + b2).numpy()\n"),
        "debug_batchnorm_layer": (
            "from torch.nn.functional import batch_norm as normalise\n\n\n" + _BN_LAYER_INIT
            + "    def forward(self, x):\n"
              "        return normalise(x, self.running_mean, self.running_var, self.weight, self.bias, self.training,\n"
              "                         self.momentum, self.eps)\n"),
    },
    "normalises_with_rms_norm": {"debug_batchnorm_layer": _BN_LAYER_INIT + _BN_RUNNING + (
        "        centred = x - mean\n"
        "        return torch.nn.functional.rms_norm(centred.T, (m,), eps=self.eps).T * self.weight + self.bias\n")},
    "normalises_with_instance_norm": {"debug_batchnorm_layer": _BN_LAYER_INIT + (
        "    def forward(self, x):\n"
        "        out = torch.nn.functional.instance_norm(x.T[None], self.running_mean, self.running_var, self.weight,\n"
        "                                                self.bias, self.training, self.momentum, self.eps)\n"
        "        return out[0].T\n")},
}}
#: notebook -> student -> the exercises that delegate (the submission's other answers are the solution's)
PARTIAL = {DQN_NOTEBOOK: DQN_DELEGATIONS, **TORCH_DELEGATIONS, **MIXED_DELEGATIONS}
PARTIAL_CASES = [(notebook, student) for notebook, students in PARTIAL.items() for student in students]


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
    """One `course grade` batch: notebook 14's and notebook 13's controls and delegating submissions."""
    solution = nbformat.read(SOLUTIONS / f"{NOTEBOOK}.ipynb", as_version=4)
    assert {ex.name: ex.points for ex in exercises(solution)} == POINTS, "notebook 14's exercises changed: update this test"
    course = tmp_path_factory.mktemp("no-answer-handed") / "course"
    submissions = {(NOTEBOOK, "control_solution"): solution}
    submissions.update({(NOTEBOOK, student): delegating(solution, answers) for student, answers in DELEGATIONS.items()})
    for notebook, students in PARTIAL.items():
        source = nbformat.read(SOLUTIONS / f"{notebook}.ipynb", as_version=4)
        submissions[notebook, "control_solution"] = source
        submissions.update({(notebook, student): delegating(source, answers) for student, answers in students.items()})
    for (notebook, student), nb in submissions.items():
        folder = course / "submitted" / student / notebook
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{notebook}.ipynb")
    started = time.perf_counter()
    # One batch. The control stands in for the canary; notebook 14's cells get the room the variants suite gives
    # them (its slowest took 29 s on a busy machine), and PyTorch more than the suites' 1 GB of address space
    # (2 GB is `course grade`'s default).
    done = grade(course / "submitted", "--no-feedback", "--no-canary", "--cell-timeout", "300", "--memory", "2048")
    seconds = time.perf_counter() - started
    assert done.returncode == 0, f"course grade failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    records = {}
    for notebook in (NOTEBOOK, *PARTIAL):
        for path in sorted((course / "grading" / "audit" / notebook).glob("*.json")):
            record = json.loads(path.read_text())
            records[notebook, record["student"]] = record
    print(f"course grade: {len(submissions)} submissions of {NOTEBOOK}, {', '.join(PARTIAL)} in {seconds:.0f} s")
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


@pytest.mark.parametrize("notebook", [NOTEBOOK, *PARTIAL])
def test_the_unchanged_solution_earns_full_marks(batch, notebook):
    record = batch[notebook, "control_solution"]
    assert record["status"] == "graded" and record["score"] == record["max_score"] > 0, record["reason"]
    if notebook == NOTEBOOK:
        assert record["score"] == sum(POINTS.values())


@pytest.mark.parametrize("student", sorted(DELEGATIONS))
def test_delegating_to_the_library_earns_nothing(batch, student):
    record = batch.get((NOTEBOOK, student))
    assert record is not None, f"{student} was not graded"
    cells = _cells(record)
    assert set(cells) == set(POINTS)
    earned = {name: cell["score"] for name, cell in cells.items() if cell["score"] != 0}
    assert not earned, f"{student} earned points by delegating to the library: {earned}"
    for name, cell in cells.items():
        assert cell["outcome"] == "failed", f"{student}/{name}: {cell['outcome']} ({cell['reason']})"


@pytest.mark.parametrize("notebook, student", PARTIAL_CASES)
def test_delegated_exercises_earn_nothing_and_the_rest_keep_their_points(batch, notebook, student):
    record = batch.get((notebook, student))
    assert record is not None, f"{notebook}/{student} was not graded"
    cells = _cells(record)
    delegated = PARTIAL[notebook][student]
    assert set(delegated) <= set(cells), f"{notebook} has no exercises {sorted(set(delegated) - set(cells))}"
    earned = {name: cells[name]["score"] for name in delegated if cells[name]["score"] != 0}
    assert not earned, f"{notebook}/{student} earned points by delegating: {earned}"
    kept = {name: cell["score"] for name, cell in cells.items() if name not in delegated and cell["score"] != cell["points"]}
    assert not kept, f"{notebook}/{student}: answers that do not delegate lost points: {kept}"
