"""Atari environments for the capstone: ale-py's vectorised ``AtariVectorEnv``.

``AtariVectorEnv`` steps many emulators in C++ threads and does the standard DQN
preprocessing there (what notebook 13 builds by hand): repeat each action for 4 frames,
max over the last two frames against flicker, convert to grayscale, resize to 84x84 and
stack the last 4 frames. Each step returns, for all environments at once, a uint8 array
``(num_envs, 4, 84, 84)``.

Two details shape the rest of ``course_lib.rl``:

* **Raw scores.** The learner learns from clipped rewards (sign of the reward, as in the
  Nature DQN) but the course reports the real game score. So the environments return
  *raw* rewards (``reward_clipping=False``) and :class:`ScoreKeeper` adds them up per game;
  the trainer clips them before they go into the replay buffer.
* **Next-step autoreset.** When an episode ends, the environment returns its final
  observation; the *next* step ignores the action, resets that environment and returns the
  first observation of a new game with reward 0. That step is not a real transition (the
  replay buffer never samples it). With ``life_loss_terminal`` (ale-py's
  ``life_loss_info``), losing a life reports ``terminated`` but the game goes on without a
  reset; the game is over only when no lives are left or the episode is cut.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import DQNConfig


def _ale():
    import ale_py

    ale_py.ALEInterface.setLoggerMode(ale_py.LoggerMode.Error)  # no start-up banner per emulator
    return ale_py


def make_vector_env(
    game: str,
    num_envs: int,
    *,
    threads: int = 0,
    frame_skip: int = 4,
    frame_stack: int = 4,
    screen_size: int = 84,
    noop_max: int = 30,
    sticky_action_prob: float = 0.0,
    max_episode_frames: int = 108_000,
    life_loss_terminal: bool = False,
    rgb: bool = False,
):
    """An ``ale_py.AtariVectorEnv`` with the DQN preprocessing and raw (unclipped) rewards.

    ``rgb=True`` gives full-size colour screens (210x160x3, one frame, no stack) instead,
    for videos: an RGB environment and a grayscale one that get the same seed and the same
    actions play exactly the same game.
    """
    ale_py = _ale()
    kwargs = dict(
        num_threads=threads,
        frameskip=frame_skip,
        noop_max=noop_max,
        repeat_action_probability=sticky_action_prob,
        max_num_frames_per_episode=max_episode_frames,
        reward_clipping=False,
        episodic_life=False,
        life_loss_info=life_loss_terminal,
        maxpool=True,
    )
    if rgb:
        kwargs.update(grayscale=False, img_height=210, img_width=160, stack_num=1)
    else:
        kwargs.update(grayscale=True, img_height=screen_size, img_width=screen_size, stack_num=frame_stack)
    try:
        return ale_py.AtariVectorEnv(game, num_envs, **kwargs)
    except AssertionError as exc:  # ale-py asserts on an unknown ROM name
        raise ValueError(f"unknown Atari game {game!r}: use a ROM name in snake_case such as 'pong', 'breakout' or 'space_invaders'") from exc


def training_env(config: DQNConfig):
    return make_vector_env(
        config.game,
        config.num_envs,
        threads=config.resolve_env_threads(),
        frame_skip=config.frame_skip,
        frame_stack=config.frame_stack,
        screen_size=config.screen_size,
        noop_max=config.noop_max,
        sticky_action_prob=config.sticky_action_prob,
        max_episode_frames=config.max_episode_frames,
        life_loss_terminal=bool(config.life_loss_terminal),
    )


def evaluation_env(config: DQNConfig, num_envs: int, rgb: bool = False):
    """Evaluation: no sticky actions, a lost life is not an episode end, games cut at eval_max_episode_frames."""
    return make_vector_env(
        config.game,
        num_envs,
        threads=min(num_envs, config.resolve_env_threads()),
        frame_skip=config.frame_skip,
        frame_stack=config.frame_stack,
        screen_size=config.screen_size,
        noop_max=config.noop_max,
        sticky_action_prob=0.0,
        max_episode_frames=config.eval_max_episode_frames,
        life_loss_terminal=False,
        rgb=rgb,
    )


def n_actions_of(game: str) -> int:
    """Size of the game's minimal action set (6 for Pong, 4 for Breakout)."""
    env = make_vector_env(game, 1, threads=1)
    try:
        return int(env.single_action_space.n)
    finally:
        env.close()


def clip_reward(raw: np.ndarray) -> np.ndarray:
    """The Nature DQN's reward clipping: every reward becomes -1, 0 or +1 (its sign)."""
    return np.sign(raw).astype(np.float32)


@dataclass
class StepResult:
    """What one vector step returns, in the trainer's terms."""

    obs: np.ndarray          # (num_envs, stack, 84, 84) uint8: the next observations
    reward: np.ndarray       # (num_envs,) float32 raw game reward
    terminated: np.ndarray   # (num_envs,) bool: no bootstrapping past this step (game over, or a lost life)
    truncated: np.ndarray    # (num_envs,) bool: the episode was cut (time limit)
    game_over: np.ndarray    # (num_envs,) bool: the environment resets on the next step
    dummy: np.ndarray        # (num_envs,) bool: this step was the reset step (action ignored, not a transition)
    lives: np.ndarray        # (num_envs,) int32
    episode_frame: np.ndarray | None = None  # (num_envs,) emulator frames since the game's reset


def game_over_mask(terminated: np.ndarray, truncated: np.ndarray, lives: np.ndarray, life_loss_terminal: bool) -> np.ndarray:
    """Which environments reset on their next step.

    Without life-loss terminals every end of an episode is a reset; with them, a
    ``terminated`` with lives left is a lost life (the game goes on), with no lives left
    it is the game over.
    """
    if not life_loss_terminal:
        return terminated | truncated
    return truncated | (terminated & (lives <= 0))


class VectorAtari:
    """A training ``AtariVectorEnv`` with split send/recv and the bookkeeping the trainer needs."""

    def __init__(self, config: DQNConfig, seed: int):
        self.config = config
        self.env = training_env(config)
        self.num_envs = config.num_envs
        self.n_actions = int(self.env.single_action_space.n)
        self.seed = seed
        self._next_is_dummy = np.zeros(self.num_envs, dtype=bool)

    def reset(self) -> np.ndarray:
        obs, _ = self.env.reset(seed=int(self.seed))
        self._next_is_dummy[:] = False
        return obs

    def send(self, actions: np.ndarray) -> None:
        """Start the step in the C++ threads and return at once (the learner works meanwhile)."""
        self.env.send(np.ascontiguousarray(actions, dtype=np.int64))

    def recv(self) -> StepResult:
        """Wait for the step started by :meth:`send`."""
        obs, reward, terminated, truncated, info = self.env.recv()
        lives = np.asarray(info["lives"])
        terminated = np.asarray(terminated, dtype=bool)
        truncated = np.asarray(truncated, dtype=bool)
        dummy = self._next_is_dummy.copy()
        game_over = game_over_mask(terminated, truncated, lives, bool(self.config.life_loss_terminal)) & ~dummy
        self._next_is_dummy = game_over
        return StepResult(obs, np.asarray(reward, dtype=np.float32), terminated & ~dummy, truncated & ~dummy, game_over, dummy,
                          lives, np.asarray(info.get("episode_frame_number")))

    def close(self) -> None:
        self.env.close()


class ScoreKeeper:
    """Adds up raw rewards per environment and reports each finished game's score and length."""

    def __init__(self, num_envs: int):
        self.running = np.zeros(num_envs, dtype=np.float64)
        self.lengths = np.zeros(num_envs, dtype=np.int64)

    def update(self, step: StepResult) -> list[tuple[float, int]]:
        """Feed one vector step; returns ``(score, length)`` for every game that just ended."""
        live = ~step.dummy
        self.running[live] += step.reward[live]
        self.lengths[live] += 1
        finished = []
        for i in np.flatnonzero(step.game_over):
            finished.append((float(self.running[i]), int(self.lengths[i])))
            self.running[i] = 0.0
            self.lengths[i] = 0
        return finished
