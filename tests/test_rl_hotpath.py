"""The GPU hot path checked on the CPU (issue 24, items 2 and 5): no value read, no CPU tensor, fewer kernels.

``course_lib.rl.hotpath`` runs replay sampling, one update (Adam included) and acting on
PyTorch's meta device and watches every operation. The library's own hot path must be clean;
a learner's piece that reads a value or makes a tensor on the CPU must be named, with its line,
before training starts.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

from course_lib.rl.config import DQNConfig
from course_lib.rl.hotpath import DeviceWatch, check_hot_path, count_kernels, piece_codes
from course_lib.rl.networks import NatureDQN


@pytest.mark.parametrize("settings", [{}, {"n_step": 1, "double_dqn": False, "frame_stack": 2}])
def test_the_library_hot_path_reads_no_value_and_uses_no_cpu_tensor(settings):
    report = check_hot_path(NatureDQN(6, in_frames=settings.get("frame_stack", 4)), DQNConfig.gpu(**settings), n_actions=6)
    assert not report.unfinished, report.unfinished
    assert report.clean(), report.summary()


def _watched(fn):
    x = torch.zeros(4, 3, device="meta")
    watch = DeviceWatch("meta")
    with watch:
        fn(x)
    return [(p.kind, p.what) for p in watch.problems]


@pytest.mark.parametrize("code,kind", [
    (lambda x: x.sum().item(), "value read"),
    (lambda x: float(x.sum()), "value read"),
    (lambda x: int(x.argmax()), "value read"),
    (lambda x: bool(x.sum() > 0), "value read"),
    (lambda x: [1, 2, 3, 4][x.argmax()], "value read"),
    (lambda x: x.tolist(), "value read"),
    (lambda x: x.cpu(), "value read"),
    (lambda x: x.to("cpu"), "value read"),
    (lambda x: x.numpy(), "value read"),
    (lambda x: np.asarray(x), "value read"),
    (lambda x: print(x, file=open("/dev/null", "w")), "value read"),
    (lambda x: f"{x.sum():.2f}", "value read"),
    (lambda x: torch.equal(x, x), "value read"),
    (lambda x: x[torch.arange(4), torch.zeros(4, dtype=torch.long, device="meta")], "CPU tensor"),
    (lambda x: x * torch.ones(3), "device mismatch"),
    (lambda x: torch.tensor([1.0, 2.0, 3.0], device=x.device) * x, "copy from the CPU"),
    (lambda x: torch.ones(3).to(x.device) * x, "copy from the CPU"),
    (lambda x: x[x > 0], "size from values"),
])
def test_the_watch_sees_every_value_read_and_every_cpu_tensor(code, kind):
    try:
        found = _watched(code)
    except Exception:  # an operation whose size depends on the values stops the checked code
        found = None
    if kind == "size from values":
        watch = DeviceWatch("meta")
        with pytest.raises(Exception):
            with watch:
                code(torch.zeros(4, 3, device="meta"))
        found = [(p.kind, p.what) for p in watch.problems]
    assert found and found[0][0] == kind, found


def test_the_watch_lets_device_code_through():
    def clean(x):
        i = torch.arange(4, device=x.device)
        y = x[i, torch.zeros(4, dtype=torch.long, device=x.device)] * torch.tensor(2.0)  # a 0-d CPU scalar is fine
        return torch.where(x > 0, x, torch.zeros_like(x)).sum() + y.sum() + x.shape[0]

    assert _watched(clean) == []


def _td_target(rewards, terminated, next_q_online, next_q_target, gamma):
    n = rewards.shape[1]
    alive = torch.cumprod(1.0 - terminated, dim=1)
    chosen = next_q_online.argmax(dim=1)
    bootstrap = next_q_target[torch.arange(len(chosen)), chosen]
    return (rewards * gamma ** torch.arange(n, device=rewards.device)).sum(1) + gamma ** n * alive[:, -1] * bootstrap


def _dqn_loss(q_values, actions, targets):
    loss = torch.nn.functional.huber_loss(q_values.gather(1, actions[:, None]).squeeze(1), targets)
    print(f"loss {float(loss):.3f}", end="\r")
    return loss


class _Net(NatureDQN):
    def forward(self, frames):
        if frames.dtype != torch.uint8:
            frames = frames.round()
        return super().forward(frames)


def test_a_learners_pieces_are_named_with_their_lines():
    net = _Net(6)
    report = check_hot_path(net, DQNConfig.gpu(), n_actions=6, td_target=_td_target, loss_fn=_dqn_loss,
                            pieces=piece_codes(net, _td_target, _dqn_loss))
    assert report.clean("acting") and not report.unfinished, report.summary()
    found = {(p.piece, p.kind, p.line) for p in report.problems["updates"]}
    assert found == {("_td_target", "CPU tensor", 5), ("_dqn_loss", "value read", 3)}, report.summary()
    text = report.reason("updates")
    assert "`_td_target` uses a tensor made on the CPU" in text and "next_q_target[torch.arange(len(chosen)), chosen]" in text
    assert "`_dqn_loss` reads a tensor's value on the CPU with float()" in text
    assert "torch.arange(n, device=" in text and "no .item(), float()" in text


def test_kernels_per_update_are_trimmed():
    """Issue 24 counted about 180 kernels per update, 75 of them in sampling (benchmarks/results/atari_dqn_kernels.md)."""
    counts = count_kernels(NatureDQN(6), DQNConfig.gpu(), n_actions=6, batch_size=4)
    assert counts["sampling"] <= 30 and counts["update"] <= 100, {k: v for k, v in counts.items() if not k.endswith("ops")}
    ops = counts["update_ops"]
    assert ops.get("_fused_adam_") == 1 and not any(name.startswith("_foreach_lerp") for name in ops), "Adam is not fused"
    assert ops.get("convolution") == 6, "the online and target networks should run one forward each (3 convolutions)"
    assert counts["sampling_ops"].get("index") == 6
