"""`make course`, the README's first command: it prints a link, and that link serves the course.

Run as the README says (through make, on a free port), it must print the
``http://127.0.0.1:PORT/lab?token=...`` line, and the server behind it must list the
student notebooks. The server is stopped afterwards with everything it started.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import NOTEBOOKS, ROOT

START_TIMEOUT = 180  # s: set-up is already done by `make test`; JupyterLab starts in seconds (more when busy)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_json(url: str, wait: float = 30) -> dict:
    """GET ``url``; the link is printed a moment before the server accepts connections."""
    deadline = time.monotonic() + wait
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30) as reply:
                return json.load(reply)
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_make_course_prints_a_link_that_serves_the_notebooks(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    port = _free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTER_CONFIG_DIR=str(tmp_path / "config"))
    proc = subprocess.Popen(["make", "--no-print-directory", "course", f"PORT={port}"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    try:
        url = None
        deadline = time.monotonic() + START_TIMEOUT
        while url is None and time.monotonic() < deadline and proc.poll() is None:
            line = proc.stdout.readline()
            lines.append(line)
            found = re.search(rf"(http://127\.0\.0\.1:{port}/lab\?token=(\w+))", line)
            if found:
                url, token = found.group(1), found.group(2)
        assert url, "`make course` printed no http://127.0.0.1 link:\n" + "".join(lines[-40:])
        listing = _get_json(f"http://127.0.0.1:{port}/api/contents?token={token}")
        served = {item["name"] for item in listing["content"]}
        expected = {p.name for p in NOTEBOOKS.glob("*.ipynb")}
        assert expected <= served, f"the server behind the link does not list {sorted(expected - served)}"
        # The learner's server is the learner's: nbgrader's instructor tools are off, Validate stays.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=30) as reply:
            page = reply.read().decode()
        for plugin in ("create-assignment", "formgrader", "course-list", "assignment-list"):
            assert f'"@jupyter/nbgrader:{plugin}"' in page.split("disabledExtensions", 1)[-1].split("]", 1)[0], \
                f"the learner's JupyterLab shows nbgrader's {plugin} plugin"
        assert "@jupyter/nbgrader:validate-assignment" not in page.split("disabledExtensions", 1)[-1].split("]", 1)[0]
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/formgrader?token={token}", timeout=30)
        assert refused.value.code == 404, "the learner's server serves nbgrader's formgrader"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
