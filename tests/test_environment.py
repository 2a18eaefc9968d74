"""The lock file, the conda environment and the package metadata agree with each other."""
from __future__ import annotations

import re
import tomllib

from conftest import ROOT


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"requirements.lock line {line!r} is not pinned with =="
            pins[re.sub(r"\[.*\]", "", name).lower().replace("_", "-")] = version
    return pins


def conda_pip_pins() -> dict[str, str]:
    pins, in_pip = {}, False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.strip() == "- pip:":
            in_pip = True
            continue
        match = re.match(r"\s+- ([A-Za-z0-9_.\-\[\]]+)==(\S+)", line)
        if in_pip and match:
            pins[re.sub(r"\[.*\]", "", match.group(1)).lower().replace("_", "-")] = match.group(2)
    return pins


def test_torch_is_pinned_to_the_cpu_release():
    assert lock_pins()["torch"] == "2.13.0"


def test_every_direct_dependency_is_locked():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    names = {re.split(r"[<>=\[ ]", d)[0].lower().replace("_", "-") for d in wanted}
    missing = names - set(lock_pins())
    assert not missing, f"requirements.lock lacks {sorted(missing)}"


def test_conda_environment_installs_the_same_pins():
    conda, lock = conda_pip_pins(), lock_pins()
    assert {"numpy", "torch", "nbgrader", "jupyterlab", "ipywidgets", "gymnasium", "ale-py", "matplotlib"} <= set(conda)
    disagree = {name: (version, lock.get(name)) for name, version in conda.items() if lock.get(name) != version}
    assert not disagree, f"environment.yml and requirements.lock disagree (yml, lock): {disagree}"
    text = (ROOT / "environment.yml").read_text()
    assert "-r requirements.lock" in text and "-e ." in text


def test_readme_course_map_matches_the_syllabus_registry():
    from course_lib.syllabus import COURSE

    readme = (ROOT / "README.md").read_text()
    for nb in COURSE:
        row = next((line for line in readme.splitlines() if line.startswith(f"| {nb.number:02d} |")), None)
        assert row, f"README's course map has no row for notebook {nb.number:02d}"
        assert f"`{nb.name}`" in row, f"README row {nb.number:02d} should name `{nb.name}`"
        low, high = nb.hours
        assert (f"{low:g}–{high:g} h" if low != high else f"{low:g} h") in row, f"README row {nb.number:02d}: time should be {nb.hours}"
        assert (f"**{nb.checkpoint}**" in row) == bool(nb.checkpoint), f"README row {nb.number:02d}: checkpoint mismatch"
        status = row.rstrip(" |").rsplit("|", 1)[-1].strip()
        shipped = (ROOT / "solutions" / f"{nb.name}.ipynb").is_file()
        assert status == ("ready" if shipped else "planned"), \
            f"README row {nb.number:02d} says {status!r}, but its notebook is {'shipped' if shipped else 'not there yet'}"


def test_the_digits_ship_with_the_course_and_are_checked(tmp_path, monkeypatch):
    import numpy as np

    from course_lib import data

    images, labels = data.digits()
    assert images.shape == (1797, 8, 8) and labels.shape == (1797,)
    assert images.min() == 0 and images.max() == 16 and set(np.unique(labels)) == set(range(10))
    monkeypatch.setattr(data, "DIGITS_SHA256", "0" * 64)
    try:
        data.digits()
    except data.DataFileError as exc:
        assert "checksum" in str(exc)
    else:
        raise AssertionError("a file whose checksum differs was accepted")
