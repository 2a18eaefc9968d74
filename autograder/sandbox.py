"""Run one grading job in a bubblewrap sandbox (or, when the instructor says so, without one).

The sandbox (``bwrap`` from Debian's ``bubblewrap`` package) gives the notebook runner
(:mod:`.execute`) and its kernel:
  * new PID, network, IPC and UTS namespaces: no network at all (only a private
    loopback), no view of the host's processes;
  * a filesystem made of read-only binds of the system (``/usr``), the Python installation
    and the ``course_lib`` and ``autograder`` packages, a writable ``$HOME`` holding the submission's working
    folder, and a private ``/tmp``; everything else (the instructor's course directory,
    gradebook, solutions, source notebooks, the repository) is simply not there, and the
    root of the tree is read-only;
  * a scrubbed environment (``--clearenv`` plus a short list of variables);
  * when started as root: a user of its own (uid 1,500,000,000 + the worker's pid, no
    capabilities, no supplementary groups) so that the process limit (RLIMIT_NPROC) applies
    and no file owned by a real user is writable; as an ordinary user: a user namespace.
Resource limits are set by the runner before any learner code runs (memory, processes,
CPU time, file size, open files), its watchdog enforces the collective ones (process
count, resident memory, disk), and this module enforces the wall-clock timeout and caps
what it reads back.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .execute import RESULT_PREFIX

SANDBOX_HOME = "/home/grader"
SANDBOX_WORK = f"{SANDBOX_HOME}/work"
MPL_CACHE_IN_SANDBOX = "/run/grading/mpl"
UID_BASE = 1_500_000_000


@dataclass
class Limits:
    memory_mb: int = 2048          # address space per process, and resident memory of the whole kernel tree
    nproc: int = 128               # RLIMIT_NPROC (threads count too)
    cpu_s: int = 600               # RLIMIT_CPU per process
    fsize_mb: int = 64             # largest file the kernel may write
    nofile: int = 1024
    max_procs: int = 32            # processes alive at once, kernel included (watchdog)
    disk_mb: int = 256             # everything written under $HOME and /tmp (watchdog)
    output_kb_per_cell: int = 64   # text kept from one cell
    output_kb_total: int = 1024    # text kept from the whole notebook
    records_mb: int = 32           # exported check values

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class SandboxInfo:
    available: bool
    tool: str = "bubblewrap"
    version: str = ""
    mode: str = ""                 # "root: dedicated uid" or "user namespace"
    reason: str = ""


@dataclass
class JobOutcome:
    result: dict | None
    failure: str | None = None     # why no result came back
    status: str | None = None      # "timeout" / "crashed" when result is None
    seconds: float = 0.0
    stderr_tail: str = ""
    extra: dict = field(default_factory=dict)


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def _is_root() -> bool:
    return os.geteuid() == 0


def probe() -> SandboxInfo:
    """Is bubblewrap installed, and can it make the namespaces we need here?"""
    tool = bwrap_path()
    if not tool:
        return SandboxInfo(False, reason="bubblewrap (bwrap) is not installed: `apt-get install bubblewrap`")
    try:
        version = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        return SandboxInfo(False, reason=f"bwrap does not run: {exc}")
    argv = _bwrap_base(tool) + ["--", "/bin/sh", "-c", "exit 0"]
    if _is_root():
        argv = _bwrap_base(tool) + ["--", "/usr/bin/setpriv", *_setpriv_args(UID_BASE + os.getpid()), "/bin/sh", "-c", "exit 0"]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        return SandboxInfo(False, version=version, reason=f"bwrap failed: {exc}")
    if done.returncode != 0:
        return SandboxInfo(False, version=version, reason=f"bwrap cannot create its namespaces here: {done.stderr.strip()[:300]}")
    mode = "root: a dedicated unprivileged uid per worker" if _is_root() else "user namespace"
    return SandboxInfo(True, version=version, mode=mode)


def _setpriv_args(uid: int) -> list[str]:
    return [f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"]


def _bwrap_base(tool: str) -> list[str]:
    argv = [tool, "--die-with-parent", "--new-session", "--clearenv"]
    if _is_root():
        argv += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                 "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]
    else:
        argv += ["--unshare-all"]
    argv += ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    return argv


def python_paths() -> list[str]:
    """What the sandbox needs of this Python: the installation, its site-packages, and two packages.

    ``course_lib`` (what the notebooks import) and ``autograder`` (the runner and the
    in-kernel recorder), each bound as its own folder: the repository around them, with
    solutions/ and the instructor's files, stays out of the sandbox.
    """
    import course_lib

    import autograder

    paths = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix), os.path.realpath(sys.exec_prefix),
             os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))}
    for sp in site.getsitepackages():
        if os.path.isdir(sp):
            paths.add(os.path.realpath(sp))
    paths.add(os.path.realpath(os.path.dirname(course_lib.__file__)))
    paths.add(os.path.realpath(os.path.dirname(autograder.__file__)))
    paths = {p for p in paths if p not in ("/", "/usr") and not p.startswith("/usr/")}
    # keep only the outermost of nested paths
    ordered = sorted(paths, key=len)
    keep: list[str] = []
    for p in ordered:
        if not any(p == k or p.startswith(k + os.sep) for k in keep):
            keep.append(p)
    return keep


def exposed_paths() -> list[str]:
    """Host folders that every sandbox sees (read-only): the system and this Python."""
    system = [os.path.realpath(top) for top in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
              if os.path.isdir(top)]
    return sorted(set(system) | set(python_paths()))


def exposure(private: dict[str, Path | str | None]) -> str | None:
    """Why grading must not start, when one of the instructor's ``private`` folders is visible in the sandbox.

    The sandbox hides everything it does not bind, so a course directory, reference cache or
    solutions folder placed *inside* a bound folder (under ``/usr/local``, inside the
    virtual environment...) would be readable by learner code. Returns None when all are hidden.
    """
    shown = exposed_paths()
    for label, path in private.items():
        if path is None:
            continue
        real = os.path.realpath(path)
        for top in shown:
            if real == top or real.startswith(top.rstrip(os.sep) + os.sep):
                return (f"the {label} {real} lies inside {top}, which every sandbox can read; "
                        "move it out of the system and Python folders")
    return None


def _dirs_for(path: str) -> list[str]:
    parts = Path(path).parts
    return [str(Path(*parts[: i + 1])) for i in range(1, len(parts) - 1)]


def command(jobdir: Path, uid: int | None, mpl_cache: Path | None, env: dict) -> list[str]:
    tool = bwrap_path()
    assert tool
    argv = _bwrap_base(tool)
    argv += ["--perms", "0755", "--dir", "/run", "--perms", "0755", "--dir", "/home", "--perms", "0755", "--dir", "/etc"]
    # writable places first, so that read-only binds below may sit inside them (a venv in /tmp)
    argv += ["--bind", str(jobdir / "home"), SANDBOX_HOME, "--bind", str(jobdir / "tmp"), "/tmp"]
    for name in ("passwd", "group"):
        argv += ["--ro-bind", str(jobdir / "etc" / name), f"/etc/{name}"]
    made: set[str] = {"/usr", "/proc", "/dev", "/bin", "/lib", "/lib64", "/sbin", "/tmp", "/home", SANDBOX_HOME, "/run", "/etc"}
    binds = [(p, p) for p in python_paths()]
    if mpl_cache is not None:
        binds.append((str(mpl_cache), MPL_CACHE_IN_SANDBOX))
    # Parents of the binds, made readable: bubblewrap would make missing ones 0700 root, which
    # the sandbox's own uid cannot enter (a repository cloned under /tmp, say). Those under
    # /tmp land in the job's private /tmp; nothing can be made inside the read-only /usr.
    for _src, dest in binds:
        for parent in _dirs_for(dest):
            if parent not in made and not parent.startswith("/usr/"):
                argv += ["--perms", "0755", "--dir", parent]
                made.add(parent)
    for src, dest in binds:
        argv += ["--ro-bind", src, dest]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    argv += ["--remount-ro", "/", "--chdir", SANDBOX_WORK, "--"]
    if uid is not None:
        argv += ["/usr/bin/setpriv", *_setpriv_args(uid)]
    argv += [sys.executable, "-I", "-m", "autograder.execute"]
    return argv


def kernel_env(home: str, work: str, extra: dict | None = None) -> dict:
    """The whole environment learner code sees: nothing of the instructor's."""
    bin_dir = os.path.dirname(sys.executable)
    env = {
        "HOME": home,
        "USER": "grader",
        "LOGNAME": "grader",
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TMPDIR": "/tmp" if home == SANDBOX_HOME else str(Path(home).parent / "tmp"),
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "JUPYTER_PLATFORM_DIRS": "1",
        "JUPYTER_RUNTIME_DIR": f"{home}/.local/share/jupyter/runtime",
        "IPYTHONDIR": f"{home}/.ipython",
        "MPLCONFIGDIR": f"{home}/.cache/matplotlib",
        "MPLBACKEND": "agg",
        "COURSE_FAST": "1",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1",
        "PWD": work,
    }
    env.update(extra or {})
    return env


class _Reader(threading.Thread):
    def __init__(self, stream, cap: int, keep_tail: bool = False):
        super().__init__(daemon=True)
        self.stream, self.cap, self.keep_tail = stream, cap, keep_tail
        self.data = bytearray()
        self.overflow = False

    def run(self) -> None:
        while True:
            chunk = self.stream.read(65536)
            if not chunk:
                return
            if self.keep_tail:
                self.data += chunk
                if len(self.data) > self.cap:
                    del self.data[: len(self.data) - self.cap]
            elif len(self.data) < self.cap:
                self.data += chunk[: self.cap - len(self.data)]
            else:
                self.overflow = True


def _kill_tree(proc: subprocess.Popen) -> None:
    try:
        import psutil

        children = psutil.Process(proc.pid).children(recursive=True)
    except Exception:
        children = []
    for p in children:
        try:
            p.kill()
        except Exception:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        proc.kill()
    except OSError:
        pass


def run_job(job: dict, submission_dir: Path | None, sandboxed: bool, wall_timeout: float,
            mpl_cache: Path | None = None, scratch: Path | None = None, files: dict[str, bytes] | None = None) -> JobOutcome:
    """Run ``job`` (see :mod:`.execute`) on a copy of ``files`` and return the runner's result.

    ``files``: name -> bytes written into the working folder (the notebook itself is
    in the job; these are data files an assignment ships).
    """
    started = time.monotonic()
    jobdir = Path(tempfile.mkdtemp(prefix="course-grade-", dir=scratch))
    try:
        home, tmp, etc = jobdir / "home", jobdir / "tmp", jobdir / "etc"
        work = home / "work"
        for d in (work, tmp, etc):
            d.mkdir(parents=True)
        for name, data in (files or {}).items():
            target = work / Path(name).name
            target.write_bytes(data)
        uid = UID_BASE + os.getpid() if (sandboxed and _is_root()) else None
        shown_uid = uid if uid is not None else os.getuid()
        (etc / "passwd").write_text(f"grader:x:{shown_uid}:{shown_uid}:grader:{SANDBOX_HOME}:/bin/false\n")
        (etc / "group").write_text(f"grader:x:{shown_uid}:\n")
        if sandboxed:
            env = kernel_env(SANDBOX_HOME, SANDBOX_WORK)
            job = dict(job, env=env, workdir=SANDBOX_WORK, kernel_log="/tmp/kernel.log",
                       writable=[SANDBOX_HOME, "/tmp"], mpl_cache=MPL_CACHE_IN_SANDBOX if mpl_cache else None)
            if uid is not None:
                for root, dirs, names in os.walk(jobdir):
                    for n in dirs + names:
                        os.chown(os.path.join(root, n), uid, uid, follow_symlinks=False)
                os.chown(jobdir, uid, uid)
                os.chmod(jobdir, 0o700)
            argv = command(jobdir, uid, mpl_cache, {k: job["env"][k] for k in ("HOME", "PATH", "LANG")})
            cwd = None
        else:
            env = kernel_env(str(home), str(work))
            job = dict(job, env=env, workdir=str(work), kernel_log=str(tmp / "kernel.log"),
                       writable=[str(home), str(tmp)], mpl_cache=str(mpl_cache) if mpl_cache else None)
            argv = [sys.executable, "-I", "-m", "autograder.execute"]
            cwd = str(work)
        result_token = job["result_token"]
        payload = json.dumps(job).encode()
        runner_env = {"PATH": job["env"]["PATH"], "LANG": "C.UTF-8", "HOME": job["env"]["HOME"]}
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                cwd=cwd, env=runner_env, start_new_session=True)
        out = _Reader(proc.stdout, 256 * 2**20)
        err = _Reader(proc.stderr, 16384, keep_tail=True)
        out.start()
        err.start()
        try:
            proc.stdin.write(payload)
            proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=wall_timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            _kill_tree(proc)
            proc.wait()
            timed_out = True
        out.join(5)
        err.join(5)
        seconds = time.monotonic() - started
        stderr_tail = err.data.decode("utf-8", "replace")[-4000:]
        if timed_out:
            return JobOutcome(None, f"the submission ran longer than {wall_timeout:g} s in total and was stopped",
                              "timeout", seconds, stderr_tail)
        marker = f"{RESULT_PREFIX} {result_token} ".encode()
        text = bytes(out.data)
        at = text.rfind(marker)
        if at < 0:
            why = "the grading runner ended without a result"
            if out.overflow:
                why = "the grading runner's output exceeded its limit"
            return JobOutcome(None, f"{why} (exit code {proc.returncode})", "crashed", seconds, stderr_tail)
        line = text[at + len(marker):].split(b"\n", 1)[0]
        try:
            result = json.loads(line)
        except ValueError:
            return JobOutcome(None, "the grading runner's result was unreadable", "crashed", seconds, stderr_tail)
        if not isinstance(result, dict):
            return JobOutcome(None, "the grading runner's result was unreadable", "crashed", seconds, stderr_tail)
        return JobOutcome(result, None, None, seconds, stderr_tail)
    finally:
        if not os.environ.get("COURSE_GRADE_KEEP_JOBS"):  # debugging aid: keep the job folders
            shutil.rmtree(jobdir, ignore_errors=True)


def prepare_mpl_cache(cache_dir: Path) -> Path | None:
    """Build matplotlib's font list once, outside the sandbox, to copy into every sandbox."""
    target = cache_dir / "mpl"
    if list(target.glob("fontlist*.json")):
        return target
    target.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, MPLCONFIGDIR=str(target), MPLBACKEND="agg")
    try:
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, timeout=120,
                       capture_output=True, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return target if list(target.glob("fontlist*.json")) else None
