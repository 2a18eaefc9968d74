"""The Nature DQN network (Mnih et al. 2015): three convolutions, one hidden layer, one Q-value per action.

Input: a stack of 4 grayscale 84x84 frames as uint8 (0..255); the network scales it to
[0, 1] itself, so that the replay buffer and the environments can keep bytes (4x less
memory and bandwidth than float32).

    conv 32 filters 8x8 stride 4  -> 32 x 20 x 20   (84 - 8) / 4 + 1 = 20
    conv 64 filters 4x4 stride 2  -> 64 x 9 x 9     (20 - 4) / 2 + 1 = 9
    conv 64 filters 3x3 stride 1  -> 64 x 7 x 7     (9 - 3) / 1 + 1 = 7
    flatten                       -> 3136
    fully connected               -> 512
    fully connected               -> one Q-value per action
ReLU after every layer but the last; no pooling (where a sprite is matters).

Parameters for 6 actions (Pong's minimal action set), weights + biases:
    4*8*8*32 + 32 = 8,224;  32*4*4*64 + 64 = 32,832;  64*3*3*64 + 64 = 36,928;
    3136*512 + 512 = 1,606,144;  512*6 + 6 = 3,078;  total 1,687,206.
"""
from __future__ import annotations

import torch
from torch import nn


class NatureDQN(nn.Module):
    """Q(s, .) for a batch of uint8 frame stacks of shape (batch, frames, 84, 84)."""

    def __init__(self, n_actions: int, in_frames: int = 4, screen_size: int = 84):
        super().__init__()
        self.n_actions = n_actions
        self.features = nn.Sequential(
            nn.Conv2d(in_frames, 32, kernel_size=8, stride=4),
            nn.ReLU(),
            nn.Conv2d(32, 64, kernel_size=4, stride=2),
            nn.ReLU(),
            nn.Conv2d(64, 64, kernel_size=3, stride=1),
            nn.ReLU(),
            nn.Flatten(),
        )
        with torch.no_grad():  # the flattened size, from one dummy frame stack (notebook 11 has the formula)
            flat = self.features(torch.zeros(1, in_frames, screen_size, screen_size)).shape[1]
        self.head = nn.Sequential(
            nn.Linear(flat, 512),
            nn.ReLU(),
            nn.Linear(512, n_actions),
        )

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        x = frames.float() * (1.0 / 255.0)
        return self.head(self.features(x))


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def nature_dqn(n_actions: int, in_frames: int = 4) -> NatureDQN:
    """The default network factory: ``make_network(n_actions) -> nn.Module``."""
    return NatureDQN(n_actions, in_frames)
