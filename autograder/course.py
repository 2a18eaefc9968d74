"""The nbgrader course directory `course grade` works in, and each assignment's grading kit.

The course directory is nbgrader's own (``source/ release/ submitted/ autograded/
feedback/`` and ``nbgrader_config.py``); the gradebook is nbgrader's (SQLite file by
default, any SQLAlchemy URL such as ``postgresql://...`` with ``--db-url``). A missing
``source/<a>/<a>.ipynb`` is copied from the repository's ``solutions/``, and nbgrader's
``generate_assignment`` runs when the release or the gradebook entry is missing, so a
fresh folder of submissions can be graded in one command.

A :class:`Kit` is everything the pipeline needs about one assignment, as plain data that
can travel to worker processes: the source and release notebooks, the instrumented test
cells (``reference`` and ``sandbox`` versions), points, and hashes for the audit record.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course_lib.exercises import exercise_name
from course_lib.repository import CONFIG
from . import instrument, repair, stand_ins

GRADING_DIR = "grading"


class CourseError(RuntimeError):
    pass


@dataclass
class Kit:
    assignment: str
    notebook: str
    source_path: str
    source_json: str                 # the source notebook (solutions, hidden tests)
    release_json: str                # what learners got
    tests: dict[str, dict] = field(default_factory=dict)   # grade_id -> {points, reference, sandbox, exercise}
    source_sha256: str = ""
    tests_sha256: str = ""
    extra_files: dict[str, bytes] = field(default_factory=dict)
    parts: dict = field(default_factory=dict)        # the solution's pieces, for stand-ins (autograder.stand_ins)
    plan: dict[str, list[str]] = field(default_factory=dict)   # test grade_id -> exercises whose stand-ins it gets
    earlier: dict = field(default_factory=dict)      # what earlier.load hands out while this notebook is graded

    def source(self) -> nbformat.NotebookNode:
        return nbformat.reads(self.source_json, as_version=4)

    def release(self) -> nbformat.NotebookNode:
        return nbformat.reads(self.release_json, as_version=4)


def db_url_for(course: Path, db_url: str | None) -> str:
    return db_url or f"sqlite:///{(course / 'gradebook.db').resolve()}"


def nbgrader_api(course: Path, db_url: str):
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    config.CourseDirectory.root = str(course.resolve())
    config.CourseDirectory.db_url = db_url
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def ensure_course(course: Path, repo: Path | None) -> None:
    course.mkdir(parents=True, exist_ok=True)
    if not (course / "nbgrader_config.py").is_file():
        if repo is None or not (repo / CONFIG).is_file():
            raise CourseError(f"{course} has no nbgrader_config.py and no course repository was found to copy it from")
        shutil.copy(repo / CONFIG, course / "nbgrader_config.py")


def assignments(course: Path, repo: Path | None) -> dict[str, list[str]]:
    """assignment -> notebook names, from the course's source/ and the repository's solutions/."""
    out: dict[str, list[str]] = {}
    source = course / "source"
    if source.is_dir():
        for folder in sorted(p for p in source.iterdir() if p.is_dir()):
            names = sorted(p.stem for p in folder.glob("*.ipynb"))
            if names:
                out[folder.name] = names
    if repo is not None and (repo / "solutions").is_dir():
        for path in sorted((repo / "solutions").glob("*.ipynb")):
            out.setdefault(path.stem, [path.stem])
    return out


def _gradebook_has(db_url: str, assignment: str, notebooks: list[str]) -> bool:
    from nbgrader.api import Gradebook, MissingEntry

    try:
        with Gradebook(db_url) as gb:
            for name in notebooks:
                gb.find_notebook(name, assignment)
        return True
    except MissingEntry:
        return False


def prepare_assignment(course: Path, repo: Path | None, assignment: str, db_url: str) -> None:
    """source/ present, release/ generated and the gradebook entry made (nbgrader generate_assignment)."""
    folder = course / "source" / assignment
    if not folder.is_dir() or not list(folder.glob("*.ipynb")):
        origin = repo / "solutions" / f"{assignment}.ipynb" if repo else None
        if origin is None or not origin.is_file():
            raise CourseError(f"no source notebook for {assignment} in {folder} or in the repository's solutions/")
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(origin, folder / origin.name)
    names = sorted(p.stem for p in folder.glob("*.ipynb"))
    released = all((course / "release" / assignment / f"{n}.ipynb").is_file() for n in names)
    if released and _gradebook_has(db_url, assignment, names):
        return
    # several shards may reach this at once on a shared database: retry on conflicts
    last = ""
    for attempt in range(6):
        result = nbgrader_api(course, db_url).generate_assignment(assignment, force=True, create=True)
        if result.get("success") and _gradebook_has(db_url, assignment, names):
            return
        last = f"{result.get('error', '')}\n{result.get('log', '')}"[-2000:]
        time.sleep(0.5 + random.random() * (attempt + 1))
    raise CourseError(f"nbgrader generate_assignment {assignment} failed:\n{last}")


def _sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def _other_sources(course: Path, repo: Path | None) -> dict[str, nbformat.NotebookNode]:
    """Every assignment's source notebook by name: the course's source/ first, then the repository's solutions/."""
    found: dict[str, Path] = {}
    if repo is not None and (repo / "solutions").is_dir():
        found.update({p.stem: p for p in sorted((repo / "solutions").glob("*.ipynb"))})
    for folder in sorted(p for p in (course / "source").iterdir() if p.is_dir()) if (course / "source").is_dir() else []:
        notebooks = sorted(folder.glob("*.ipynb"))
        if len(notebooks) == 1:
            found[notebooks[0].stem] = notebooks[0]
    out = {}
    for name, path in found.items():
        try:
            out[name] = nbformat.read(str(path), as_version=4)
        except Exception:
            continue  # an unreadable notebook of another assignment: its pieces are simply not handed out
    return out


def build_kit(course: Path, assignment: str, repo: Path | None = None) -> Kit:
    folder = course / "source" / assignment
    notebooks = sorted(folder.glob("*.ipynb"))
    if len(notebooks) != 1:
        raise CourseError(f"{assignment}: `course grade` handles one notebook per assignment (found {len(notebooks)})")
    source_path = notebooks[0]
    name = source_path.stem
    source_bytes = source_path.read_bytes()
    source = nbformat.reads(source_bytes.decode("utf-8"), as_version=4)
    release_path = course / "release" / assignment / f"{name}.ipynb"
    release = nbformat.read(str(release_path), as_version=4)
    kit = Kit(assignment, name, str(source_path), nbformat.writes(source), nbformat.writes(release),
              source_sha256=_sha256(source_bytes))
    code_sources = [c.source for c in source.cells if c.cell_type == "code"]
    learner = instrument.defined_names([c.source for c in source.cells if c.cell_type == "code" and repair.role(c) == repair.ANSWER])
    for cell in source.cells:
        if repair.role(cell) != repair.TEST or cell.cell_type != "code":
            continue
        gid = cell.metadata["nbgrader"]["grade_id"]
        others = [s for s in code_sources if s is not cell.source]
        protected = instrument.names_used(others)
        try:
            kit.tests[gid] = {
                "points": float(cell.metadata["nbgrader"].get("points", 0)),
                "exercise": exercise_name(gid),
                "reference": instrument.instrument(cell.source, "reference", protected, learner),
                "sandbox": instrument.instrument(cell.source, "sandbox", protected, learner),
            }
        except instrument.InstrumentError as exc:
            raise CourseError(f"{assignment}: test cell {gid}: {exc}") from None
    kit.parts = stand_ins.notebook_parts(source)
    kit.plan = stand_ins.plan(source)
    earlier_sources = {n: nb for n, nb in _other_sources(course, repo).items() if n < name}
    current_names = {n for part in kit.parts["exercises"].values() for n in part["names"]}
    kit.earlier = stand_ins.earlier_payload(earlier_sources, name, current_names)
    kit.tests_sha256 = _sha256("\n".join(f"{g}\n{t['sandbox']}" for g, t in sorted(kit.tests.items()))
                               + json.dumps([kit.parts, kit.plan, kit.earlier], sort_keys=True))
    for extra in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix != ".ipynb"):
        if extra.stat().st_size <= 50 * 2**20:
            kit.extra_files[extra.name] = extra.read_bytes()
    return kit


def grading_dir(course: Path) -> Path:
    path = course / GRADING_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_cache(course: Path) -> Path:
    path = Path(os.environ.get("COURSE_GRADE_CACHE", "")) if os.environ.get("COURSE_GRADE_CACHE") else grading_dir(course) / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path
