"""The browser site (make lite): its size, the time to a ready kernel and a Run All of 03 in Chromium.

    .venv/bin/python benchmarks/lite_site.py [--every-notebook] [--out benchmarks/results/lite_site.md]

Builds the site with `make lite` unless build/lite is up to date, serves it on loopback and opens
03_activations in Debian's headless Chromium (the driver of tests/test_lite.py, with every request
for another host refused and counted). It measures:

- the site's size on disk, by part (Pyodide's runtime, its packages, the course's wheels,
  JupyterLab's application, the notebooks);
- the time from opening the notebook's URL until the kernel has run a first statement (Pyodide
  starts in a web worker, loads micropip, IPython and the kernel);
- Run All of 03 with the solution's answers put into its answer cells: the first (which loads NumPy, matplotlib and
  course_lib, and builds matplotlib's font cache) and a second in the same kernel.

``--every-notebook`` then runs notebooks 01-11, each with the solution's answers, cell by cell in
that same kernel (``%reset -f`` between them) and records per notebook its time, its tracebacks
(there should be none), its figures and the cells skipped because they need PyTorch, Gymnasium or
the Atari emulator. It is a check of the whole course in the browser kernel, not of the page (the
tests drive the page).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from machine import cpu_model  # noqa: E402  benchmarks/machine.py


def _load(name: str):
    """lite/<name>.py as a module (lite/ is a folder of scripts, not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"lite_{name}", ROOT / "lite" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


lite_build = _load("build")
driver = _load("driver")

SITE = ROOT / "build" / "lite"


def answers(name: str) -> dict[str, str]:
    import nbformat

    solution = nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4)
    found = {}
    for cell in solution.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and not meta.get("grade"):
            found[meta["grade_id"]] = "\n".join(l for l in cell.source.splitlines()
                                                if l.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
    return found


def answered_cells(name: str) -> list[str]:
    """The code cells of notebooks/<name> with the solution's answers in its answer cells."""
    import nbformat

    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    given = answers(name)
    sources = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        sources.append(given[meta["grade_id"]] if meta.get("solution") and not meta.get("grade") else cell.source)
    return sources


def sizes(site: Path) -> dict[str, int]:
    pyodide = site / "static" / "pyodide"
    parts = {
        "Pyodide runtime (npm pyodide: wasm, stdlib, loader)": sum((pyodide / n).stat().st_size for n in lite_build.PYODIDE_CORE),
        "Pyodide packages (numpy, matplotlib, IPython, ...)": 0,
        "course wheels (course_lib, ipywidgets, comm)": 0,
        "JupyterLab application and extensions": 0,
        "notebooks 01-11": sum(p.stat().st_size for p in (site / "files").rglob("*") if p.is_file()),
    }
    own = json.loads((pyodide / lite_build.SITE_LOCK).read_text())["packages"]
    official = json.loads((pyodide / "pyodide-lock.json").read_text())["packages"]
    for key, entry in own.items():
        size = (pyodide / entry["file_name"]).stat().st_size
        parts["Pyodide packages (numpy, matplotlib, IPython, ...)" if key in official else "course wheels (course_lib, ipywidgets, comm)"] += size
    total = lite_build.folder_size(site)
    parts["JupyterLab application and extensions"] = total - sum(parts.values())
    parts["total"] = total
    return parts


RUN_CELLS = """
const kernel = panel.sessionContext.session.kernel;
const results = [];
for (const code of arg) {
  const outs = [];
  const future = kernel.requestExecute({code, stop_on_error: false});
  future.onIOPub = (msg) => {
    const kind = msg.header.msg_type, c = msg.content;
    if (kind === 'stream') outs.push({kind, text: c.text.slice(0, 400)});
    else if (kind === 'error') outs.push({kind, text: c.ename + ': ' + String(c.evalue).slice(0, 400)});
    else if (kind === 'display_data' || kind === 'execute_result') outs.push({kind, mimes: Object.keys(c.data)});
  };
  const started = performance.now();
  const reply = await future.done;
  results.push({status: reply.content.status, seconds: (performance.now() - started) / 1000, outs});
}
return results;
"""


def every_notebook(lab) -> list[dict]:
    rows = []
    names = [p.stem for p in lite_build.numbered(ROOT / "notebooks")]
    for name in names:
        cells = ["%reset -f\nimport course_lib.browser as _b\nif _b._installed: _b._installed.missing.clear()",
                 *answered_cells(name)]
        started = time.monotonic()
        results = lab.evaluate(RUN_CELLS, cells)[1:]
        seconds = time.monotonic() - started
        errors = [o["text"] for r in results for o in r["outs"] if o["kind"] == "error"]
        figures = sum("image/png" in o.get("mimes", []) for r in results for o in r["outs"])
        widgets = sum("application/vnd.jupyter.widget-view+json" in o.get("mimes", []) for r in results for o in r["outs"])
        skipped = sum(any("[browser] Skipped" in o.get("text", "") for o in r["outs"]) for r in results)
        rows.append({"notebook": name, "cells": len(results), "seconds": seconds, "errors": errors,
                     "figures": figures, "widgets": widgets, "skipped": skipped})
        print(f"{name}: {seconds:.1f} s, {len(errors)} traceback(s), {figures} figure(s), {widgets} widget(s), "
              f"{skipped} cell(s) skipped", flush=True)
    return rows


def chromium_version() -> str:
    binary = driver.CHROMIUM_BINARY if driver.CHROMIUM_BINARY.exists() else driver.CHROMIUM
    try:
        return subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every-notebook", action="store_true", help="also run notebooks 01-11 in the browser kernel")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "lite_site.md")
    args = parser.parse_args()

    if not lite_build.up_to_date(SITE, solutions=False):
        subprocess.run(["make", "lite", f"LITE_OUT={SITE}", "LITE_SOLUTIONS="], cwd=ROOT, check=True)
    info = json.loads((SITE / lite_build.SITE_INFO).read_text())
    parts = sizes(SITE)
    files = sum(1 for p in SITE.rglob("*") if p.is_file())

    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()[0]
    server, proxy = driver.Site(SITE), driver.Blackhole()
    with sync_playwright() as playwright:
        browser = driver.Browser(playwright, proxy, ROOT / "build" / "lite-downloads")
        lab = driver.Lab(browser, server, "03_activations.ipynb")
        ready = lab.wait_for_kernel()
        print(f"kernel ready after {ready:.1f} s", flush=True)
        given = answers("03_activations")
        lab.set_sources({i: given[c["nbgrader"]["grade_id"]] for i, c in enumerate(lab.cells())
                         if (c["nbgrader"] or {}).get("solution") and not (c["nbgrader"] or {}).get("grade")})
        first = lab.run_all()
        cells = lab.cells()
        tracebacks = sum(bool(driver.errors_of(c["outputs"])) for c in cells)
        unrun = sum(c["type"] == "code" and c["count"] is None for c in cells)
        print(f"Run All of 03 (first): {first:.1f} s, {tracebacks} traceback(s), {unrun} cell(s) not run", flush=True)
        second = lab.run_all()
        print(f"Run All of 03 (second, same kernel): {second:.1f} s", flush=True)
        rows = every_notebook(lab) if args.every_notebook else []
        left = browser.left_the_machine()
        browser.close()
    server.close()
    proxy.close()
    load_after = os.getloadavg()[0]

    from importlib.metadata import version

    lines = [
        "# The browser site: size, kernel start and Run All of 03 in Chromium",
        "",
        f"Generated by `python benchmarks/lite_site.py{' --every-notebook' if args.every_notebook else ''}` "
        f"on {dt.date.today().isoformat()}.",
        "",
        f"- machine: {os.cpu_count()} cores (`nproc` = {len(os.sched_getaffinity(0))}), {cpu_model()}, "
        f"{platform.system()} {platform.release()}",
        f"- browser: {chromium_version()} (Debian), headless, driven by Playwright {version('playwright')}",
        f"- site: Pyodide {info['pyodide']} (Python 3.12 in WebAssembly), jupyterlite-core "
        f"{version_in_lock('jupyterlite-core')}, jupyterlite-pyodide-kernel {version_in_lock('jupyterlite-pyodide-kernel')}, "
        "served by Python's `http.server` on 127.0.0.1",
        f"- load average (1 min) before: {load_before:.2f}, after: {load_after:.2f} (other work on the machine "
        "slows everything below)",
        f"- requests for other hosts during the run (refused and counted): {len(left)}",
        "",
        "## Size of build/lite",
        "",
        "| part | size |",
        "|---|---:|",
    ]
    for part, size in parts.items():
        label = f"**{part}** ({files} files)" if part == "total" else part
        lines.append(f"| {label} | {size / 2**20:.1f} MiB |")
    lines += [
        "",
        "## 03_activations in Chromium (the solution's answers put into its answer cells)",
        "",
        "| step | time |",
        "|---|---:|",
        f"| open the notebook's URL until the kernel has run a first statement | {ready:.1f} s |",
        f"| Run All, first (loads NumPy, matplotlib, course_lib; builds matplotlib's font cache) | {first:.1f} s |",
        f"| Run All, second, same kernel | {second:.1f} s |",
        "",
        f"First Run All: {tracebacks} traceback(s), {unrun} code cell(s) not run.",
    ]
    if rows:
        lines += [
            "",
            "## Every notebook in the browser kernel (`--every-notebook`)",
            "",
            "Each notebook with the solution's answers, run cell by cell in the kernel of the page above",
            "(`%reset -f` between notebooks; `earlier.load` finds the untouched earlier notebooks, so the",
            "demonstrations that reuse them say so instead of plotting).",
            "",
            "| notebook | code cells | time | tracebacks | figures | widgets | cells skipped (PyTorch, Gymnasium, Atari) |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for row in rows:
            lines.append(f"| `{row['notebook']}` | {row['cells']} | {row['seconds']:.1f} s | {len(row['errors'])} | "
                         f"{row['figures']} | {row['widgets']} | {row['skipped']} |")
        problems = [(r["notebook"], e) for r in rows for e in r["errors"]]
        if problems:
            lines += ["", "Tracebacks:", ""] + [f"- `{n}`: {e.splitlines()[0][:300]}" for n, e in problems]
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")
    return 0 if not left else 1


def version_in_lock(name: str) -> str:
    for line in (ROOT / "lite" / "requirements.lock").read_text().splitlines():
        if line.lower().startswith(name.lower() + "=="):
            return line.split("==", 1)[1]
    return "?"


if __name__ == "__main__":
    sys.exit(main())
