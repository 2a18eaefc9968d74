"""Find the submissions to grade.

Two layouts are accepted:
  * nbgrader's: ``submitted/<student>/<assignment>/<notebook>.ipynb`` (pass the course
    directory or its ``submitted/`` folder);
  * a folder of loose notebooks named by student (``alice.ipynb``, ``bob.ipynb``), all for
    the one assignment given with ``--assignment``.
In nbgrader's layout a notebook under another name is still graded when it is the only
notebook in its folder (a learner who saved "03_activations (1).ipynb"), with a note.
Anything that cannot be matched becomes a submission with a ``problem``, which the
pipeline reports as ungradable instead of skipping silently.

``--shard i/N`` keeps the submissions whose ``assignment/student`` hashes to slice i, so
that N machines sharing one gradebook grade disjoint parts of the class.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Submission:
    student: str
    assignment: str
    notebook: str                   # the notebook name (stem) it is graded as
    path: Path | None               # the file to grade; None when none was found
    folder: Path | None = None      # the submission folder (nbgrader layout), for timestamp.txt
    notes: list[str] = field(default_factory=list)
    problem: str | None = None      # why it cannot be graded at all

    @property
    def key(self) -> str:
        return f"{self.assignment}/{self.student}"


class IntakeError(ValueError):
    pass


def _notebooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix == ".ipynb" and p.is_file() and not p.name.startswith("."))


def layout(path: Path) -> tuple[str, Path]:
    """("nbgrader", the submitted/ folder) or ("loose", the folder of notebooks)."""
    path = Path(path)
    if not path.is_dir():
        raise IntakeError(f"no folder {path}")
    if (path / "submitted").is_dir():
        return "nbgrader", path / "submitted"
    if any(p.suffix == ".ipynb" for p in path.iterdir() if p.is_file()):
        return "loose", path
    if any(p.is_dir() for p in path.iterdir()):
        return "nbgrader", path
    raise IntakeError(f"{path} holds neither submitted/<student>/<assignment>/ folders nor .ipynb files")


def find(path: Path, notebooks: dict[str, list[str]], assignments: list[str] | None = None) -> list[Submission]:
    """All submissions under ``path``.

    ``notebooks``: assignment -> names (stems) of its notebooks, from the course's source.
    ``assignments``: only these (required for loose files: which assignment they are).
    """
    kind, root = layout(path)
    wanted = list(assignments) if assignments else sorted(notebooks)
    unknown = [a for a in wanted if a not in notebooks]
    if unknown:
        raise IntakeError(f"unknown assignment(s): {', '.join(unknown)} (known: {', '.join(sorted(notebooks)) or 'none'})")
    found: list[Submission] = []
    if kind == "loose":
        if len(wanted) != 1:
            raise IntakeError("a folder of loose notebooks needs --assignment NAME (which assignment they are)")
        assignment = wanted[0]
        if len(notebooks[assignment]) != 1:
            raise IntakeError(f"{assignment} has several notebooks: use nbgrader's submitted/<student>/{assignment}/ layout")
        for nb in _notebooks(root):
            found.append(Submission(nb.stem, assignment, notebooks[assignment][0], nb))
        return found
    for student_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for assignment in wanted:
            folder = student_dir / assignment
            if not folder.is_dir():
                continue
            present = _notebooks(folder)
            expected = notebooks[assignment]
            unclaimed = [p for p in present if p.stem not in expected]
            for name in expected:
                exact = folder / f"{name}.ipynb"
                sub = Submission(student_dir.name, assignment, name, None, folder)
                if exact.is_file():
                    sub.path = exact
                elif len(expected) == 1 and len(unclaimed) == 1:
                    sub.path = unclaimed[0]
                    sub.notes.append(f"the notebook was renamed: graded {unclaimed[0].name} as {name}.ipynb")
                elif not present:
                    sub.problem = f"no notebook in the submission folder (expected {name}.ipynb)"
                elif len(expected) == 1 and len(unclaimed) > 1:
                    names = ", ".join(p.name for p in unclaimed[:5])
                    sub.problem = f"{name}.ipynb is missing and it is unclear which of {names} it is"
                else:
                    sub.problem = f"{name}.ipynb is missing from the submission"
                found.append(sub)
    return found


def parse_shard(text: str) -> tuple[int, int]:
    """"2/4" -> (2, 4); slices are numbered from 1."""
    try:
        i, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise IntakeError(f"--shard takes i/N (e.g. 1/2), not {text!r}") from None
    if n < 1 or not 1 <= i <= n:
        raise IntakeError(f"--shard {text}: i must be between 1 and N")
    return i, n


def in_shard(sub: Submission, i: int, n: int) -> bool:
    return zlib.crc32(sub.key.encode("utf-8")) % n == i - 1


def shard(subs: list[Submission], i: int, n: int) -> list[Submission]:
    return [s for s in subs if in_shard(s, i, n)]
