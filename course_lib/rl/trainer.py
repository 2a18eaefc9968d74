"""The training loop: act in many environments, store, learn, evaluate, record, checkpoint.

One iteration (one *vector step*, ``num_envs`` environment steps)::

    actions = epsilon-greedy(Q(obs))            one CUDA graph; the only host sync of the step
    envs.send(actions)                          C++ threads start emulating...
    learner.update(k)                           ...while the GPU runs k updates (one graph launch)
    result = envs.recv()                        wait for the emulators
    copy the new observations to the device     pinned memory, non-blocking
    replay.add(...)                             a few small device copies

Acting and learning overlap without threads: kernel launches return at once, so the GPU
learns while the CPU threads emulate; the next step's action selection waits for the
updates only if they took longer than the emulation. ``k`` follows the replay ratio:
``num_envs * replay_ratio / batch_size`` updates per vector step (fractions carry over).

Everything the loop needs to go on after a crash is in the checkpoint: networks,
optimiser, step and update counters, epsilon, RNG states, recent scores, evaluation
history and training time. The replay buffer is not saved (7 GB for a million
transitions): a resumed run refills it with ``learning_starts`` fresh steps from the
current policy (epsilon continues from where it was) before learning again.
"""
from __future__ import annotations

import math
import os
import platform
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import torch

from .acting import Actor
from .config import DQNConfig
from .envs import ScoreKeeper, VectorAtari, clip_reward, env_seed
from .evaluation import EvalResult, evaluate
from .graphs import PARTS, Fallback
from .hotpath import HotPathReport, check_hot_path, piece_codes
from .learner import DQNLearner, NonFiniteLossError
from .networks import nature_dqn
from .records import RunRecords, load_checkpoint, plot_learning_curve, save_checkpoint, write_json
from .replay import ReplayBuffer, replay_capacity_for


class RunExistsError(RuntimeError):
    """The output folder already holds a run and --resume was not given."""


class CheckpointMismatchError(RuntimeError):
    """The checkpoint to resume holds another network's weights (its layers have other names or shapes)."""


def process_start_time() -> float:
    """Unix time at which this process started (Linux /proc), else the time of this call."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        boot = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime"))
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except Exception:
        return time.time()


def default_out_dir(game: str, seed: int) -> Path:
    """runs/GAME-seedN in the course repository (git ignores /runs/), else under the current folder."""
    try:
        from ..repository import find_root

        base = find_root() / "runs"
    except Exception:
        base = Path("runs")
    return base / f"{game}-seed{seed}"


def pick_device(name: str = "auto") -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("--device cuda was asked for, but PyTorch sees no CUDA GPU")
    return device


def machine_description(device: torch.device) -> dict[str, Any]:
    import ale_py

    info = {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "ale_py": ale_py.__version__,
        "cpu": platform.processor() or platform.machine(),
        "cpu_cores": os.cpu_count(),
        "device": str(device),
    }
    try:
        import gymnasium

        info["gymnasium"] = gymnasium.__version__
    except ImportError:
        pass
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        info.update(gpu=props.name, gpu_memory_gib=round(props.total_memory / 2**30, 1), cuda=torch.version.cuda)
    return info


class Callback:
    """Hooks for watching a run (the notebook's live plot is one). Override what you need."""

    def on_start(self, trainer: "Trainer") -> None: ...
    def on_log(self, trainer: "Trainer", row: dict) -> None: ...
    def on_eval(self, trainer: "Trainer", result: EvalResult, row: dict) -> None: ...
    def on_end(self, trainer: "Trainer", result: "TrainResult") -> None: ...


@dataclass
class TrainResult:
    out_dir: Path
    status: str                     # "finished", "solved" or "failed"
    stop_reason: str
    env_steps: int
    updates: int
    episodes: int
    train_seconds: float
    steps_per_s: float              # this session's environment steps per second of training
    resumed_from: int | None
    final_eval: EvalResult | None = None
    solved_at: dict | None = None
    video: dict | None = None
    files: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "out_dir": str(self.out_dir), "status": self.status, "stop_reason": self.stop_reason,
            "env_steps": self.env_steps, "updates": self.updates, "episodes": self.episodes,
            "train_seconds": round(self.train_seconds, 2), "steps_per_s": round(self.steps_per_s, 1),
            "resumed_from": self.resumed_from, "solved_at": self.solved_at,
            "final_eval": self.final_eval.to_dict() if self.final_eval else None,
            "video": self.video, "files": self.files,
        }


class Trainer:
    """A DQN training run on one game, writing its records to ``out_dir``.

    ``make_network(n_actions) -> nn.Module`` replaces the Nature DQN
    (:func:`~course_lib.rl.networks.nature_dqn`);
    ``td_target(rewards, terminated, next_q_online, next_q_target, gamma) -> (B,)`` and
    ``loss_fn(q_values, actions, targets) -> scalar`` replace the learner's built-in n-step
    Double-DQN target and Huber loss (see :class:`~course_lib.rl.learner.DQNLearner`);
    ``epsilon_schedule(step) -> float`` replaces the config's linear decay of epsilon.
    Notebook 14 passes the learner's own functions; ``None`` keeps the built-in ones.
    """

    def __init__(
        self,
        config: DQNConfig,
        out_dir: str | Path,
        *,
        make_network: Callable | None = None,
        td_target: Callable | None = None,
        loss_fn: Callable | None = None,
        epsilon_schedule: Callable[[int], float] | None = None,
        callbacks: Iterable[Callback] = (),
        progress: bool | str = True,
        resume: bool = False,
        final_eval: bool = True,
        video: bool = True,
        process_start: float | None = None,
        quiet: bool = False,
    ):
        self.config = config.resolved()
        self.out = Path(out_dir)
        self.make_network = make_network or nature_dqn
        self.td_target = td_target
        self.loss_fn = loss_fn
        self.epsilon_schedule = epsilon_schedule
        self.callbacks = list(callbacks)
        self.progress = progress
        self.resume = resume
        self.do_final_eval = final_eval
        self.do_video = video
        self.process_start = process_start or process_start_time()
        self.quiet = quiet
        self.checkpoint_path = self.out / "checkpoint.pt"
        # filled by run()
        self.env_steps = 0
        self.vector_steps = 0
        self.episodes = 0
        self.recent_scores: deque[float] = deque(maxlen=20)
        self.score_history: list[tuple[int, float]] = []
        self.eval_history: list[dict] = []
        self.solved_at: dict | None = None
        self.learner: DQNLearner | None = None
        self.replay: ReplayBuffer | None = None
        self.device: torch.device | None = None
        self.messages: list[str] = []
        self.graph_check: HotPathReport | None = None  # what the hot-path check found before training

    # ------------------------------------------------------------------ helpers
    def say(self, text: str) -> None:
        self.messages.append(text)
        if not self.quiet:
            print(text, flush=True)

    def _mean20(self) -> float:
        return float(np.mean(self.recent_scores)) if self.recent_scores else float("nan")

    def _checkpoint_state(self, train_seconds: float, session: int, next_eval_at: int, last_eval_step: int,
                          epsilon: float) -> dict:
        state = {
            "version": 1,
            "config": self.config.to_dict(),
            "learner": self.learner.state_dict(),
            "env_steps": self.env_steps,
            "vector_steps": self.vector_steps,
            "episodes": self.episodes,
            "train_seconds": train_seconds,
            "session": session,
            "epsilon": float(epsilon),
            "recent_scores": list(self.recent_scores),
            "score_history": self.score_history[-10_000:],
            "eval_history": self.eval_history,
            "solved_at": self.solved_at,
            "next_eval_at": next_eval_at,
            "last_eval_step": last_eval_step,
            "rng": {"torch": torch.get_rng_state()},
        }
        if self.device.type == "cuda":
            state["rng"]["cuda"] = torch.cuda.get_rng_state(self.device)
        return state

    def _save(self, *args) -> None:
        save_checkpoint(self.checkpoint_path, self._checkpoint_state(*args))

    # ------------------------------------------------------------------ the run
    def run(self) -> TrainResult:
        cfg = self.config
        self.out.mkdir(parents=True, exist_ok=True)
        checkpoint = None
        if self.checkpoint_path.exists():
            if not self.resume:
                raise RunExistsError(f"{self.out} already holds a run (checkpoint.pt): resume it with --resume, or choose another --out")
            checkpoint = load_checkpoint(self.checkpoint_path)
        elif self.resume:
            self.say(f"no checkpoint in {self.out} yet: starting from the beginning")
        session = (checkpoint["session"] + 1) if checkpoint else 0

        self.device = device = pick_device(cfg.device)
        torch.manual_seed(cfg.seed)
        if device.type == "cuda":
            torch.backends.cudnn.benchmark = True
            torch.backends.cuda.matmul.allow_tf32 = cfg.tf32
            torch.backends.cudnn.allow_tf32 = cfg.tf32
        elif cfg.torch_threads > 0:
            torch.set_num_threads(cfg.torch_threads)
        (self.out / "config.json").write_text(cfg.to_json() + "\n")

        envs = VectorAtari(cfg, seed=env_seed(cfg.seed, session, cfg.num_envs))
        n_actions = envs.n_actions
        network = self.make_network(n_actions)
        plugged_network = network if self.make_network is not nature_dqn else None
        pieces = piece_codes(plugged_network, self.td_target, self.loss_fn)
        self.learner = learner = DQNLearner(network, cfg, device, td_target=self.td_target, loss_fn=self.loss_fn, pieces=pieces)
        train_seconds_before = 0.0
        next_eval_at = cfg.eval_every_steps
        last_eval_step = -10**18
        resumed_from = None
        if checkpoint:
            try:
                learner.load_state_dict(checkpoint["learner"])
            except RuntimeError as exc:  # another network's layers: e.g. the library's Nature DQN, then notebook 13's
                envs.close()
                raise CheckpointMismatchError(
                    f"{self.checkpoint_path} was saved from a network whose layers differ from this one's (for example "
                    "the library's Nature DQN and your NatureDQN from notebook 13 name their layers differently), so "
                    f"this run cannot resume it: resume with the same network, or start a new run in another folder "
                    f"({str(exc).splitlines()[0]})") from None
            self.env_steps = resumed_from = int(checkpoint["env_steps"])
            self.vector_steps = int(checkpoint["vector_steps"])
            self.episodes = int(checkpoint["episodes"])
            train_seconds_before = float(checkpoint["train_seconds"])
            self.recent_scores.extend(checkpoint["recent_scores"])
            self.score_history = [tuple(x) for x in checkpoint["score_history"]]
            self.eval_history = list(checkpoint["eval_history"])
            self.solved_at = checkpoint.get("solved_at")
            next_eval_at = int(checkpoint["next_eval_at"])
            last_eval_step = int(checkpoint["last_eval_step"])
            torch.set_rng_state(checkpoint["rng"]["torch"])
            if device.type == "cuda" and "cuda" in checkpoint["rng"]:
                torch.cuda.set_rng_state(checkpoint["rng"]["cuda"], device)
            self.say(f"resumed from {self.checkpoint_path} at step {self.env_steps:,} "
                     f"({train_seconds_before / 60:.1f} min trained); the replay buffer refills first "
                     f"({cfg.learning_starts:,} steps)")

        capacity, sizing = replay_capacity_for(
            cfg.replay_capacity, cfg.num_envs, device, screen_size=cfg.screen_size,
            memory_fraction=cfg.replay_memory_fraction, cpu_gib=cfg.replay_cpu_gib,
            frame_stack=cfg.frame_stack, n_step=cfg.n_step)
        self.replay = replay = ReplayBuffer(capacity, cfg.num_envs, frame_stack=cfg.frame_stack,
                                            screen_size=cfg.screen_size, n_step=cfg.n_step, device=device)
        self.say(sizing)
        actor = Actor(learner.online, cfg.num_envs, n_actions, (cfg.frame_stack, cfg.screen_size, cfg.screen_size),
                      device, use_graph=learner.use_graphs, pieces=pieces)
        self._check_graphs(learner, actor, n_actions, pieces)
        records = RunRecords(self.out, resume_step=resumed_from)
        keeper = ScoreKeeper(cfg.num_envs)
        for cb in self.callbacks:
            cb.on_start(self)

        bar = self._progress_bar(train_seconds_before)
        obs = envs.reset()
        replay.start(actor.load(obs))
        learn_from = self.env_steps + cfg.learning_starts
        credit = 0.0
        per_vector_step = cfg.num_envs * cfg.updates_per_env_step
        session_start = time.perf_counter()
        session_steps_start = self.env_steps
        last_log_time, last_log_step = session_start, self.env_steps
        last_ckpt_time, last_ckpt_step = session_start, self.env_steps
        status, stop_reason = "finished", ""
        budget_s = cfg.minutes * 60 if cfg.minutes else math.inf
        error: BaseException | None = None

        def train_seconds() -> float:
            return train_seconds_before + (time.perf_counter() - session_start)

        def epsilon_now() -> float:
            """Exploration rate at the current step: the plugged-in schedule, else the config's linear decay."""
            if self.epsilon_schedule is not None:
                return float(self.epsilon_schedule(self.env_steps))
            fraction = min(1.0, self.env_steps / max(1, cfg.epsilon_decay_steps))
            return cfg.epsilon_start + fraction * (cfg.epsilon_end - cfg.epsilon_start)

        def log_row(now: float, epsilon: float) -> None:
            nonlocal last_log_time, last_log_step
            stats = learner.read_stats()
            speed = (self.env_steps - last_log_step) / max(1e-9, now - last_log_time)
            row = {"wall_s": train_seconds(), "env_steps": self.env_steps, "updates": learner.updates,
                   "episodes": self.episodes, "epsilon": epsilon, "score_mean20": self._mean20(),
                   "score_last": self.recent_scores[-1] if self.recent_scores else None,
                   "loss": stats["loss"], "q_mean": stats["q_mean"], "steps_per_s": speed,
                   "replay_size": len(replay)}
            records.log(row)
            for cb in self.callbacks:
                cb.on_log(self, row)
            last_log_time, last_log_step = now, self.env_steps
            if bar is not None:
                self._advance_bar(bar, train_seconds(), row)

        try:
            while True:
                # ---- budget
                if self.env_steps >= cfg.total_steps:
                    stop_reason = f"reached {cfg.total_steps:,} steps"
                    break
                if train_seconds() >= budget_s:
                    stop_reason = f"used the {cfg.minutes:g}-minute budget"
                    break
                # ---- act, then learn while the emulators run
                epsilon = epsilon_now()
                actions = actor.act(epsilon)
                envs.send(actions.cpu().numpy())
                if self.env_steps >= learn_from and replay.can_sample():
                    credit += per_vector_step
                    k = int(credit)
                    credit -= k
                    learner.update(replay, k)
                step = envs.recv()
                self.vector_steps += 1
                self.env_steps += cfg.num_envs
                rewards = clip_reward(step.reward) if cfg.clip_rewards else step.reward
                replay.add(actions, rewards, step.terminated, step.truncated, step.game_over, actor.load(step.obs), step.dummy)
                for score, length in keeper.update(step):
                    self.episodes += 1
                    self.recent_scores.append(score)
                    self.score_history.append((self.env_steps, score))
                    records.log_episode(self.env_steps, score, length, train_seconds())

                now = time.perf_counter()
                # ---- log (and check that the loss is finite)
                due_steps = cfg.log_every_steps and self.env_steps - last_log_step >= cfg.log_every_steps
                if due_steps or now - last_log_time >= cfg.log_every_seconds:
                    log_row(now, epsilon)
                # ---- evaluate: on schedule, or when training scores near the target
                near = (cfg.target_score is not None and len(self.recent_scores) >= min(20, self.recent_scores.maxlen)
                        and self._mean20() >= cfg.target_score - cfg.eval_trigger_margin
                        and self.env_steps - last_eval_step >= cfg.eval_min_gap_steps)
                if self.env_steps >= next_eval_at or near:
                    while next_eval_at <= self.env_steps:
                        next_eval_at += cfg.eval_every_steps
                    last_eval_step = self.env_steps
                    result = self._evaluate(records, train_seconds())
                    if self.solved_at is None and cfg.target_score is not None and result.mean >= cfg.target_score:
                        self.solved_at = {"env_steps": self.env_steps, "train_seconds": round(train_seconds(), 2),
                                          "process_seconds": round(time.time() - self.process_start, 2),
                                          "mean": result.mean}
                        self.say(f"solved: mean evaluation score {result.mean:.2f} >= {cfg.target_score:g} "
                                 f"at step {self.env_steps:,}, {time.time() - self.process_start:.0f} s after the process started")
                        if cfg.stop_at_target:
                            status, stop_reason = "solved", f"evaluation mean {result.mean:.2f} reached the target {cfg.target_score:g}"
                            break
                # ---- checkpoint
                if (self.env_steps - last_ckpt_step >= cfg.checkpoint_every_steps
                        or now - last_ckpt_time >= cfg.checkpoint_every_minutes * 60):
                    learner.check_finite()  # never checkpoint a broken network
                    self._save(train_seconds(), session, next_eval_at, last_eval_step, epsilon_now())
                    last_ckpt_time, last_ckpt_step = time.perf_counter(), self.env_steps
            if self.env_steps != last_log_step:  # a last row at the very end
                log_row(time.perf_counter(), epsilon_now())
        except NonFiniteLossError as exc:
            error = exc
        except KeyboardInterrupt:
            stop_reason = "interrupted (Ctrl-C)"
        except BaseException:
            records.close()  # e.g. an exception from a plugged-in function: keep the logs whole
            raise
        finally:
            if bar is not None:
                bar.close()
            envs.close()

        seconds = train_seconds()
        session_speed = (self.env_steps - session_steps_start) / max(1e-9, time.perf_counter() - session_start)
        if error is not None:
            records.close()
            last = load_checkpoint(self.checkpoint_path)["env_steps"] if self.checkpoint_path.exists() else None
            where = (f"The last good checkpoint is {self.checkpoint_path} (step {last:,}): fix the cause, then resume it with --resume."
                     if last is not None else "No checkpoint was written before it happened.")
            message = (f"Training stopped at step {self.env_steps:,}: {error}. "
                       "A NaN or infinite loss does not recover, so the run cannot go on. Usual causes: a learning rate "
                       "that is too high, unclipped rewards, a TD target or network that produces inf or NaN "
                       f"(e.g. a division by zero). {where}")
            write_json(self.out / "summary.json", {"status": "failed", "stop_reason": "non-finite loss", "message": message,
                                                    "env_steps": self.env_steps, "updates": learner.updates})
            raise NonFiniteLossError(message) from None

        if not stop_reason:
            stop_reason = "stopped"
        self._save(seconds, session, next_eval_at, last_eval_step, epsilon_now())
        self.say(f"training stopped: {stop_reason} (step {self.env_steps:,}, {learner.updates:,} updates, "
                 f"{self.episodes:,} games, {seconds / 60:.1f} min, {session_speed:,.0f} steps/s)")
        final = None
        if self.do_final_eval:
            last = getattr(self, "_last_eval", None)
            # an evaluation of this very network (e.g. the one that reached the target) is not repeated
            final = last if last is not None and last.env_steps_at == self.env_steps else self._evaluate(records, seconds, final=True)
            write_json(self.out / "eval.json", {**final.to_dict(), "game": cfg.game, "env_steps": self.env_steps,
                                                 "checkpoint": str(self.checkpoint_path)})
        records.close()
        files = {"log": str(records.log_path), "evals": str(records.eval_path), "episodes": str(records.episode_path),
                 "checkpoint": str(self.checkpoint_path),
                 "tensorboard": str(self.out / "tb")}
        if final is not None:
            files["eval"] = str(self.out / "eval.json")
        result = TrainResult(self.out, status, stop_reason, self.env_steps, learner.updates, self.episodes, seconds,
                             session_speed, resumed_from, final, self.solved_at, None, files)
        summary = result.to_dict()
        summary.update(config=cfg.to_dict(), machine=machine_description(device), replay=sizing, sessions=session + 1,
                       graph_errors=[e for e in (learner.graph_error, actor.graph_error) if e],
                       process_seconds=round(time.time() - self.process_start, 2))
        # The run's figures are safe on disk before anything that needs an optional package
        # (matplotlib for the plot, Pillow for the GIF) runs; summary.json is rewritten below.
        write_json(self.out / "summary.json", summary)
        skipped: dict[str, str] = {}
        try:
            curve = plot_learning_curve(self.out, title=f"DQN on {cfg.game}: {self.env_steps:,} steps, {seconds / 60:.1f} min"
                                        + (" (CPU smoke run: games cut short, nothing learned)" if cfg.preset == "smoke" else ""),
                                        target=None if cfg.preset == "smoke" else cfg.target_score)
            files["learning_curve"] = str(curve)
        except ImportError as exc:
            skipped["learning_curve"] = f"{type(exc).__name__}: {exc}"
        if self.do_video:
            try:
                from .video import record_gif

                result.video = record_gif(learner.online, cfg, self.out / "agent.gif", device)
                files["video"] = result.video["path"]
            except ImportError as exc:
                skipped["video"] = f"{type(exc).__name__}: {exc}"
        for name, why in skipped.items():
            self.say(f"no {name.replace('_', ' ')}: {why} (the run's records and summary.json are complete)")
        summary.update(video=result.video, files=files, skipped=skipped)
        write_json(self.out / "summary.json", summary)
        for cb in self.callbacks:
            cb.on_end(self, result)
        return result

    # ------------------------------------------------------------------ pieces
    def _check_graphs(self, learner: DQNLearner, actor: Actor, n_actions: int, pieces: dict) -> None:
        """Before training: can the updates and acting run as CUDA graphs with these pieces? Say why not.

        On a GPU a part that the hot-path check (course_lib.rl.hotpath, on the meta device) finds
        a value read or a CPU tensor in runs eagerly from the start, without a capture that would
        fail. On a CPU nothing is captured, but plugged-in pieces are checked all the same, so
        that a learner hears before a GPU run what would slow it down, and why.
        """
        gpu = learner.use_graphs or actor.use_graph
        if not (gpu or pieces):
            self.graph_check = None
            return
        report = check_hot_path(learner.online, self.config, n_actions=n_actions, td_target=self.td_target,
                                loss_fn=self.loss_fn, pieces=pieces)
        self.graph_check = report
        where = "CUDA graphs" if gpu else "CUDA-graph check (PyTorch's meta device, as a GPU run does before it trains)"
        for part, forbid in (("updates", learner.forbid_graphs), ("acting", actor.forbid_graph)):
            if not report.blocks(part):
                continue
            fallback = Fallback(part, report.reason(part), ", ".join(report.pieces(part)), "check")
            if gpu:
                forbid(fallback)
                self.say(f"{where}: {fallback.message()}")
            else:
                self.say(f"{where}: {fallback.message(would=True)}")
        for part, why in report.unfinished.items():
            self.say(f"{where}: the check of {PARTS[part]} could not run to its end ({why})"
                     + ("; the warm-up before the capture decides" if gpu else ""))
        if pieces and report.clean():
            self.say(f"{where}: your pieces read no tensor's value and use no CPU tensor, so on a GPU the updates and "
                     "acting run as CUDA graphs.")

    def _evaluate(self, records: RunRecords, train_seconds: float, final: bool = False) -> EvalResult:
        cfg = self.config
        result = evaluate(self.learner.online, cfg, self.device)
        result.env_steps_at = self.env_steps
        row = {"wall_s": train_seconds, "process_s": time.time() - self.process_start, "env_steps": self.env_steps,
               "mean": result.mean, "std": result.std, "min": min(result.scores), "max": max(result.scores),
               "episodes": len(result.scores), "seconds": result.seconds}
        records.log_eval(row)
        self.eval_history.append(row)
        self._last_eval = result
        self.say(("final evaluation: " if final else f"evaluation at step {self.env_steps:,}: ") + str(result))
        for cb in self.callbacks:
            cb.on_eval(self, result, row)
        return result

    def _progress_bar(self, seconds_before: float):
        if not self.progress:
            return None
        if self.progress == "auto":
            from tqdm.auto import tqdm
        else:
            from tqdm import tqdm
        cfg = self.config
        if cfg.minutes:
            self._bar_unit = "time"
            return tqdm(total=round(cfg.minutes * 60), initial=min(round(seconds_before), round(cfg.minutes * 60)),
                        unit="s", desc=f"DQN {cfg.game}", dynamic_ncols=True, mininterval=1.0)
        self._bar_unit = "steps"
        return tqdm(total=cfg.total_steps, initial=self.env_steps, unit="step", unit_scale=True,
                    desc=f"DQN {cfg.game}", dynamic_ncols=True, mininterval=1.0)

    def _advance_bar(self, bar, seconds: float, row: dict) -> None:
        target = round(seconds) if self._bar_unit == "time" else int(row["env_steps"])
        bar.update(max(0, min(target, bar.total) - bar.n))
        score = row["score_mean20"]
        bar.set_postfix(score=f"{score:.1f}" if score == score else "-", eps=f"{row['epsilon']:.2f}",
                        sps=f"{row['steps_per_s']:,.0f}", refresh=False)


def train(config: DQNConfig, out_dir: str | Path, **kwargs: Any) -> TrainResult:
    """Train a DQN as configured; see :class:`Trainer` for the keyword arguments."""
    return Trainer(config, out_dir, **kwargs).run()
