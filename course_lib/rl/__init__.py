"""The capstone: a fast DQN that learns Atari games (notebook 14 and ``course train``).

Modules, in the order data flows through them:

    config      DQNConfig: every hyperparameter, with a GPU preset and a CPU smoke preset
    envs        ale-py's AtariVectorEnv (C++ threads, 84x84 gray, 4-frame stack), raw scores
    networks    the Nature DQN network
    acting      epsilon-greedy action selection (one CUDA graph on a GPU)
    replay      the uint8 replay buffer on the training device
    learner     n-step Double-DQN target and Huber loss fused into one update, Adam, target
                network, CUDA-graph updates
    graphs      CUDA-graph capture that fails safely (warm-up without host syncs, clean-up)
    hotpath     the GPU hot path checked on the meta device; kernels per update
    trainer     the loop: act, store, learn, log, evaluate, checkpoint, resume
    evaluation  full games from fixed seeds
    records     CSV, TensorBoard, checkpoints, the learning-curve plot
    video       a GIF of the agent playing, made without a display
    live        the notebook's live learning curve
    cli         ``course train``

Notebook 14's graded exercises (the epsilon schedule, batched epsilon-greedy, the TD target,
the loss) have no stand-alone twin here: the library does the same jobs inside its classes,
through other interfaces, so that no exercise is answered by one call (docs/authoring.md,
"No graded answer is handed over"; tests/test_no_answer_handed.py).

The names below are imported on first use, so that ``import course_lib.rl.cli`` (which the
``course`` command does for every sub-command) does not pay for importing PyTorch.
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "DQNConfig": "config",
    "NatureDQN": "networks",
    "count_parameters": "networks",
    "nature_dqn": "networks",
    "NonFiniteLossError": "learner",
    "Trainer": "trainer",
    "train": "trainer",
    "evaluate": "evaluation",
    "record_gif": "video",
    "LivePlot": "live",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'course_lib.rl' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
