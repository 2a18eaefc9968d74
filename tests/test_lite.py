"""The course in the browser (docs/browser.md): the JupyterLite site that `make lite` builds.

Without a browser:
- the site holds exactly notebooks/01-11 (no solution, no hidden test) unless the solutions option is set;
- it serves Pyodide and every wheel itself, each file matching the sha256 of its lock, and the build
  refuses a Pyodide wheel that differs from Pyodide's official lock;
- course_lib's browser pieces: the cells skipped in the browser (never a graded cell), reading a
  notebook without nbformat, the doctor cell of 01.

In Debian's Chromium (skipped only where /usr/bin/chromium or Playwright is missing), with the site
served by ``http.server`` on loopback and every request for another host refused and counted (a
blackhole proxy for the whole browser, and the page's own request events):
- 03_activations untouched: Run All, then on from each stop, shows every exercise's "not
  implemented yet"; with the solution's answers in its answer cells, Run All passes every visible test
  without a traceback; saved, then downloaded (file browser > Download), its .ipynb gets the same
  score under `course grade` as the same answers written into the notebook file on a computer;
- 01_biological_neuron, answered: Run All without a traceback, and the neuron explorer's slider moves
  its decision line;
- nothing tried to leave the machine.

The site is built once (`make lite`, about a minute) and reused while its inputs are unchanged
(``course-site.json`` records their digest). Screenshots go to test-artifacts/lite/.
"""
from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "build" / "lite"
ARTIFACTS = ROOT / "test-artifacts" / "lite"
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").glob("*.ipynb") if 1 <= int(p.name[:2]) <= 11)
BUILD_TIMEOUT = 1800  # s: a first build downloads about 85 MB (the Pyodide core and its wheels)


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"lite_{name}", ROOT / "lite" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


build = _load("build")


@pytest.fixture(scope="module")
def site() -> Path:
    """The site in build/lite: reused when up to date, else built with `make lite` (as a learner would)."""
    if not build.up_to_date(SITE, solutions=False):
        done = subprocess.run(["make", "lite", f"LITE_OUT={SITE}", "LITE_SOLUTIONS="], cwd=ROOT,
                              capture_output=True, text=True, timeout=BUILD_TIMEOUT)
        if done.returncode != 0:
            pytest.fail(f"make lite failed (exit {done.returncode}):\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    return SITE


# --- the site, without a browser ---------------------------------------------------------------

def test_site_holds_exactly_notebooks_01_to_11(site):
    files = site / "files"
    held = sorted(p.relative_to(files).as_posix() for p in files.rglob("*") if p.is_file())
    assert held == [p.name for p in NOTEBOOKS], f"the site's files are {held}"
    for path in NOTEBOOKS:
        assert (files / path.name).read_bytes() == path.read_bytes(), f"the site's {path.name} differs from notebooks/"
    listing = json.loads((site / "api" / "contents" / "all.json").read_text())
    assert sorted(item["name"] for item in listing["content"]) == [p.name for p in NOTEBOOKS]
    for path in [*files.rglob("*.ipynb"), site / "api" / "contents" / "all.json"]:
        text = path.read_text()
        for marker in ("BEGIN HIDDEN TESTS", "BEGIN SOLUTION", "END SOLUTION"):
            assert marker not in text, f"{path.relative_to(site)} holds {marker!r}: a solution or hidden test"
    assert json.loads((site / build.SITE_INFO).read_text())["solutions"] is False


def test_solutions_option_adds_solutions_01_to_11(tmp_path):
    without = build.stage_contents(tmp_path / "plain", solutions=False)
    assert without == [p.name for p in NOTEBOOKS]
    assert not (tmp_path / "plain" / "solutions").exists()
    with_solutions = build.stage_contents(tmp_path / "self-learner", solutions=True)
    expected = [p.name for p in NOTEBOOKS] + [f"solutions/{p.name}" for p in NOTEBOOKS]
    assert with_solutions == expected
    for name in expected:
        source = ROOT / ("" if name.startswith("solutions/") else "notebooks") / name
        assert (tmp_path / "self-learner" / name).read_bytes() == source.read_bytes(), name
    assert "BEGIN HIDDEN TESTS" in (tmp_path / "self-learner" / "solutions" / NOTEBOOKS[2].name).read_text()


def test_site_serves_pyodide_and_every_wheel_itself(site):
    config = json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"][build.KERNEL_PLUGIN]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.js"
    assert kernel["disablePyPIFallback"] is True
    assert all(not re.match(r"^[a-z]+://", url) for url in kernel.get("pipliteUrls", [])), kernel
    pyodide = site / "static" / "pyodide"
    official = json.loads((pyodide / "pyodide-lock.json").read_text())
    pins = build.read_browser_lock()
    assert official["info"]["version"] == pins["pyodide"].version
    own = json.loads((pyodide / build.SITE_LOCK).read_text())["packages"]
    for key, entry in own.items():
        data = (pyodide / entry["file_name"]).read_bytes()
        assert build.sha256(data) == entry["sha256"], f"{entry['file_name']} differs from the site's lock"
        if key in official["packages"]:
            assert entry["sha256"] == official["packages"][key]["sha256"], f"{key}: not the official lock's sha256"
    for needed in ("numpy", "matplotlib", "ipython", "course-lib", "ipywidgets", "comm"):
        assert needed in own, f"the site's lock lacks {needed}"
    with zipfile.ZipFile(pyodide / own["course-lib"]["file_name"]) as wheel:
        names = wheel.namelist()
    assert "course_lib/files/digits.csv.gz" in names, "the digits of notebook 09 are not in the course_lib wheel"
    assert "course_lib/browser.py" in names
    assert not [n for n in names if n.startswith("autograder/")], "the grader is not for the browser"
    shipped = {p.name for p in pyodide.iterdir()}
    listed = {e["file_name"] for e in own.values()} | set(build.PYODIDE_CORE) | {build.SITE_LOCK}
    assert shipped == listed, f"files in static/pyodide that no lock lists, or missing: {shipped ^ listed}"


def test_build_refuses_a_pyodide_wheel_that_differs_from_the_official_lock(tmp_path):
    good, bad = b"the real wheel", b"a changed wheel"
    lock = {"packages": {
        "alpha": {"file_name": "alpha-1.0-py3-none-any.whl", "sha256": build.sha256(good), "depends": []},
        "beta": {"file_name": "beta-2.0-py3-none-any.whl", "sha256": build.sha256(good), "depends": []},
    }}
    provisa = tmp_path / "redistributed.whl"
    with zipfile.ZipFile(provisa, "w") as archive:
        archive.writestr(build.PROVISA_ASSETS + "alpha-1.0-py3-none-any.whl", good)
        archive.writestr(build.PROVISA_ASSETS + "beta-2.0-py3-none-any.whl", bad)
    dest = tmp_path / "out"
    dest.mkdir()
    assert build.copy_verified_packages(lock, ["alpha"], provisa, dest) == {"alpha": build.sha256(good)}
    with pytest.raises(build.BuildError, match=r"beta-2\.0-py3-none-any\.whl \(beta\): sha256 "):
        build.copy_verified_packages(lock, ["alpha", "beta"], provisa, dest)
    with pytest.raises(build.BuildError, match="is not in"):
        build.copy_verified_packages({"packages": {"gamma": {"file_name": "gamma.whl", "sha256": "0"}}}, ["gamma"],
                                     provisa, dest)


def test_course_lib_wheel_is_reproducible(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = build.build_course_lib_wheel(tmp_path / "a")
    second = build.build_course_lib_wheel(tmp_path / "b")
    assert first == second
    with zipfile.ZipFile(tmp_path / "a" / first[0]) as wheel:
        record = wheel.read(f"course_lib-{build.course_lib_version()}.dist-info/RECORD").decode()
        assert wheel.testzip() is None
    assert "course_lib/check.py,sha256=" in record


# --- course_lib's browser pieces ---------------------------------------------------------------

def _code_cells(path: Path):
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            # IPython turns magics into calls before the skipper sees a cell
            source = "\n".join("pass" if line.lstrip().startswith("%") else line for line in cell.source.splitlines())
            yield index, cell, source


@pytest.mark.parametrize("folder", ["notebooks", "solutions"])
def test_browser_skips_only_ungraded_cells_that_need_pytorch_atari_or_gymnasium(folder):
    from course_lib.browser import CellSkipper

    skipped_in = {}
    for path in sorted((ROOT / folder).glob("*.ipynb"))[:11]:
        skipper = CellSkipper()
        for index, cell, source in _code_cells(path):
            line = skipper.check(source)
            meta = cell.metadata.get("nbgrader", {})
            if line is None:
                continue
            assert not (meta.get("solution") or meta.get("grade")), (
                f"{path.name} cell {index} ({meta.get('grade_id')}) is graded but would be skipped in the browser: {line}")
            assert line.startswith("[browser] Skipped: this cell ") and "(make course)" in line, line
            assert "\n" not in line and len(line) < 400, line
            skipped_in.setdefault(path.stem[:2], []).append(line)
    # Every notebook has a PyTorch cross-check; 11's Pong frame needs the Atari emulator; 05's CartPole Gymnasium.
    assert sorted(skipped_in) == [f"{n:02d}" for n in range(1, 12)], sorted(skipped_in)
    assert any("the Atari emulator" in line for line in skipped_in["11"])
    assert any("Gymnasium" in line for line in skipped_in["05"])
    assert all(any("PyTorch" in line for line in lines) for lines in skipped_in.values())


def test_skipper_follows_names_made_by_skipped_cells_until_redefined():
    from course_lib.browser import CellSkipper

    skipper = CellSkipper()
    assert skipper.check("import numpy as np\nx = np.ones(3)") is None
    line = skipper.check("import torch\n# torch.softmax against yours\nt = torch.ones(3)\nframe = t.numpy()")
    assert "needs PyTorch" in line and "torch.softmax against yours" in line
    assert "uses `frame`" in skipper.check("print(frame.sum())")
    assert skipper.check("def f(frame):\n    return frame * 2\nprint(f(x))") is None, "a parameter is not the global"
    assert skipper.check("frame = np.zeros(2)\nprint(frame)") is None, "a cell that defines it first runs"
    assert skipper.check("print(frame)") is None, "once redefined, the name is usable again"
    assert "needs the Atari emulator" in skipper.check("import ale_py")
    assert skipper.check("def g():\n    import torch\n    return torch.ones(1)") is None, (
        "an import inside a function is the learner's business (check.numpy_only reports it)")
    assert skipper.transform(["import torch\n", "torch.ones(1)\n"])[0].startswith("print(")
    assert skipper.transform(["y = 1\n"]) == ["y = 1\n"]


def test_browser_install_does_nothing_outside_the_browser():
    from course_lib import browser

    assert browser.IN_BROWSER is False
    assert browser.install(shell=object()) is None


def test_notebooks_read_without_nbformat(monkeypatch):
    from course_lib import exercises

    path = ROOT / "notebooks" / "03_activations.ipynb"
    with_nbformat = exercises.read(path)
    monkeypatch.setitem(sys.modules, "nbformat", None)  # as in Pyodide, where there is no nbformat
    plain = exercises.read(path)
    assert [c.source for c in plain.cells] == [c.source for c in with_nbformat.cells]
    assert [c.cell_type for c in plain.cells] == [c.cell_type for c in with_nbformat.cells]
    assert [(e.name, e.answer_cells, [t.grade_id for t in e.tests]) for e in exercises.exercises(plain)] == \
           [(e.name, e.answer_cells, [t.grade_id for t in e.tests]) for e in exercises.exercises(with_nbformat)]


def test_doctor_cell_says_it_runs_in_the_browser(monkeypatch, capsys):
    import types

    from course_lib import doctor

    monkeypatch.setattr(sys, "platform", "emscripten")
    monkeypatch.setitem(sys.modules, "pyodide", types.SimpleNamespace(__version__="0.27.7"))
    monkeypatch.setattr(doctor, "diagnose", lambda **_: pytest.fail("the browser has nothing to diagnose locally"))
    doctor.quick_check()
    out = capsys.readouterr().out
    assert "in your browser (Pyodide 0.27.7, JupyterLite)" in out
    assert "numpy" in out and "PyTorch, the Atari emulator and Gymnasium do not run in a browser" in out
    assert "FAIL" not in out and "Ready for the course." in out


# --- in Chromium -------------------------------------------------------------------------------

driver = _load("driver")


@pytest.fixture(scope="module")
def chromium(site, tmp_path_factory):
    if not driver.CHROMIUM.exists():
        pytest.skip(f"{driver.CHROMIUM} not found: install Debian's Chromium (apt-get install chromium) to run the "
                    "browser test of the JupyterLite site")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -r requirements.lock)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    server, proxy = driver.Site(site), driver.Blackhole()
    with sync_playwright() as playwright:
        browser = driver.Browser(playwright, proxy, tmp_path_factory.mktemp("downloads"))
        try:
            yield browser, server
        finally:
            browser.close()
            server.close()
            proxy.close()


def _answers(name: str) -> dict[str, str]:
    """grade_id -> the solution's answer cell without nbgrader's markers: the answer a learner would write."""
    solution = nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4)
    answers = {}
    for cell in solution.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and not meta.get("grade"):
            lines = [l for l in cell.source.splitlines() if l.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]
            answers[meta["grade_id"]] = "\n".join(lines)
    return answers


def _answered(name: str) -> nbformat.NotebookNode:
    """notebooks/<name> with the solution's answers in its answer cells, as saved on a computer (never run)."""
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    answers = _answers(name)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution") and grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def _put_answers(lab, name: str) -> None:
    answers = _answers(name)
    sources = {}
    for index, cell in enumerate(lab.cells()):
        meta = cell["nbgrader"] or {}
        if meta.get("solution") and not meta.get("grade"):
            sources[index] = answers[meta["grade_id"]]
    assert len(sources) == len(answers), f"{name}: {len(sources)} answer cells in the browser, {len(answers)} answers"
    lab.set_sources(sources)


def _tracebacks(cells: list[dict]) -> list[str]:
    return [f"cell {i}: {driver.text_of(driver.errors_of(c['outputs']))[:600]}"
            for i, c in enumerate(cells) if driver.errors_of(c["outputs"])]


def _fail_with_screenshot(lab, name: str, message: str):
    lab.screenshot(ARTIFACTS / f"{name}-failure.png")
    pytest.fail(f"{message}\n(screenshot: {ARTIFACTS / f'{name}-failure.png'})")


@pytest.mark.browser
@pytest.mark.grading
def test_03_in_the_browser_not_started_then_passing_and_its_download_grades_like_local(chromium, tmp_path):
    browser, server = chromium
    name = "03_activations"
    lab = driver.Lab(browser, server, f"{name}.ipynb")
    lab.wait_for_kernel()

    # Untouched: Run All stops at the first failing test, as JupyterLab does; go on from each stop.
    lab.run_all()
    cells = lab.cells()
    for _ in range(20):
        stops = [i for i, c in enumerate(cells) if driver.errors_of(c["outputs"])]
        rest = [i for i, c in enumerate(cells) if c["type"] == "code" and c["count"] is None and i > max(stops, default=-1)]
        if not rest:
            break
        lab.run_from(rest[0])
        cells = lab.cells()
    tests = {i: c for i, c in enumerate(cells) if (c["nbgrader"] or {}).get("grade")}
    assert len(tests) == 9
    for index, cell in tests.items():
        errors = driver.errors_of(cell["outputs"])
        grade_id = cell["nbgrader"]["grade_id"]
        if not errors or "CheckFailed" not in errors[0]["ename"] or "not implemented yet" not in errors[0]["evalue"]:
            _fail_with_screenshot(lab, name, f"untouched {name}: {grade_id} shows {driver.text_of(cell['outputs'])!r}, "
                                             "not the 'not implemented yet' message")
    others = [line for line in _tracebacks(cells) if int(line.split(":")[0].split()[1]) not in tests]
    assert not others, "untouched notebook: a cell other than a test raised:\n" + "\n".join(others)
    setup = next(c for c in cells if (c["nbgrader"] or {}).get("grade_id") == "setup")
    assert "right-click it in the file browser on the left > Download" in driver.text_of(setup["outputs"])
    assert any("[browser] Skipped: this cell needs PyTorch" in driver.text_of(c["outputs"]) for c in cells)
    lab.screenshot(ARTIFACTS / "03-untouched.png")

    # The solution's answers in the answer cells: Run All passes every visible test, no traceback anywhere.
    _put_answers(lab, name)
    lab.run_all()
    cells = lab.cells()
    unrun = [i for i, c in enumerate(cells) if c["type"] == "code" and c["count"] is None]
    if _tracebacks(cells) or unrun:
        _fail_with_screenshot(lab, name, f"answered {name}: tracebacks {_tracebacks(cells)}, cells not run {unrun}")
    for cell in (c for c in cells if (c["nbgrader"] or {}).get("grade")):
        assert "the visible tests pass." in driver.text_of(cell["outputs"]), cell["nbgrader"]["grade_id"]
    lab.screenshot(ARTIFACTS / "03-answered.png")

    # Saved and downloaded from the browser; graded beside the same answers written into the file on a computer.
    lab.save()
    inbox = tmp_path / "inbox"
    downloaded = lab.download(inbox / "browser.ipynb")
    lab.close()
    saved = nbformat.read(downloaded, as_version=4)
    assert saved.metadata.get("kernelspec", {}).get("name") == "python", "not the browser's notebook"
    assert any(c.get("outputs") for c in saved.cells if c.cell_type == "code"), "the download has no outputs"
    nbformat.write(_answered(name), inbox / "local.ipynb")

    from grading_cases.harness import grade

    done = grade(inbox, "-a", name, "--no-feedback", "--no-canary")
    assert done.returncode == 0, f"course grade failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    audit = Path(f"{inbox}.course") / "grading" / "audit" / name
    scores = {json.loads(p.read_text())["student"]: json.loads(p.read_text())["score"] for p in audit.glob("*.json")}
    assert set(scores) == {"browser", "local"}, scores
    assert scores["browser"] == scores["local"] == 20.0, f"scores: {scores}"

    left = browser.left_the_machine()
    assert left == [], f"{len(left)} request(s) for other hosts (refused):\n" + "\n".join(left[:20])


@pytest.mark.browser
def test_01_in_the_browser_runs_top_to_bottom_and_its_slider_moves_the_line(chromium):
    from playwright.sync_api import expect

    browser, server = chromium
    name = "01_biological_neuron"
    lab = driver.Lab(browser, server, f"{name}.ipynb")
    lab.wait_for_kernel()
    _put_answers(lab, name)
    lab.run_all()
    cells = lab.cells()
    if _tracebacks(cells) or any(c["type"] == "code" and c["count"] is None for c in cells):
        _fail_with_screenshot(lab, name, f"{name}: tracebacks {_tracebacks(cells)}")
    doctor = next(c for c in cells if (c["nbgrader"] or {}).get("grade_id") == "environment_check")
    assert "in your browser" in driver.text_of(doctor["outputs"]), driver.text_of(doctor["outputs"])

    page = lab.page
    explorer = page.locator(".neuron-explorer")
    index = next(i for i, c in enumerate(cells) if "neuron_explorer(" in c["source"] and c["type"] == "code"
                 and not (c["nbgrader"] or {}))
    lab.evaluate("panel.content.activeCellIndex = arg; panel.content.scrollToItem(arg); return true;", index)
    explorer.wait_for(state="visible")
    image = explorer.locator(".jp-OutputArea-output img")
    image.wait_for(state="visible")
    slider = explorer.locator(".widget-slider", has=page.locator(".widget-label", has_text="weight w₁"))
    readout, equation = slider.locator(".widget-readout"), explorer.locator(".widget-html")
    value_before, eq_before, src_before = readout.inner_text(), equation.inner_text(), image.get_attribute("src")
    assert src_before and src_before.startswith("data:image/png"), "the explorer shows no plot"
    explorer.screenshot(path=str(ARTIFACTS / "01-widget-before.png"))
    handle = slider.locator(".noUi-handle")
    at_max = float(handle.get_attribute("aria-valuenow")) >= float(handle.get_attribute("aria-valuemax"))
    handle.focus()
    handle.press("PageDown" if at_max else "PageUp")
    expect(readout).not_to_have_text(value_before, timeout=driver.UI_TIMEOUT)
    expect(equation).not_to_have_text(eq_before, timeout=driver.UI_TIMEOUT)
    expect(image).not_to_have_attribute("src", src_before, timeout=driver.UI_TIMEOUT)
    value_after = float(readout.inner_text().strip().replace("−", "-"))
    assert f"{abs(value_after):.1f}·x₁" in equation.inner_text()
    explorer.screenshot(path=str(ARTIFACTS / "01-widget-after.png"))
    lab.close()

    left = browser.left_the_machine()
    assert left == [], f"{len(left)} request(s) for other hosts (refused):\n" + "\n".join(left[:20])
