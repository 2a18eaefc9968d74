"""`course grade` gives full marks on a busy machine: the suite's limits leave room for other work.

While another process keeps every core busy (a spinning loop per core, bounded in time and
always killed), `course grade` grades the solutions notebook of 03_activations as a submission,
with the limits every grading suite uses (tests/grading_cases/harness.py). It must earn every
point with the status "graded": a cell or submission limit too tight for a loaded machine (the
5 s per cell the suites used before issue 22) fails here instead of in some other test. The
slowest cell's time is printed, to compare with the cell limit.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from grading_cases import ASSIGNMENT, TOTAL, dumps, load_results
from grading_cases.harness import CELL_TIMEOUT, context, grade

pytestmark = [pytest.mark.grading]

HOG_SECONDS = 300   # the hog stops by itself after this, if the finally below never ran
HOG = """
import os, sys, time
cores, seconds = int(sys.argv[1]), float(sys.argv[2])
for _ in range(cores - 1):
    if os.fork() == 0:
        break
end = time.monotonic() + seconds
while time.monotonic() < end:
    pass
"""


def test_course_grade_gives_full_marks_while_every_core_is_busy(tmp_path):
    course = tmp_path / "course"
    folder = course / "submitted" / "busy_machine" / ASSIGNMENT
    folder.mkdir(parents=True)
    ctx = context(course)   # made before the hog starts: it runs nbgrader's release once per test process
    (folder / f"{ASSIGNMENT}.ipynb").write_bytes(dumps(ctx.solution))
    cores = os.cpu_count() or 1
    hog = subprocess.Popen([sys.executable, "-c", HOG, str(cores), str(HOG_SECONDS)], start_new_session=True)
    try:
        time.sleep(0.5)
        spinners = [hog.pid] + [c.pid for c in psutil.Process(hog.pid).children()]
        started = time.monotonic()
        # --no-canary: the submission is the solutions notebook itself, so it is its own self-check.
        done = grade(course, "-a", ASSIGNMENT, "--no-feedback", "--no-canary")
        seconds = time.monotonic() - started
        alive = [pid for pid in spinners if psutil.pid_exists(pid)]
        busy = sum(sum(psutil.Process(pid).cpu_times()[:2]) for pid in alive)
    finally:
        try:
            os.killpg(hog.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        hog.wait(timeout=30)
    assert done.returncode == 0, f"course grade failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    record = load_results(course).get("busy_machine")
    assert record is not None, f"the submission was not graded:\n{done.stdout[-2000:]}"
    kernel = record["timings"].get("kernel", {})
    print(f"\nunder a {cores}-process CPU hog (which got {busy:.0f} s of CPU meanwhile): course grade took {seconds:.0f} s, "
          f"the submission's kernel {kernel.get('total', 0):.0f} s; cell limit {CELL_TIMEOUT} s")
    lost = [f"{c['grade_id']}: {c['reason']}" for c in record["cells"] if c["outcome"] != "passed"]
    assert record["score"] == TOTAL and record["status"] == "graded", (
        f"with every core busy, the solutions notebook got {record['score']}/{TOTAL} {record['status']!r} "
        f"({record['reason']}): " + "; ".join(lost))
    # the load was real: one spinning process per core ran from before grading started to after it ended
    assert len(spinners) == cores and len(alive) == cores and busy > 0, \
        f"the CPU hog did not keep {cores} spinning processes running through the grading"
