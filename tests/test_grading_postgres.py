"""Two `course grade --shard i/2` runs, as two machines would, sharing one PostgreSQL gradebook.

The test starts its own PostgreSQL server (Debian's ``postgresql`` package, which `make test`
installs when missing and possible) in a temporary folder on a free loopback port, runs both
shards at the same time from two separate course directories on a folder of loose
notebooks, and checks that every student was graded exactly once, by one shard, and that
the shared gradebook holds every score.
"""
from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grading_cases import ASSIGNMENT, TOTAL, dumps, with_answers
from grading_cases.harness import CELL_TIMEOUT, ROOT, context, sandbox_args, shared_cache, tool_env

pytestmark = [pytest.mark.grading]


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    pytest.importorskip("psycopg", reason="the PostgreSQL driver psycopg (psycopg[binary]) is not installed")
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql; `make test` does it as root)")
    base = Path(tempfile.mkdtemp(prefix="course-grade-pg-"))   # not under pytest's root-only temp folder
    data = base / "data"
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb and postgres refuse to run as root
        import pwd

        user = pwd.getpwnam("postgres")
        os.chown(base, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()

    def pg(*argv: str) -> None:
        done = subprocess.run(run_as + list(argv), capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, f"{' '.join(argv)} failed:\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}"

    pg(str(bindir / "initdb"), "-D", str(data), "-U", "grader", "--auth=trust", "-E", "UTF8")
    pg(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"), "-w", "-t", "60", "-o",
       f"-p {port} -c listen_addresses=127.0.0.1 -k {base} -c fsync=off", "start")
    try:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=port, user="grader", dbname="postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE gradebook")
        yield f"postgresql://grader@127.0.0.1:{port}/gradebook"
    finally:
        subprocess.run(run_as + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


STUDENTS = {"ada": "solution", "ben": "stub", "cy": "partial", "dee": "solution", "eli": "partial", "fay": "stub"}
EXPECTED = {"solution": TOTAL, "stub": 0.0, "partial": 5.0}


def _notebook(ctx, kind: str) -> bytes:
    if kind == "solution":
        return dumps(ctx.solution)
    if kind == "stub":
        return dumps(ctx.student)
    later = ["tanh", "softmax", "softmax_jacobian", "checkpoint_a_layer", "checkpoint_a_policy",
             "checkpoint_a_greedy_action", "debug_log_softmax"]
    return dumps(with_answers(ctx.solution, stub=later, student=ctx.student))   # relu + sigmoid: 5 points


def test_two_shards_share_one_postgres_gradebook(postgres, tmp_path):
    loose = tmp_path / "inbox"
    loose.mkdir()
    ctx = context(tmp_path / "machine-1")
    for student, kind in STUDENTS.items():
        (loose / f"{student}.ipynb").write_bytes(_notebook(ctx, kind))
    runs = []
    for i in (1, 2):
        course = tmp_path / f"machine-{i}"
        argv = [sys.executable, "-m", "autograder.cli", str(loose), "-a", ASSIGNMENT, "--course", str(course),
                "--db-url", postgres, "--shard", f"{i}/2", "--workers", "1", "--cell-timeout", str(CELL_TIMEOUT),
                "--no-progress", "--no-feedback", "--cache", str(shared_cache()), *sandbox_args()]
        runs.append(subprocess.Popen(argv, cwd=ROOT, env=tool_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    outputs = [p.communicate(timeout=1800) for p in runs]   # a guard against a hang: minutes on a busy machine
    for p, (out, err) in zip(runs, outputs):
        assert p.returncode == 0, f"a shard failed:\n{out[-2000:]}\n{err[-3000:]}"

    graded_by = {}
    for i in (1, 2):
        for record in (tmp_path / f"machine-{i}" / "grading" / "audit" / ASSIGNMENT).glob("*.json"):
            student = json.loads(record.read_text())["student"]
            assert student not in graded_by, f"{student} was graded by both shards"
            graded_by[student] = i
    assert set(graded_by) == set(STUDENTS), f"graded: {sorted(graded_by)}"
    assert set(graded_by.values()) == {1, 2}, "one shard graded everybody"

    from nbgrader.api import Gradebook

    with Gradebook(postgres) as gb:
        for student, kind in STUDENTS.items():
            assert gb.find_submission(ASSIGNMENT, student).score == EXPECTED[kind], student
        assert len(gb.students) == len(STUDENTS)
