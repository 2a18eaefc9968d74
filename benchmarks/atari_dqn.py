"""Benchmark of the capstone DQN (course_lib.rl) on one machine, against a plain DQN on the same machine.

Parts (``--parts``, comma-separated; results accumulate in one JSON file across invocations,
so the parts can be split over several commands):

    env       environment-only steps/s of ale-py's AtariVectorEnv (random actions, Pong) at each
              ``--widths`` (the training width first), with the training's thread count
    updates   milliseconds per learner update (replay sampling included), eager and as a CUDA
              graph, at batch 32, 256, 512, 1024; also proves the graph captures on this machine
    train     end-to-end training steps/s: a ``--train-seconds`` run of `course train` (Pong);
              the rate is taken over the log rows after learning started
    pong      wall-clock from process start to the first evaluation with mean score >= 18 (20 games,
              fixed seeds), one fresh `course train` process per ``--seeds`` seed, capped at
              ``--pong-minutes`` (default 5) of training; these runs also give end-to-end steps/s
    breakout  the same for Breakout (mean >= 100), capped at ``--breakout-minutes`` (default 10)
    plain     the same DQN written the plain way: one gymnasium environment (preprocessing in
              Python: frame skip, max-pool, resize, 4-frame stack), a NumPy replay buffer, eager PyTorch, batch 32 every 4 steps, target
              every 1,000 steps, Adam 1e-4 (CleanRL-like); steps/s over ``--plain-steps`` steps
              after its replay holds ``--plain-warmup`` transitions
    sweep     settings side by side in one command (``--sweep ratio,threads,forward``):
              ``ratio``    batch x replay ratio (256 x 8, the preset; 128 x 8; 256 x 12; 128 x 16), a
                           ``--sweep-seconds`` `course train` run each: steps/s, updates/s, score;
              ``threads``  environment-only steps/s at 64 environments on 15 and 16 threads, and 60 on 15;
              ``forward``  ms per graphed update with one online forward on both observations or two

``--kernels`` (no GPU needed) counts the operations that launch GPU kernels in one update, on
the CPU (course_lib.rl.hotpath.count_kernels), for the working tree and, with ``--kernels-ref
REF``, for the code of a git commit (e.g. the one before the kernels were trimmed), and writes
``benchmarks/results/atari_dqn_kernels.md`` and ``.json``.

Every invocation rewrites ``benchmarks/results/atari_dqn_<tag>.md`` (and ``.json``) from all
results so far, with the hardware, versions, seeds, settings and ratios, and
``atari_dqn_<tag>_pong.png`` (learning curves of the Pong runs against time since process start).
``--mirror DIR`` copies those files into DIR after every part (``$OUT`` on the lent GPU
machine), so that a command stopped by its time limit still returns what it measured.

**One session, one command.** A drawn issue has 15 minutes of device time in all (start-up,
idle time and every call count; one call runs at most 10 minutes), so a session runs one
prepared command: ``--session`` (see benchmarks/README.md). It runs ``updates`` (the check
that CUDA graphs capture), then one ``pong`` seed, then ``env`` and a short ``plain``, within
``--deadline-minutes`` (default 8): a part that no longer fits is skipped and recorded as
such, and the Pong run's training budget is what is left, at most ``--pong-minutes``. A Pong
run whose budget was cut below ``--pong-minutes`` and that did not reach the target is
recorded as *capped*, not as a miss.

    python benchmarks/atari_dqn.py --session --seeds 1 --mirror "$OUT"  # one GPU session, <= 8 minutes
    python benchmarks/atari_dqn.py --session --parts pong --seeds 2      # the next seed, in another session
    python benchmarks/atari_dqn.py --smoke --session --deadline-minutes 1.5  # the session plan, on a CPU
    python benchmarks/atari_dqn.py --smoke                               # tiny CPU run of every part
    python benchmarks/atari_dqn.py --session --parts sweep --sweep ratio,threads --mirror "$OUT"  # settings, one command
    python benchmarks/atari_dqn.py --kernels --kernels-ref 343a548       # kernels per update, on the CPU

``--smoke`` runs every part in miniature on the CPU (smoke preset, a few seconds each): it
checks the script, and its report is labelled as a CPU smoke run, not a result.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from machine import cpu_model  # benchmarks/machine.py, beside this script

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
sys.path.insert(0, str(ROOT))


# ----------------------------------------------------------------------------- machine
def machine() -> dict:
    import numpy
    import torch

    info = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "cpu_cores": os.cpu_count(),
        "cpu": cpu_model(),
        "memory_gib": _memory_gib(),
        "load_average_1_5_15min": _load(),
    }
    for name in ("ale_py", "gymnasium"):
        try:
            info[name] = __import__(name).__version__
        except ImportError:
            info[name] = "missing"
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        info.update(gpu=props.name, gpu_memory_gib=round(props.total_memory / 2**30, 1), cuda=torch.version.cuda,
                    cudnn=torch.backends.cudnn.version())
    try:
        info["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                        text=True, timeout=10).stdout.strip() or "unknown"
    except Exception:
        info["commit"] = "unknown"
    return info


def _load() -> str:
    """The machine's load averages when the run started: other work on the cores skews every figure."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def device_tag(info: dict, smoke: bool) -> str:
    if smoke:
        return "cpu-smoke"
    gpu = info.get("gpu")
    if not gpu:
        return "cpu"
    words = [w for w in gpu.lower().replace("nvidia", "").split() if w not in ("geforce", "tesla")]
    return "-".join(words[:2]) or "gpu"


# ----------------------------------------------------------------------------- env only
def bench_env(widths: list[int], seconds: float, game: str = "pong", threads_of: dict | None = None) -> list[dict]:
    """Environment-only steps/s at each width; ``threads_of`` (width -> threads) overrides the automatic count."""
    import numpy as np

    from course_lib.rl.config import DQNConfig
    from course_lib.rl.envs import make_vector_env

    rows = []
    for width in widths:
        threads = (threads_of or {}).get(width) or DQNConfig(num_envs=width).resolve_env_threads()
        env = make_vector_env(game, width, threads=threads)
        n_actions = int(env.single_action_space.n)
        rng = np.random.default_rng(0)
        env.reset(seed=0)
        for _ in range(20):
            env.step(rng.integers(0, n_actions, width))
        steps, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            env.step(rng.integers(0, n_actions, width))
            steps += width
        elapsed = time.perf_counter() - started
        env.close()
        rows.append({"width": width, "threads": threads, "steps_per_s": round(steps / elapsed, 1), "seconds": round(elapsed, 1)})
        print(f"env only: {width} environments, {threads} threads: {steps / elapsed:,.0f} steps/s", flush=True)
    return rows


# ----------------------------------------------------------------------------- course train runs
#: extra `--set name=value` settings for every training run (from the command line's --set)
EXTRA_SETTINGS: list[str] = []
#: seconds a `course train` run needs beyond its training budget: process and CUDA start-up, the
#: evaluation that stops it, the summary (an estimate: the reserve a session's deadline keeps)
SOLVE_RESERVE_S = 75.0
#: the order of the parts: the classic one, and a session's (most valuable first, quick checks around it)
ORDER = ["env", "updates", "train", "plain", "pong", "breakout", "sweep"]
SESSION_ORDER = ["updates", "sweep", "pong", "breakout", "env", "plain", "train"]
#: a session's parts unless --parts says otherwise (the Pong run also gives end-to-end steps/s)
SESSION_PARTS = "updates,pong,env,plain"


def course_train(args: list[str], out: Path, timeout: float) -> dict:
    """Run `course train` in a fresh process (same code path as the command); return what it left."""
    if out.exists():
        shutil.rmtree(out)
    extra = [x for item in EXTRA_SETTINGS for x in ("--set", item)]
    cmd = [sys.executable, "-m", "course_lib.rl.cli", "train", "--out", str(out), "--no-progress", "--no-video", *args, *extra]
    print("$ " + " ".join(cmd), flush=True)
    spawned = time.time()
    try:
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        rc, text = done.returncode, done.stdout + done.stderr
    except subprocess.TimeoutExpired as exc:
        out_text = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        rc, text = "timeout", out_text
    wall = time.time() - spawned
    print(text[-2500:], flush=True)
    summary = json.loads((out / "summary.json").read_text()) if (out / "summary.json").is_file() else {}
    return {"rc": rc, "wall_s": round(wall, 1), "summary": summary, "log": _read_csv(out / "log.csv"),
            "evals": _read_csv(out / "evals.csv"), "out": str(out), "tail": text[-1500:]}


def _read_csv(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with path.open(newline="") as f:
        return [{k: _num(v) for k, v in row.items()} for row in csv.DictReader(f)]


def _num(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def learning_rate_of(log: list[dict]) -> dict:
    """Steps/s over the rows logged after learning started (updates > 0), and over the whole run."""
    if len(log) < 2:
        return {}
    learning = [r for r in log if r.get("updates", 0) and r["updates"] > 0]
    out = {"overall_steps_per_s": round(log[-1]["env_steps"] / max(1e-9, log[-1]["wall_s"]), 1)}
    if len(learning) >= 2:
        first, last = learning[0], learning[-1]
        out["learning_steps_per_s"] = round((last["env_steps"] - first["env_steps"]) / max(1e-9, last["wall_s"] - first["wall_s"]), 1)
        out["learning_window_s"] = round(last["wall_s"] - first["wall_s"], 1)
    return out


def bench_train(seconds: float, smoke: bool, seed: int, work: Path) -> dict:
    args = ["--game", "pong", "--seed", str(seed), "--minutes", f"{seconds / 60:.4f}", "--set", "eval_every_steps=1000000000",
            "--set", "eval_min_gap_steps=1000000000", "--set", "eval_episodes=2", "--set", "log_every_seconds=2"]
    args += ["--smoke", "--steps", "100000000"] if smoke else ["--steps", "1000000000"]
    run = course_train(args, work / "train-speed", timeout=seconds + 300)
    result = {"seconds": seconds, "rc": run["rc"], **learning_rate_of(run["log"]),
              "num_envs": run["summary"].get("config", {}).get("num_envs"),
              "graph_errors": run["summary"].get("graph_errors"), "overrides": list(EXTRA_SETTINGS)}
    print(f"end to end: {result}", flush=True)
    return result


def bench_solve(game: str, seeds: list[int], minutes: float, smoke: bool, work: Path, keep_dir: Path | None,
                deadline: float | None = None, full_minutes: float | None = None) -> list[dict]:
    """One fresh `course train` per seed, up to ``minutes`` of training each.

    With a ``deadline`` (time.monotonic()), each run's budget is what is left before it, less
    ``SOLVE_RESERVE_S`` for start-up, the last evaluation and the report, at most ``minutes``;
    a run with less than a minute left is skipped. ``full_minutes`` is the budget the bar is
    about: a run capped below it that did not reach the target is recorded as capped.
    """
    rows = []
    full_minutes = minutes if full_minutes is None else full_minutes
    for seed in seeds:
        if deadline is not None:
            left_min = (deadline - time.monotonic() - SOLVE_RESERVE_S) / 60
            if left_min < 1.0:
                print(f"{game} seed {seed}: skipped, {left_min + SOLVE_RESERVE_S / 60:.1f} min left before the deadline", flush=True)
                rows.append({"game": game, "seed": seed, "skipped": "no time left in this session"})
                continue
            minutes = min(full_minutes, round(left_min, 2))
        args = ["--game", game, "--seed", str(seed), "--minutes", str(minutes), "--stop-at-target"]
        if smoke:
            args += ["--smoke", "--steps", "2400"]
        out = work / f"{game}-seed{seed}"
        timeout = minutes * 60 + 600
        if deadline is not None:
            timeout = max(30.0, min(timeout, deadline - time.monotonic()))
        run = course_train(args, out, timeout=timeout)
        summary = run["summary"]
        solved = summary.get("solved_at")
        evals = [{"process_s": e.get("process_s"), "env_steps": e.get("env_steps"), "mean": e.get("mean")} for e in run["evals"]]
        row = {"game": game, "seed": seed, "rc": run["rc"], "target": summary.get("config", {}).get("target_score"),
               "solved": bool(solved), "seconds_from_process_start": solved.get("process_seconds") if solved else None,
               "env_steps_at_target": solved.get("env_steps") if solved else None,
               "eval_mean_at_target": solved.get("mean") if solved else None,
               "final_eval_mean": (summary.get("final_eval") or {}).get("mean"),
               "parent_wall_s": run["wall_s"], "stop_reason": summary.get("stop_reason"),
               "env_steps": summary.get("env_steps"), "updates": summary.get("updates"),
               "graph_errors": summary.get("graph_errors"), "evals": evals, "overrides": list(EXTRA_SETTINGS),
               "budget_minutes": minutes, "capped": bool(minutes < full_minutes and not solved),
               **learning_rate_of(run["log"])}
        rows.append(row)
        if keep_dir is not None:
            keep = keep_dir / out.name
            keep.mkdir(parents=True, exist_ok=True)
            for name in ("log.csv", "evals.csv", "episodes.csv", "summary.json", "learning_curve.png"):
                if (out / name).is_file():
                    shutil.copy(out / name, keep / name)
        print(f"{game} seed {seed}: " + (f"mean >= {row['target']:g} after {row['seconds_from_process_start']:.0f} s "
                                         f"from process start ({row['env_steps_at_target']:,} steps)" if solved else
                                         f"not solved ({row['stop_reason']})")
              + (f" [budget capped at {minutes:g} of {full_minutes:g} minutes by the session's deadline]" if row["capped"] else ""),
              flush=True)
    return rows


# ----------------------------------------------------------------------------- one update, eager vs graph
def bench_updates(batches: list[int], smoke: bool, repeats: int, overrides: dict | None = None,
                  modes: tuple = (False, True)) -> list[dict]:
    """Milliseconds per Double-DQN update (sampling from the device replay included), eager and as a CUDA graph.

    Also a check that the graphed learner works on this machine: it must capture without
    falling back, and its loss must stay finite. ``overrides`` are DQNConfig settings (the
    ``forward`` sweep), ``modes`` which of eager (False) and graphed (True) to time.
    """
    import numpy as np
    import torch

    from course_lib.rl.config import DQNConfig
    from course_lib.rl.learner import DQNLearner
    from course_lib.rl.networks import NatureDQN
    from course_lib.rl.replay import ReplayBuffer

    device = torch.device("cpu" if smoke else "cuda")
    N, steps = (4, 200) if smoke else (64, 2_000)
    replay = ReplayBuffer(N * (steps + 50), N, n_step=3, device=device)
    gen = torch.Generator(device=device).manual_seed(0)
    replay.start(torch.randint(0, 255, (N, 4, 84, 84), dtype=torch.uint8, device=device, generator=gen))
    rng = np.random.default_rng(0)
    for _ in range(steps):
        done = rng.random(N) < 0.002
        replay.add(torch.randint(0, 6, (N,), device=device, generator=gen).to(torch.uint8), rng.integers(-1, 2, N).astype(np.float32),
                   done, np.zeros(N, bool), done, torch.randint(0, 255, (N, 4, 84, 84), dtype=torch.uint8, device=device, generator=gen),
                   np.zeros(N, bool))
    rows = []
    for batch in batches:
        for graphs in ([False] if smoke else list(modes)):
            settings = dict(overrides or {}, batch_size=batch)
            cfg = DQNConfig.smoke(**settings) if smoke else DQNConfig.gpu(cuda_graphs=graphs, **settings)
            learner = DQNLearner(NatureDQN(6), cfg, device)
            learner.update(replay, 1)  # capture (graphs) or warm up (eager)
            learner.update(replay, 1)
            if device.type == "cuda":
                torch.cuda.synchronize()
            started = time.perf_counter()
            for _ in range(repeats):
                learner.update(replay, 1)
            if device.type == "cuda":
                torch.cuda.synchronize()
            ms = (time.perf_counter() - started) / repeats * 1e3
            stats = learner.read_stats()
            rows.append({"batch": batch, "cuda_graph": bool(learner._graphs), "ms_per_update": round(ms, 3),
                         "loss_finite": stats["loss"] == stats["loss"], "graph_error": learner.graph_error,
                         **({"settings": dict(overrides)} if overrides else {})})
            print(f"update, batch {batch}, {'CUDA graph' if learner._graphs else 'eager'}: {ms:.2f} ms"
                  + (f" (graph capture failed: {learner.graph_error})" if learner.graph_error else ""), flush=True)
    return rows


# ----------------------------------------------------------------------------- settings side by side
#: the sweeps of ``--sweep``: DQNConfig settings compared in one command (the first of each is the preset)
SWEEPS = {
    "ratio": [{"batch_size": 256, "replay_ratio": 8.0}, {"batch_size": 128, "replay_ratio": 8.0},
              {"batch_size": 256, "replay_ratio": 12.0}, {"batch_size": 128, "replay_ratio": 16.0}],
    "threads": [{"num_envs": 64, "env_threads": 16}, {"num_envs": 64, "env_threads": 15}, {"num_envs": 60, "env_threads": 15}],
    "forward": [{"joint_online_forward": True}, {"joint_online_forward": False}],
}


def _label(settings: dict) -> str:
    return " ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in settings.items())


def sweep_train_row(settings: dict, seconds: float, smoke: bool, seed: int, work: Path) -> dict:
    """One `course train` run of ``seconds`` with ``settings``: speed while learning, updates per second, scores."""
    args = ["--game", "pong", "--seed", str(seed), "--minutes", f"{seconds / 60:.4f}", "--set", "eval_every_steps=1000000000",
            "--set", "eval_min_gap_steps=1000000000", "--set", "eval_episodes=2", "--set", "eval_max_episode_frames=2000",
            "--set", "log_every_seconds=2"]
    args += [x for k, v in settings.items() for x in ("--set", f"{k}={v}")]
    args += ["--smoke", "--steps", "100000000"] if smoke else ["--steps", "1000000000"]
    run = course_train(args, work / ("sweep-" + "-".join(f"{k}{v}" for k, v in settings.items())), timeout=seconds + 300)
    log = run["log"]
    learning = [r for r in log if r.get("updates")]
    updates_per_s = None
    if len(learning) >= 2:
        updates_per_s = round((learning[-1]["updates"] - learning[0]["updates"])
                              / max(1e-9, learning[-1]["wall_s"] - learning[0]["wall_s"]), 1)
    last = log[-1] if log else {}
    row = {"settings": settings, "seconds": seconds, "rc": run["rc"], **learning_rate_of(log), "updates_per_s": updates_per_s,
           "env_steps": last.get("env_steps"), "updates": last.get("updates"), "score_mean20": last.get("score_mean20"),
           "graph_errors": run["summary"].get("graph_errors")}
    print(f"sweep {_label(settings)}: {row}", flush=True)
    return row


def bench_sweep(names: list[str], smoke: bool, seconds: float, env_seconds: float, seed: int, work: Path, fits) -> dict:
    """Every sweep in ``names``; ``fits(part, seconds)`` says whether the next run still fits the session."""
    out = {}
    for name in names:
        rows = []
        for settings in SWEEPS[name]:
            if name == "ratio":
                if not fits(f"sweep ratio {_label(settings)}", seconds + 60):
                    break
                rows.append(sweep_train_row(settings, seconds, smoke, seed, work))
            elif name == "threads":
                if not fits(f"sweep threads {_label(settings)}", env_seconds + 10):
                    break
                width = 4 if smoke else settings["num_envs"]
                threads = 2 if smoke else settings["env_threads"]
                rows += [dict(r, settings=settings) for r in bench_env([width], env_seconds, threads_of={width: threads})]
            elif name == "forward":
                if not fits(f"sweep forward {_label(settings)}", 40):
                    break
                rows += bench_updates([16] if smoke else [256], smoke, 5 if smoke else 200, overrides=settings, modes=(True,))
        out[name] = rows
    return out


def count_kernels_here(batch: int = 8) -> dict:
    """Kernel-launching operations per update in this working tree (course_lib.rl.hotpath.count_kernels)."""
    from course_lib.rl.config import DQNConfig
    from course_lib.rl.hotpath import count_kernels
    from course_lib.rl.networks import NatureDQN

    rows = {}
    for label, settings in (("preset", {}), ("joint_online_forward=false", {"joint_online_forward": False})):
        counts = count_kernels(NatureDQN(6), DQNConfig.gpu(**settings), n_actions=6, batch_size=batch)
        rows[label] = counts
        print(f"kernels ({label}): sampling {counts['sampling']}, update {counts['update']}, acting {counts['acting']}", flush=True)
    return rows


#: run in a subprocess on the code of an older commit (``--kernels-ref``): the learner of that code with the
#: optimiser and clipping its GPU run used (foreach capturable Adam before issue 24), counted the same way
_COUNT_AT_REF = r"""
import json, sys
import numpy as np, torch
from collections import Counter
from torch.utils._python_dispatch import TorchDispatchMode
import torch.optim.adam as adam, torch.optim.optimizer as optimizer, torch.utils._foreach_utils as fe
for module, name in [(adam, "_get_capturable_supported_devices"), (optimizer, "_get_fused_kernels_supported_devices"),
                     (optimizer, "_get_foreach_kernels_supported_devices"), (fe, "_get_foreach_kernels_supported_devices")]:
    original = getattr(module, name)
    setattr(module, name, (lambda o: lambda *a, **k: list(o(*a, **k)) + ["cpu"])(original))
from course_lib.rl.config import DQNConfig
from course_lib.rl.learner import DQNLearner
from course_lib.rl.networks import NatureDQN
from course_lib.rl.replay import ReplayBuffer, min_steps_per_env
from course_lib.rl.acting import Actor
NO_KERNEL = set(json.loads(sys.argv[1]))
class Count(TorchDispatchMode):
    def __init__(self):
        super().__init__(); self.ops = Counter()
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = func.overloadpacket.__name__
        if not (func.is_view or name in NO_KERNEL):
            self.ops[name] += 1
        return func(*args, **(kwargs or {}))
batch = int(sys.argv[2])
cfg = DQNConfig.gpu(batch_size=batch, device="cpu", cuda_graphs=False)
learner = DQNLearner(NatureDQN(6), cfg, torch.device("cpu"))
learner.optimizer = torch.optim.Adam(learner.online.parameters(), lr=cfg.lr, eps=cfg.adam_eps, capturable=True, foreach=True)
learner._clip_foreach = True
N, S = 2, cfg.frame_stack
steps = min_steps_per_env(S, cfg.n_step) + 4
replay = ReplayBuffer(N * (steps + 2), N, n_step=cfg.n_step)
gen = torch.Generator().manual_seed(0)
frames = torch.randint(0, 256, (N, S, 84, 84), dtype=torch.uint8, generator=gen)
replay.start(frames)
rng = np.random.default_rng(0)
for _ in range(steps):
    ends = rng.random(N) < 0.2
    replay.add(torch.randint(0, 6, (N,), generator=gen).to(torch.uint8), rng.integers(-1, 2, N).astype(np.float32), ends,
               np.zeros(N, bool), ends, frames, np.zeros(N, bool))
learner._k_updates(replay, 1)
actor = Actor(learner.online, N, 6, (S, 84, 84), torch.device("cpu"), use_graph=False)
actor.epsilon.fill_(0.1)
out = {}
for part, job in (("sampling", lambda: replay.sample(batch)), ("update", lambda: learner._k_updates(replay, 1)),
                  ("acting", actor._compute)):
    counter = Count()
    with counter:
        job()
    out[part] = sum(counter.ops.values())
    out[part + "_ops"] = dict(sorted(counter.ops.items()))
print("COUNTS " + json.dumps(out))
"""


def count_kernels_at(ref: str, batch: int = 8) -> dict:
    """The same count on the code of git commit ``ref`` (its course_lib extracted to a temporary folder)."""
    import tempfile

    from course_lib.rl.hotpath import NO_KERNEL

    with tempfile.TemporaryDirectory(prefix="kernels-at-") as tmp:
        archive = subprocess.run(["git", "archive", ref, "course_lib"], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        env = dict(os.environ, PYTHONPATH=tmp)
        done = subprocess.run([sys.executable, "-c", _COUNT_AT_REF, json.dumps(sorted(NO_KERNEL)), str(batch)], cwd=tmp, env=env,
                              capture_output=True, text=True, timeout=900)
    line = next((l for l in done.stdout.splitlines() if l.startswith("COUNTS ")), None)
    if line is None:
        raise RuntimeError(f"counting at {ref} failed: {done.stderr[-2000:]}")
    counts = json.loads(line[len("COUNTS "):])
    print(f"kernels at {ref}: sampling {counts['sampling']}, update {counts['update']}, acting {counts['acting']}", flush=True)
    return counts


def kernels_report(results: dict) -> str:
    m = results["machine"]
    lines = ["# Kernels per DQN update, counted on the CPU", "",
             "Operations one update dispatches that launch GPU kernels (aten operations that are not views or "
             "allocations; a cuDNN convolution or its backward launches a few kernels, a foreach or fused optimiser "
             "operation one per group of tensors), counted by `course_lib.rl.hotpath.count_kernels` with Adam and "
             "gradient clipping on their GPU code paths. The count does not depend on the batch size. "
             "Sampling is part of the update. No GPU was used.", "",
             "| code | settings | sampling | update (sampling included) | acting |", "|---|---|---|---|---|"]
    for key, counts in results.get("counts", {}).items():
        code, _, settings = key.partition(" | ")
        lines.append(f"| {code} | {settings} | {counts['sampling']} | {counts['update']} | {counts['acting']} |")
    lines += ["", "## The operations of one update", ""]
    for key, counts in results.get("counts", {}).items():
        ops = ", ".join(f"{name} {n}" for name, n in counts["update_ops"].items())
        lines += [f"* **{key}**: {ops}"]
    lines += ["", "## Machine", "", "| | |", "|---|---|"]
    for key in ("date", "cpu", "cpu_cores", "load_average_1_5_15min", "python", "torch", "numpy", "commit"):
        if key in m:
            lines.append(f"| {key} | {m[key]} |")
    lines += ["", "Reproduce: `python benchmarks/atari_dqn.py " + " ".join(results.get("argv", [])) + "`", ""]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- the plain DQN
class PlainAtari:
    """One gymnasium ALE environment with the usual DQN preprocessing done in Python, frame by frame.

    Repeat the action for 4 frames, max over the last two, resize the grayscale screen to 84x84
    (Pillow), stack the last 4 frames, up to 30 no-ops after a reset: what the wrappers of
    CleanRL-style scripts do (without OpenCV, which this course does not install).
    """

    def __init__(self, env_id: str, seed: int):
        import ale_py
        import gymnasium as gym
        import numpy as np

        gym.register_envs(ale_py)
        ale_py.ALEInterface.setLoggerMode(ale_py.LoggerMode.Error)
        self.np = np
        self.env = gym.make(env_id, frameskip=1, repeat_action_probability=0.0, obs_type="grayscale")
        self.n_actions = int(self.env.action_space.n)
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        self.frames = np.zeros((4, 84, 84), dtype=np.uint8)

    def _small(self, screen):
        from PIL import Image

        return self.np.asarray(Image.fromarray(screen).resize((84, 84), Image.BILINEAR))

    def reset(self, seed=None):
        screen, info = self.env.reset(seed=seed)
        for _ in range(int(self.rng.integers(1, 31))):
            screen, _, terminated, truncated, info = self.env.step(0)
            if terminated or truncated:
                screen, info = self.env.reset()
        self.frames[:] = 0
        self.frames[-1] = self._small(screen)
        return self.frames.copy(), info

    def step(self, action):
        total, last_two = 0.0, []
        terminated = truncated = False
        info = {}
        for k in range(4):
            screen, reward, terminated, truncated, info = self.env.step(action)
            total += reward
            if k >= 2:
                last_two.append(screen)
            if terminated or truncated:
                break
        screen = self.np.maximum(last_two[0], last_two[1]) if len(last_two) == 2 else screen
        self.frames[:-1] = self.frames[1:]
        self.frames[-1] = self._small(screen)
        return self.frames.copy(), total, terminated, truncated, info

    def close(self):
        self.env.close()


def bench_plain(device_name: str, warmup: int, steps: int, seed: int = 1, max_seconds: float | None = None) -> dict:
    """A CleanRL-like single-environment DQN: its environment steps per second, learning included.

    ``max_seconds`` stops the timed steps early (a session's deadline); the rate is over the steps done.
    """
    import numpy as np
    import torch
    import torch.nn.functional as F

    from course_lib.rl.networks import NatureDQN

    device = torch.device(device_name)
    env = PlainAtari("ALE/Pong-v5", seed)
    n_actions = env.n_actions
    q_net, target = NatureDQN(n_actions).to(device), NatureDQN(n_actions).to(device)
    target.load_state_dict(q_net.state_dict())
    optimizer = torch.optim.Adam(q_net.parameters(), lr=1e-4)
    capacity = warmup + steps + 10
    obs_buf = np.zeros((capacity, 4, 84, 84), dtype=np.uint8)
    next_buf = np.zeros((capacity, 4, 84, 84), dtype=np.uint8)
    act_buf = np.zeros(capacity, dtype=np.int64)
    rew_buf = np.zeros(capacity, dtype=np.float32)
    done_buf = np.zeros(capacity, dtype=np.float32)
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    obs, _ = env.reset(seed=seed)
    started, updates, timed = None, 0, 0
    begun = time.perf_counter()
    for step in range(warmup + steps):
        if max_seconds is not None and time.perf_counter() - begun > max_seconds and step > warmup:
            break
        if step >= warmup:
            timed += 1
        if step == warmup:
            if device.type == "cuda":
                torch.cuda.synchronize()
            started = time.perf_counter()
        epsilon = max(0.01, 1.0 - step / 100_000)
        if rng.random() < epsilon:
            action = int(rng.integers(n_actions))
        else:
            with torch.no_grad():
                action = int(q_net(torch.as_tensor(np.asarray(obs)[None], device=device)).argmax(1).item())
        next_obs, reward, terminated, truncated, _ = env.step(action)
        i = step % capacity
        obs_buf[i], next_buf[i], act_buf[i] = obs, next_obs, action
        rew_buf[i], done_buf[i] = np.sign(reward), float(terminated)
        obs = next_obs
        if terminated or truncated:
            obs, _ = env.reset()
        if step >= min(warmup, 1_000) and step % 4 == 0:
            idx = rng.integers(0, step + 1, 32)
            b_obs = torch.as_tensor(obs_buf[idx], device=device)
            b_next = torch.as_tensor(next_buf[idx], device=device)
            b_act = torch.as_tensor(act_buf[idx], device=device)
            b_rew = torch.as_tensor(rew_buf[idx], device=device)
            b_done = torch.as_tensor(done_buf[idx], device=device)
            with torch.no_grad():
                y = b_rew + 0.99 * target(b_next).max(1).values * (1 - b_done)
            q = q_net(b_obs).gather(1, b_act[:, None]).squeeze(1)
            loss = F.mse_loss(q, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            updates += 1
        if step % 1_000 == 0:
            target.load_state_dict(q_net.state_dict())
    if device.type == "cuda":
        torch.cuda.synchronize()
    elapsed = time.perf_counter() - started if started is not None else float("nan")
    env.close()
    result = {"device": str(device), "warmup_steps": warmup, "timed_steps": timed, "seconds": round(elapsed, 1),
              "steps_per_s": round(timed / elapsed, 1) if timed else None, "updates": updates}
    print(f"plain DQN: {result}", flush=True)
    return result


# ----------------------------------------------------------------------------- report
def pong_png(results: dict, path: Path, target: float, minutes: float) -> None:
    from matplotlib.figure import Figure

    runs = [r for r in results.get("pong", []) if not r.get("skipped")]
    if not runs:
        return
    fig = Figure(figsize=(8, 3.6))
    ax = fig.subplots()
    folder = RESULTS / f"atari_dqn_{results['tag']}-runs"
    for row in runs:
        log = _read_csv(folder / f"pong-seed{row['seed']}" / "log.csv")
        # training time -> time since process start: shift by the first evaluation's offset, else by ~startup
        offset = 0.0
        if row["evals"]:
            e0 = _read_csv(folder / f"pong-seed{row['seed']}" / "evals.csv")
            if e0:
                offset = e0[0]["process_s"] - e0[0]["wall_s"]
        xs = [(r["wall_s"] + offset) / 60 for r in log if r.get("score_mean20") == r.get("score_mean20")]
        ys = [r["score_mean20"] for r in log if r.get("score_mean20") == r.get("score_mean20")]
        line, = ax.plot(xs, ys, lw=1.2, label=f"seed {row['seed']}: training (mean of last 20)")
        ex = [e["process_s"] / 60 for e in row["evals"] if e.get("process_s") is not None]
        ey = [e["mean"] for e in row["evals"] if e.get("process_s") is not None]
        ax.plot(ex, ey, "o", color=line.get_color(), ms=5, label=f"seed {row['seed']}: evaluation (fixed seeds)")
    ax.axhline(target, color="gray", ls="--", lw=1)
    ax.axvline(minutes, color="gray", ls=":", lw=1)
    ax.set_xlabel("minutes since process start")
    ax.set_ylabel("Pong score")
    smoke_note = " - CPU SMOKE RUN, not a result" if results.get("tag") == "cpu-smoke" else ""
    ax.set_title(f"Pong: time to a mean evaluation score >= {target:g} ({results.get('tag')}{smoke_note})", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def report(results: dict, smoke: bool) -> str:
    m = results["machine"]
    lines = []
    if smoke:
        lines += ["# Atari DQN benchmark: CPU SMOKE RUN (not a result)", "",
                  "> This file comes from `python benchmarks/atari_dqn.py --smoke` on a CPU-only machine. Every part ran",
                  "> in miniature (smoke preset: 4 environments, a few thousand steps, games cut after 100 decisions), only",
                  "> to check that the benchmark works end to end. Nothing here measures the GPU agent; no game is learned.", ""]
    else:
        lines += [f"# Atari DQN benchmark: {m.get('gpu', 'CPU')} + {m['cpu_cores']} CPU cores", ""]
    lines += ["## Machine and versions", "", "| | |", "|---|---|"]
    for key in ("date", "gpu", "gpu_memory_gib", "cuda", "cudnn", "cpu", "cpu_cores", "memory_gib", "load_average_1_5_15min", "python", "torch",
                "numpy", "ale_py", "gymnasium", "commit"):
        if key in m:
            lines.append(f"| {key} | {m[key]} |")
    lines.append("")
    env = results.get("env", [])
    if env:
        lines += ["## (a) Environment only: `AtariVectorEnv`, Pong, random actions", "",
                  "| environments | threads | steps/s |", "|---|---|---|"]
        lines += [f"| {r['width']} | {r['threads']} | {r['steps_per_s']:,.0f} |" for r in env]
        lines.append("")
    updates = results.get("updates", [])
    if updates:
        lines += ["## One Double-DQN update (replay sampling included), milliseconds", "",
                  "| batch | CUDA graph | ms per update | loss finite | graph error |", "|---|---|---|---|---|"]
        lines += [f"| {u['batch']} | {'yes' if u['cuda_graph'] else 'no'} | {u['ms_per_update']:.2f} | {u['loss_finite']} | "
                  f"{u['graph_error'] or ''} |" for u in updates]
        lines.append("")
    train, runs, plain = results.get("train"), results.get("pong", []), results.get("plain")
    if train or runs:
        lines += ["## (b) End to end: training steps/s (acting + replay + learning, learning phase)", ""]
        if train:
            lines.append(f"* dedicated {train['seconds']:.0f} s run ({train.get('num_envs')} environments): "
                         f"**{train.get('learning_steps_per_s', float('nan')):,.0f} steps/s** while learning "
                         f"({train.get('overall_steps_per_s', float('nan')):,.0f} over the whole run incl. start-up)")
        for r in runs:
            if r.get("learning_steps_per_s"):
                lines.append(f"* Pong seed {r['seed']}: {r['learning_steps_per_s']:,.0f} steps/s while learning")
        lines.append("")
    skipped = [r for r in runs if r.get("skipped")]
    runs = [r for r in runs if not r.get("skipped")]
    if runs:
        target = runs[0].get("target") or 18
        lines += [f"## (c) Pong: wall-clock from process start to the first evaluation with mean >= {target:g}", "",
                  "20 games per evaluation, fixed seeds 10000-10019, epsilon 0.01, no sticky actions, full games.", "",
                  "| seed | reached target | seconds from process start | env steps | eval mean then | stop reason | --set |",
                  "|---|---|---|---|---|---|---|"]
        for r in runs:
            secs = f"{r['seconds_from_process_start']:.0f}" if r["solved"] else "-"
            steps = f"{r['env_steps_at_target']:,}" if r["solved"] else "-"
            mean = f"{r['eval_mean_at_target']:.2f}" if r["solved"] else "-"
            reached = "yes" if r["solved"] else (f"no, capped at {r['budget_minutes']:g} min" if r.get("capped") else "no")
            lines.append(f"| {r['seed']} | {reached} | {secs} | {steps} | {mean} | {r['stop_reason']} | "
                         f"{' '.join(r.get('overrides') or []) or '-'} |")
        solved_5 = sum(1 for r in runs if r["solved"] and r["seconds_from_process_start"] <= 300)
        capped = sum(1 for r in runs if r.get("capped"))
        lines += ["", f"Within 5 minutes of process start: **{solved_5} of {len(runs)} seeds**"
                  + (f" ({capped} of them capped below 5 minutes of training by a session's deadline: inconclusive)" if capped else "")
                  + ".", ""]
        lines.append(f"![Pong learning curves](atari_dqn_{results['tag']}_pong.png)")
        lines.append("")
    if skipped:
        lines += [f"Pong seeds skipped for lack of session time: {', '.join(str(r['seed']) for r in skipped)}.", ""]
    for r in results.get("breakout", []):
        if r.get("skipped"):
            lines += ["## Breakout", "", f"* seed {r['seed']}: skipped ({r['skipped']})", ""]
            continue
        lines += ["## Breakout", "",
                  f"* seed {r['seed']}: " + (f"mean >= {r['target']:g} after {r['seconds_from_process_start']:.0f} s from process start "
                                             f"({r['env_steps_at_target']:,} steps)" if r["solved"] else f"not reached ({r['stop_reason']})"), ""]
    if plain and plain.get("steps_per_s"):
        lines += ["## (d) The plain DQN on the same machine", "",
                  "One gymnasium environment (frame skip 4, max-pool, 84x84 resize with Pillow, 4-frame stack, in Python), NumPy replay, eager PyTorch, batch 32 every "
                  "4 steps, target every 1,000 steps (CleanRL-like).", "",
                  f"* {plain['steps_per_s']:,.0f} steps/s over {plain['timed_steps']:,} steps after {plain['warmup_steps']:,} "
                  f"warm-up steps, device {plain['device']}", ""]
    ratios = []
    e2e = None
    if train and train.get("learning_steps_per_s"):
        e2e = train["learning_steps_per_s"]
    elif runs and runs[0].get("learning_steps_per_s"):
        e2e = runs[0]["learning_steps_per_s"]
    skipped_parts = results.get("skipped_parts") or {}
    width = (train or {}).get("num_envs") or 64
    env_same = next((r["steps_per_s"] for r in env if r["width"] == width), None)
    if e2e and env_same:
        ratios.append(f"* end to end / environment only at {width} environments: **{e2e / env_same:.0%}** (bar: >= 50%)")
    if e2e and plain and plain.get("steps_per_s"):
        ratios.append(f"* end to end / plain DQN: **{e2e / plain['steps_per_s']:.1f}x** (bar: >= 15x)")
    if e2e:
        ratios.append(f"* end to end: **{e2e:,.0f} steps/s** (bar: >= 10,000)")
    if ratios:
        lines += ["## Ratios", ""]
        if smoke:
            lines += ["Not meaningful in a smoke run: the smoke preset learns from 16 transitions every 16 steps, the plain",
                      "DQN from 32 every 4, and neither has a GPU. Shown only to check the report.", ""]
        lines += [*ratios, ""]
    sweep = results.get("sweep") or {}
    if sweep.get("ratio"):
        lines += ["## Sweep: batch size x replay ratio (`--sweep ratio`)", "",
                  "One `course train` run per row (Pong, seed as above), the same training time each.", "",
                  "| settings | seconds | steps/s while learning | updates/s | env steps | updates | mean of last 20 scores | graph errors |",
                  "|---|---|---|---|---|---|---|---|"]
        for r in sweep["ratio"]:
            def number(value, digits=0):
                return f"{value:,.{digits}f}" if isinstance(value, (int, float)) and value == value else "-"

            lines.append(f"| {_label(r['settings'])} | {r['seconds']:.0f} | {number(r.get('learning_steps_per_s'))} | "
                         f"{number(r.get('updates_per_s'), 1)} | {number(r.get('env_steps'))} | {number(r.get('updates'))} | "
                         f"{number(r.get('score_mean20'), 2)} | {'; '.join(r.get('graph_errors') or []) or '-'} |")
        lines.append("")
    if sweep.get("threads"):
        lines += ["## Sweep: environment threads (`--sweep threads`)", "", "| environments | threads | steps/s |", "|---|---|---|"]
        lines += [f"| {r['width']} | {r['threads']} | {r['steps_per_s']:,.0f} |" for r in sweep["threads"]]
        lines.append("")
    if sweep.get("forward"):
        lines += ["## Sweep: one online forward on both observations, or two (`--sweep forward`)", "",
                  "| settings | batch | CUDA graph | ms per update | graph error |", "|---|---|---|---|---|"]
        lines += [f"| {_label(r.get('settings') or {})} | {r['batch']} | {'yes' if r['cuda_graph'] else 'no'} | "
                  f"{r['ms_per_update']:.3f} | {r['graph_error'] or ''} |" for r in sweep["forward"]]
        lines.append("")
    if skipped_parts:
        lines += ["## Parts skipped by the last session's deadline", ""]
        lines += [f"* {part}: {why}" for part, why in sorted(skipped_parts.items())]
        lines.append("")
    lines += ["## Settings", "", "```", json.dumps(results.get("settings", {}), indent=1, sort_keys=True), "```", "",
              "Reproduce: `python benchmarks/atari_dqn.py " + " ".join(results.get("argv", [])) + "`", ""]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    began = time.monotonic()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", default=None,
                        help="comma-separated: env, updates, train, plain, pong, breakout "
                             f"(default: env,updates,train,plain,pong; with --session: {SESSION_PARTS})")
    parser.add_argument("--smoke", action="store_true", help="every part in miniature on the CPU (checks the script)")
    parser.add_argument("--session", action="store_true",
                        help="one lent-GPU session: the parts in the session order, short env/plain parts, one seed, "
                             "within --deadline-minutes (see benchmarks/README.md)")
    parser.add_argument("--deadline-minutes", type=float, default=None,
                        help="wall-clock budget of this whole command (default: none; 8 with --session): parts that no "
                             "longer fit are skipped, and a Pong/Breakout run's training budget is what is left")
    parser.add_argument("--results", default=None, help="folder for the result files (default: benchmarks/results)")
    parser.add_argument("--mirror", default=None, help="copy the result files into this folder after every part (e.g. $OUT)")
    parser.add_argument("--seeds", type=int, nargs="+", default=None, help="Pong seeds (default: 1 2 3; with --session: 1)")
    parser.add_argument("--widths", type=int, nargs="+", default=None, help="env-only widths (default: 64 32 128; smoke: 4 8)")
    parser.add_argument("--env-seconds", type=float, default=None)
    parser.add_argument("--train-seconds", type=float, default=None)
    parser.add_argument("--pong-minutes", type=float, default=5.0)
    parser.add_argument("--breakout-minutes", type=float, default=10.0)
    parser.add_argument("--plain-warmup", type=int, default=None)
    parser.add_argument("--plain-steps", type=int, default=None)
    parser.add_argument("--work", default=None, help="scratch folder for the training runs (default: a temporary folder)")
    parser.add_argument("--fresh", action="store_true", help="forget earlier results of this machine's JSON file")
    parser.add_argument("--sweep", default=None, help=f"with the part 'sweep': which sweeps, comma-separated, of "
                                                      f"{', '.join(SWEEPS)} (default: all)")
    parser.add_argument("--sweep-seconds", type=float, default=None, help="training time of each --sweep ratio run "
                                                                          "(default 60; smoke: 15)")
    parser.add_argument("--kernels", action="store_true", help="count the kernels of one update on the CPU and write "
                                                               "results/atari_dqn_kernels.md (no other part runs)")
    parser.add_argument("--kernels-ref", action="append", default=[], metavar="REF",
                        help="with --kernels: also count the code of this git commit (repeatable)")
    parser.add_argument("--set", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="a DQNConfig setting for every training run (train, pong, breakout), e.g. --set lr=5e-4")
    args = parser.parse_args(argv)
    EXTRA_SETTINGS[:] = args.settings
    global RESULTS
    if args.results:
        RESULTS = Path(args.results).resolve()
    session = args.session
    seeds = args.seeds or ([1] if session else [1, 2, 3])
    deadline_minutes = args.deadline_minutes if args.deadline_minutes is not None else (8.0 if session else None)
    deadline = began + deadline_minutes * 60 if deadline_minutes else None

    import tempfile

    import torch

    from course_lib.rl.config import DQNConfig

    if args.kernels:
        RESULTS.mkdir(parents=True, exist_ok=True)
        counts = {f"working tree ({machine()['commit']} + changes) | {label}": c for label, c in count_kernels_here().items()}
        for ref in args.kernels_ref:
            counts[f"commit {ref} | the GPU run's settings then (foreach capturable Adam)"] = count_kernels_at(ref)
        results = {"machine": machine(), "argv": sys.argv[1:] if argv is None else argv, "counts": counts}
        (RESULTS / "atari_dqn_kernels.json").write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
        (RESULTS / "atari_dqn_kernels.md").write_text(kernels_report(results))
        print(f"wrote {RESULTS / 'atari_dqn_kernels.md'}", flush=True)
        return 0

    smoke = args.smoke or not torch.cuda.is_available()
    if smoke and not args.smoke:
        print("No CUDA GPU: running the CPU smoke version of the benchmark.", flush=True)
    info = machine()
    tag = device_tag(info, smoke)
    RESULTS.mkdir(parents=True, exist_ok=True)
    json_path = RESULTS / f"atari_dqn_{tag}.json"
    results = {} if args.fresh or not json_path.is_file() else json.loads(json_path.read_text())
    results.update(machine=info, tag=tag, argv=sys.argv[1:] if argv is None else argv)
    results["skipped_parts"] = {}
    preset = DQNConfig.smoke() if smoke else DQNConfig.gpu()
    if args.settings:
        preset = preset.with_overrides(args.settings)
    results["settings"] = {"preset": preset.to_dict(), "pong_minutes": args.pong_minutes, "seeds": seeds,
                           "overrides": args.settings, "session": session, "deadline_minutes": deadline_minutes}
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="atari-dqn-bench-"))
    wanted = args.parts or (SESSION_PARTS if session else "env,updates,train,plain,pong")
    parts = [p.strip() for p in wanted.split(",") if p.strip()]
    unknown = sorted(set(parts) - set(ORDER))
    sweeps = [x.strip() for x in (args.sweep or ",".join(SWEEPS)).split(",") if x.strip()]
    if sorted(set(sweeps) - set(SWEEPS)):
        parser.error(f"unknown sweep(s): {', '.join(sorted(set(sweeps) - set(SWEEPS)))}")
    if unknown:
        parser.error(f"unknown part(s): {', '.join(unknown)}")
    png = RESULTS / f"atari_dqn_{tag}_pong.png"
    runs_dir = RESULTS / f"atari_dqn_{tag}-runs"

    def save() -> None:
        json_path.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
        pong_png(results, png, 18.0, args.pong_minutes)
        (RESULTS / f"atari_dqn_{tag}.md").write_text(report(results, smoke))
        if args.mirror:
            mirror = Path(args.mirror)
            mirror.mkdir(parents=True, exist_ok=True)
            for path in (json_path, png, RESULTS / f"atari_dqn_{tag}.md"):
                if path.is_file():
                    shutil.copy(path, mirror / path.name)
            if runs_dir.is_dir():
                shutil.copytree(runs_dir, mirror / runs_dir.name, dirs_exist_ok=True)

    def left() -> float:
        return math.inf if deadline is None else deadline - time.monotonic()

    def fits(part: str, seconds: float) -> bool:
        """Whether a part estimated at ``seconds`` fits before the deadline; if not, say so and record it."""
        if left() >= seconds:
            return True
        why = f"needed about {seconds:.0f} s, {max(0.0, left()):.0f} s were left before the {deadline_minutes:g}-minute deadline"
        print(f"{part}: skipped ({why})", flush=True)
        results["skipped_parts"][part] = why
        save()
        return False

    widths = args.widths or ([4, 8] if smoke else [preset.num_envs, 32, 128])
    env_seconds = args.env_seconds or (3.0 if smoke else (8.0 if session else 15.0))
    train_seconds = args.train_seconds or (20.0 if smoke else 90.0)
    warmup = args.plain_warmup or (300 if smoke else (2_000 if session else 5_000))
    steps = args.plain_steps or (600 if smoke else (5_000 if session else 20_000))
    for part in (SESSION_ORDER if session else ORDER):
        if part not in parts:
            continue
        if part == "env" and fits(part, len(widths) * (env_seconds + 5)):
            results["env"] = bench_env(widths, env_seconds)
        elif part == "updates" and fits(part, 20 if smoke else 60):
            results["updates"] = bench_updates([16, 32] if smoke else [32, 256, 512, 1024], smoke, 5 if smoke else 200)
        elif part == "train" and fits(part, train_seconds + 60):
            results["train"] = bench_train(train_seconds, smoke, seeds[0], work)
        elif part == "sweep":
            sweep_seconds = args.sweep_seconds or (15.0 if smoke else 60.0)
            found = bench_sweep(sweeps, smoke, sweep_seconds, env_seconds, seeds[0], work, fits)
            results.setdefault("sweep", {}).update({k: v for k, v in found.items() if v})
        elif part == "plain" and fits(part, 30):
            results["plain"] = bench_plain("cuda" if not smoke else "cpu", warmup, steps,
                                           max_seconds=None if deadline is None else max(10.0, left() - 15))
        elif part in ("pong", "breakout"):
            minutes = args.pong_minutes if part == "pong" else args.breakout_minutes
            game_seeds = seeds if part == "pong" else seeds[:1]
            done = {r["seed"]: r for r in results.get(part, [])}
            for row in bench_solve(part, game_seeds, minutes, smoke, work, runs_dir, deadline=deadline, full_minutes=minutes):
                if not row.get("skipped") or row["seed"] not in done:  # a skipped run never hides an earlier measurement
                    done[row["seed"]] = row
            results[part] = [done[s] for s in sorted(done)]
        else:
            continue
        save()
    save()
    print(f"wrote {RESULTS / f'atari_dqn_{tag}.md'} in {time.monotonic() - began:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
