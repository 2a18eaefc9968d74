"""What a training run leaves in its folder: CSV logs, TensorBoard events, checkpoints, the plot.

    config.json          every setting of the run
    log.csv              one row every log interval: steps, time, epsilon, scores, loss, speed
    episodes.csv         one row per finished training game: steps, time, raw score, length
    evals.csv            one row per evaluation (fixed seeds)
    tb/                  the same numbers as TensorBoard events (``tensorboard --logdir OUT/tb``)
    checkpoint.pt        the latest checkpoint (written atomically: a crash never leaves half a file)
    eval.json            the final evaluation
    learning_curve.png   training scores and evaluations against steps and minutes
    agent.gif            a game played by the final agent
    summary.json         how the run ended, its speed, the machine and versions
"""
from __future__ import annotations

import csv
import json
import os
import warnings
from pathlib import Path
from typing import Any

import torch

LOG_FIELDS = ["wall_s", "env_steps", "updates", "episodes", "epsilon", "score_mean20", "score_last",
              "loss", "q_mean", "steps_per_s", "replay_size"]
EPISODE_FIELDS = ["wall_s", "env_steps", "score", "length"]
EVAL_FIELDS = ["wall_s", "process_s", "env_steps", "mean", "std", "min", "max", "episodes", "seconds"]


def _keep_rows(path: Path, fields: list[str], max_step: int) -> None:
    """After a resume: drop rows logged after the checkpoint (and a half-written last line)."""
    if not path.is_file():
        return
    kept = []
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            try:
                if row.get("env_steps") not in (None, "") and int(float(row["env_steps"])) <= max_step and None not in row.values():
                    kept.append(row)
            except ValueError:
                continue
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(kept)


class RunRecords:
    """CSV files and TensorBoard events of one run; appends after a resume."""

    def __init__(self, out_dir: str | Path, resume_step: int | None = None, tensorboard: bool = True):
        self.out = Path(out_dir)
        self.out.mkdir(parents=True, exist_ok=True)
        self.log_path = self.out / "log.csv"
        self.eval_path = self.out / "evals.csv"
        self.episode_path = self.out / "episodes.csv"
        files = ((self.log_path, LOG_FIELDS), (self.eval_path, EVAL_FIELDS), (self.episode_path, EPISODE_FIELDS))
        for path, fields in files:
            if resume_step is None:
                if path.exists():
                    path.unlink()
            else:
                _keep_rows(path, fields, resume_step)
        self._log = self._open(self.log_path, LOG_FIELDS)
        self._eval = self._open(self.eval_path, EVAL_FIELDS)
        self._episodes = self._open(self.episode_path, EPISODE_FIELDS)
        self.tb = None
        if tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter

                self.tb = SummaryWriter(str(self.out / "tb"), purge_step=resume_step, flush_secs=10)
            except ImportError as exc:  # tensorboard not installed: CSV only
                warnings.warn(f"no TensorBoard log ({exc}); `pip install tensorboard` to get one")

    @staticmethod
    def _open(path: Path, fields: list[str]):
        new = not path.exists() or path.stat().st_size == 0
        handle = path.open("a", newline="")
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        if new:
            writer.writeheader()
            handle.flush()
        return handle, writer

    def log(self, row: dict[str, Any]) -> None:
        handle, writer = self._log
        writer.writerow({k: _fmt(row.get(k)) for k in LOG_FIELDS})
        handle.flush()
        self._episodes[0].flush()
        if self.tb is not None:
            step = int(row["env_steps"])
            for key in ("epsilon", "score_mean20", "loss", "q_mean", "steps_per_s"):
                value = row.get(key)
                if value is not None and value == value:  # skip None and NaN
                    self.tb.add_scalar(f"train/{key}", float(value), step)

    def log_eval(self, row: dict[str, Any]) -> None:
        handle, writer = self._eval
        writer.writerow({k: _fmt(row.get(k)) for k in EVAL_FIELDS})
        handle.flush()
        if self.tb is not None:
            step = int(row["env_steps"])
            self.tb.add_scalar("eval/mean", float(row["mean"]), step)
            self.tb.add_scalar("eval/std", float(row["std"]), step)

    def log_episode(self, step: int, score: float, length: int, wall_s: float) -> None:
        handle, writer = self._episodes
        writer.writerow({"wall_s": _fmt(wall_s), "env_steps": step, "score": _fmt(score), "length": length})
        if self.tb is not None:
            self.tb.add_scalar("train/episode_score", score, step)

    def close(self) -> None:
        for handle, _ in (self._log, self._eval, self._episodes):
            handle.close()
        if self.tb is not None:
            self.tb.flush()
            self.tb.close()


def _fmt(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.6g}"
    return "" if value is None else value


def read_csv(path: str | Path) -> list[dict[str, float]]:
    path = Path(path)
    if not path.is_file():
        return []
    rows = []
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            rows.append({k: (float(v) if v not in ("", None) else float("nan")) for k, v in row.items()})
    return rows


def write_json(path: str | Path, data: dict) -> None:
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
    os.replace(tmp, path)


def save_checkpoint(path: str | Path, state: dict) -> None:
    """torch.save to a temporary file, then rename: the old checkpoint stays whole until the new one is."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict:
    return torch.load(path, map_location=map_location, weights_only=False)


def plot_learning_curve(out_dir: str | Path, path: str | Path | None = None, title: str | None = None, target: float | None = None) -> Path:
    """Save the learning curve of the run in ``out_dir`` as a PNG (no display needed)."""
    out_dir = Path(out_dir)
    path = Path(path) if path else out_dir / "learning_curve.png"
    fig = draw_learning_curve(read_csv(out_dir / "log.csv"), read_csv(out_dir / "evals.csv"),
                              read_csv(out_dir / "episodes.csv"), title=title, target=target)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path


def _steps_unit(max_steps: float) -> tuple[float, str]:
    if max_steps >= 2e6:
        return 1e6, "environment steps (millions)"
    if max_steps >= 2e3:
        return 1e3, "environment steps (thousands)"
    return 1.0, "environment steps"


def _time_unit(max_seconds: float) -> tuple[float, str]:
    return (60.0, "training time (minutes)") if max_seconds >= 120 else (1.0, "training time (seconds)")


def draw_learning_curve(log_rows: list[dict], eval_rows: list[dict], episode_rows: list[dict] | None = None,
                        title: str | None = None, target: float | None = None):
    """A figure with the learning curve; used for the PNG and for the notebook's live plot.

    Left: score against environment steps; right: against training time. Dots are single
    training games, the line their running mean (last 20 games), red points evaluations.
    A bare ``matplotlib.figure.Figure`` (no pyplot): it needs no display and no backend,
    and IPython shows it when it is passed to ``display``.
    """
    from matplotlib.figure import Figure

    episode_rows = episode_rows or []
    fig = Figure(figsize=(9, 3.4))
    ax1, ax2 = fig.subplots(1, 2, sharey=True)
    logged = [r for r in log_rows if r.get("score_mean20") == r.get("score_mean20")]
    all_steps = [r["env_steps"] for r in log_rows + eval_rows + episode_rows] or [1.0]
    all_times = [r["wall_s"] for r in log_rows + eval_rows + episode_rows] or [1.0]
    s_div, s_label = _steps_unit(max(all_steps))
    t_div, t_label = _time_unit(max(all_times))
    for ax, key, div, label in ((ax1, "env_steps", s_div, s_label), (ax2, "wall_s", t_div, t_label)):
        if episode_rows:
            ax.plot([r[key] / div for r in episode_rows], [r["score"] for r in episode_rows], ".", color="tab:blue",
                    alpha=0.25, ms=3, label="a training game")
        ax.plot([r[key] / div for r in logged], [r["score_mean20"] for r in logged], color="tab:blue",
                label="training (mean of last 20 games)")
        if eval_rows:
            ax.errorbar([r[key] / div for r in eval_rows], [r["mean"] for r in eval_rows], yerr=[r["std"] for r in eval_rows],
                        fmt="o", color="tab:red", ms=4, capsize=2, label="evaluation (fixed seeds)")
        if target is not None:
            ax.axhline(target, color="gray", ls="--", lw=1, label=f"target {target:g}")
        ax.set_xlabel(label)
        ax.grid(alpha=0.3)
    ax1.set_ylabel("game score")
    ax1.legend(fontsize=7, loc="best")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
