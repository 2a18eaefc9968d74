"""`course release`: regenerate the student notebooks in notebooks/ from solutions/.

solutions/ is the single source. Each solutions notebook is one nbgrader assignment of
the same name; nbgrader's ``generate_assignment`` strips the solutions and hidden tests,
locks the test cells and records checksums. We run it in a throw-away course directory
(so the instructor's gradebook is never touched), then store the result without outputs.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import nbformat

from course_lib.repository import CONFIG, RepositoryNotFound, find_root


class ReleaseError(RuntimeError):
    pass


def solution_notebooks(root: Path) -> list[Path]:
    return sorted((root / "solutions").glob("*.ipynb"))


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop outputs and run-specific metadata so that the file only changes when content does."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
    nb.metadata.pop("widgets", None)
    return nb


def dumps(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + ("" if nbformat.writes(nb).endswith("\n") else "\n")


def generate(root: Path, names: list[str] | None = None) -> dict[str, nbformat.NotebookNode]:
    """Run nbgrader generate_assignment for each solutions notebook; return student notebooks."""
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    sources = {p.stem: p for p in solution_notebooks(root)}
    if names:
        missing = sorted(set(names) - set(sources))
        if missing:
            raise ReleaseError(f"no solutions notebook named {', '.join(missing)} in {root / 'solutions'}")
        sources = {n: sources[n] for n in names}
    out: dict[str, nbformat.NotebookNode] = {}
    with tempfile.TemporaryDirectory(prefix="course-release-") as tmp:
        course = Path(tmp)
        shutil.copy(root / CONFIG, course / "nbgrader_config.py")
        for name, path in sources.items():
            (course / "source" / name).mkdir(parents=True)
            shutil.copy(path, course / "source" / name / path.name)
        config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
        config.CourseDirectory.root = str(course)
        config.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
        api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
        for name, path in sources.items():
            result = api.generate_assignment(name, force=True, create=True)
            if not result.get("success"):
                raise ReleaseError(f"nbgrader could not generate {name}:\n{result.get('log', '')}\n{result.get('error', '')}")
            made = course / "release" / name / path.name
            out[name] = clean(nbformat.read(str(made), as_version=4))
    return out


def release(root: Path, check_only: bool = False, names: list[str] | None = None) -> list[str]:
    """Write notebooks/ (or, with check_only, list the notebooks that differ from what would be written)."""
    generated = generate(root, names)
    target = root / "notebooks"
    target.mkdir(exist_ok=True)
    drifted = []
    for name, nb in generated.items():
        path = target / f"{name}.ipynb"
        text = dumps(nb)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            drifted.append(name)
            if not check_only:
                path.write_text(text, encoding="utf-8")
    if not names:
        stale = sorted(p.stem for p in target.glob("*.ipynb") if p.stem not in generated)
        for name in stale:
            drifted.append(f"{name} (no solutions notebook)")
            if not check_only:
                (target / f"{name}.ipynb").unlink()
    return drifted
