"""A GIF of the agent playing one game, made without a display.

The agent sees what it was trained on (84x84 grayscale stacks); a person wants the real
colour screen. Two ale-py environments run in lockstep: one gives the agent its
observations, the other (same game, same seed, same actions, no sticky actions, so the
emulator follows exactly the same game) gives the 210x160 colour frames. Pillow writes
the GIF; no window, no ffmpeg.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch import nn

from .config import DQNConfig
from .envs import evaluation_env
from .evaluation import SeededPlayer


def record_gif(
    network: nn.Module,
    config: DQNConfig,
    path: str | Path,
    device: torch.device | str | None = None,
    *,
    seed: int | None = None,
    epsilon: float | None = None,
    policy: Callable | None = None,
    max_steps: int | None = None,
    fps: int | None = None,
) -> dict:
    """Play one game (or ``max_steps`` decisions) and save it as an animated GIF at ``path``."""
    from PIL import Image

    max_steps = int(config.video_max_steps if max_steps is None else max_steps)
    fps = int(config.video_fps if fps is None else fps)
    agent_env = evaluation_env(config, 1)
    screen_env = evaluation_env(config, 1, rgb=True)
    frames: list = []
    score, steps = 0.0, 0
    try:
        with SeededPlayer(network, config, device, seed, epsilon, policy) as player:
            obs, _ = agent_env.reset(seed=player.seed)
            screen, _ = screen_env.reset(seed=player.seed)
            frames.append(Image.fromarray(screen[0, -1]))
            for steps in range(1, max_steps + 1):
                action = player(obs)
                obs, reward, terminated, truncated, _ = agent_env.step(action)
                screen, *_ = screen_env.step(action)
                score += float(reward[0])
                frames.append(Image.fromarray(screen[0, -1]))
                if terminated[0] or truncated[0]:
                    break
    finally:
        agent_env.close()
        screen_env.close()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    frames[0].save(tmp, format="GIF", save_all=True, append_images=frames[1:], duration=int(round(1000 / fps)), loop=0)
    tmp.replace(path)
    return {"path": str(path), "steps": steps, "frames": len(frames), "score": score, "seed": player.seed, "epsilon": player.epsilon,
            "bytes": path.stat().st_size}


def gif_frames(path: str | Path) -> int:
    """Number of frames in a GIF (for tests and reports)."""
    from PIL import Image

    with Image.open(path) as im:
        return int(getattr(im, "n_frames", 1))


def first_frame(path: str | Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))
