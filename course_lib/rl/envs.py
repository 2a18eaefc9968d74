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
  reset. A ``terminated`` is a lost life only when the lives counter dropped at that step
  with lives left; any other (no lives left, or a game that ends with lives left, as Space
  Invaders does when the invaders land) is a game over, and ale-py resets on the next step.
* **Seeds.** ale-py takes a seed as a signed 32-bit integer and gives environment ``i`` of
  a vector the seed ``seed + i``; :func:`env_seed` derives the training seed of each run and
  resume session so that it always fits.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import ALE_MAX_SEED, DQNConfig


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



def env_seed(seed: int, session: int, num_envs: int) -> int:
    """The training environments' seed for run seed ``seed`` in resume session ``session`` (0, 1, ...).

    Each (seed, session) pair gets its own well-mixed value (a resumed run does not replay
    the openings of its first session), in ``[0, 2**31 - num_envs)`` so that the seeds
    ``value + i`` ale-py gives its ``num_envs`` environments stay within its signed 32-bit
    range, for any seed (negative or huge) and any number of sessions.
    """
    if num_envs < 1 or num_envs > 2**20:
        raise ValueError(f"num_envs must be between 1 and 2**20, got {num_envs}")
    entropy = [int(seed) & (2**64 - 1), int(seed < 0), int(session)]
    state = np.random.SeedSequence(entropy).generate_state(1, dtype=np.uint64)[0]
    return int(state % np.uint64(ALE_MAX_SEED + 1 - num_envs))


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


def game_over_mask(terminated: np.ndarray, truncated: np.ndarray, lives: np.ndarray, previous_lives: np.ndarray,
                   life_loss_terminal: bool) -> np.ndarray:
    """Which environments reset on their next step.

    Without life-loss terminals every end of an episode is a reset. With them, a
    ``terminated`` is a lost life (the game goes on) only when the lives counter dropped at
    this step (``lives < previous_lives``) and some are left; every other ``terminated`` is
    the game over: no lives left, or a game that ends with lives left (Space Invaders when
    the invaders land), which ale-py resets on the next step like any other.
    """
    if not life_loss_terminal:
        return terminated | truncated
    lost_a_life = (lives < previous_lives) & (lives > 0)
    return truncated | (terminated & ~lost_a_life)


class VectorAtari:
    """A training ``AtariVectorEnv`` with split send/recv and the bookkeeping the trainer needs."""

    def __init__(self, config: DQNConfig, seed: int):
        self.config = config
        self.env = training_env(config)
        self.num_envs = config.num_envs
        self.n_actions = int(self.env.single_action_space.n)
        self.seed = seed
        self._next_is_dummy = np.zeros(self.num_envs, dtype=bool)
        self._lives = np.zeros(self.num_envs, dtype=np.int64)

    def reset(self) -> np.ndarray:
        obs, info = self.env.reset(seed=int(self.seed))
        self._next_is_dummy[:] = False
        self._lives = np.asarray(info["lives"]).copy()
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
        game_over = game_over_mask(terminated, truncated, lives, self._lives, bool(self.config.life_loss_terminal)) & ~dummy
        self._next_is_dummy = game_over
        self._lives = lives.copy()
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
