"""The Nature DQN network, the n-step Double-DQN target, the loss, epsilon-greedy and the config."""
from __future__ import annotations

import pytest
import torch

from course_lib.rl.acting import _act
from course_lib.rl.config import DQNConfig
from course_lib.rl.learner import DQNLearner, NonFiniteLossError
from course_lib.rl.networks import NatureDQN, count_parameters
from course_lib.rl.replay import ReplayBuffer


def test_nature_dqn_parameter_count_by_hand():
    net = NatureDQN(6)
    by_hand = (4 * 8 * 8 * 32 + 32) + (32 * 4 * 4 * 64 + 64) + (64 * 3 * 3 * 64 + 64) + (3136 * 512 + 512) + (512 * 6 + 6)
    assert by_hand == 1_687_206
    assert count_parameters(net) == by_hand
    sides = [net.features[:i](torch.zeros(1, 4, 84, 84)).shape[-1] for i in (2, 4, 6)]
    assert sides == [20, 9, 7]  # (84 - 8) / 4 + 1, (20 - 4) / 2 + 1, (9 - 3) / 1 + 1


def test_nature_dqn_layers_and_input_scaling():
    net = NatureDQN(4)
    convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [(c.out_channels, c.kernel_size, c.stride) for c in convs] == [(32, (8, 8), (4, 4)), (64, (4, 4), (2, 2)), (64, (3, 3), (1, 1))]
    assert not any(isinstance(m, (torch.nn.MaxPool2d, torch.nn.AvgPool2d)) for m in net.modules())
    frames = torch.randint(0, 256, (5, 4, 84, 84), dtype=torch.uint8)
    q = net(frames)
    assert q.shape == (5, 4) and q.dtype == torch.float32
    torch.testing.assert_close(q, net(frames.float()))  # uint8 and float inputs are scaled the same way


class FixedQ(torch.nn.Module):
    """A "network" whose Q-values are given: row i of ``q`` for the i-th observation of a batch."""

    def __init__(self, q):
        super().__init__()
        self.q = q

    def forward(self, frames):
        return self.q[: len(frames)]


def _td_loss(q_now, actions, rewards, terminated, next_q_online, next_q_target, gamma, **settings):
    """The learner's fused loss on a batch whose Q-values are given (networks stubbed)."""
    cfg = DQNConfig.smoke(gamma=gamma, n_step=rewards.shape[1], joint_online_forward=False, **settings)
    learner = DQNLearner(NatureDQN(q_now.shape[1]), cfg, torch.device("cpu"))
    learner._forward = lambda frames: q_now if frames is OBS else next_q_online
    learner.target = lambda frames: next_q_target
    loss, q = learner._td_loss((OBS, actions, rewards, terminated, NEXT_OBS))
    return loss, q


OBS, NEXT_OBS = torch.zeros(1, 1, 1, 1, dtype=torch.uint8), torch.ones(1, 1, 1, 1, dtype=torch.uint8)


def _targets(rewards, terminated, next_q_online, next_q_target, gamma, **settings):
    """The TD targets inside the fused loss: with Q(s, a) = 0 and a huge Huber delta, loss = mean(y^2) / 2
    and its gradient with respect to Q(s_i, a_i) is -y_i / B."""
    B = rewards.shape[0]
    q_now = torch.zeros(B, 2, requires_grad=True)
    loss, _ = _td_loss(q_now, torch.zeros(B, dtype=torch.long), rewards, terminated, next_q_online, next_q_target, gamma,
                       huber_delta=1e9, **settings)
    loss.backward()
    return -q_now.grad[:, 0] * B


def test_double_dqn_target_hand_worked():
    gamma = 0.5
    rewards = torch.tensor([[1.0, 2.0, 3.0]] * 4)
    terminated = torch.tensor([[0.0, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1]])
    next_q_online = torch.tensor([[1.0, 5.0, 2.0]] * 4)   # the online net picks action 1...
    next_q_target = torch.tensor([[10.0, 20.0, 30.0]] * 4)  # ...valued 20 by the target net (not max 30)
    y = _targets(rewards, terminated, next_q_online, next_q_target, gamma)
    # 1 + 0.5*2 + 0.25*3 + 0.125*20 = 5.25;  1 + 0.5*2 = 2 (terminal at step 1);  1;  2.75 (no bootstrap)
    torch.testing.assert_close(y, torch.tensor([5.25, 2.0, 1.0, 2.75]))


def test_one_step_target_and_plain_dqn():
    r, d = torch.tensor([[1.0], [1.0]]), torch.tensor([[0.0], [1.0]])
    online, target = torch.tensor([[0.0, 3.0]] * 2), torch.tensor([[7.0, 1.0]] * 2)
    torch.testing.assert_close(_targets(r, d, online, target, 0.9), torch.tensor([1.9, 1.0]))
    # plain DQN: the target network both chooses and values
    torch.testing.assert_close(_targets(r, d, online, target, 0.9, double_dqn=False), torch.tensor([1.0 + 0.9 * 7, 1.0]))


def test_dqn_loss_uses_the_taken_action_and_huber():
    q = torch.tensor([[1.0, 4.0], [0.0, 2.0]], requires_grad=True)
    # one step, terminal: the targets are the rewards 1.5 and 5
    loss, _ = _td_loss(q, torch.tensor([0, 1]), torch.tensor([[1.5], [5.0]]), torch.ones(2, 1), torch.zeros(2, 2),
                       torch.zeros(2, 2), 0.99)
    # errors 0.5 (quadratic: 0.125) and 3 (linear: 2.5), mean 1.3125
    assert loss.item() == pytest.approx(1.3125)
    loss.backward()
    torch.testing.assert_close(q.grad, torch.tensor([[-0.25, 0.0], [0.0, -0.5]]))


def test_plugged_in_target_and_loss_replace_the_built_in_ones():
    seen = {}

    def my_target(rewards, terminated, next_q_online, next_q_target, gamma):
        seen["gamma"] = gamma
        return torch.full((rewards.shape[0],), 7.0)

    def my_loss(q_values, actions, targets):
        seen["targets"] = targets
        return (q_values.gather(1, actions[:, None]).squeeze(1) - targets).pow(2).mean()

    cfg = DQNConfig.smoke(batch_size=8, gamma=0.9)
    learner = DQNLearner(NatureDQN(3), cfg, torch.device("cpu"), td_target=my_target, loss_fn=my_loss)
    learner.update(_filled_replay(), 1)
    assert seen["gamma"] == 0.9 and torch.equal(seen["targets"], torch.full((8,), 7.0))


def test_epsilon_greedy_acting_from_frames():
    net = FixedQ(torch.tensor([[0.0, 2.0, 1.0]] * 1000))
    frames = torch.zeros(1000, 4, 84, 84, dtype=torch.uint8)
    assert (_act(net, frames, 0.0) == 1).all()
    counts = torch.bincount(_act(net, frames, 1.0, torch.Generator().manual_seed(0)), minlength=3)
    assert counts.min() > 250
    # acting goes from a network and frame stacks to actions: no function from Q-values to actions
    with pytest.raises(TypeError, match="nn.Module"):
        _act(lambda frames: torch.zeros(2, 3), frames[:2], 0.1)
    with pytest.raises(TypeError, match="uint8 frame stacks"):
        _act(torch.nn.Identity(), torch.randn(5, 3), 0.1)


def test_trainer_epsilon_decays_linearly_then_stays(tmp_path):
    """The config's schedule as the trainer applies it: 1 -> 0.1 over 100 steps, read back from log.csv."""
    from course_lib.rl.trainer import Trainer

    cfg = DQNConfig.smoke(num_envs=2, total_steps=160, learning_starts=10**6, epsilon_start=1.0, epsilon_end=0.1,
                          epsilon_decay_steps=100, log_every_steps=2)
    Trainer(cfg, tmp_path / "run", progress=False, quiet=True, final_eval=False, video=False).run()
    import csv

    with (tmp_path / "run" / "log.csv").open() as f:
        logged = {int(r["env_steps"]): float(r["epsilon"]) for r in csv.DictReader(f)}
    # a row logged at step s shows the epsilon used for the step that started at s - num_envs
    for step, eps in logged.items():
        assert eps == pytest.approx(1.0 + min(1.0, (step - 2) / 100) * (0.1 - 1.0), abs=1e-6), step


def test_config_presets_and_overrides():
    gpu, smoke = DQNConfig.gpu("breakout"), DQNConfig.smoke()
    assert gpu.life_loss_terminal is True and gpu.target_score == 100 and gpu.cuda_graphs
    assert smoke.device == "cpu" and smoke.total_steps < 10_000 and smoke.target_score == 18
    changed = smoke.with_overrides(["lr=3e-4", "num_envs=8", "double_dqn=false", "minutes=1.5"])
    assert (changed.lr, changed.num_envs, changed.double_dqn, changed.minutes) == (3e-4, 8, False, 1.5)
    assert DQNConfig.from_dict(changed.to_dict()) == changed
    with pytest.raises(ValueError):
        smoke.with_overrides(["no_such_setting=1"])
    with pytest.raises(ValueError):
        DQNConfig(n_step=0).resolved()
    # evaluation game i starts from seed eval_seed + i: ale-py's seeds are signed 32-bit ints
    with pytest.raises(ValueError, match="eval_seed must be between 0 and"):
        DQNConfig(eval_seed=2**31 - 5, eval_episodes=20).resolved()
    with pytest.raises(ValueError, match="eval_seed"):
        DQNConfig(eval_seed=-1).resolved()
    assert DQNConfig(eval_seed=2**31 - 21, eval_episodes=20).resolved().eval_seed == 2**31 - 21
    assert gpu.updates_per_env_step * gpu.num_envs == 2  # two updates of 256 per step of 64 environments


def test_env_threads_share_the_width_evenly(monkeypatch):
    """Issue 24: 'cores - 1' threads gave 64 environments 15 threads on 16 cores: 5 rounds of emulation per step
    where 16 threads need 4. The automatic count takes the fewest rounds, then a divisor of the width."""
    import os

    monkeypatch.setattr(os, "cpu_count", lambda: 16)
    gpu = DQNConfig.gpu()
    assert gpu.resolve_env_threads() == 16, f"{gpu.resolve_env_threads()} threads for 64 environments on 16 cores"
    assert gpu.num_envs % 16 == 0 and gpu.env_rounds == 4
    from course_lib.rl.config import auto_env_threads

    assert DQNConfig.gpu(num_envs=60).resolve_env_threads() == 15  # 60 = 4 x 15: one core left over
    assert DQNConfig.gpu(env_threads=15).resolve_env_threads() == 15  # set by hand (to measure 15 against 16)
    for cores in (1, 2, 3, 8, 12, 16, 31):
        for width in (1, 4, 60, 64, 100):
            threads = auto_env_threads(width, cores)
            rounds = -(-width // threads)
            assert 1 <= threads <= max(1, min(width, cores))
            assert rounds == min(-(-width // t) for t in range(1, max(1, min(width, cores)) + 1)), (width, cores, threads)
            if any(width % t == 0 and -(-width // t) == rounds for t in range(1, cores + 1)):
                assert width % threads == 0, (width, cores, threads)
    with pytest.raises(ValueError, match="env_threads"):
        DQNConfig(env_threads=-1).resolved()
    with pytest.raises(ValueError, match="n_step must be between 1 and 30"):
        DQNConfig(n_step=31).resolved()


def test_evaluation_refuses_seeds_beyond_ale_range():
    from course_lib.rl.evaluation import evaluate

    with pytest.raises(ValueError, match="evaluation seeds must lie between 0 and 2\\*\\*31 - 1"):
        evaluate(NatureDQN(6), DQNConfig.smoke(), episodes=2, seed=2**31 - 2)


def _filled_replay(n_actions=3, steps=40, num_envs=2):
    replay = ReplayBuffer(num_envs * 64, num_envs, n_step=3)
    gen = torch.Generator().manual_seed(0)
    replay.start(torch.randint(0, 255, (num_envs, 4, 84, 84), dtype=torch.uint8, generator=gen))
    import numpy as np
    z = np.zeros(num_envs, dtype=bool)
    for _ in range(steps):
        replay.add(torch.randint(0, n_actions, (num_envs,), generator=gen).to(torch.uint8), np.ones(num_envs, np.float32),
                   z, z, z, torch.randint(0, 255, (num_envs, 4, 84, 84), dtype=torch.uint8, generator=gen), z)
    return replay


def test_learner_updates_and_syncs_target():
    torch.manual_seed(0)
    cfg = DQNConfig.smoke(batch_size=8, target_update_every=2, lr=1e-3)
    learner = DQNLearner(NatureDQN(3), cfg, torch.device("cpu"))
    replay = _filled_replay()
    before = [p.clone() for p in learner.online.parameters()]
    learner.update(replay, 1)
    assert any(not torch.equal(a, b) for a, b in zip(before, learner.online.parameters()))
    assert not all(torch.equal(a, b) for a, b in zip(learner.online.parameters(), learner.target.parameters()))
    learner.update(replay, 1)  # second update: target synced
    assert all(torch.equal(a, b) for a, b in zip(learner.online.parameters(), learner.target.parameters()))
    stats = learner.read_stats()
    assert stats["loss"] > 0 and learner.updates == 2


class NaNNet(NatureDQN):
    def forward(self, frames):
        return super().forward(frames) * float("nan")


def test_nan_loss_is_detected():
    cfg = DQNConfig.smoke(batch_size=8)
    learner = DQNLearner(NaNNet(3), cfg, torch.device("cpu"))
    learner.update(_filled_replay(), 1)
    with pytest.raises(NonFiniteLossError, match="TD loss became nan"):
        learner.read_stats()
    with pytest.raises(NonFiniteLossError):
        learner.check_finite()


def test_one_online_forward_on_both_observations_gives_the_same_update():
    """Issue 24: the online network runs once on s_t and s_{t+n} together (a batch of 2B); the loss and the
    gradients are those of two separate forward passes."""
    replay = _filled_replay(n_actions=4)
    batch = replay.sample(8, torch.Generator().manual_seed(3))
    results = []
    for joint in (True, False):
        torch.manual_seed(0)
        learner = DQNLearner(NatureDQN(4), DQNConfig.smoke(batch_size=8, joint_online_forward=joint), torch.device("cpu"))
        calls = []
        learner._forward = lambda frames, net=learner.online: calls.append(len(frames)) or net(frames)
        loss, _ = learner._td_loss(batch)
        loss.backward()
        results.append((loss.detach(), [p.grad.clone() for p in learner.online.parameters()], calls))
    (joint_loss, joint_grads, joint_calls), (loss, grads, calls) = results
    assert joint_calls == [16] and calls == [8, 8], (joint_calls, calls)
    torch.testing.assert_close(joint_loss, loss)
    for a, b in zip(joint_grads, grads):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def _checkpoint_after_one_update():
    cfg = DQNConfig.smoke(batch_size=8)
    learner = DQNLearner(NatureDQN(3), cfg, torch.device("cpu"))
    learner.update(_filled_replay(), 1)
    return learner.state_dict()


def test_gpu_checkpoint_resumes_on_a_cpu():
    """Issue 15: a checkpoint saved by a GPU run (Adam capturable=True, foreach=True) resumed with
    --device cpu: Optimizer.load_state_dict restored capturable=True and the first CPU update crashed."""
    state = _checkpoint_after_one_update()
    for group in state["optimizer"]["param_groups"]:
        group.update(capturable=True, foreach=True)  # what a CUDA-graph run saves
    learner = DQNLearner(NatureDQN(3), DQNConfig.smoke(batch_size=8), torch.device("cpu"))
    learner.load_state_dict(state)
    group = learner.optimizer.param_groups[0]
    assert (group["capturable"], group["foreach"]) == (False, None), "the CPU run's own Adam settings"
    learner.update(_filled_replay(), 2)  # crashed here before the fix
    assert learner.updates == 3 and learner.read_stats()["loss"] > 0


def test_cpu_checkpoint_gets_this_runs_capturable_setting():
    """The other direction, as far as a CPU can test it: a run whose Adam is capturable (a CUDA-graph run)
    loads a checkpoint saved without it; it must stay capturable (else a GPU resume steps eagerly), with
    Adam's step counters on the parameters' device as capturable wants them."""
    state = _checkpoint_after_one_update()
    assert state["optimizer"]["param_groups"][0]["capturable"] is False
    learner = DQNLearner(NatureDQN(3), DQNConfig.smoke(batch_size=8), torch.device("cpu"))
    learner.optimizer_settings = {"capturable": True, "foreach": True}  # as DQNLearner sets them on a GPU
    learner.optimizer = torch.optim.Adam(learner.online.parameters(), lr=1e-4, **learner.optimizer_settings)
    learner.load_state_dict(state)
    for group in learner.optimizer.param_groups:
        assert (group["capturable"], group["foreach"]) == (True, True)
        for p in group["params"]:
            step = learner.optimizer.state[p]["step"]
            assert torch.is_tensor(step) and step.device == p.device and float(step) == 1.0
