"""Experience replay that lives on the training device: a uint8 ring of single frames.

Layout (time-major, one column per environment)::

    frames   uint8   (T, N, 84, 84)   the newest frame of the observation at each step
    first    bool    (T, N)           that frame starts a new game (older frames belong to another)
    actions  uint8   (T, N)           the action taken at that step
    rewards  float32 (T, N)           the (clipped) reward it earned
    flags    uint8   (T, N)           TERMINATED | TRUNCATED | GAME_OVER bits of that step

``T = capacity // N`` steps per environment; slot ``t % T`` holds absolute step ``t``.

**Why single frames.** A stacked observation is 4 x 84 x 84 = 28,224 bytes, and a
transition stored as (s, s') twice that: 56 KB, 56 GB for a million transitions. Consecutive
observations share 3 of their 4 frames, so we store each frame once (7,056 bytes) and
rebuild stacks when sampling: **7,063 bytes per transition** (frame + first + action +
reward + flags), 7.1 GB for a million, 8x less. Rebuilding costs a gather of 2 x 4 frames
per sample, which a GPU does in microseconds.

**Rebuilding a stack** at step u takes frames u-3..u of the same environment and zeroes
every frame older than the newest ``first`` frame among them, exactly as ale-py's own frame
stack does after a reset (it pads with zeros).

**What a sample is.** For a start step t and environment e: the stack at t, the action a_t,
the n rewards r_t..r_{t+n-1}, their ``terminated`` flags and the stack at t+n (the bootstrap
state). The TD target masks rewards after the first terminal step and drops the bootstrap
if there is one. Two kinds of start are moved, so that every sample is a real transition:
a *reset step* (the step after a game over, whose action the environment ignored) moves to
the new game's first step, and a window cut short by a *time limit* before its last step
(which cannot bootstrap from s_{t+n}) moves past the cut to the next game.

Sampling happens entirely on the device (indices from ``torch.rand``), so a whole update,
sampling included, can be captured as one CUDA graph: the bounds of the valid start steps
are a device tensor that :meth:`add` refreshes.
"""
from __future__ import annotations

import torch

TERMINATED = 1
TRUNCATED = 2
GAME_OVER = 4


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
        if self.T < min_steps_per_env(self.S, self.n):
            raise ValueError(f"capacity {capacity} is too small for {num_envs} environments: "
                             f"need at least {self.N * min_steps_per_env(self.S, self.n)} transitions")
        H = W = int(screen_size)
        dev = self.device
        self.frames = torch.zeros((self.T, self.N, H, W), dtype=torch.uint8, device=dev)
        self.first = torch.zeros((self.T, self.N), dtype=torch.bool, device=dev)
        self.actions = torch.zeros((self.T, self.N), dtype=torch.uint8, device=dev)
        self.rewards = torch.zeros((self.T, self.N), dtype=torch.float32, device=dev)
        self.flags = torch.zeros((self.T, self.N), dtype=torch.uint8, device=dev)
        #: [lo, hi]: absolute steps a sample may start from (inclusive); read by sample()
        self.bounds = torch.zeros(2, dtype=torch.int64, device=dev)
        self.steps = 0  # complete transitions per environment written so far
        self._window = torch.arange(self.n, device=dev)
        self._stack_offsets = torch.arange(-(self.S - 1), 1, device=dev)
        # Host-to-device staging: rewards, flags, next-first flags, lo, hi in one copy.
        pin = dev.type == "cuda"
        self._stage = torch.zeros(3 * self.N + 2, dtype=torch.float32, pin_memory=pin)
        self._stage_dev = torch.zeros(3 * self.N + 2, dtype=torch.float32, device=dev)
        self._copied = torch.cuda.Event() if pin else None

    # ------------------------------------------------------------------ sizes
    @property
    def capacity(self) -> int:
        return self.T * self.N

    def __len__(self) -> int:
        """Transitions currently stored (and not yet overwritten)."""
        return min(self.steps, self.T - self.S) * self.N

    def nbytes(self) -> int:
        return sum(t.numel() * t.element_size() for t in (self.frames, self.first, self.actions, self.rewards, self.flags))

    def _bounds(self) -> tuple[int, int]:
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
        self.first.zero_()
        self.frames[0].copy_(obs[:, -1])
        self.first[0] = True
        self.bounds.fill_(0)

    def add(self, actions: torch.Tensor, rewards, terminated, truncated, game_over, next_obs: torch.Tensor, next_first) -> None:
        """Store one vector step.

        ``actions`` (N,) and ``next_obs`` (N, S, 84, 84) are tensors on the device (the
        actions were chosen there, the observations already copied there for acting);
        ``rewards`` (clipped), ``terminated``, ``truncated``, ``game_over`` and ``next_first``
        (the next observation starts a new game) are NumPy arrays of length N.
        """
        N = self.N
        slot = self.steps % self.T
        nslot = (self.steps + 1) % self.T
        lo = max(0, self.steps + 1 - self.T + self.S)
        hi = self.steps + 1 - 2 * self.n - 1
        if self._copied is not None:
            self._copied.synchronize()  # the previous staging copy has left the pinned buffer
        stage = self._stage.numpy()
        stage[:N] = rewards
        stage[N:2 * N] = (terminated * TERMINATED) | (truncated * TRUNCATED) | (game_over * GAME_OVER)
        stage[2 * N:3 * N] = next_first
        stage[3 * N] = lo
        stage[3 * N + 1] = hi
        self._stage_dev.copy_(self._stage, non_blocking=True)
        if self._copied is not None:
            self._copied.record()
        s = self._stage_dev
        self.actions[slot].copy_(actions)
        self.rewards[slot].copy_(s[:N])
        self.flags[slot].copy_(s[N:2 * N])
        self.frames[nslot].copy_(next_obs[:, -1])
        self.first[nslot].copy_(s[2 * N:3 * N])
        self.bounds.copy_(s[3 * N:3 * N + 2])
        self.steps += 1

    # ------------------------------------------------------------------ reading
    def stack_at(self, step: torch.Tensor, env: torch.Tensor) -> torch.Tensor:
        """Frame stacks (B, S, 84, 84) at absolute ``step`` of environment ``env``, zero-padded at game starts."""
        idx = (step[:, None] + self._stack_offsets) % self.T
        frames = self.frames[idx, env[:, None]]
        if self.S > 1:
            newer_first = self.first[idx[:, 1:], env[:, None]]           # (B, S-1)
            keep = torch.cumprod((~newer_first).flip(1).to(torch.int32), 1).flip(1)
            mask = torch.cat([keep, torch.ones_like(keep[:, :1])], 1).to(torch.uint8)
            frames = frames * mask[:, :, None, None]
        return frames

    def sample_starts(self, batch_size: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Start steps and environments of a batch, moved off reset steps and cut windows."""
        T, dev = self.T, self.device
        lo, hi = self.bounds[0], self.bounds[1]
        env = torch.randint(0, self.N, (batch_size,), device=dev, generator=generator)
        span = (hi - lo + 1).to(torch.float32)
        t = lo + (torch.rand(batch_size, device=dev, generator=generator) * span).long()
        t = torch.minimum(t, hi)
        # a reset step (the previous step ended the game) is no transition: start at the new game
        t = t + ((self.flags[(t - 1) % T, env] & GAME_OVER) != 0).long()
        if self.n > 1:
            flags = self.flags[(t[:, None] + self._window) % T, env[:, None]]
            ended = (flags & (TERMINATED | TRUNCATED)) != 0
            alive = torch.cumprod((~ended).to(torch.int32), 1)
            alive_before = torch.cat([torch.ones_like(alive[:, :1]), alive[:, :-1]], 1).bool()
            cut = ((flags & TRUNCATED) != 0) & ((flags & TERMINATED) == 0) & alive_before
            cut[:, -1] = False  # a time limit at the last step still bootstraps from s_{t+n}
            first_cut = cut.to(torch.int32).argmax(1)
            t = t + torch.where(cut.any(1), first_cut + 2, torch.zeros_like(first_cut))
        return t, env

    def sample(self, batch_size: int, generator: torch.Generator | None = None, return_index: bool = False):
        """A batch: (obs, actions, rewards (B, n), terminated (B, n) as 0/1 floats, next_obs).

        With ``return_index`` the absolute start steps and environments come last (for tests).
        """
        t, env = self.sample_starts(batch_size, generator)
        window = (t[:, None] + self._window) % self.T
        flags = self.flags[window, env[:, None]]
        terminated = ((flags & TERMINATED) != 0).to(torch.float32)
        rewards = self.rewards[window, env[:, None]]
        actions = self.actions[t % self.T, env].long()
        obs = self.stack_at(t, env)
        next_obs = self.stack_at(t + self.n, env)
        if return_index:
            return obs, actions, rewards, terminated, next_obs, t, env
        return obs, actions, rewards, terminated, next_obs
