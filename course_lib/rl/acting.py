"""Choosing actions: epsilon-greedy for a batch of observations, on the training device.

With probability epsilon an environment takes a uniformly random action, otherwise the
action with the largest Q-value. All environments are decided in one forward pass; on a
GPU that forward pass and the random draws are one CUDA graph, so acting costs one launch,
one small host-to-device copy (the observations) and one device-to-host copy (the actions).

Notebook 14 has the learner write epsilon-greedy for a batch of Q-values as an exercise, so
the library has no function from Q-values to actions: acting here goes from a network and
a batch of uint8 frame stacks to actions (:func:`_act`, used by :class:`Actor` and by the
evaluation's player), and the notebook plugs the learner's own function in as ``policy``.
"""
from __future__ import annotations

import warnings

import numpy as np
import torch
from torch import nn

from .graphs import Fallback, capture, explain, no_host_sync


def _check_inputs(network, obs: torch.Tensor) -> None:
    """Acting takes a network (an ``nn.Module``) and observations as the environments give them."""
    if not isinstance(network, nn.Module):
        raise TypeError(f"acting needs the Q-network as a torch.nn.Module, not {type(network).__name__}")
    if not (torch.is_tensor(obs) and obs.dtype == torch.uint8 and obs.dim() == 4):
        what = f"{obs.dtype} tensor of shape {tuple(obs.shape)}" if torch.is_tensor(obs) else type(obs).__name__
        raise TypeError(f"acting needs observations as uint8 frame stacks (batch, frames, height, width), not a {what}")


def _act(network: nn.Module, obs: torch.Tensor, epsilon, generator: torch.Generator | None = None) -> torch.Tensor:
    """Epsilon-greedy actions (B,) of ``network`` for a batch of uint8 frame stacks ``obs`` (B, S, H, W)."""
    _check_inputs(network, obs)
    q = network(obs)
    batch, n_actions = q.shape
    greedy = q.argmax(dim=1)
    random = torch.randint(0, n_actions, (batch,), device=q.device, generator=generator)
    explore = torch.rand(batch, device=q.device, generator=generator) < epsilon
    return torch.where(explore, random, greedy)


class Actor:
    """Epsilon-greedy acting for ``num_envs`` environments with a static input buffer.

    On a GPU the forward pass and the random draws are captured as one CUDA graph the first
    time :meth:`act` needs the network. The graph reads the network's parameters where they
    live, so it sees every update the learner makes to them in place (Adam, a checkpoint's
    ``load_state_dict``). ``pieces`` names the plugged-in network for messages
    (:func:`course_lib.rl.hotpath.piece_codes`).
    """

    def __init__(self, network: nn.Module, num_envs: int, n_actions: int, obs_shape: tuple, device: torch.device,
                 use_graph: bool, pieces: dict | None = None):
        if not isinstance(network, nn.Module):
            raise TypeError(f"Actor needs the Q-network as a torch.nn.Module, not {type(network).__name__}")
        self.network = network
        self.device = device
        self.n_actions = n_actions
        self.obs = torch.zeros((num_envs, *obs_shape), dtype=torch.uint8, device=device)
        self.epsilon = torch.ones((), device=device)
        self.actions = torch.zeros(num_envs, dtype=torch.int64, device=device)
        pin = device.type == "cuda"
        self._stage = torch.zeros((num_envs, *obs_shape), dtype=torch.uint8, pin_memory=pin)
        self._copied = torch.cuda.Event() if pin else None
        self.use_graph = bool(use_graph and device.type == "cuda")
        self._graph: torch.cuda.CUDAGraph | None = None
        self._pool = torch.cuda.graph_pool_handle() if self.use_graph else None
        self._pieces = pieces or {}
        self._stage_name = "warm-up"
        #: why acting runs eagerly on a GPU (None while it is, or can be, a CUDA graph)
        self.fallback: Fallback | None = None

    @property
    def graph_error(self) -> str | None:
        return self.fallback.message() if self.fallback else None

    def load(self, obs: np.ndarray) -> torch.Tensor:
        """Copy a batch of observations to the device (through pinned memory on a GPU)."""
        if self._copied is None:
            self.obs.copy_(torch.from_numpy(np.asarray(obs)))
            return self.obs
        self._copied.synchronize()
        np.copyto(self._stage.numpy(), obs)
        self.obs.copy_(self._stage, non_blocking=True)
        self._copied.record()
        return self.obs

    def _compute(self) -> None:
        with torch.no_grad():
            self.actions.copy_(_act(self.network, self.obs, self.epsilon))

    def forbid_graph(self, fallback: Fallback) -> None:
        """Act eagerly from now on, for the reason given."""
        self.use_graph = False
        self._graph = None
        self.fallback = fallback
        warnings.warn(f"CUDA graphs: {fallback.message()}")

    def _capture(self) -> None:
        """Warm up on a side stream with host syncs turned into errors, then capture (see course_lib.rl.graphs)."""
        self._stage_name = "warm-up"
        side = torch.cuda.Stream(self.device)
        side.wait_stream(torch.cuda.current_stream(self.device))
        try:
            with torch.cuda.stream(side), no_host_sync():
                for _ in range(3):
                    self._compute()
        finally:
            torch.cuda.current_stream(self.device).wait_stream(side)
        self._stage_name = "capture"
        self._graph = capture(self._compute, self.device, self._pool)

    def act(self, epsilon: float) -> torch.Tensor:
        """Actions for the observations last loaded, as a device tensor (num_envs,)."""
        if epsilon >= 1.0:  # all random: no need for the network
            self.actions.random_(0, self.n_actions)
            return self.actions
        self.epsilon.fill_(epsilon)
        if self.use_graph and self._graph is None:
            try:
                self._capture()
            except Exception as exc:
                torch.cuda.synchronize(self.device)
                self.forbid_graph(explain(exc, "acting", self._pieces, self._stage_name))
        if self._graph is not None:
            self._graph.replay()
        else:
            self._compute()
        return self.actions
