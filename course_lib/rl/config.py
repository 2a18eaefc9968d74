"""Every hyperparameter of the capstone DQN, in one dataclass.

Nothing else in ``course_lib.rl`` hides a number that changes what the agent learns or
how fast it runs: the environments, the replay buffer, the learner and the training loop
all read their settings from one :class:`DQNConfig`. Two presets cover the two machines
the course runs on:

* :meth:`DQNConfig.gpu`: the real run (one GPU, a dozen or more CPU cores), designed to
  learn Pong within a few minutes of training; whether it does is what
  ``benchmarks/atari_dqn.py`` measures (no GPU result is recorded yet, see
  ``benchmarks/README.md``), and its settings have not been tuned on a GPU;
* :meth:`DQNConfig.smoke`: a short CPU run that exercises the whole pipeline (acting,
  replay, learning, evaluation, checkpoints, video) in well under a minute. It does not
  learn a game: it proves the code path works.

:meth:`DQNConfig.auto` picks one by whether a CUDA GPU is visible.

Units: *steps* are environment steps summed over all parallel environments (one agent
decision each, that is ``frame_skip`` emulator frames); *updates* are gradient steps.
"""
from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from typing import Any

#: ale-py's seeds are C ints: the largest seed a vector's environment may get
ALE_MAX_SEED = 2**31 - 1


def last_first_seed(games: int) -> int:
    """The largest first seed for ``games`` environments seeded first, first + 1, ... (each within ale-py's range)."""
    return ALE_MAX_SEED - max(1, games)


#: Settings that differ per game; anything not listed uses the dataclass default.
#: ``target_score`` is the score the course calls "solved" (the benchmark bar);
#: ``life_loss_terminal`` marks a lost life as the end of an episode for learning (not for
#: scoring), which speeds up learning in games with lives.
GAME_DEFAULTS: dict[str, dict[str, Any]] = {
    "pong": {"target_score": 18.0, "life_loss_terminal": False},
    "breakout": {"target_score": 100.0, "life_loss_terminal": True},
    "space_invaders": {"target_score": None, "life_loss_terminal": True},
    "seaquest": {"target_score": None, "life_loss_terminal": True},
    "beam_rider": {"target_score": None, "life_loss_terminal": True},
    "qbert": {"target_score": None, "life_loss_terminal": True},
    "enduro": {"target_score": None, "life_loss_terminal": False},
}


@dataclass
class DQNConfig:
    """Every setting of a training run. Change them here, or with ``--set name=value``."""

    # --- the game and its parallel environments (ale-py's AtariVectorEnv, C++ threads)
    game: str = "pong"                 # ROM name in snake_case: pong, breakout, space_invaders...
    num_envs: int = 64                 # environments stepped together (the "width")
    env_threads: int = 0               # C++ threads stepping them; 0: as many as fit the cores (resolve_env_threads)
    frame_skip: int = 4                # emulator frames per agent decision (action repeated)
    frame_stack: int = 4               # frames stacked into one observation
    screen_size: int = 84              # observations are screen_size x screen_size grayscale
    noop_max: int = 30                 # random number of no-op actions after each reset
    sticky_action_prob: float = 0.0    # repeat_action_probability; 0 for training and evaluation
    max_episode_frames: int = 108_000  # emulator frames before an episode is cut (30 min of play)
    life_loss_terminal: bool | None = None  # None: per-game default (GAME_DEFAULTS)
    clip_rewards: bool = True          # learn from sign(reward); scores are always reported raw

    # --- budget: training stops at whichever comes first
    total_steps: int = 10_000_000      # environment steps
    minutes: float | None = None       # wall-clock minutes of training (None: no time limit)
    target_score: float | None = None  # None: per-game default; the evaluation score that counts as solved
    stop_at_target: bool = False       # stop as soon as an evaluation reaches target_score

    # --- replay buffer (uint8 frames, on the training device)
    replay_capacity: int = 1_000_000   # transitions; reduced to what fits (see replay_memory_fraction)
    replay_memory_fraction: float = 0.6  # at most this share of the GPU's free memory
    replay_cpu_gib: float = 2.0        # on a CPU run: at most this many GiB of RAM
    learning_starts: int = 20_000      # steps collected before the first update

    # --- learning
    batch_size: int = 256              # transitions per gradient update
    replay_ratio: float = 8.0          # transitions sampled per environment step (Nature DQN: 32/4 = 8)
    gamma: float = 0.99                # discount
    n_step: int = 3                    # n-step returns (1 = classic one-step TD target)
    lr: float = 2.5e-4                 # Adam learning rate
    adam_eps: float = 1.5e-4           # Adam epsilon
    max_grad_norm: float = 10.0        # gradient clipping (global L2 norm)
    huber_delta: float = 1.0           # Huber loss threshold (1 = Nature DQN's error clipping)
    double_dqn: bool = True            # action chosen by the online network, valued by the target network
    joint_online_forward: bool = True  # Double DQN: one online forward on s_t and s_{t+n} together (fewer kernels, a 2B backward)
    target_update_every: int = 250     # gradient updates between copies of online -> target network

    # --- exploration (epsilon-greedy, linear decay from start to end over decay_steps, then flat;
    #     the trainer applies it: the notebook's exercise, so the config holds no schedule function)
    epsilon_start: float = 1.0
    epsilon_end: float = 0.01
    epsilon_decay_steps: int = 250_000

    # --- evaluation: fixed seeds, greedy with a tiny epsilon, no sticky actions, full games
    eval_episodes: int = 20
    eval_epsilon: float = 0.01
    eval_seed: int = 10_000            # episode i starts from seed eval_seed + i
    eval_every_steps: int = 1_000_000  # a scheduled evaluation this often
    eval_trigger_margin: float = 2.0   # also evaluate when the mean of the last 20 training scores is within this of target_score
    eval_min_gap_steps: int = 250_000  # ...but not more often than this
    eval_max_episode_frames: int = 27_000  # an evaluation game is cut after this many frames (7.5 min of play)

    # --- records
    log_every_seconds: float = 5.0     # a row in log.csv and TensorBoard this often...
    log_every_steps: int = 0           # ...or this many steps (0: by time only); also when the NaN check runs
    checkpoint_every_steps: int = 1_000_000  # at most this much progress is lost by a crash...
    checkpoint_every_minutes: float = 2.0    # ...or this much time, whichever comes first
    video_max_steps: int = 4_500       # agent decisions recorded in the GIF at most
    video_fps: int = 15                # 60 emulator frames/s divided by frame_skip: real time

    # --- speed
    device: str = "auto"               # "auto", "cuda", "cuda:1", "cpu"
    cuda_graphs: bool = True           # capture acting and updates as CUDA graphs (CUDA only)
    compile: bool = False              # torch.compile the network instead (slow to start: off)
    channels_last: bool = False        # NHWC convolutions on the GPU
    tf32: bool = True                  # TensorFloat-32 matrix maths on the GPU
    torch_threads: int = 0             # CPU runs: intra-op threads (0: PyTorch's default)

    seed: int = 1
    preset: str = "custom"             # which preset made this config (recorded, not read)
    notes: dict = field(default_factory=dict)  # free-form (e.g. the machine), copied into the records

    # ------------------------------------------------------------------ presets
    @classmethod
    def gpu(cls, game: str = "pong", **overrides: Any) -> "DQNConfig":
        """The real run: 64 environments, batch 256, replay ratio 8, CUDA graphs."""
        return cls(game=game, preset="gpu", **overrides).resolved()

    @classmethod
    def smoke(cls, game: str = "pong", **overrides: Any) -> "DQNConfig":
        """A CPU run of under a minute that exercises every part of the pipeline once.

        Episodes are cut after 400 frames (100 decisions) so that scores, evaluations and
        the video appear within seconds; nothing is learned in so few steps.
        """
        settings = dict(
            num_envs=4, env_threads=2, total_steps=1_600, max_episode_frames=400,
            replay_capacity=4_000, learning_starts=400, batch_size=16, replay_ratio=0.25,
            n_step=3, lr=1e-4, target_update_every=10, epsilon_decay_steps=1_000,
            eval_episodes=2, eval_every_steps=10**9, eval_min_gap_steps=10**9,
            eval_max_episode_frames=400, log_every_seconds=2.0, log_every_steps=200,
            checkpoint_every_steps=800, checkpoint_every_minutes=10.0,
            video_max_steps=100, device="cpu", cuda_graphs=False, torch_threads=1,
        )
        settings.update(overrides)
        return cls(game=game, preset="smoke", **settings).resolved()

    @classmethod
    def auto(cls, game: str = "pong", **overrides: Any) -> "DQNConfig":
        """The GPU preset when a CUDA GPU is visible, else the CPU smoke preset."""
        import torch

        return cls.gpu(game, **overrides) if torch.cuda.is_available() else cls.smoke(game, **overrides)

    # ------------------------------------------------------------------ derived values
    def resolved(self) -> "DQNConfig":
        """Fill per-game defaults (``None`` fields) and check the values; returns self."""
        per_game = GAME_DEFAULTS.get(self.game, {})
        if self.life_loss_terminal is None:
            self.life_loss_terminal = bool(per_game.get("life_loss_terminal", False))
        if self.target_score is None:
            self.target_score = per_game.get("target_score")
        self.validate()
        return self

    def validate(self) -> None:
        problems = []
        if self.num_envs < 1:
            problems.append("num_envs must be at least 1")
        if not 1 <= self.n_step <= 30:
            problems.append("n_step must be between 1 and 30")  # the replay packs a sample's move (<= n + 1) into 5 bits
        if self.env_threads < 0:
            problems.append("env_threads must be 0 (automatic) or positive")
        if not 0.0 <= self.epsilon_end <= self.epsilon_start <= 1.0:
            problems.append("need 0 <= epsilon_end <= epsilon_start <= 1")
        if not 0.0 < self.gamma <= 1.0:
            problems.append("gamma must be in (0, 1]")
        if self.batch_size < 1 or self.replay_ratio <= 0:
            problems.append("batch_size and replay_ratio must be positive")
        if self.frame_stack < 1:
            problems.append("frame_stack must be at least 1")
        if not 0.0 < self.replay_memory_fraction < 1.0:
            problems.append("replay_memory_fraction must be between 0 and 1")
        if self.total_steps < 1:
            problems.append("total_steps must be positive")
        if not 0 <= self.eval_seed <= last_first_seed(self.eval_episodes):  # evaluation game i: seed eval_seed + i
            problems.append(f"eval_seed must be between 0 and 2**31 - 1 - eval_episodes ({last_first_seed(self.eval_episodes):,})")
        if problems:
            raise ValueError("invalid DQNConfig: " + "; ".join(problems))

    @property
    def updates_per_env_step(self) -> float:
        """Gradient updates per environment step: replay_ratio / batch_size."""
        return self.replay_ratio / self.batch_size

    def resolve_env_threads(self) -> int:
        """C++ threads for the environments: ``env_threads``, or (0) the count that steps them in the fewest rounds.

        The emulators of one vector step are shared among the threads; with ``t`` threads a step
        takes ``ceil(num_envs / t)`` rounds of emulation. The automatic choice uses at most all the
        cores (the learner mostly waits for the GPU while they run), picks the fewest rounds, then a
        count that divides ``num_envs`` (every thread gets the same share), then the fewest threads:
        64 environments on 16 cores get 16 threads (4 rounds; 15 threads would need 5).
        ``benchmarks/atari_dqn.py --sweep threads`` measures 15 against 16.
        """
        if self.env_threads > 0:
            return self.env_threads
        return auto_env_threads(self.num_envs, os.cpu_count() or 1)

    @property
    def env_rounds(self) -> int:
        """Rounds of emulation per vector step: ceil(num_envs / threads)."""
        return -(-self.num_envs // self.resolve_env_threads())

    # ------------------------------------------------------------------ records
    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "DQNConfig":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown DQNConfig settings: {', '.join(unknown)}")
        return cls(**values).resolved()

    def replace(self, **changes: Any) -> "DQNConfig":
        return dataclasses.replace(self, **changes).resolved()

    def with_overrides(self, assignments: list[str]) -> "DQNConfig":
        """Apply ``name=value`` strings (from ``--set``), converting to each field's type."""
        fields = {f.name: f for f in dataclasses.fields(self)}
        changes: dict[str, Any] = {}
        for item in assignments:
            name, sep, text = item.partition("=")
            name = name.strip().replace("-", "_")
            if not sep or name not in fields:
                raise ValueError(f"--set {item!r}: expected name=value with a DQNConfig field name")
            current = getattr(self, name)
            changes[name] = _parse_value(text.strip(), current, name)
        return self.replace(**changes)


def auto_env_threads(num_envs: int, cores: int) -> int:
    """Threads for ``num_envs`` environments on ``cores`` cores: fewest rounds, then a divisor of ``num_envs``, then fewest."""
    candidates = range(1, max(1, min(num_envs, cores)) + 1)
    return min(candidates, key=lambda t: (-(-num_envs // t), num_envs % t != 0, t))


def _parse_value(text: str, current: Any, name: str) -> Any:
    if text.lower() in ("none", "null"):
        return None
    if isinstance(current, bool) or name in ("life_loss_terminal",):
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"--set {name}: expected true or false, got {text!r}")
    if isinstance(current, int) and not isinstance(current, bool):
        return int(float(text)) if "e" in text.lower() else int(text.replace("_", ""))
    if isinstance(current, float) or name in ("minutes", "target_score"):
        return float(text)
    return text
