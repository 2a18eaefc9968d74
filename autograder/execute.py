"""The notebook runner that runs inside the sandbox: ``python -m autograder.execute``.

It reads one job (JSON) from stdin, then, before any learner code runs:
  * makes itself non-dumpable, so the learner's kernel (same user) cannot read its memory,
    its file descriptors or its stdout through /proc, nor ptrace it;
  * becomes a child subreaper, so processes the learner starts stay its descendants;
  * sets the resource limits (address space, processes, CPU seconds, file size, open files).
Then it starts an IPython kernel (jupyter_client, the kernel's stdout/stderr to a file, not
to ours), runs the job's bootstrap in it (recording mode, with the run's record token), and
executes the cells one by one, each with a timeout (interrupt, then kill); a test cell with
hidden tests is sent in two parts, the hidden tests second, and its result says whether the
kernel had been given them (``hidden_sent``). A watchdog
thread kills every descendant when they hold too many processes, too much memory or too
much disk. Outputs are capped as they arrive; record outputs (``record.MIME``) are kept
apart, in order, per cell.

The result goes to stdout as one line ``@@RESULT <result token> <json>``; the result token
came on stdin and exists only in this process's memory. Nothing in here decides a grade:
the trusted side validates and judges what this prints.
"""
from __future__ import annotations

import ctypes
import json
import os
import queue
import resource
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

RESULT_PREFIX = "@@RESULT"
MIME = "application/vnd.course-grading.record+json"
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36


def _prctl(option: int, value: int) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except Exception:  # pragma: no cover - not Linux
        pass


def set_limits(limits: dict) -> None:
    mb = 1024 * 1024

    def lim(which: int, value: int) -> None:
        try:
            soft, hard = resource.getrlimit(which)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass

    lim(resource.RLIMIT_AS, int(limits["memory_mb"]) * mb)
    lim(resource.RLIMIT_NPROC, int(limits["nproc"]))
    lim(resource.RLIMIT_CPU, int(limits["cpu_s"]))
    lim(resource.RLIMIT_FSIZE, int(limits["fsize_mb"]) * mb)
    lim(resource.RLIMIT_NOFILE, int(limits.get("nofile", 1024)))
    lim(resource.RLIMIT_CORE, 0)


# -- the watchdog -----------------------------------------------------------------------
class Watchdog(threading.Thread):
    """Kills every descendant of this runner when they break a collective limit."""

    def __init__(self, limits: dict, writable: list[str]):
        super().__init__(daemon=True)
        self.max_procs = int(limits["max_procs"])
        self.memory = int(limits["memory_mb"]) * 1024 * 1024
        self.disk = int(limits["disk_mb"]) * 1024 * 1024
        self.writable = writable
        self.violation: str | None = None
        self.peak_procs = 0
        self.peak_rss = 0
        self.stop = threading.Event()
        self.page = os.sysconf("SC_PAGE_SIZE")
        self.me = os.getpid()
        self.kernel_pid = -1

    def descendants(self) -> list[int]:
        """Live (not zombie) processes below this runner."""
        parent: dict[int, int] = {}
        zombies: set[int] = set()
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    stat = f.read()
                fields = stat[stat.rindex(b")") + 2:].split()
                parent[int(name)] = int(fields[1])
                if fields[0] in (b"Z", b"X"):
                    zombies.add(int(name))
            except (OSError, ValueError, IndexError):
                continue
        children: dict[int, list[int]] = {}
        for pid, ppid in parent.items():
            children.setdefault(ppid, []).append(pid)
        out, todo = [], list(children.get(self.me, []))
        while todo:
            pid = todo.pop()
            if pid not in zombies:
                out.append(pid)
            todo += children.get(pid, [])
        return out

    def rss(self, pids: list[int]) -> int:
        """Memory of the processes, shared pages counted once (PSS; RSS where PSS is unavailable)."""
        total = 0
        for pid in pids:
            try:
                with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                    for line in f:
                        if line.startswith(b"Pss:"):
                            total += int(line.split()[1]) * 1024
                            break
                continue
            except (OSError, ValueError, IndexError):
                pass
            try:
                with open(f"/proc/{pid}/statm", "rb") as f:
                    total += int(f.read().split()[1]) * self.page
            except (OSError, ValueError, IndexError):
                pass
        return total

    def disk_usage(self) -> int:
        """Bytes written under the writable folders (not crossing into read-only binds)."""
        mounts: set[str] = set()
        try:
            with open("/proc/self/mountinfo") as f:
                for line in f:
                    mounts.add(line.split()[4].replace("\\040", " "))
        except OSError:
            pass
        total = 0
        for root in self.writable:
            for folder, dirs, files in os.walk(root):
                dirs[:] = [d for d in dirs if os.path.join(folder, d) not in mounts]
                for name in files:
                    try:
                        total += os.lstat(os.path.join(folder, name)).st_blocks * 512
                    except OSError:
                        pass
                if total > self.disk:
                    return total
        return total

    def kill_all(self) -> None:
        for _ in range(100):
            pids = self.descendants()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.02)
            for pid in pids:  # reap the orphans we adopted as subreaper (never the kernel: Popen owns it)
                if pid != self.kernel_pid:
                    try:
                        os.waitpid(pid, os.WNOHANG)
                    except OSError:
                        pass

    def run(self) -> None:
        tick = 0
        while not self.stop.wait(0.1):
            tick += 1
            pids = self.descendants()
            self.peak_procs = max(self.peak_procs, len(pids))
            rss = self.rss(pids)
            self.peak_rss = max(self.peak_rss, rss)
            if len(pids) > self.max_procs:
                self.violation = f"started more than {self.max_procs} processes (a fork bomb?)"
            elif rss > self.memory:
                self.violation = f"used more than {self.memory // 2**20} MB of memory"
            elif tick % 10 == 0 and self.disk_usage() > self.disk:
                self.violation = f"wrote more than {self.disk // 2**20} MB to disk"
            if self.violation:
                self.kill_all()
                return


# -- output capping ---------------------------------------------------------------------
class Budget:
    def __init__(self, per_cell: int, total: int, records: int):
        self.per_cell, self.total, self.records = per_cell, total, records
        self.cell_left = per_cell
        self.truncated = False
        self.records_overflow = False

    def new_cell(self) -> None:
        self.cell_left = self.per_cell

    def take_text(self, text: str) -> str:
        allowed = max(0, min(self.cell_left, self.total))
        if len(text) > allowed:
            self.truncated = True
            text = text[:allowed] + ("\n[output truncated by the grader]\n" if allowed else "")
        self.cell_left -= len(text)
        self.total -= len(text)
        return text

    def take_record(self, size: int) -> bool:
        self.records -= size
        if self.records < 0:
            self.records_overflow = True
            return False
        return True


def _text(data: dict) -> str:
    value = data.get("text/plain", "")
    return "".join(value) if isinstance(value, list) else str(value)


class CellRun:
    def __init__(self, index: int, keeps_records: bool = True):
        self.index = index
        #: only test cells' records decide points: those of a demonstration (a check on a whole photograph's
        #: feature maps) are dropped unread, so that they cannot use up the record budget of the test cells after it
        self.keeps_records = keeps_records
        self.status = "not_run"
        self.error: dict | None = None
        self.outputs: list[dict] = []
        self.records: list = []
        self.seconds = 0.0
        self.hidden_sent = False   # the kernel has been given this cell's hidden tests

    def to_json(self) -> dict:
        return {"index": self.index, "status": self.status, "error": self.error, "outputs": self.outputs,
                "records": self.records, "seconds": round(self.seconds, 4), "hidden_sent": self.hidden_sent}


def _handle(msg: dict, cell: CellRun, budget: Budget, figures: bool) -> bool:
    """Fold one iopub message into the cell; True when the cell is finished (status idle)."""
    kind = msg.get("msg_type") or msg.get("header", {}).get("msg_type")
    content = msg.get("content", {}) or {}
    if kind == "status":
        return content.get("execution_state") == "idle"
    if kind == "stream":
        text = budget.take_text(str(content.get("text", "")))
        if text:
            name = "stderr" if content.get("name") == "stderr" else "stdout"
            if cell.outputs and cell.outputs[-1].get("output_type") == "stream" and cell.outputs[-1]["name"] == name:
                cell.outputs[-1]["text"] += text
            else:
                cell.outputs.append({"output_type": "stream", "name": name, "text": text})
    elif kind in ("display_data", "execute_result"):
        data = content.get("data", {}) or {}
        if MIME in data:
            record = data[MIME]
            if cell.keeps_records and budget.take_record(len(json.dumps(record)) if not isinstance(record, str) else len(record)):
                cell.records.append(record)
            return False
        out: dict = {"output_type": "display_data", "data": {}, "metadata": {}}
        text = budget.take_text(_text(data))
        if text:
            out["data"]["text/plain"] = text
        png = data.get("image/png")
        if figures and isinstance(png, str) and len(png) <= min(budget.cell_left, budget.total):
            out["data"]["image/png"] = png
            budget.cell_left -= len(png)
            budget.total -= len(png)
        if out["data"]:
            cell.outputs.append(out)
    elif kind == "error":
        ename = str(content.get("ename", ""))[:200]
        evalue = str(content.get("evalue", ""))[:2000]
        trace = "\n".join(str(line) for line in content.get("traceback", []) or [])
        cell.error = {"ename": ename, "evalue": evalue}
        cell.outputs.append({"output_type": "error", "ename": ename, "evalue": evalue,
                             "traceback": [budget.take_text(trace[:20000])]})
    elif kind == "clear_output":
        cell.outputs = []
    return False


# -- the run --------------------------------------------------------------------------------
class Runner:
    def __init__(self, job: dict):
        self.job = job
        self.limits = job["limits"]
        self.budget = Budget(int(self.limits["output_kb_per_cell"]) * 1024, int(self.limits["output_kb_total"]) * 1024,
                             int(self.limits["records_mb"]) * 1024 * 1024)
        self.cells = [CellRun(c["index"], keeps_records="parts" in c) for c in job["cells"]]
        self.abort: dict | None = None
        self.timings: dict = {}
        self.km = None
        self.kc = None

    def kernel_alive(self) -> bool:
        try:
            return bool(self.km.is_alive())
        except Exception:
            return False

    def exit_reason(self) -> str:
        code = None
        try:
            code = self.km.provisioner.process.poll()  # type: ignore[union-attr]
        except Exception:
            pass
        if code is None:
            return "the kernel stopped responding"
        if code < 0:
            sig = -code
            name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
            if sig == signal.SIGXCPU:
                return f"the kernel used up its CPU time ({self.limits['cpu_s']} s)"
            if sig == signal.SIGXFSZ:
                return f"the kernel wrote a file larger than {self.limits['fsize_mb']} MB"
            if sig == signal.SIGSEGV:
                return "the kernel crashed (segmentation fault)"
            return f"the kernel was killed by {name}"
        return f"the kernel exited with code {code} (sys.exit in a thread, os._exit or a crash)"

    def start_kernel(self) -> None:
        from jupyter_client.manager import KernelManager

        env = dict(self.job["env"])
        log = open(self.job["kernel_log"], "wb")
        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(cwd=self.job["workdir"], env=env, stdout=log, stderr=log, stdin=__import__("subprocess").DEVNULL,
                             extra_arguments=["--IPKernelApp.log_level=ERROR", "--HistoryManager.enabled=False"])
        try:
            self.watchdog.kernel_pid = self.km.provisioner.process.pid  # type: ignore[union-attr]
        except Exception:
            pass
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=float(self.job.get("start_timeout", 60)))

    def _drain_shell(self, msg_id: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                reply = self.kc.get_shell_msg(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                return
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                return

    def run_code(self, code: str, cell: CellRun, timeout: float, silent: bool = False) -> str:
        """Execute ``code``; returns 'ok', 'error', 'timeout', 'dead' or 'killed' (watchdog)."""
        msg_id = self.kc.execute(code, silent=silent, store_history=not silent, allow_stdin=False, stop_on_error=False)
        deadline = time.monotonic() + timeout
        interrupted_at: float | None = None
        grace = float(self.job.get("interrupt_grace", 3))
        while True:
            if self.watchdog.violation:
                return "killed"
            now = time.monotonic()
            if interrupted_at is None and now > deadline:
                try:
                    self.km.interrupt_kernel()
                except Exception:
                    pass
                interrupted_at = now
            if interrupted_at is not None and now > interrupted_at + grace:
                return "timeout-hard"
            try:
                msg = self.kc.get_iopub_msg(timeout=0.2)
            except queue.Empty:
                if not self.kernel_alive():
                    return "killed" if self.watchdog.violation else "dead"
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if _handle(msg, cell, self.budget, bool(self.job.get("figures"))):
                self._drain_shell(msg_id, 1.0)
                if interrupted_at is not None:
                    return "timeout"
                return "error" if cell.error else "ok"

    def run(self) -> dict:
        started = time.monotonic()
        self.watchdog = Watchdog(self.limits, self.job.get("writable", []))
        self.watchdog.start()
        try:
            self.start_kernel()
        except Exception as exc:
            self.abort = {"status": "crashed", "reason": f"the kernel did not start: {type(exc).__name__}: {exc}"[:500]}
            return self.result(started)
        self.timings["kernel_start"] = round(time.monotonic() - started, 4)
        boot = CellRun(-1)
        state = self.run_code(self.job["bootstrap"], boot, 60, silent=True)
        if state != "ok":
            why = self.exit_reason() if state == "dead" else state
            self.abort = {"status": "crashed", "reason": f"the grading bootstrap failed ({why}): {boot.error}"[:500]}
            return self.result(started)
        cell_timeout = float(self.job["cell_timeout"])
        for spec, cell in zip(self.job["cells"], self.cells):
            if not spec["source"].strip():
                cell.status = "ok"
                continue
            self.budget.new_cell()
            t0 = time.monotonic()
            # A test cell comes in two parts, its hidden tests second: then this runner, not the
            # kernel, knows whether an error came before the kernel had seen the hidden tests.
            parts = spec.get("parts") or [spec["source"]]
            if spec.get("prelude"):
                # the stand-ins this test gets (autograder.stand_ins); a learner's notebook that breaks them
                # only loses the isolation from other exercises' bugs, so the test runs either way
                state = self.run_code(spec["prelude"], CellRun(-3), max(0.1, cell_timeout), silent=True)
                if state not in ("ok", "error"):
                    parts = []
            for number, part in enumerate(parts):
                cell.hidden_sent = cell.hidden_sent or number > 0
                state = self.run_code(part, cell, max(0.1, cell_timeout - (time.monotonic() - t0)))
                if state != "ok":
                    break
            cell.seconds = time.monotonic() - t0
            if state in ("ok", "error"):
                cell.status = state
                continue
            if state == "timeout":
                cell.status = "timeout"
                cell.error = {"ename": "Timeout", "evalue": f"the cell ran longer than {cell_timeout:g} s and was interrupted"}
                # the kernel answered the interrupt: make sure it is still usable
                probe = CellRun(-2)
                if self.run_code("pass", probe, float(self.job.get("interrupt_grace", 3)), silent=True) == "ok":
                    continue
                state = "timeout-hard"
            if state == "timeout-hard":
                cell.status = "timeout"
                cell.error = {"ename": "Timeout", "evalue": f"the cell ran longer than {cell_timeout:g} s and ignored the interrupt"}
                self.abort = {"status": "timeout", "reason": f"cell {spec['index']} ran longer than {cell_timeout:g} s and ignored "
                              "the interrupt, so its kernel was stopped"}
            elif state == "killed":
                cell.status = "killed"
                self.abort = {"status": "resource limit", "reason": f"cell {spec['index']} {self.watchdog.violation}"}
            else:  # dead
                cell.status = "dead"
                reason = self.exit_reason()
                status = "resource limit" if ("CPU time" in reason or "larger than" in reason) else "crashed"
                self.abort = {"status": status, "reason": f"cell {spec['index']}: {reason}"}
            break
        return self.result(started)

    def result(self, started: float) -> dict:
        self.watchdog.stop.set()
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            if self.km is not None:
                self.km.shutdown_kernel(now=True)
        except Exception:
            pass
        self.watchdog.kill_all()
        self.timings["total"] = round(time.monotonic() - started, 4)
        try:
            with open(self.job["kernel_log"], "rb") as f:
                f.seek(0, 2)
                f.seek(max(0, f.tell() - 2000))
                tail = f.read().decode("utf-8", "replace")
        except OSError:
            tail = ""
        return {
            "cells": [c.to_json() for c in self.cells],
            "abort": self.abort,
            "output_truncated": self.budget.truncated,
            "records_overflow": self.budget.records_overflow,
            "kernel_log_tail": tail,
            "timings": self.timings,
            "peak_processes": self.watchdog.peak_procs,
            "peak_rss_mb": round(self.watchdog.peak_rss / 2**20, 1),
        }


def prepare_home(job: dict) -> None:
    home = Path(job["env"]["HOME"])
    for sub in (".cache/matplotlib", ".local/share/jupyter/runtime", ".ipython"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    cache = job.get("mpl_cache")
    if cache and Path(cache).is_dir():
        for item in Path(cache).glob("fontlist*.json"):
            shutil.copy(item, home / ".cache/matplotlib" / item.name)


def main() -> int:
    raw = sys.stdin.buffer.read()
    job = json.loads(raw)
    result_token = job.pop("result_token")
    _prctl(PR_SET_DUMPABLE, 0)
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    os.environ.clear()
    os.environ.update(job["env"])
    prepare_home(job)
    set_limits(job["limits"])
    try:
        result = Runner(job).run()
    except Exception as exc:  # the runner itself failed: say so, never hang
        result = {"cells": [], "abort": {"status": "crashed", "reason": f"grading runner error: {type(exc).__name__}: {exc}"[:500]}}
    text = json.dumps(result, default=str)
    sys.stdout.write(f"\n{RESULT_PREFIX} {result_token} {text}\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
