"""Helper library for the deep-learning-for-RL course.

Learners import it from the notebooks and never edit it. It holds what a notebook
needs but should not make the learner write: feedback checks, plots, widgets, toy
data, and (for instructors) the `course` command.
"""
import os
import sys

__version__ = "0.1.0"

#: Set COURSE_FAST=1 to shrink heavy demonstration cells (long training runs,
#: big sweeps). Grading and the test suite set it; graded cells never depend on it.
FAST = os.environ.get("COURSE_FAST", "0").lower() not in ("", "0", "false", "no")

# In a browser tab (JupyterLite's Pyodide kernel) the cells that need PyTorch or the Atari
# emulator are skipped with one line instead of failing: see course_lib/browser.py.
if sys.platform == "emscripten":  # pragma: no cover - exercised by tests/test_lite.py in Chromium
    from . import browser as _browser

    _browser.install()
