"""``course train``: train the capstone DQN from the command line (same code as notebook 14).

    course train --game pong --minutes 5 --out runs/pong       # on a GPU machine
    course train --smoke --steps 2000 --out runs/smoke         # a short CPU run of the whole pipeline
    course train --out runs/pong --resume                      # continue a stopped run

Without a CUDA GPU (and without ``--device cpu``) it runs the short CPU smoke preset and
says so. Any setting of :class:`~course_lib.rl.config.DQNConfig` can be changed with
``--set name=value`` (repeatable), e.g. ``--set num_envs=32 --set lr=1e-4``.

``course_lib/cli.py`` adds it to ``course``; ``python -m course_lib.rl.cli train ...`` runs the
same parser and handler without the other sub-commands.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``train`` sub-command to an argparse ``subparsers`` object."""
    p = subparsers.add_parser(
        "train",
        help="train the capstone DQN on an Atari game (GPU; a short smoke run on a CPU)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--game", help="Atari game, ROM name in snake_case (default: pong)")
    p.add_argument("--minutes", type=float, help="training time budget in minutes (in all, across resumes)")
    p.add_argument("--steps", type=int, help="training budget in environment steps, in all (whichever budget ends first)")
    p.add_argument("--seed", type=int, help="random seed (default 1)")
    p.add_argument("--out", help="folder for logs, checkpoints, evaluation, plot and video (default: runs/GAME-seedN in the course folder)")
    p.add_argument("--resume", action="store_true", help="continue the run in --out from its last checkpoint")
    p.add_argument("--device", help="auto (default), cuda, cuda:N or cpu")
    p.add_argument("--smoke", action="store_true", help="the short CPU smoke preset (a minute; does not learn)")
    p.add_argument("--stop-at-target", action="store_true", help="stop as soon as an evaluation reaches the game's target score")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                   help="change any DQNConfig setting, e.g. --set lr=1e-4 (repeatable)")
    p.add_argument("--no-video", action="store_true", help="skip the GIF at the end")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (logs only)")
    p.add_argument("--print-config", action="store_true", help="print the resolved settings and exit")
    p.set_defaults(func=run_train)
    return p


def build_config(args: argparse.Namespace):
    """The run's DQNConfig from the preset (or the saved config on --resume) and the options."""
    import torch

    from .config import DQNConfig

    notes = []
    out = Path(args.out) if args.out else None
    saved = out / "config.json" if out else None
    if args.resume and saved is not None and saved.is_file():
        config = DQNConfig.from_dict(json.loads(saved.read_text()))
        if args.game and args.game != config.game:
            raise ValueError(f"--game {args.game} does not match the run in {out}, which plays {config.game}")
        if args.seed is not None and args.seed != config.seed:
            raise ValueError(f"--seed {args.seed} does not match the run in {out} (seed {config.seed})")
    else:
        game = args.game or "pong"
        device = args.device or "auto"
        if args.smoke:
            config = DQNConfig.smoke(game)
        elif device == "auto" and not torch.cuda.is_available():
            config = DQNConfig.smoke(game)
            notes.append("No CUDA GPU found: running the short CPU smoke preset (it checks the whole pipeline, "
                         "it does not learn the game). On a GPU machine the same command trains for real.")
        else:
            config = DQNConfig.gpu(game)
            if device == "cpu":
                notes.append("--device cpu with the full preset: this is very slow; --smoke runs a short check instead.")
        changes = {"device": device if not args.smoke else (args.device or "cpu")}
        if args.seed is not None:
            changes["seed"] = args.seed
        config = config.replace(**changes)
    changes = {}
    if args.minutes is not None:
        changes["minutes"] = args.minutes
    if args.steps is not None:
        changes["total_steps"] = args.steps
    if args.stop_at_target:
        changes["stop_at_target"] = True
    if args.device and args.resume:
        changes["device"] = args.device
    if changes:
        config = config.replace(**changes)
    if args.overrides:
        config = config.with_overrides(args.overrides)
    if out is None:
        from .trainer import default_out_dir

        out = default_out_dir(config.game, config.seed)
    return config, out, notes


def run_train(args: argparse.Namespace) -> int:
    from .learner import NonFiniteLossError
    from .trainer import RunExistsError, Trainer

    try:
        config, out, notes = build_config(args)
    except (ValueError, OSError) as exc:
        print(f"course train: {exc}", file=sys.stderr)
        return 2
    if args.print_config:
        print(config.to_json())
        return 0
    for note in notes:
        print(note, flush=True)
    print(f"course train: {config.game}, preset {config.preset}, seed {config.seed}, "
          f"{config.num_envs} environments, output in {out}", flush=True)
    try:
        result = Trainer(config, out, resume=args.resume, video=not args.no_video, progress=not args.no_progress).run()
    except RunExistsError as exc:
        print(f"course train: {exc}", file=sys.stderr)
        return 2
    except NonFiniteLossError as exc:
        print(f"course train: {exc}", file=sys.stderr)
        return 3
    print(f"results in {out}: " + ", ".join(sorted(Path(p).name for p in result.files.values())))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="course", description="the capstone's train command (standalone)")
    sub = parser.add_subparsers(dest="command", required=True)
    add_parser(sub)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
