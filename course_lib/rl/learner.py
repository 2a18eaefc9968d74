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

**Fast updates on a GPU.** One update is many small kernels; launched one by one from
Python, the GPU waits for Python between them, whatever the batch size. So the whole
update, replay sampling included, is captured once as a CUDA graph and replayed with a
single launch (Adam fused and ``capturable=True``: its step counter stays on the GPU).
Several updates per environment step go into one graph. Capturing plugged-in code can fail
(a TD target that calls ``.item()``); :mod:`course_lib.rl.graphs` explains how such a
failure is avoided, detected and cleaned up, and the learner then runs the same code
eagerly and says which piece was the cause (:attr:`DQNLearner.fallback`).

**Fewer kernels per update.** Adam is one fused kernel on a GPU (not a dozen foreach ones);
the online network runs once on the observations and the bootstrap observations together
(a batch of 2B: one forward instead of two, at the price of a backward pass over 2B rows
whose second half gets no gradient; ``joint_online_forward=False`` measures the other
way); the replay buffer gathers both frame stacks of a sample in one indexing operation.
``python benchmarks/atari_dqn.py --kernels`` counts the kernels of one update on the CPU
(``course_lib.rl.hotpath.count_kernels``); ``--parts updates`` times them on a GPU.
"""
from __future__ import annotations

import copy
import warnings
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .config import DQNConfig
from .graphs import Fallback, capture, explain, no_host_sync
from .hotpath import piece_codes


class NonFiniteLossError(RuntimeError):
    """The TD loss became NaN or infinite: training cannot go on."""


class DQNLearner:
    """Owns the online and target networks, the optimiser and the (graphed) update.

    ``td_target(rewards, terminated, next_q_online, next_q_target, gamma) -> (B,)`` and
    ``loss_fn(q_values, actions, targets[, delta]) -> scalar`` replace the built-in n-step
    Double-DQN target and Huber loss (notebook 14 passes the learner's own); ``None`` keeps
    the built-in ones. ``pieces`` names the plugged-in code for messages (code object ->
    name, :func:`course_lib.rl.hotpath.piece_codes`). ``gpu_paths`` makes Adam and gradient
    clipping take their GPU code paths on another device (the hot-path check on ``meta``).
    """

    def __init__(
        self,
        network: nn.Module,
        config: DQNConfig,
        device: torch.device,
        *,
        td_target: Callable | None = None,
        loss_fn: Callable | None = None,
        pieces: dict | None = None,
        gpu_paths: bool | None = None,
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
        gpu_paths = device.type == "cuda" if gpu_paths is None else gpu_paths
        #: how this run's Adam steps: on a GPU one fused kernel, capturable (its step counter on
        #: the GPU, so that a CUDA graph can hold it); elsewhere PyTorch's defaults. A checkpoint
        #: made elsewhere must not change them (see load_state_dict).
        self.optimizer_settings = ({"capturable": True, "fused": True, "foreach": None} if gpu_paths
                                   else {"capturable": False, "fused": None, "foreach": None})
        self.optimizer = torch.optim.Adam(self.online.parameters(), lr=config.lr, eps=config.adam_eps, **self.optimizer_settings)
        self.updates = 0
        self._since_sync = 0
        # running sums, updated on the device (no host sync per update)
        self.loss_sum = torch.zeros((), device=device)
        self.q_sum = torch.zeros((), device=device)
        self.stat_count = 0
        # the built-in target's discounts 1, gamma, ..., gamma^(n-1), made once on the device
        self._discounts = config.gamma ** torch.arange(config.n_step, device=device, dtype=torch.float32)
        self._graphs: dict[int, torch.cuda.CUDAGraph] = {}  # one graph per number of updates per launch
        self._pool = torch.cuda.graph_pool_handle() if self.use_graphs else None  # the graphs share one memory pool
        self._warmed_up = False
        #: why the updates run eagerly on a GPU (None while they are, or can be, a CUDA graph)
        self.fallback: Fallback | None = None
        self._pieces = pieces if pieces is not None else piece_codes(None, td_target, loss_fn)
        self._loss_takes_delta = loss_fn is not None and _takes_delta(loss_fn)
        self._clip_foreach = True if gpu_paths else None
        self._forward = self.online
        if config.compile and device.type == "cuda":
            self._forward = torch.compile(self.online)

    @property
    def graph_error(self) -> str | None:
        """Why the updates fell back to eager execution, in words (None: they did not)."""
        return self.fallback.message() if self.fallback else None

    # ------------------------------------------------------------------ one update
    def _td_loss(self, batch: tuple) -> tuple[torch.Tensor, torch.Tensor]:
        """The loss of one sampled batch ``(obs, actions, rewards, terminated, next_obs)``, and Q(s_t, .).

        Runs both networks on the batch's observations, builds the n-step (Double-)DQN
        target under ``no_grad`` and compares it with Q(s_t, a_t) by the Huber loss, unless
        a plugged-in ``td_target`` or ``loss_fn`` replaces one of the two. With Double DQN the
        online network runs once on s_t and s_{t+n} together (``joint_online_forward``).
        """
        obs, actions, rewards, terminated, next_obs = batch
        for frames in (obs, next_obs):  # the replay buffer's frame stacks, nothing else
            if not (torch.is_tensor(frames) and frames.dtype == torch.uint8 and frames.dim() == 4):
                raise TypeError("a batch holds observations as uint8 frame stacks (batch, frames, height, width)")
        cfg = self.config
        if cfg.double_dqn and cfg.joint_online_forward:
            both = self._forward(_pair(obs, next_obs))
            q, next_q_online = both[: len(obs)], both[len(obs):].detach()
        else:
            q = self._forward(obs)
            next_q_online = None
        with torch.no_grad():
            next_q_target = self.target(next_obs)
            if next_q_online is None:
                next_q_online = self._forward(next_obs) if cfg.double_dqn else next_q_target
            if self.td_target is not None:
                targets = self.td_target(rewards, terminated, next_q_online, next_q_target, cfg.gamma)
            else:
                n = rewards.shape[1]
                alive = torch.cumprod(1.0 - terminated, dim=1)               # 1 until a terminal step, 0 after it
                counted = F.pad(alive[:, :-1], (1, 0), value=1.0)            # ...shifted: the terminal step counts
                discounts = self._discounts if n == len(self._discounts) else cfg.gamma ** torch.arange(
                    n, device=rewards.device, dtype=rewards.dtype)
                chosen = next_q_online.argmax(dim=1, keepdim=True)           # online net chooses...
                bootstrap = next_q_target.gather(1, chosen).squeeze(1)       # ...target net values
                targets = torch.mv(rewards * counted, discounts) + (cfg.gamma ** n) * alive[:, -1] * bootstrap
        if self.loss_fn is None:
            loss = F.huber_loss(q.gather(1, actions[:, None]).squeeze(1), targets, delta=cfg.huber_delta)
        elif self._loss_takes_delta:
            loss = self.loss_fn(q, actions, targets, cfg.huber_delta)
        else:
            loss = self.loss_fn(q, actions, targets)
        return loss, q

    def _one_update(self, replay) -> None:
        loss, q = self._td_loss(replay.sample(self.config.batch_size))
        # Gradients set to None, so that backward writes them instead of adding them to zeros (one kernel
        # per parameter less); under a CUDA graph they live in the graph's memory pool, as PyTorch's own
        # whole-network capture does it.
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if self.config.max_grad_norm and self.config.max_grad_norm > 0:
            torch.nn.utils.clip_grad_norm_(self.online.parameters(), self.config.max_grad_norm, foreach=self._clip_foreach)
        self.optimizer.step()
        self.loss_sum += loss.detach()
        self.q_sum += q.detach().mean()

    def _k_updates(self, replay, k: int) -> None:
        for _ in range(k):
            self._one_update(replay)

    def _count(self, k: int) -> None:
        self.updates += k
        self.stat_count += k
        self._since_sync += k

    # ------------------------------------------------------------------ CUDA graphs
    def forbid_graphs(self, fallback: Fallback) -> None:
        """Run the updates eagerly from now on, for the reason given (e.g. the hot-path check before training)."""
        self.use_graphs = False
        self._graphs.clear()
        self.fallback = fallback
        warnings.warn(f"CUDA graphs: {fallback.message()}")

    def _warm_up(self, replay) -> None:
        """Three eager updates on a side stream before the first capture (cuDNN autotuning, Adam's state,
        gradient buffers), with host syncs turned into errors: code that would break the capture raises here."""
        side = torch.cuda.Stream(self.device)
        side.wait_stream(torch.cuda.current_stream(self.device))
        try:
            with torch.cuda.stream(side), no_host_sync():
                for _ in range(3):
                    self._k_updates(replay, 1)
                    self._count(1)
        finally:
            torch.cuda.current_stream(self.device).wait_stream(side)
        self._warmed_up = True

    def _prepare_graph(self, replay, k: int) -> None:
        stage = "warm-up"
        try:
            if not self._warmed_up:
                self._warm_up(replay)
            stage = "capture"
            self._graphs[k] = capture(lambda: self._k_updates(replay, k), self.device, self._pool)
        except Exception as exc:  # a host sync in the warm-up, or a capture that failed (state restored by capture())
            torch.cuda.synchronize(self.device)
            self.forbid_graphs(explain(exc, "updates", self._pieces, stage))

    def update(self, replay, k: int = 1) -> None:
        """Run ``k`` gradient updates (one graph launch on a GPU); no host sync."""
        if k <= 0:
            return
        if self.use_graphs and k not in self._graphs:
            self._prepare_graph(replay, k)
        graph = self._graphs.get(k) if self.use_graphs else None
        if graph is not None:
            graph.replay()
        else:
            self._k_updates(replay, k)
        self._count(k)
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
        """After loading a checkpoint: this run's capturable/fused/foreach, not the saved ones.

        ``Optimizer.load_state_dict`` restores every saved setting of the param groups. A
        checkpoint from a GPU run (capturable=True, fused) resumed on a CPU would then fail at
        the first update ("If capturable=True, params and state_steps must be on supported
        devices"), and a CPU checkpoint resumed on a GPU would quietly step eagerly (and could
        not be captured). Adam's step counters go where this run's setting wants them: on the
        parameter's device when capturable, as CPU scalars otherwise.
        """
        for group in self.optimizer.param_groups:
            group.update(self.optimizer_settings)
            for param in group["params"]:
                state = self.optimizer.state.get(param, {})
                step = state.get("step")
                if torch.is_tensor(step):
                    where = param.device if self.optimizer_settings["capturable"] else torch.device("cpu")
                    state["step"] = step.to(device=where, dtype=torch.float32)


def _pair(obs: torch.Tensor, next_obs: torch.Tensor) -> torch.Tensor:
    """``obs`` and ``next_obs`` as one batch of 2B: a free view when they are the two halves of one
    tensor (as :meth:`~course_lib.rl.replay.ReplayBuffer.sample` returns them), else a copy."""
    base = obs._base
    if (base is not None and next_obs._base is base and base.dim() == obs.dim() + 1 and base.shape[0] == 2
            and base.is_contiguous() and obs.storage_offset() == base.storage_offset()
            and next_obs.storage_offset() == base.storage_offset() + obs.numel()):
        return base.view(2 * len(obs), *obs.shape[1:])
    return torch.cat([obs, next_obs])


def _takes_delta(fn: Callable) -> bool:
    import inspect

    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return len(params) >= 4 or "delta" in params
