"""The uint8 frame-ring replay buffer: stacks, windows, wrap-around and sampling, against the truth.

A fake vector environment with ale-py's semantics (next-step autoreset, zero-padded frame
stacks after a reset, life-loss terminals, time-limit truncations) records every
observation it really showed; each sampled transition must match that record exactly.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
import torch

from course_lib.rl.envs import ScoreKeeper, StepResult, game_over_mask
from course_lib.rl.replay import ReplayBuffer, bytes_per_transition, replay_capacity_for


class FakeAtari:
    """Random frames, with AtariVectorEnv's next-step autoreset and stacking."""

    def __init__(self, num_envs, size=6, stack=4, seed=0, p_end=0.02, max_len=23, p_life=0.04, lives=3):
        self.N, self.H, self.S = num_envs, size, stack
        self.rng = np.random.default_rng(seed)
        self.p_end, self.max_len, self.p_life, self.start_lives = p_end, max_len, p_life, lives
        self.life_loss = lives > 0
        self.stacks = np.zeros((num_envs, stack, size, size), dtype=np.uint8)
        self.length = np.zeros(num_envs, dtype=int)
        self.lives = np.full(num_envs, lives)
        self.pending = np.zeros(num_envs, dtype=bool)

    def _frame(self):
        return self.rng.integers(1, 256, (self.H, self.H), dtype=np.uint8)  # never all zero

    def _reset_env(self, e):
        self.stacks[e] = 0
        self.stacks[e, -1] = self._frame()
        self.length[e] = 0
        self.lives[e] = self.start_lives

    def reset(self):
        for e in range(self.N):
            self._reset_env(e)
        self.pending[:] = False
        return self.stacks.copy()

    def step(self, actions):
        N = self.N
        reward = np.zeros(N, dtype=np.float32)
        term = np.zeros(N, dtype=bool)
        trunc = np.zeros(N, dtype=bool)
        dummy = self.pending.copy()
        lives_before = self.lives.copy()
        for e in range(N):
            if dummy[e]:
                self._reset_env(e)
                continue
            self.stacks[e, :-1] = self.stacks[e, 1:]
            self.stacks[e, -1] = self._frame()
            self.length[e] += 1
            reward[e] = self.rng.integers(-1, 2)
            if self.life_loss and self.rng.random() < self.p_life:
                term[e] = True
                self.lives[e] -= 1
            elif self.rng.random() < self.p_end:
                term[e] = True
                self.lives[e] = 0
            elif self.length[e] >= self.max_len:
                trunc[e] = True
        game_over = game_over_mask(term, trunc, self.lives, lives_before, self.life_loss) & ~dummy
        self.pending = game_over
        return StepResult(self.stacks.copy(), reward, term, trunc, game_over, dummy, self.lives.copy())


def run_fake(num_envs=3, steps=120, capacity=None, n_step=3, stack=4, seed=0, offset=0, **kwargs):
    """``offset``: the buffer's step counter starts there (a long run), as if the fake's step 0 were step ``offset``."""
    env = FakeAtari(num_envs, stack=stack, seed=seed, **kwargs)
    capacity = capacity or num_envs * (steps + 10)
    replay = ReplayBuffer(capacity, num_envs, frame_stack=stack, screen_size=env.H, n_step=n_step)
    hist = defaultdict(list)  # per step u since the reset: obs_u, and for the transition from u: a, r, term, trunc, dummy
    obs = env.reset()
    replay.start(torch.from_numpy(obs))
    assert offset % replay.T == 0, "the offset keeps step 0 in slot 0, where start() put it"
    replay.steps = offset
    hist["obs"].append(obs)
    rng = np.random.default_rng(seed + 1)
    for _ in range(steps):
        actions = rng.integers(0, 6, num_envs)
        result = env.step(actions)
        replay.add(torch.from_numpy(actions).to(torch.uint8), result.reward, result.terminated, result.truncated,
                   result.game_over, torch.from_numpy(result.obs), result.dummy)
        for key, value in (("action", actions), ("reward", result.reward), ("term", result.terminated),
                           ("trunc", result.truncated), ("dummy", result.dummy)):
            hist[key].append(value)
        hist["obs"].append(result.obs)
    return replay, {k: np.stack(v) for k, v in hist.items()}


def valid_starts(hist, replay, offset=0):
    """Every (t, e) a sample may start from: a real transition whose n-step window is not cut by a time limit
    (t counted from the fake's reset, ``offset`` steps into the buffer's count)."""
    n = replay.n
    steps = replay.steps - offset
    lo = max(0, steps - replay.T + replay.S)
    hi_any = steps - n  # the window and its bootstrap state must be written
    starts = set()
    for e in range(replay.N):
        for t in range(lo, hi_any + 1):
            # a reset step (action ignored) is not a transition
            if hist["dummy"][t, e]:
                continue
            cut = False
            for j in range(n - 1):
                if hist["term"][t + j, e]:
                    break
                if hist["trunc"][t + j, e]:
                    cut = True
                    break
            if not cut:
                starts.add((t, e))
    return starts


def check_samples(replay, hist, batch=512, rounds=4, offset=0):
    seen = set()
    valid = valid_starts(hist, replay, offset)
    gen = torch.Generator().manual_seed(5)
    n = replay.n
    for _ in range(rounds):
        obs, actions, rewards, terminated, next_obs, t, env = replay.sample(batch, gen, return_index=True)
        assert obs.dtype == torch.uint8 and next_obs.dtype == torch.uint8
        assert obs.shape == (batch, replay.S, hist["obs"].shape[-2], hist["obs"].shape[-1])
        assert rewards.shape == (batch, n) and terminated.shape == (batch, n) and terminated.dtype == torch.float32
        for i in range(batch):
            ti, ei = int(t[i]) - offset, int(env[i])
            assert (ti, ei) in valid, f"sampled start {(ti, ei)} is not a valid transition start"
            seen.add((ti, ei))
            np.testing.assert_array_equal(obs[i].numpy(), hist["obs"][ti, ei], err_msg=f"stack at {(ti, ei)}")
            np.testing.assert_array_equal(next_obs[i].numpy(), hist["obs"][ti + n, ei], err_msg=f"stack at {(ti + n, ei)}")
            assert int(actions[i]) == hist["action"][ti, ei]
            np.testing.assert_array_equal(rewards[i].numpy(), hist["reward"][ti:ti + n, ei])
            np.testing.assert_array_equal(terminated[i].numpy(), hist["term"][ti:ti + n, ei].astype(np.float32))
    return seen, valid


@pytest.mark.parametrize("n_step,stack", [(3, 4), (1, 4), (5, 2), (1, 1)])
def test_samples_match_what_the_environment_showed(n_step, stack):
    replay, hist = run_fake(num_envs=3, steps=150, n_step=n_step, stack=stack)
    seen, valid = check_samples(replay, hist)
    assert len(seen) >= 0.8 * len(valid), "sampling should reach (almost) every valid start"


def test_ring_wraps_without_reading_overwritten_frames():
    replay, hist = run_fake(num_envs=2, steps=300, capacity=2 * 40, n_step=3)
    assert replay.T == 40 and replay.steps == 300
    seen, valid = check_samples(replay, hist)
    assert min(t for t, _ in seen) >= 300 - 40 + replay.S - 1
    assert len(replay) == (40 - replay.S) * 2


def test_resets_are_padded_with_zeros_like_ale():
    replay, hist = run_fake(num_envs=1, steps=60, n_step=1, p_end=0.2, p_life=0.0, lives=0)
    firsts = [u for u in range(1, 60) if hist["dummy"][u - 1, 0]]
    assert firsts, "the fake environment should have reset at least once"
    u = firsts[0]
    stack = replay.stack_at(torch.tensor([u]), torch.tensor([0]))[0].numpy()
    assert (stack[:-1] == 0).all() and (stack[-1] != 0).all()
    np.testing.assert_array_equal(stack, hist["obs"][u, 0])


def test_time_limit_cut_windows_are_moved_to_the_next_game():
    # episodes always end by the time limit, every 9 steps: many windows would cross one
    replay, hist = run_fake(num_envs=2, steps=200, n_step=4, p_end=0.0, p_life=0.0, lives=0, max_len=9)
    seen, valid = check_samples(replay, hist, rounds=6)
    for t, e in seen:
        assert not hist["trunc"][t:t + 3, e].any()
    # a time limit at the window's last step still bootstraps (from the final observation)
    assert any(hist["trunc"][t + 3, e] for t, e in seen)


def test_not_ready_until_enough_steps():
    env = FakeAtari(2, seed=3)
    replay = ReplayBuffer(200, 2, frame_stack=4, screen_size=env.H, n_step=3)
    replay.start(torch.from_numpy(env.reset()))
    ready_at = None
    for k in range(12):
        r = env.step(np.zeros(2, dtype=int))
        replay.add(torch.zeros(2, dtype=torch.uint8), r.reward, r.terminated, r.truncated, r.game_over, torch.from_numpy(r.obs), r.dummy)
        if replay.can_sample() and ready_at is None:
            ready_at = replay.steps
    assert ready_at == 2 * 3 + 1


@pytest.mark.parametrize("offset", [100 * (2**24 // 100), 100 * 2**21, 100 * 2**33])
def test_samples_stay_exact_far_into_a_long_run(offset):
    """Issue 24: the range of valid start steps went to the device through a float32 buffer, exact only below
    2**24 steps per environment (one environment and a long run get there); past it the range was rounded, and
    samples started at steps overwritten already or not written yet."""
    replay, hist = run_fake(num_envs=3, steps=305, capacity=3 * 100, n_step=3, offset=offset)
    seen, valid = check_samples(replay, hist, rounds=3, offset=offset)
    assert len(seen) >= 0.8 * len(valid)
    lo, hi = replay._bounds()
    assert replay.draw.tolist() == [lo, hi - lo + 1] and replay.draw.dtype == torch.int64


def test_sizing_from_free_gpu_memory_empties_the_cache_first(monkeypatch):
    """Memory a previous run in the same kernel freed stays in PyTorch's cache, which mem_get_info counts as used."""
    calls = []
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: calls.append("empty_cache"))
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: calls.append("mem_get_info") or (12 * 2**30, 80 * 2**30))
    capacity, reason = replay_capacity_for(10**7, 64, torch.device("cuda"), memory_fraction=0.5, reserve_gib=2.0)
    assert calls == ["empty_cache", "mem_get_info"], calls
    assert capacity == int(5 * 2**30 // 7063) // 64 * 64 and "12.0 GiB free" in reason


def test_memory_math_and_sizing():
    assert bytes_per_transition(84) == 84 * 84 + 7 == 7063
    cap, reason = replay_capacity_for(1_000_000, 64, torch.device("cpu"), cpu_gib=1.0)
    assert cap == (2**30 // 7063) // 64 * 64 and "reduced to fit" in reason
    cap, reason = replay_capacity_for(10_000, 64, torch.device("cpu"), cpu_gib=1.0)
    assert cap == 10_000 - 10_000 % 64 and "as requested" in reason
    with pytest.raises(MemoryError):
        replay_capacity_for(1_000_000, 64, torch.device("cpu"), cpu_gib=0.001)
    replay = ReplayBuffer(64 * 20, 64, frame_stack=4, screen_size=84, n_step=3)
    assert replay.nbytes() == 64 * 20 * 7063


def test_score_keeper_adds_raw_rewards_until_game_over():
    keeper = ScoreKeeper(2)
    def step(reward, game_over, dummy=(False, False)):
        z = np.zeros(2, dtype=bool)
        return StepResult(None, np.array(reward, dtype=np.float32), z, z, np.array(game_over), np.array(dummy), np.zeros(2))
    assert keeper.update(step([3, -1], [False, False])) == []
    assert keeper.update(step([4, 0], [True, False])) == [(7.0, 2)]
    assert keeper.update(step([0, 5], [False, True], dummy=(True, False))) == [(4.0, 3)]
    assert keeper.update(step([1, 0], [False, False], dummy=(False, True))) == []
    assert keeper.running.tolist() == [1.0, 0.0] and keeper.lengths.tolist() == [1, 0]
