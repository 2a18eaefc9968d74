"""Where the course repository is, for the commands that read or write inside it.

`course progress`, `course doctor` and `course train` run from anywhere in a checkout (or
from an installed environment next to one) and need the folder that holds `solutions/`,
`notebooks/` and the lock file. The grader (``autograder``) finds it the same way.
"""
from __future__ import annotations

from pathlib import Path

#: The nbgrader configuration every course directory copies; its presence marks the repository.
CONFIG = Path("autograder") / "nbgrader_config.py"


class RepositoryNotFound(RuntimeError):
    pass


def find_root(start: str | Path | None = None) -> Path:
    """The course repository: the nearest folder upwards holding autograder/nbgrader_config.py."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG).is_file() and (folder / "solutions").is_dir():
            return folder
    package_parent = Path(__file__).resolve().parent.parent
    if (package_parent / CONFIG).is_file():
        return package_parent
    raise RepositoryNotFound(
        f"cannot find the course repository from {here}: run this inside the repository "
        "(the folder holding solutions/ and autograder/) or pass --root."
    )
