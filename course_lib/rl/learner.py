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

Steps 2 and 3 are one private method, :meth:`DQNLearner._td_loss`, that takes a sampled
batch and returns the loss: the library holds no stand-alone TD-target or loss function.
Notebook 14 has the learner write those two as exercises; a library function with the
same interface would answer them with one call. ``course train`` still needs them without
the notebook, so here they are fused into the update, and the notebook plugs the learner's
own functions in through ``td_target=`` and ``loss_fn=``.

**Fast updates on a GPU.** One update is a few dozen small kernels; launched one by one
from Python, the GPU waits for Python between them, whatever the batch size. So the whole
update, replay sampling included, is captured once as a CUDA graph and replayed with a
single launch (Adam with ``capturable=True`` keeps its step counter on the GPU). Several
updates per environment step go into one graph. If capture fails (e.g. a TD-target
function that calls ``.item()``), the learner says so and runs the same code eagerly.
What this saves is measured by ``benchmarks/atari_dqn.py --parts updates`` (no GPU result
is recorded in ``benchmarks/results/`` yet).
"""
from __future__ import annotations

import copy
import warnings
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .config import DQNConfig


class NonFiniteLossError(RuntimeError):
    """The TD loss became NaN or infinite: training cannot go on."""


class DQNLearner:
    """Owns the online and target networks, the optimiser and the (graphed) update.

    ``td_target(rewards, terminated, next_q_online, next_q_target, gamma) -> (B,)`` and
    ``loss_fn(q_values, actions, targets[, delta]) -> scalar`` replace the built-in n-step
    Double-DQN target and Huber loss (notebook 14 passes the learner's own); ``None`` keeps
    the built-in ones.
    """

    def __init__(
        self,
        network: nn.Module,
        config: DQNConfig,
        device: torch.device,
        *,
        td_target: Callable | None = None,
        loss_fn: Callable | None = None,
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
        #: how this run's Adam steps: on a GPU with CUDA graphs, capturable (its step counter
        #: on the GPU) and foreach; elsewhere PyTorch's defaults. A checkpoint made elsewhere
        #: must not change them (see load_state_dict).
        self.optimizer_settings = {"capturable": True, "foreach": True} if self.use_graphs else {"capturable": False, "foreach": None}
        self.optimizer = torch.optim.Adam(self.online.parameters(), lr=config.lr, eps=config.adam_eps, **self.optimizer_settings)
        self.updates = 0
        self._since_sync = 0
        # running sums, updated on the device (no host sync per update)
        self.loss_sum = torch.zeros((), device=device)
        self.q_sum = torch.zeros((), device=device)
        self.stat_count = 0
        self._graphs: dict[int, torch.cuda.CUDAGraph] = {}  # one graph per number of updates per launch
        self._pool = None  # the graphs share one memory pool
        self.graph_error: str | None = None
        self._loss_takes_delta = loss_fn is not None and _takes_delta(loss_fn)
        self._clip_foreach = True if device.type == "cuda" else None
        self._forward = self.online
        if config.compile and device.type == "cuda":
            self._forward = torch.compile(self.online)

    # ------------------------------------------------------------------ one update
    def _td_loss(self, batch: tuple) -> tuple[torch.Tensor, torch.Tensor]:
        """The loss of one sampled batch ``(obs, actions, rewards, terminated, next_obs)``, and Q(s_t, .).

        Runs both networks on the batch's observations, builds the n-step (Double-)DQN
        target under ``no_grad`` and compares it with Q(s_t, a_t) by the Huber loss, unless
        a plugged-in ``td_target`` or ``loss_fn`` replaces one of the two.
        """
        obs, actions, rewards, terminated, next_obs = batch
        for frames in (obs, next_obs):  # the replay buffer's frame stacks, nothing else
            if not (torch.is_tensor(frames) and frames.dtype == torch.uint8 and frames.dim() == 4):
                raise TypeError("a batch holds observations as uint8 frame stacks (batch, frames, height, width)")
        cfg = self.config
        q = self._forward(obs)
        with torch.no_grad():
            next_q_target = self.target(next_obs)
            next_q_online = self._forward(next_obs) if cfg.double_dqn else next_q_target
            if self.td_target is not None:
                targets = self.td_target(rewards, terminated, next_q_online, next_q_target, cfg.gamma)
            else:
                n = rewards.shape[1]
                alive = torch.cumprod(1.0 - terminated, dim=1)               # 1 until a terminal step, 0 after it
                counted = torch.cat([torch.ones_like(alive[:, :1]), alive[:, :-1]], dim=1)  # the terminal step counts
                discounts = cfg.gamma ** torch.arange(n, device=rewards.device, dtype=rewards.dtype)
                chosen = next_q_online.argmax(dim=1, keepdim=True)           # online net chooses...
                bootstrap = next_q_target.gather(1, chosen).squeeze(1)       # ...target net values
                targets = (rewards * counted * discounts).sum(dim=1) + (cfg.gamma ** n) * alive[:, -1] * bootstrap
        if self.loss_fn is None:
            loss = F.huber_loss(q.gather(1, actions[:, None]).squeeze(1), targets, delta=cfg.huber_delta)
        elif self._loss_takes_delta:
            loss = self.loss_fn(q, actions, targets, cfg.huber_delta)
        else:
            loss = self.loss_fn(q, actions, targets)
        return loss, q

    def _one_update(self, replay) -> None:
        loss, q = self._td_loss(replay.sample(self.config.batch_size))
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
        self._keep_optimizer_settings()
        self.updates = int(state["updates"])
        self._since_sync = int(state.get("since_sync", 0))


    def _keep_optimizer_settings(self) -> None:
        """After loading a checkpoint: this run's capturable/foreach, not the saved ones.

        ``Optimizer.load_state_dict`` restores every saved setting of the param groups. A
        checkpoint from a GPU run (capturable=True) resumed on a CPU would then fail at the
        first update ("If capturable=True, params and state_steps must be on supported
        devices"), and a CPU checkpoint resumed on a GPU would quietly step eagerly. Adam's
        step counters go where this run's setting wants them: on the parameter's device when
        capturable, as CPU scalars otherwise.
        """
        for group in self.optimizer.param_groups:
            group.update(self.optimizer_settings)
            for param in group["params"]:
                state = self.optimizer.state.get(param, {})
                step = state.get("step")
                if torch.is_tensor(step):
                    where = param.device if self.optimizer_settings["capturable"] else torch.device("cpu")
                    state["step"] = step.to(device=where)


def _takes_delta(fn: Callable) -> bool:
    import inspect

    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return len(params) >= 4 or "delta" in params
