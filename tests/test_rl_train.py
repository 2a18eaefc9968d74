"""`course train` end to end on the CPU: the files a run leaves, a resume after SIGKILL, a NaN stop.

Until `course train` is wired into course_lib/cli.py the command runs as
`python -m course_lib.rl.cli train ...` (the same parser and handler).
"""
from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT

TRAIN = [sys.executable, "-m", "course_lib.rl.cli", "train"]


def train(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([*TRAIN, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def rows(path: Path) -> list[dict]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_smoke_run_writes_every_record(tmp_path):
    out = tmp_path / "run"
    done = train("--smoke", "--steps", "1200", "--seed", "3", "--out", str(out), "--no-progress")
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("config.json", "log.csv", "episodes.csv", "evals.csv", "checkpoint.pt", "eval.json",
                 "learning_curve.png", "agent.gif", "summary.json"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, f"{name} missing"
    assert list((out / "tb").glob("events.out.tfevents.*")), "no TensorBoard event file"
    log = rows(out / "log.csv")
    assert log and int(log[-1]["env_steps"]) == 1200
    assert float(log[-1]["loss"]) >= 0
    result = json.loads((out / "eval.json").read_text())
    assert result["episodes"] == 2 and len(result["scores"]) == 2 and result["seed"] == 10_000
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "finished" and summary["env_steps"] == 1200 and summary["config"]["seed"] == 3
    assert (out / "learning_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from course_lib.rl.video import gif_frames

    assert gif_frames(out / "agent.gif") > 10
    # the same folder again without --resume is refused, not overwritten
    again = train("--smoke", "--steps", "400", "--out", str(out), "--no-progress")
    assert again.returncode == 2 and "--resume" in again.stderr


def test_resume_after_sigkill_loses_at_most_one_checkpoint_interval(tmp_path):
    out = tmp_path / "run"
    interval = 400
    args = ["--smoke", "--steps", "2400", "--out", str(out), "--no-progress", "--no-video",
            "--set", f"checkpoint_every_steps={interval}"]
    proc = subprocess.Popen([*TRAIN, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    checkpoint = out / "checkpoint.pt"
    deadline = time.time() + 600   # ends at the first checkpoint; this is only a guard
    while not checkpoint.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    assert checkpoint.exists(), "no checkpoint was written: " + (proc.stdout.read() if proc.poll() is not None else "timeout")
    time.sleep(0.3)  # let it run on a little past the checkpoint
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    logged_before = [int(r["env_steps"]) for r in rows(out / "log.csv") if r.get("env_steps")]
    reached = max(logged_before)
    assert reached < 2400, "the run finished before it was killed: the test proves nothing"

    done = train("--out", str(out), "--resume", "--no-progress", "--no-video")
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads((out / "summary.json").read_text())
    resumed_from = summary["resumed_from"]
    assert f"resumed from {checkpoint} at step {resumed_from:,}" in done.stdout
    assert resumed_from >= interval and resumed_from >= reached - interval, (resumed_from, reached)
    assert summary["status"] == "finished" and summary["env_steps"] >= 2400 and summary["sessions"] == 2
    steps = [int(r["env_steps"]) for r in rows(out / "log.csv")]
    assert steps == sorted(set(steps)), "log.csv has repeated or out-of-order rows after the resume"
    assert steps[-1] >= 2400
    assert (out / "eval.json").is_file()


def test_nan_loss_stops_with_a_clear_message(tmp_path):
    done = train("--smoke", "--steps", "1600", "--out", str(tmp_path / "run"), "--no-progress", "--set", "lr=1e30")
    assert done.returncode == 3, done.stdout + done.stderr
    assert "TD loss became nan" in done.stderr and "learning rate" in done.stderr and "Training stopped at step" in done.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["status"] == "failed"


def test_nan_from_a_plugged_in_network_raises(tmp_path):
    from course_lib.rl import DQNConfig, NatureDQN, NonFiniteLossError
    from course_lib.rl.trainer import Trainer

    class Broken(NatureDQN):
        def forward(self, frames):
            return super().forward(frames) / 0.0 * 0.0  # inf * 0 = NaN

    config = DQNConfig.smoke(total_steps=1000)
    trainer = Trainer(config, tmp_path / "run", make_network=Broken, progress=False, quiet=True, video=False)
    with pytest.raises(NonFiniteLossError, match="Training stopped at step"):
        trainer.run()


def test_print_config_and_bad_settings():
    done = train("--smoke", "--print-config", "--set", "lr=5e-4")
    assert done.returncode == 0 and json.loads(done.stdout)["lr"] == 5e-4
    bad = train("--smoke", "--print-config", "--set", "nonsense=1")
    assert bad.returncode == 2 and "nonsense" in bad.stderr


def _tiny(**overrides):
    from course_lib.rl import DQNConfig

    settings = dict(num_envs=2, total_steps=60, learning_starts=20, replay_capacity=400, log_every_steps=20, replay_ratio=8.0)
    settings.update(overrides)
    return DQNConfig.smoke(**settings)


def test_a_large_seed_trains(tmp_path):
    """Issue 15: seeds >= 2148 crashed at the first reset (the environment seed left ale-py's int32 range)."""
    from course_lib.rl.trainer import Trainer

    result = Trainer(_tiny(seed=10**9), tmp_path / "run", progress=False, quiet=True, final_eval=False, video=False).run()
    assert result.env_steps == 60 and result.updates > 0


def test_summary_is_written_before_the_plot_and_the_video(tmp_path, monkeypatch):
    """A package missing after training (matplotlib for the plot, Pillow for the GIF) must not lose summary.json."""
    import course_lib.rl.trainer as trainer_module
    import course_lib.rl.video as video_module

    def no_package(name):
        def fails(*args, **kwargs):
            raise ModuleNotFoundError(f"No module named '{name}'")
        return fails

    monkeypatch.setattr(trainer_module, "plot_learning_curve", no_package("matplotlib"))
    monkeypatch.setattr(video_module, "record_gif", no_package("PIL"))
    trainer = trainer_module.Trainer(_tiny(eval_episodes=1), tmp_path / "run", progress=False, quiet=True)
    result = trainer.run()
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["status"] == "finished" and summary["env_steps"] == 60 and summary["final_eval"]["episodes"] == 1
    assert set(summary["skipped"]) == {"learning_curve", "video"} and "matplotlib" in summary["skipped"]["learning_curve"]
    assert "learning_curve" not in result.files and result.video is None
    assert any("no learning curve" in m for m in trainer.messages)


def test_a_gpu_checkpoint_resumes_with_device_cpu(tmp_path):
    """Issue 15: resuming a GPU run's checkpoint (Adam capturable=True) on a CPU crashed at the first update."""
    import torch

    from course_lib.rl.records import load_checkpoint, save_checkpoint
    from course_lib.rl.trainer import Trainer

    out = tmp_path / "run"
    Trainer(_tiny(), out, progress=False, quiet=True, final_eval=False, video=False).run()
    state = load_checkpoint(out / "checkpoint.pt")
    for group in state["learner"]["optimizer"]["param_groups"]:
        group.update(capturable=True, foreach=True)  # as a CUDA-graph run saves it
    for s in state["learner"]["optimizer"]["state"].values():
        s["step"] = s["step"].to(torch.float32)
    save_checkpoint(out / "checkpoint.pt", state)
    resumed = Trainer(_tiny(total_steps=120), out, resume=True, progress=False, quiet=True, final_eval=False, video=False)
    result = resumed.run()
    assert result.resumed_from == 60 and result.env_steps == 120
    assert result.updates > state["learner"]["updates"], "the resumed run learned"


def test_resuming_with_another_network_says_so(tmp_path):
    """Notebook 14 trains with the learner's NatureDQN from 13 once it passes: a run begun with the library's network
    cannot resume with the learner's (other layer names), and the error says why instead of PyTorch's key list."""
    from torch import nn

    from course_lib.rl.trainer import CheckpointMismatchError, Trainer

    class Renamed(nn.Module):
        def __init__(self, n_actions):
            super().__init__()
            self.body = nn.Sequential(nn.Flatten(), nn.Linear(4 * 84 * 84, n_actions))

        def forward(self, frames):
            return self.body(frames.float() / 255.0)

    out = tmp_path / "run"
    Trainer(_tiny(), out, progress=False, quiet=True, final_eval=False, video=False).run()
    resumed = Trainer(_tiny(total_steps=120), out, make_network=Renamed, resume=True, progress=False, quiet=True,
                      final_eval=False, video=False)
    with pytest.raises(CheckpointMismatchError, match="layers differ.*another folder"):
        resumed.run()


def _loss_indexing_with_a_cpu_arange(q_values, actions, targets):
    q_taken = q_values[torch_arange(len(actions)), actions]
    loss = (q_taken - targets).abs().mean()
    print(f"loss {float(loss):.4f}", end="\r")
    return loss


def torch_arange(n):
    import torch

    return torch.arange(n)  # on the CPU, whatever the device of the Q-values


def test_the_learners_pieces_are_checked_before_training_starts(tmp_path):
    """Issue 24: notebook 14 tells the learner, before training, which of their pieces would keep the updates
    from running as a CUDA graph, and why (here on the CPU, where nothing is captured, as a forecast)."""
    from course_lib.rl.trainer import Callback, Trainer

    said_before = {}

    class AtStart(Callback):
        def on_start(self, trainer):
            said_before["text"] = "\n".join(trainer.messages)

    trainer = Trainer(_tiny(total_steps=20, learning_starts=10**6), tmp_path / "run", loss_fn=_loss_indexing_with_a_cpu_arange,
                      callbacks=[AtStart()], progress=False, quiet=True, final_eval=False, video=False)
    trainer.run()
    text = said_before["text"]
    assert "on a GPU the updates could not be captured as a CUDA graph" in text, text
    assert "`_loss_indexing_with_a_cpu_arange` uses a tensor made on the CPU" in text and "line 2 of" in text, text
    assert "reads a tensor's value on the CPU with float()" in text and "line 4 of" in text, text
    assert "torch_arange" not in trainer.graph_check.pieces("updates")[0]  # the piece, not the helper it called
    assert trainer.graph_check.clean("acting")
