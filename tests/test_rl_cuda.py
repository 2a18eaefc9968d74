"""The capstone's GPU path on a real GPU (issue 24, item 3): the first thing a GPU session runs.

    python -m pytest -q tests/test_rl_cuda.py          # on the GPU machine, before any benchmark

Every test here needs CUDA and is skipped (with that reason) elsewhere; the CPU suite covers
what it can without one (tests/test_rl_graphs.py fakes torch.cuda to check the clean-up after
a failed capture; tests/test_rl_hotpath.py runs the hot path on the meta device). These use
only torch and course_lib (no Atari emulator), so they run on a machine without ale-py.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

from course_lib.rl.acting import Actor
from course_lib.rl.config import DQNConfig
from course_lib.rl.learner import DQNLearner
from course_lib.rl.networks import NatureDQN
from course_lib.rl.replay import ReplayBuffer

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(),
                                reason="needs a CUDA GPU (the CPU suite covers the same logic with a fake torch.cuda)")
CUDA = torch.device("cuda")


def _replay(num_envs=8, steps=60, n_actions=6, seed=0):
    replay = ReplayBuffer(num_envs * 100, num_envs, n_step=3, device=CUDA)
    gen = torch.Generator(device=CUDA).manual_seed(seed)
    replay.start(torch.randint(0, 255, (num_envs, 4, 84, 84), dtype=torch.uint8, device=CUDA, generator=gen))
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        ends = rng.random(num_envs) < 0.05
        replay.add(torch.randint(0, n_actions, (num_envs,), device=CUDA, generator=gen).to(torch.uint8),
                   rng.integers(-1, 2, num_envs).astype(np.float32), ends, np.zeros(num_envs, bool), ends,
                   torch.randint(0, 255, (num_envs, 4, 84, 84), dtype=torch.uint8, device=CUDA, generator=gen),
                   np.zeros(num_envs, bool))
    return replay


def _learner(seed=0, **settings):
    torch.manual_seed(seed)
    config = DQNConfig.gpu(batch_size=32, **settings)
    return DQNLearner(NatureDQN(6), config, CUDA)


def _params(learner):
    return [p.detach().clone() for p in learner.online.parameters()]


def test_updates_capture_and_replay():
    learner, replay = _learner(), _replay()
    assert learner.use_graphs
    before = _params(learner)
    learner.update(replay, 2)   # warm-up (3 eager updates), capture, replay
    learner.update(replay, 2)   # replay only
    torch.cuda.synchronize()
    assert learner.fallback is None, learner.graph_error
    assert set(learner._graphs) == {2} and learner.updates == 3 + 2 + 2
    assert torch.cuda.current_stream() == torch.cuda.default_stream(), "the capture left another stream current"
    assert torch.cuda.get_sync_debug_mode() == 0
    assert any(not torch.equal(a, b) for a, b in zip(before, learner.online.parameters())), "the graph changed no weight"
    stats = learner.read_stats()
    assert np.isfinite(stats["loss"]) and stats["loss"] > 0
    step = learner.optimizer.state[next(learner.online.parameters())]["step"]
    assert step.device.type == "cuda" and float(step) == 7.0, "Adam's step counter (on the GPU) counts graphed updates"


def test_one_graphed_update_equals_one_eager_update():
    """Same weights, same replay, same generator state: the graph's update is the eager one (RNG included)."""
    torch.backends.cudnn.deterministic = True
    try:
        graphed, eager = _learner(seed=3), _learner(seed=3, cuda_graphs=False)
        eager.online.load_state_dict(graphed.online.state_dict())
        eager.target.load_state_dict(graphed.target.state_dict())
        replay = _replay()
        torch.cuda.manual_seed(11)
        graphed.update(replay, 1)   # 3 warm-up updates + 1 graphed
        torch.cuda.manual_seed(11)
        for _ in range(4):
            eager.update(replay, 1)
        torch.cuda.synchronize()
        assert graphed._graphs and not eager._graphs
        for a, b in zip(graphed.online.parameters(), eager.online.parameters()):
            torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)
        torch.testing.assert_close(graphed.loss_sum, eager.loss_sum, rtol=1e-4, atol=1e-6)
    finally:
        torch.backends.cudnn.deterministic = False


def _loss_with_a_host_sync(q_values, actions, targets):
    loss = torch.nn.functional.huber_loss(q_values.gather(1, actions[:, None]).squeeze(1), targets)
    if loss.item() > 1e9:
        print("the loss exploded")
    return loss


def _target_that_synchronizes(rewards, terminated, next_q_online, next_q_target, gamma):
    torch.cuda.synchronize()  # not a sync the sync-debug mode sees: the capture itself fails
    bootstrap = next_q_target.gather(1, next_q_online.argmax(1, keepdim=True)).squeeze(1)
    return rewards[:, 0] + gamma * (1 - terminated[:, 0]) * bootstrap


@pytest.mark.parametrize("piece,stage", [("loss_fn", "warm-up"), ("td_target", "capture")])
def test_a_piece_that_breaks_capture_falls_back_and_trains_on(piece, stage):
    plugged = {"loss_fn": _loss_with_a_host_sync} if piece == "loss_fn" else {"td_target": _target_that_synchronizes}
    torch.manual_seed(0)
    learner = DQNLearner(NatureDQN(6), DQNConfig.gpu(batch_size=32), CUDA, **plugged)
    replay = _replay()
    rng_before = torch.cuda.get_rng_state()
    before = _params(learner)
    learner.update(replay, 2)
    assert not learner.use_graphs and learner.fallback.stage == stage, learner.graph_error
    assert learner.fallback.piece == next(iter(plugged.values())).__name__
    assert torch.cuda.current_stream() == torch.cuda.default_stream()
    assert torch.cuda.get_sync_debug_mode() == 0
    if stage == "capture":
        assert torch.equal(torch.cuda.get_rng_state(), rng_before), "the failed capture moved the generator"
    for _ in range(3):  # eager updates: replay sampling draws random numbers (raised after a failed capture before)
        learner.update(replay, 2)
    torch.randint(0, 10, (4,), device=CUDA)
    torch.cuda.synchronize()
    assert any(not torch.equal(a, b) for a, b in zip(before, learner.online.parameters()))
    assert np.isfinite(learner.read_stats()["loss"])


def test_capturable_adam_after_a_resume():
    """A checkpoint (from a graphed run, and from a CPU run) resumes into a graphed learner that keeps counting."""
    first, replay = _learner(), _replay()
    first.update(replay, 2)
    state = first.state_dict()
    for source in ("gpu", "cpu"):
        if source == "cpu":
            for s in state["optimizer"]["state"].values():
                s["step"] = s["step"].cpu()
            for group in state["optimizer"]["param_groups"]:
                group.update(capturable=False, fused=None, foreach=None)
        resumed = _learner(seed=1)
        resumed.load_state_dict(state)
        group = resumed.optimizer.param_groups[0]
        assert group["capturable"] and group["fused"], group
        resumed.update(replay, 2)
        resumed.update(replay, 2)
        torch.cuda.synchronize()
        assert resumed.fallback is None and resumed._graphs, resumed.graph_error
        step = resumed.optimizer.state[next(resumed.online.parameters())]["step"]
        assert step.device.type == "cuda" and float(step) == 5 + 3 + 2 + 2, (source, float(step))


def test_the_actor_graph_sees_weights_the_learner_changed():
    learner, replay = _learner(), _replay()
    actor = Actor(learner.online, 8, 6, (4, 84, 84), CUDA, use_graph=True)
    actor.load(np.zeros((8, 4, 84, 84), dtype=np.uint8))
    head = learner.online.head[-1]

    def prefer(action):
        with torch.no_grad():
            head.weight.zero_()
            head.bias.zero_()
            head.bias[action] = 10.0

    prefer(2)
    assert actor.act(0.0).tolist() == [2] * 8 and actor._graph is not None, actor.graph_error
    prefer(5)  # an in-place change, as Adam and load_state_dict make
    assert actor.act(0.0).tolist() == [5] * 8, "the actor's graph acted with stale weights"
    pointers = [p.data_ptr() for p in learner.online.parameters()]
    learner.update(replay, 2)  # graphed updates change the same tensors in place
    assert [p.data_ptr() for p in learner.online.parameters()] == pointers
    with torch.no_grad():
        want = learner.online(actor.obs).argmax(1)
    assert torch.equal(actor.act(0.0), want)
    assert actor.fallback is None and torch.cuda.current_stream() == torch.cuda.default_stream()
