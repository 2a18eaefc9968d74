"""`course doctor`: is this machine ready for the course, and if not, the one command that fixes it.

Learners lose most of their first hour to set-up: a package at the wrong version, Atari
ROMs missing, widgets that render as text, a GPU that is not seen. Each check here names
the problem and prints the command that fixes it. The command exits non-zero when
something the course needs is missing; mismatched versions and a missing GPU are warnings.
"""
from __future__ import annotations

import hashlib
import importlib.metadata as metadata
import importlib.util
import json
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

OK, WARN, FAIL = "ok", "warning", "problem"

#: Distributions the course imports, with the module each one provides.
REQUIRED = {
    "numpy": "numpy",
    "matplotlib": "matplotlib",
    "ipywidgets": "ipywidgets",
    "jupyterlab": "jupyterlab",
    "nbgrader": "nbgrader",
    "torch": "torch",
    "gymnasium": "gymnasium",
    "ale-py": "ale_py",
}

DATA_DIR = Path(__file__).resolve().parent / "datasets"
MANIFEST = DATA_DIR / "SHA256SUMS"


@dataclass
class Finding:
    topic: str
    status: str
    detail: str
    fix: str = ""


def _pip(*args: str) -> str:
    return " ".join([shlex.quote(sys.executable), "-m", "pip", "install", *args])


def lock_pins() -> dict[str, str]:
    """Pins from the repository's requirements.lock, or {} when the course is not checked out."""
    try:
        from .repository import find_root

        lock = find_root() / "requirements.lock"
    except Exception:
        return {}
    pins = {}
    if lock.is_file():
        for line in lock.read_text().splitlines():
            name, _, version = line.split("#")[0].strip().partition("==")
            if version:
                pins[name.lower().replace("_", "-")] = version
    return pins


def check_python() -> Finding:
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info < (3, 11):
        return Finding("Python", FAIL, f"Python {version} is too old; the course needs 3.11 or newer",
                       "install Python 3.11+, then `make clean-venv && make course PYTHON=python3.11`")
    return Finding("Python", OK, f"Python {version} at {sys.executable}")


def check_packages(pins: dict[str, str]) -> list[Finding]:
    findings = []
    for dist, module in REQUIRED.items():
        wanted = pins.get(dist)
        fix = _pip(f"{dist}=={wanted}" if wanted else dist)
        # find_spec, not import: importing nbgrader or jupyterlab alone takes seconds. The
        # Atari and GPU checks below import the packages that can be broken in subtler ways.
        try:
            installed = metadata.version(dist)
            found = importlib.util.find_spec(module) is not None
        except metadata.PackageNotFoundError:
            installed, found = None, False
        except Exception:  # a package whose __init__ is broken
            found = False
        if installed is None or not found:
            findings.append(Finding(dist, FAIL, f"{dist} is not installed (cannot import {module})", fix))
            continue
        base = installed.split("+")[0]
        if wanted and base != wanted:
            findings.append(Finding(dist, WARN, f"{dist} {installed} is installed; the course is tested with {wanted}", fix))
        else:
            findings.append(Finding(dist, OK, f"{dist} {installed}"))
    return findings


def pong_frame():
    """One Pong screen from ale-py's bundled ROM: a (210, 160, 3) uint8 array."""
    import ale_py
    import gymnasium as gym

    ale_py.ALEInterface.setLoggerMode(ale_py.LoggerMode.Error)  # no start-up banner
    gym.register_envs(ale_py)
    env = gym.make("ALE/Pong-v5", repeat_action_probability=0.0)
    try:
        frame, _ = env.reset(seed=0)
        for _ in range(60):  # let the ball and paddles appear
            frame, *_ = env.step(0)
    finally:
        env.close()
    return frame


def check_atari() -> Finding:
    fix = _pip(f"ale-py=={lock_pins().get('ale-py', '0.12.1')}", f"gymnasium=={lock_pins().get('gymnasium', '1.4.0')}")
    try:
        frame = pong_frame()
    except ImportError as exc:
        return Finding("Atari", FAIL, f"ale-py or gymnasium is missing: {exc}", fix)
    except Exception as exc:
        return Finding("Atari", FAIL, f"could not start Pong from ale-py's bundled ROMs: {exc}", fix)
    if frame.shape != (210, 160, 3) or frame.std() == 0:
        return Finding("Atari", FAIL, f"Pong rendered an unexpected frame (shape {frame.shape})", fix)
    return Finding("Atari", OK, "ROMs present; rendered a 210×160 RGB Pong frame")


def check_gpu() -> Finding:
    try:
        import torch
    except Exception as exc:
        return Finding("GPU", FAIL, f"PyTorch cannot be imported: {exc}", _pip(f"torch=={lock_pins().get('torch', '2.13.0')}"))
    if torch.cuda.is_available():
        name = torch.cuda.get_device_name(0)
        free, total = torch.cuda.mem_get_info(0)
        return Finding("GPU", OK, f"{name} ({total / 2**30:.0f} GiB, {free / 2**30:.0f} GiB free): notebook 14 trains at full size")
    return Finding("GPU", WARN, "no CUDA GPU seen: notebooks 01–13 run fine on the CPU; notebook 14 runs its short CPU smoke version",
                   "nothing to fix for notebooks 01–13; for the capstone, use a machine with an NVIDIA GPU and a CUDA build of torch")


def check_datasets() -> Finding:
    if not MANIFEST.is_file():
        return Finding("data sets", OK, "no data set ships with this version of the course")
    bad, count = [], 0
    for line in MANIFEST.read_text().splitlines():
        if not line.strip():
            continue
        digest, name = line.split(maxsplit=1)
        count += 1
        path = DATA_DIR / name.strip()
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            bad.append(name.strip())
    if bad:
        return Finding("data sets", FAIL, f"damaged or missing: {', '.join(bad)}",
                       "reinstall the course files: `git checkout -- course_lib/datasets && make course`")
    return Finding("data sets", OK, f"{count} shipped data set file(s), checksums match")


WIDGETS_EXTENSION = "@jupyter-widgets/jupyterlab-manager"


def check_widgets() -> Finding:
    """Look where JupyterLab looks: the labextensions data folders and page_config's disabled list.

    (`jupyter labextension list` says the same but takes several seconds.)
    """
    from jupyter_core.paths import jupyter_config_path, jupyter_path

    fix = _pip(f"ipywidgets=={lock_pins().get('ipywidgets', '8.1.9')}", f"jupyterlab_widgets=={lock_pins().get('jupyterlab-widgets', '3.0.17')}")
    installed = [Path(d) / WIDGETS_EXTENSION for d in jupyter_path("labextensions") if (Path(d) / WIDGETS_EXTENSION / "package.json").is_file()]
    if not installed:
        return Finding("widgets", FAIL, "JupyterLab has no ipywidgets extension: sliders would show as text", fix)
    for folder in jupyter_config_path():
        config = Path(folder) / "labconfig" / "page_config.json"
        try:
            disabled = json.loads(config.read_text()).get("disabledExtensions", {}) if config.is_file() else {}
        except (OSError, ValueError):
            continue
        if disabled.get(WIDGETS_EXTENSION) is True or (isinstance(disabled, list) and WIDGETS_EXTENSION in disabled):
            jupyter = Path(sys.executable).with_name("jupyter")
            return Finding("widgets", FAIL, f"the ipywidgets extension is disabled in {config}",
                           f"{shlex.quote(str(jupyter))} labextension enable {WIDGETS_EXTENSION}")
    return Finding("widgets", OK, "the ipywidgets extension is installed and enabled in JupyterLab")


def diagnose(include_widgets: bool = True) -> list[Finding]:
    pins = lock_pins()
    findings = [check_python(), *check_packages(pins), check_atari(), check_gpu(), check_datasets()]
    if include_widgets:
        findings.append(check_widgets())
    return findings


def report(findings: list[Finding]) -> str:
    mark = {OK: "ok  ", WARN: "warn", FAIL: "FAIL"}
    width = max(len(f.topic) for f in findings)
    lines = []
    for f in findings:
        lines.append(f"[{mark[f.status]}] {f.topic:<{width}}  {f.detail}")
        if f.fix and f.status != OK:
            lines.append(f"       {'':<{width}}  fix: {f.fix}")
    problems = sum(f.status == FAIL for f in findings)
    warnings = sum(f.status == WARN for f in findings)
    lines.append("")
    lines.append("Ready for the course." if not problems else f"{problems} problem(s) to fix before the course works.")
    if warnings:
        lines.append(f"{warnings} warning(s): the course works, but read them.")
    return "\n".join(lines)


def main(as_json: bool = False) -> int:
    findings = diagnose()
    if as_json:
        print(json.dumps([f.__dict__ for f in findings], indent=1))
    else:
        print(report(findings))
    return 1 if any(f.status == FAIL for f in findings) else 0


def browser_findings() -> list[Finding]:
    """In a browser tab (JupyterLite's Pyodide kernel): what runs there and what does not."""
    try:
        import pyodide

        where = f"Pyodide {pyodide.__version__}"
    except Exception:  # pragma: no cover - Pyodide always has it
        where = "Pyodide"
    python = ".".join(map(str, sys.version_info[:3]))
    findings = [Finding("Python", OK, f"Python {python} in your browser ({where}, JupyterLite): nothing to install")]
    for dist in ("numpy", "matplotlib", "ipywidgets"):
        try:
            findings.append(Finding(dist, OK, f"{dist} {metadata.version(dist)}"))
        except metadata.PackageNotFoundError:
            findings.append(Finding(dist, FAIL, f"{dist} is missing from this site",
                                    "rebuild the site with `make lite` (it ships numpy, matplotlib and ipywidgets)"))
    findings.append(Finding("PyTorch, Atari", WARN,
                            "PyTorch, the Atari emulator and Gymnasium do not run in a browser: the cells that need them "
                            "(the PyTorch cross-checks, 05's CartPole, 11's Pong frame) say so and are skipped; every "
                            "exercise and its tests run here",
                            "for those cells and notebooks 12-14, install the course on a computer (make course)"))
    return findings


def quick_check() -> None:
    """The first cell of notebook 01: the same checks, printed briefly, plus the Pong frame.

    In a browser tab (JupyterLite) it says that it runs there, and what does not.
    """
    if sys.platform == "emscripten":
        print(report(browser_findings()))
        return
    findings = diagnose(include_widgets=False)
    print(report(findings))
    if any(f.topic == "Atari" and f.status == OK for f in findings):
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(2.4, 3))
        ax.imshow(pong_frame())
        ax.set_title("Pong, from ale-py", fontsize=9)
        ax.axis("off")
        plt.show()
