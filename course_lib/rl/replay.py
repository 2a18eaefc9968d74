"""Experience replay that lives on the training device: a uint8 ring of single frames.

Layout (time-major, one column per environment)::

    frames   uint8   (T, N, 84, 84)   the newest frame of the observation at each step
    stack_start uint8 (T, N)          how many of the stack's older frames belong to another game
    actions  uint8   (T, N)           the action taken at that step
    rewards  float32 (T, N)           the (clipped) reward it earned
    flags    uint8   (T, N)           TERMINATED | TRUNCATED | GAME_OVER bits of that step, and in
                                      bits 3-7 how far a sample drawn at that step moves (below)

``T = capacity // N`` steps per environment; slot ``t % T`` holds absolute step ``t``.

**Why single frames.** A stacked observation is 4 x 84 x 84 = 28,224 bytes, and a
transition stored as (s, s') twice that: 56 KB, 56 GB for a million transitions. Consecutive
observations share 3 of their 4 frames, so we store each frame once (7,056 bytes) and
rebuild stacks when sampling: **7,063 bytes per transition** (frame + stack start + action +
reward + flags), 7.1 GB for a million, 8x less. Rebuilding costs one gather of 2 x 4 frames
per sample, which a GPU does in microseconds.

**Rebuilding a stack** at step u takes frames u-3..u of the same environment and zeroes the
frames that belong to an earlier game, exactly as ale-py's own frame stack does after a reset
(it pads with zeros). How many those are is known when step u is stored (``stack_start``: 3 at a
game's first step, then 2, 1, 0), so sampling needs no search for the game's start.

**What a sample is.** For a start step t and environment e: the stack at t, the action a_t,
the n rewards r_t..r_{t+n-1}, their ``terminated`` flags and the stack at t+n (the bootstrap
state). The TD target masks rewards after the first terminal step and drops the bootstrap
if there is one. Two kinds of start are moved, so that every sample is a real transition:
a *reset step* (the step after a game over, whose action the environment ignored) moves to
the new game's first step, and a window cut short by a *time limit* before its last step
(which cannot bootstrap from s_{t+n}) moves past the cut to the next game. Both moves
depend only on flags the buffer already holds n - 1 steps later, so :meth:`add` works them
out on the CPU and stores them in the flags byte of the start step; sampling adds it.

Sampling happens entirely on the device (integer indices from ``torch.randint``), so a whole
update, sampling included, can be captured as one CUDA graph: the range of valid start steps
is an int64 device tensor that :meth:`add` refreshes (exact for any step count; a float32
range would be exact only below 2**24 steps per environment). One sample costs about twenty
small kernels (``course_lib.rl.hotpath.count_kernels``).
"""
from __future__ import annotations

import numpy as np
import torch

TERMINATED = 1
TRUNCATED = 2
GAME_OVER = 4
#: bits 3-7 of a flags byte: how many steps a sample drawn at this step moves forward (0 to n + 1)
MOVE_SHIFT = 3
MAX_N_STEP = 30  # a move of at most n + 1 fits the 5 bits


def bytes_per_transition(screen_size: int = 84) -> int:
    """Memory of one stored transition: one frame plus first flag, action, reward and flags."""
    return screen_size * screen_size + 1 + 1 + 4 + 1


def min_steps_per_env(frame_stack: int, n_step: int) -> int:
    return 2 * n_step + frame_stack + 8


def replay_capacity_for(
    requested: int,
    num_envs: int,
    device: torch.device,
    *,
    screen_size: int = 84,
    memory_fraction: float = 0.6,
    cpu_gib: float = 2.0,
    reserve_gib: float = 2.0,
    frame_stack: int = 4,
    n_step: int = 3,
) -> tuple[int, str]:
    """How many transitions to keep: ``requested``, or less if it would not fit.

    On a GPU the buffer may take ``memory_fraction`` of the memory that is free now, after
    keeping ``reserve_gib`` for the networks, optimiser, batches and CUDA graphs; on a CPU,
    ``cpu_gib`` of RAM. The capacity is rounded down to a multiple of ``num_envs``. Returns
    the capacity and a sentence saying how it was chosen.
    """
    per = bytes_per_transition(screen_size)
    if device.type == "cuda":
        # memory a previous run in this process (a notebook kernel) freed is still held by PyTorch's
        # cache, and mem_get_info does not count it as free: give it back to the driver first
        torch.cuda.empty_cache()
        free, total = torch.cuda.mem_get_info(device)
        budget = max(0.0, (free - reserve_gib * 2**30) * memory_fraction)
        where = f"{memory_fraction:.0%} of the {free / 2**30:.1f} GiB free on the GPU (less {reserve_gib:g} GiB kept for learning)"
    else:
        budget = cpu_gib * 2**30
        where = f"the {cpu_gib:g} GiB RAM budget"
    fits = int(budget // per)
    capacity = min(requested, fits)
    capacity -= capacity % num_envs
    smallest = num_envs * min_steps_per_env(frame_stack, n_step)
    if capacity < smallest:
        raise MemoryError(
            f"the replay buffer needs at least {smallest:,} transitions ({smallest * per / 2**20:.0f} MiB) "
            f"but only {fits:,} fit in {where}: free memory, or lower num_envs"
        )
    reason = (
        f"replay buffer: {capacity:,} transitions x {per:,} bytes = {capacity * per / 2**30:.2f} GiB "
        + ("(as requested; " if capacity >= requested - requested % num_envs else "(reduced to fit; ")
        + f"limit: {where})"
    )
    return capacity, reason


class ReplayBuffer:
    """Uint8 frame ring on ``device`` for ``num_envs`` environments stepped together."""

    def __init__(
        self,
        capacity: int,
        num_envs: int,
        *,
        frame_stack: int = 4,
        screen_size: int = 84,
        n_step: int = 3,
        device: str | torch.device = "cpu",
    ):
        self.device = torch.device(device)
        self.N = int(num_envs)
        self.T = int(capacity) // self.N
        self.S = int(frame_stack)
        self.n = int(n_step)
        if not 1 <= self.n <= MAX_N_STEP:
            raise ValueError(f"n_step must be between 1 and {MAX_N_STEP}, got {n_step}")
        if self.T < min_steps_per_env(self.S, self.n):
            raise ValueError(f"capacity {capacity} is too small for {num_envs} environments: "
                             f"need at least {self.N * min_steps_per_env(self.S, self.n)} transitions")
        H = W = int(screen_size)
        N, dev = self.N, self.device
        self.frames = torch.zeros((self.T, N, H, W), dtype=torch.uint8, device=dev)
        self.stack_start = torch.zeros((self.T, N), dtype=torch.uint8, device=dev)
        self.actions = torch.zeros((self.T, N), dtype=torch.uint8, device=dev)
        self.rewards = torch.zeros((self.T, N), dtype=torch.float32, device=dev)
        self.flags = torch.zeros((self.T, N), dtype=torch.uint8, device=dev)
        #: [lo, span]: a sample starts at an absolute step drawn from lo .. lo + span - 1 (then moved); int64
        self.draw = torch.ones(2, dtype=torch.int64, device=dev)
        self.steps = 0  # complete transitions per environment written so far
        self._window = torch.arange(self.n, device=dev)
        # the two stacks of a sample, s_t and s_{t+n}: frame offsets from t, (2, S)
        self._pair_offsets = torch.stack([torch.arange(-(self.S - 1), 1), torch.arange(self.n - self.S + 1, self.n + 1)]).to(dev)
        self._positions = torch.arange(self.S, dtype=torch.uint8, device=dev)
        # Host side: the flags of the last n + 1 steps (to work out moves) and the newest step's start
        self._recent = np.zeros((self.n + 1, N), dtype=np.uint8)
        self._start_now = np.zeros(N, dtype=np.uint8)
        # Host-to-device staging, one copy per step: lo, span (int64), rewards (float32), then bytes:
        # this step's flags, the next step's start, the flags (with its move) of the step n - 1 back
        self._layout = {"draw": (0, 16), "rewards": (16, 16 + 4 * N), "flags": (16 + 4 * N, 16 + 5 * N),
                        "start": (16 + 5 * N, 16 + 6 * N), "moved": (16 + 6 * N, 16 + 7 * N)}
        pin = dev.type == "cuda"
        self._stage = torch.zeros(16 + 7 * N, dtype=torch.uint8, pin_memory=pin)
        self._stage_dev = torch.zeros(16 + 7 * N, dtype=torch.uint8, device=dev)
        self._copied = torch.cuda.Event() if pin else None

    # ------------------------------------------------------------------ sizes
    @property
    def capacity(self) -> int:
        return self.T * self.N

    def __len__(self) -> int:
        """Transitions currently stored (and not yet overwritten)."""
        return min(self.steps, self.T - self.S) * self.N

    def nbytes(self) -> int:
        return sum(t.numel() * t.element_size() for t in (self.frames, self.stack_start, self.actions, self.rewards, self.flags))

    def _bounds(self) -> tuple[int, int]:
        """The first and last absolute step a sample may be drawn at (before its move)."""
        lo = max(0, self.steps - self.T + self.S)
        hi = self.steps - 2 * self.n - 1
        return lo, hi

    def can_sample(self) -> bool:
        lo, hi = self._bounds()
        return hi >= lo

    # ------------------------------------------------------------------ writing
    def start(self, obs: torch.Tensor) -> None:
        """Begin (or begin again, after a resume) with the observations of a fresh reset."""
        self.steps = 0
        self.flags.zero_()
        self.stack_start.zero_()
        self.frames[0].copy_(obs[:, -1])
        self.stack_start[0] = self.S - 1  # a fresh game: only the newest frame is its own
        self.draw.fill_(1)
        self._recent[:] = 0
        self._start_now[:] = self.S - 1

    def _stage_view(self, stage: np.ndarray, name: str, dtype) -> np.ndarray:
        lo, hi = self._layout[name]
        return stage[lo:hi].view(dtype)

    def _dev_view(self, name: str, dtype) -> torch.Tensor:
        lo, hi = self._layout[name]
        return self._stage_dev[lo:hi].view(dtype)

    def _move(self, t0: int) -> np.ndarray:
        """How far a sample drawn at step ``t0`` moves, per environment, from the flags of steps t0 - 1 .. t0 + n - 1."""
        n, R = self.n, self.n + 1
        rows = self._recent[[(t0 - 1 + j) % R for j in range(R)]].astype(np.int64)  # (n + 1, N)
        reset = ((rows[0] & GAME_OVER) != 0).astype(np.int64)  # the step before ended the game: t0 is a reset step
        move = reset.copy()
        if n > 1:
            # the window of n steps from t1 = t0 + reset; a time limit at one of its first n - 1 steps cuts it
            window = np.take_along_axis(rows, 1 + reset[None, :] + np.arange(n - 1)[:, None], axis=0)  # (n - 1, N)
            ended = (window & (TERMINATED | TRUNCATED)) != 0
            first = ended.argmax(0)
            first_flags = np.take_along_axis(window, first[None, :], axis=0)[0]
            cut = ended.any(0) & ((first_flags & (TERMINATED | TRUNCATED)) == TRUNCATED)
            move += np.where(cut, first + 2, 0)  # past the cut step and the reset step after it
        return move.astype(np.uint8)

    def add(self, actions: torch.Tensor, rewards, terminated, truncated, game_over, next_obs: torch.Tensor, next_first) -> None:
        """Store one vector step.

        ``actions`` (N,) and ``next_obs`` (N, S, 84, 84) are tensors on the device (the
        actions were chosen there, the observations already copied there for acting);
        ``rewards`` (clipped), ``terminated``, ``truncated``, ``game_over`` and ``next_first``
        (the next observation starts a new game) are NumPy arrays of length N.
        """
        n, s = self.n, self.steps
        slot = s % self.T
        nslot = (s + 1) % self.T
        flags = ((np.asarray(terminated, bool) * TERMINATED) | (np.asarray(truncated, bool) * TRUNCATED)
                 | (np.asarray(game_over, bool) * GAME_OVER)).astype(np.uint8)
        self._recent[s % (n + 1)] = flags
        t0 = s - n + 1  # the start step whose move is known now
        moved = None
        if t0 >= 0:
            moved = self._recent[t0 % (n + 1)] | (self._move(t0) << MOVE_SHIFT)
            if n == 1:
                flags = moved
        start_next = np.where(np.asarray(next_first, bool), self.S - 1, np.maximum(self._start_now.astype(np.int64) - 1, 0))
        self._start_now = start_next.astype(np.uint8)
        lo = max(0, s + 1 - self.T + self.S)
        hi = s + 1 - 2 * n - 1
        if self._copied is not None:
            self._copied.synchronize()  # the previous staging copy has left the pinned buffer
        stage = self._stage.numpy()
        self._stage_view(stage, "draw", np.int64)[:] = (lo, max(1, hi - lo + 1))
        self._stage_view(stage, "rewards", np.float32)[:] = rewards
        self._stage_view(stage, "flags", np.uint8)[:] = flags
        self._stage_view(stage, "start", np.uint8)[:] = self._start_now
        if moved is not None:
            self._stage_view(stage, "moved", np.uint8)[:] = moved
        self._stage_dev.copy_(self._stage, non_blocking=True)
        if self._copied is not None:
            self._copied.record()
        self.actions[slot].copy_(actions)
        self.rewards[slot].copy_(self._dev_view("rewards", torch.float32))
        self.flags[slot].copy_(self._dev_view("flags", torch.uint8))
        if moved is not None and n > 1:
            self.flags[t0 % self.T].copy_(self._dev_view("moved", torch.uint8))
        self.frames[nslot].copy_(next_obs[:, -1])
        self.stack_start[nslot].copy_(self._dev_view("start", torch.uint8))
        self.draw.copy_(self._dev_view("draw", torch.int64))
        self.steps += 1

    # ------------------------------------------------------------------ reading
    def stack_at(self, step: torch.Tensor, env: torch.Tensor) -> torch.Tensor:
        """Frame stacks (B, S, 84, 84) at absolute ``step`` of environment ``env``, zero-padded at game starts."""
        idx = (step[:, None] + self._pair_offsets[1] - self.n) % self.T
        frames = self.frames[idx, env[:, None]]
        keep = self._positions >= self.stack_start[idx[:, -1], env][:, None]
        return frames * keep[:, :, None, None]

    def sample_starts(self, batch_size: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Start steps and environments of a batch, moved off reset steps and cut windows."""
        dev = self.device
        env = torch.randint(0, self.N, (batch_size,), device=dev, generator=generator)
        drawn = torch.randint(0, 2**62, (batch_size,), device=dev, generator=generator) % self.draw[1] + self.draw[0]
        return drawn + (self.flags[drawn % self.T, env] >> MOVE_SHIFT), env

    def sample(self, batch_size: int, generator: torch.Generator | None = None, return_index: bool = False):
        """A batch: (obs, actions, rewards (B, n), terminated (B, n) as 0/1 floats, next_obs).

        ``obs`` and ``next_obs`` are the two halves of one (2, B, S, 84, 84) tensor, gathered in
        one operation (the learner runs the online network on both at once). With
        ``return_index`` the absolute start steps and environments come last (for tests).
        """
        t, env = self.sample_starts(batch_size, generator)
        window = (t[:, None] + self._window) % self.T
        terminated = (self.flags[window, env[:, None]] & TERMINATED).to(torch.float32)
        rewards = self.rewards[window, env[:, None]]
        actions = self.actions[window[:, 0], env].long()
        idx = (t[None, :, None] + self._pair_offsets[:, None, :]) % self.T           # (2, B, S)
        stacks = self.frames[idx, env[None, :, None]]                                # (2, B, S, 84, 84), one gather
        keep = self._positions >= self.stack_start[idx[:, :, -1], env[None, :]][:, :, None]  # frames of an earlier game: 0
        stacks.mul_(keep[:, :, :, None, None])
        obs, next_obs = stacks[0], stacks[1]
        if return_index:
            return obs, actions, rewards, terminated, next_obs, t, env
        return obs, actions, rewards, terminated, next_obs
