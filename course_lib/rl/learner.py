"""The DQN learner: n-step Double-DQN targets, Huber loss, Adam, a target network.

One update:

1. sample a batch from the replay buffer: s_t, a_t, r_t..r_{t+n-1}, terminal flags, s_{t+n};
2. the TD target (Double DQN, n-step):
       y = sum_{k<n} gamma^k r_{t+k}   (rewards after the first terminal step dropped)
           + gamma^n Q_target(s_{t+n}, argmax_a Q_online(s_{t+n}, a))   (only if no step was terminal)
   the online network *chooses* the next action, the target network *values* it, which
   removes most of plain DQN's overestimation (van Hasselt et al. 2016);
3. the loss: Huber(Q_online(s_t, a_t) - y), mean over the batch (no gradient through y);
4. Adam, with the gradient's global norm clipped; every ``target_update_every`` updates
   the target network becomes a copy of the online network.

**Fast updates on a GPU.** One update is about 40 small kernels; launched one by one from
Python it costs ~3 ms whatever the batch size (the GPU waits for Python). So the whole
update, replay sampling included, is captured once as a CUDA graph and replayed with a
single launch (Adam with ``capturable=True`` keeps its step counter on the GPU). Several
updates per environment step go into one graph. If capture fails (e.g. a TD-target
function that calls ``.item()``), the learner says so and runs the same code eagerly.

The functions :func:`double_dqn_target` and :func:`dqn_loss` are the defaults; notebook 14
plugs in the learner's own versions through the same signatures.
"""
from __future__ import annotations

import copy
import warnings
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .config import DQNConfig


def double_dqn_target(
    rewards: torch.Tensor,
    terminated: torch.Tensor,
    next_q_online: torch.Tensor,
    next_q_target: torch.Tensor,
    gamma: float,
) -> torch.Tensor:
    """n-step Double-DQN TD target.

    rewards, terminated: (B, n), step k after s_t in column k (terminated as 0/1 floats);
    next_q_online, next_q_target: (B, A), Q-values of s_{t+n}. Returns (B,) targets.
    """
    n = rewards.shape[1]
    alive = torch.cumprod(1.0 - terminated, dim=1)                          # 1 until a terminal step, 0 after it
    alive_before = torch.cat([torch.ones_like(alive[:, :1]), alive[:, :-1]], dim=1)
    discounts = gamma ** torch.arange(n, device=rewards.device, dtype=rewards.dtype)
    n_step_return = (rewards * alive_before * discounts).sum(dim=1)
    best_next = next_q_online.argmax(dim=1, keepdim=True)                   # online net chooses...
    next_value = next_q_target.gather(1, best_next).squeeze(1)              # ...target net values
    return n_step_return + (gamma ** n) * alive[:, -1] * next_value


def dqn_loss(q_values: torch.Tensor, actions: torch.Tensor, targets: torch.Tensor, delta: float = 1.0) -> torch.Tensor:
    """Huber loss between Q(s_t, a_t) (the action actually taken) and the TD targets, batch mean."""
    q_taken = q_values.gather(1, actions[:, None]).squeeze(1)
    return F.huber_loss(q_taken, targets.detach(), delta=delta)


class NonFiniteLossError(RuntimeError):
    """The TD loss became NaN or infinite: training cannot go on."""


class DQNLearner:
    """Owns the online and target networks, the optimiser and the (graphed) update."""

    def __init__(
        self,
        network: nn.Module,
        config: DQNConfig,
        device: torch.device,
        *,
        td_target: Callable = double_dqn_target,
        loss_fn: Callable = dqn_loss,
    ):
        self.config = config
        self.device = device
        self.online = network.to(device)
        if config.channels_last and device.type == "cuda":
            self.online = self.online.to(memory_format=torch.channels_last)
        self.target = copy.deepcopy(self.online).requires_grad_(False)
        self.td_target = td_target
        self.loss_fn = loss_fn
        self.use_graphs = bool(config.cuda_graphs and device.type == "cuda")
        opt_kwargs = dict(lr=config.lr, eps=config.adam_eps)
        if self.use_graphs:
            opt_kwargs.update(capturable=True, foreach=True)
        self.optimizer = torch.optim.Adam(self.online.parameters(), **opt_kwargs)
        self.updates = 0
        self._since_sync = 0
        # running sums, updated on the device (no host sync per update)
        self.loss_sum = torch.zeros((), device=device)
        self.q_sum = torch.zeros((), device=device)
        self.stat_count = 0
        self._graphs: dict[int, torch.cuda.CUDAGraph] = {}  # one graph per number of updates per launch
        self._pool = None  # the graphs share one memory pool
        self.graph_error: str | None = None
        self._loss_takes_delta = _takes_delta(loss_fn)
        self._clip_foreach = True if device.type == "cuda" else None
        self._forward = self.online
        if config.compile and device.type == "cuda":
            self._forward = torch.compile(self.online)

    # ------------------------------------------------------------------ one update
    def _one_update(self, replay) -> None:
        obs, actions, rewards, terminated, next_obs = replay.sample(self.config.batch_size)
        q = self._forward(obs)
        with torch.no_grad():
            next_q_target = self.target(next_obs)
            next_q_online = self._forward(next_obs) if self.config.double_dqn else next_q_target
            targets = self.td_target(rewards, terminated, next_q_online, next_q_target, self.config.gamma)
        if self._loss_takes_delta:
            loss = self.loss_fn(q, actions, targets, self.config.huber_delta)
        else:
            loss = self.loss_fn(q, actions, targets)
        self.optimizer.zero_grad(set_to_none=False)
        loss.backward()
        if self.config.max_grad_norm and self.config.max_grad_norm > 0:
            torch.nn.utils.clip_grad_norm_(self.online.parameters(), self.config.max_grad_norm, foreach=self._clip_foreach)
        self.optimizer.step()
        self.loss_sum += loss.detach()
        self.q_sum += q.detach().mean()

    def _k_updates(self, replay, k: int) -> None:
        for _ in range(k):
            self._one_update(replay)

    def _capture(self, replay, k: int) -> None:
        """Capture k updates as one graph; the first time, warm up on a side stream first
        (cuDNN autotuning, Adam's state, gradient buffers)."""
        if not self._graphs:
            side = torch.cuda.Stream(self.device)
            side.wait_stream(torch.cuda.current_stream(self.device))
            with torch.cuda.stream(side):
                for _ in range(3):
                    self._k_updates(replay, 1)
            torch.cuda.current_stream(self.device).wait_stream(side)
            self.stat_count += 3
            self.updates += 3
            self._since_sync += 3
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph, pool=self._pool):
            self._k_updates(replay, k)
        if self._pool is None:
            self._pool = graph.pool()
        self._graphs[k] = graph

    def update(self, replay, k: int = 1) -> None:
        """Run ``k`` gradient updates (one graph launch on a GPU); no host sync."""
        if k <= 0:
            return
        if self.use_graphs and k not in self._graphs:
            try:
                self._capture(replay, k)
            except Exception as exc:  # capture can fail on code that syncs with the host
                self.use_graphs = False
                self._graphs.clear()
                self.graph_error = f"{type(exc).__name__}: {exc}"
                warnings.warn(f"CUDA graph capture failed ({self.graph_error}); running updates eagerly (slower).")
                torch.cuda.synchronize(self.device)
        graph = self._graphs.get(k) if self.use_graphs else None
        if graph is not None:
            graph.replay()
        else:
            self._k_updates(replay, k)
        self.updates += k
        self.stat_count += k
        self._since_sync += k
        if self._since_sync >= self.config.target_update_every:
            self.sync_target()

    def sync_target(self) -> None:
        with torch.no_grad():
            torch._foreach_copy_(list(self.target.parameters()), list(self.online.parameters()))
        self._since_sync = 0

    # ------------------------------------------------------------------ records
    def read_stats(self) -> dict[str, float]:
        """Mean loss and Q since the last call (one host sync). Raises on a non-finite loss."""
        if self.stat_count == 0:
            return {"loss": float("nan"), "q_mean": float("nan")}
        loss = float(self.loss_sum) / self.stat_count
        q = float(self.q_sum) / self.stat_count
        count = self.stat_count
        self.loss_sum.zero_()
        self.q_sum.zero_()
        self.stat_count = 0
        if not (abs(loss) < float("inf")):
            raise NonFiniteLossError(
                f"the TD loss became {loss} (mean of the last {count} updates, {self.updates:,} updates in all)"
            )
        return {"loss": loss, "q_mean": q}

    def check_finite(self) -> None:
        """Raise if the loss accumulated since the last read, or any weight, is NaN or infinite."""
        with torch.no_grad():
            norms = torch._foreach_norm([p.detach() for p in self.online.parameters()])
            total = torch.stack(norms).sum() + self.loss_sum
        if not bool(torch.isfinite(total)):
            raise NonFiniteLossError(f"the TD loss or the network's weights became NaN or infinite ({self.updates:,} updates in all)")

    def state_dict(self) -> dict:
        return {
            "online": self.online.state_dict(),
            "target": self.target.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "updates": self.updates,
            "since_sync": self._since_sync,
        }

    def load_state_dict(self, state: dict) -> None:
        if self._graphs:
            raise RuntimeError("load a checkpoint before the first update (the CUDA graph holds the old tensors)")
        self.online.load_state_dict(state["online"])
        self.target.load_state_dict(state["target"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.updates = int(state["updates"])
        self._since_sync = int(state.get("since_sync", 0))


def _takes_delta(fn: Callable) -> bool:
    import inspect

    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return len(params) >= 4 or "delta" in params
