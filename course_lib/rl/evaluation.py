"""Evaluation with fixed seeds: how well does the current network play whole games?

Each of ``episodes`` environments plays one full game from its own fixed seed
(``eval_seed + i``, which fixes its random no-op start), with a tiny exploration rate
(``eval_epsilon``, drawn from a generator seeded the same way), no sticky actions and no
life-loss terminals. The score is the raw game score (Pong: points won minus points lost,
from -21 to +21). The same seeds are used at every evaluation, so two evaluations of the
same network give the same scores, and evaluations during training are comparable.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import nn

from .acting import _act, _check_inputs
from .config import DQNConfig, last_first_seed
from .envs import evaluation_env


@dataclass
class EvalResult:
    scores: list[float]
    lengths: list[int]
    seed: int
    epsilon: float
    seconds: float
    env_steps_at: int = 0          # training steps when evaluated
    extra: dict = field(default_factory=dict)

    @property
    def mean(self) -> float:
        return float(np.mean(self.scores))

    @property
    def std(self) -> float:
        return float(np.std(self.scores))

    def to_dict(self) -> dict:
        data = asdict(self)
        data.update(mean=self.mean, std=self.std, min=float(np.min(self.scores)), max=float(np.max(self.scores)), episodes=len(self.scores))
        return data

    def __str__(self) -> str:
        return (f"mean score {self.mean:.2f} ± {self.std:.2f} over {len(self.scores)} games "
                f"(min {min(self.scores):g}, max {max(self.scores):g}; seeds {self.seed}..{self.seed + len(self.scores) - 1}, "
                f"epsilon {self.epsilon:g}, {self.seconds:.1f} s)")


class SeededPlayer:
    """The network, frozen, choosing actions with a tiny epsilon drawn from a seeded generator.

    Evaluation and the video both play this way, so that the same seed means the same game:
    the seed fixes the environments' no-op starts and every exploratory action.
    ``policy(q_values, epsilon, generator) -> actions`` replaces the built-in epsilon-greedy
    choice (notebook 14 passes the learner's own).
    """

    def __init__(self, network: nn.Module, config: DQNConfig, device: torch.device | str | None = None,
                 seed: int | None = None, epsilon: float | None = None, policy: Callable | None = None):
        if not isinstance(network, nn.Module):
            raise TypeError(f"the player needs the Q-network as a torch.nn.Module, not {type(network).__name__}")
        self.network = network
        self.seed = int(config.eval_seed if seed is None else seed)
        self.epsilon = float(config.eval_epsilon if epsilon is None else epsilon)
        self.policy = policy
        self.device = torch.device(device) if device is not None else next(network.parameters()).device
        self.generator = torch.Generator(device=self.device)
        self.generator.manual_seed(self.seed)

    def __call__(self, obs: np.ndarray) -> np.ndarray:
        frames = torch.from_numpy(np.asarray(obs)).to(self.device)
        with torch.no_grad():
            if self.policy is None:
                actions = _act(self.network, frames, self.epsilon, self.generator)
            else:
                _check_inputs(self.network, frames)
                actions = torch.as_tensor(self.policy(self.network(frames), self.epsilon, self.generator))
        return actions.cpu().numpy().astype(np.int64)

    def __enter__(self) -> "SeededPlayer":
        self._was_training = self.network.training
        self.network.eval()
        return self

    def __exit__(self, *exc) -> None:
        self.network.train(self._was_training)


def evaluate(
    network: nn.Module,
    config: DQNConfig,
    device: torch.device | str | None = None,
    *,
    episodes: int | None = None,
    seed: int | None = None,
    epsilon: float | None = None,
    policy: Callable | None = None,
) -> EvalResult:
    """Play ``episodes`` full games in parallel, one per fixed seed; return their raw scores."""
    episodes = int(episodes or config.eval_episodes)
    first = int(config.eval_seed if seed is None else seed)
    if not 0 <= first <= last_first_seed(episodes):  # game i gets seed first + i, a signed 32-bit int in ale-py
        raise ValueError(f"evaluation seeds must lie between 0 and 2**31 - 1: seed {first} for {episodes} games does not")
    started = time.perf_counter()
    env = evaluation_env(config, episodes)
    try:
        with SeededPlayer(network, config, device, seed, epsilon, policy) as player:
            obs, _ = env.reset(seed=player.seed)
            done = np.zeros(episodes, dtype=bool)
            scores = np.zeros(episodes, dtype=np.float64)
            lengths = np.zeros(episodes, dtype=np.int64)
            while not done.all():
                obs, reward, terminated, truncated, _ = env.step(player(obs))
                live = ~done
                scores[live] += reward[live]
                lengths[live] += 1
                done |= np.asarray(terminated, dtype=bool) | np.asarray(truncated, dtype=bool)
    finally:
        env.close()
    return EvalResult([float(s) for s in scores], [int(n) for n in lengths], player.seed, player.epsilon,
                      time.perf_counter() - started)
