"""Serve the browser site on loopback and drive it in Debian's Chromium, counting what tries to leave the machine.

Used by tests/test_lite.py and benchmarks/lite_site.py (run with the course's .venv, which has
Playwright; Chromium is Debian's /usr/bin/chromium, never a downloaded browser).

* :class:`Site` serves the built folder with Python's ``http.server`` on 127.0.0.1, as a learner would.
* :class:`Blackhole` is an HTTP proxy on 127.0.0.1 that refuses and records every request sent to it.
  Chromium is started with it as its proxy, so every request for another host, from the page, its
  web workers (the Pyodide kernel) or its service worker, ends there and is counted; Chromium
  reaches loopback addresses directly (they bypass a proxy). The page's own request events are
  counted too.
* :class:`Lab` drives one notebook: waits for a ready kernel, Run All from the menu, reads cells and
  outputs from JupyterLab's own notebook model, saves and downloads the .ipynb.

The page is given ``exposeAppInBrowser`` (JupyterLite's switch that puts the app on
``window.jupyterapp``) by rewriting ``jupyter-lite.json`` as Playwright receives it: the built site
is not changed for the test.
"""
from __future__ import annotations

import functools
import json
import socket
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM = Path("/usr/bin/chromium")
#: The binary behind Debian's wrapper script: the wrapper exports Google API keys, with which Chromium itself
#: calls Google services (autofill, sign-in, push messaging); started directly it has none and stays quiet.
CHROMIUM_BINARY = Path("/usr/lib/chromium/chromium")
#: Chromium itself calls Google services at start (sign-in's ListAccounts, push messaging's check-in,
#: autofill): those are switched off or pointed at a closed loopback port, so that every request the
#: proxy counts comes from the site. Playwright passes its own --disable-features list; a second switch
#: would replace it, so its list is repeated here with AutofillServerCommunication added.
_PLAYWRIGHT_DISABLED = ("AvoidUnnecessaryBeforeUnloadCheckSync,DestroyProfileOnBrowserClose,HttpsUpgrades,"
                        "HttpsFirstBalancedModeAutoEnable,LensOverlay,MediaRouter,PaintHolding,"
                        "ThirdPartyStoragePartitioning,AvoidCorsURLLoaderRestartOnRedirect,OptimizationHints,"
                        "NetworkTimeServiceQuerying,AimEnabled,PreconnectToSearch")
_CLOSED = "http://127.0.0.1:9"  # the discard port: nothing listens there
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--no-pings",
    "--metrics-recording-only",
    f"--disable-features={_PLAYWRIGHT_DISABLED},AutofillServerCommunication",
    f"--gaia-url={_CLOSED}/",
    f"--gcm-checkin-url={_CLOSED}/checkin",
    f"--gcm-mcs-endpoint={_CLOSED}/mcs",
    f"--gcm-registration-url={_CLOSED}/register",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}

KERNEL_TIMEOUT = 600_000  # ms: Pyodide's first start on a busy 2-core machine (measured up to ~2 min)
RUN_TIMEOUT = 600_000  # ms for one Run All
UI_TIMEOUT = 60_000
RUN_ALL_TRIES = 3  # Run All is clicked again when no cell started (see Lab._started)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # noqa: D401 - keep test output clean
        pass


class Site:
    """The built site on http://127.0.0.1:<free port>/, served from a thread."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(self.folder)))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Blackhole:
    """A proxy that answers every request with 403 and keeps its first line (``CONNECT host:443 ...``)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.requests: list[str] = []
        self._open = True
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while self._open:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(5)
            data = b""
            while b"\r\n" not in data and len(data) < 8192:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
            if data:
                self.requests.append(data.split(b"\r\n", 1)[0].decode("latin-1"))
            conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self._open = False
        self.sock.close()


def off_host(url: str) -> bool:
    if url.startswith(("data:", "blob:", "about:", "chrome:", "chrome-extension:")):
        return False
    return urlparse(url).hostname not in LOOPBACK


class Browser:
    """Chromium with the blackhole proxy; one context whose pages see ``window.jupyterapp``."""

    def __init__(self, playwright, proxy: Blackhole, downloads: Path):
        self.proxy = proxy
        self.page_requests: list[str] = []
        self.browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM_BINARY if CHROMIUM_BINARY.exists() else CHROMIUM), headless=True,
            args=[*CHROMIUM_ARGS, f"--proxy-server=http://127.0.0.1:{proxy.port}"])
        self.context = self.browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        self.context.route("**/jupyter-lite.json", self._expose_app)
        self.context.on("request", lambda r: self.page_requests.append(r.url) if off_host(r.url) else None)
        self.downloads = downloads

    @staticmethod
    def _expose_app(route) -> None:
        if off_host(route.request.url):
            route.abort()
            return
        response = route.fetch()
        config = json.loads(response.text())
        config.setdefault("jupyter-config-data", {})["exposeAppInBrowser"] = "true"
        route.fulfill(response=response, body=json.dumps(config))

    def left_the_machine(self) -> list[str]:
        """Every request for another host so far: through the proxy, or seen by the page."""
        return [f"proxy: {r}" for r in self.proxy.requests] + [f"page: {u}" for u in self.page_requests]

    def close(self) -> None:
        self.browser.close()


#: JavaScript run in the page (``window.jupyterapp`` is JupyterLite's app).
_JS_PANEL = """(path) => {
  const app = window.jupyterapp;
  if (!app) return null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.sessionContext) return true;
  }
  return null;
}"""
_JS_FIND = """const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.context && w.context.path === path);"""


class Lab:
    """One notebook of the site, open in a page."""

    def __init__(self, browser: Browser, site: Site, path: str):
        self.browser, self.site, self.path = browser, site, path
        self.page = browser.context.new_page()
        self.page.set_default_timeout(UI_TIMEOUT)
        self.opened_at = time.monotonic()
        self.page.goto(f"{site.url}/lab/index.html?path={path}", wait_until="domcontentloaded")
        self.page.wait_for_function(_JS_PANEL, arg=path, timeout=UI_TIMEOUT * 2)

    def evaluate(self, body: str, arg=None):
        """Run ``body`` (statements using ``panel``, the notebook's widget) in the page; its return value comes back."""
        script = f"async ([path, arg]) => {{ {_JS_FIND} {body} }}"
        return self.page.evaluate(script, [self.path, arg])

    def wait_for_kernel(self) -> float:
        """Seconds from opening the page until the kernel has run a first statement."""
        has_kernel = (f"(path) => {{ {_JS_FIND} return Boolean(panel.sessionContext.session && "
                      "panel.sessionContext.session.kernel); }")
        dialog = self.page.locator(".jp-Dialog", has_text="Select Kernel")
        deadline = time.monotonic() + KERNEL_TIMEOUT / 1000
        while not self.page.evaluate(has_kernel, self.path):
            if dialog.is_visible():  # JupyterLab may ask which kernel to start; a learner clicks Select
                dialog.get_by_role("button", name="Select", exact=True).click()
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.path}: no kernel after {KERNEL_TIMEOUT / 1000:.0f} s")
            self.page.wait_for_timeout(500)
        self.evaluate("""const kernel = panel.sessionContext.session.kernel;
                         const reply = await kernel.requestExecute({code: 'import sys; sys.platform', silent: true}).done;
                         return reply.content.status;""")
        return time.monotonic() - self.opened_at

    def cells(self) -> list[dict]:
        """The notebook's cells as JupyterLab holds them: type, nbgrader metadata, source, count, outputs."""
        return self.evaluate("""return [...panel.content.model.cells].map(c => ({
            type: c.type, source: c.sharedModel.getSource(),
            nbgrader: (c.getMetadata && c.getMetadata('nbgrader')) || null,
            count: c.type === 'code' ? c.executionCount : null,
            outputs: c.type === 'code' ? c.outputs.toJSON() : [] }));""")

    def set_sources(self, sources: dict[int, str]) -> None:
        """Replace the source of cells by index, as an edit in the browser does."""
        self.evaluate("""const cells = panel.content.model.cells;
                         for (const [i, text] of Object.entries(arg)) cells.get(Number(i)).sharedModel.setSource(text);
                         return true;""", {str(k): v for k, v in sources.items()})

    def _busy(self) -> bool:
        return self.evaluate("""const kernel = panel.sessionContext.session.kernel;
            const running = [...panel.content.widgets].some(w => w.model.type === 'code' &&
                             (w.model.executionState === 'running' || /\\[\\*\\]/.test(w.promptNode ? w.promptNode.textContent : '')));
            return kernel.status !== 'idle' || running;""")

    def wait_until_idle(self, timeout_ms: int = RUN_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout_ms / 1000
        quiet = 0
        while quiet < 3:  # idle three times in a row: JupyterLab sends the cells one after another
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.path}: still running after {timeout_ms / 1000:.0f} s")
            quiet = 0 if self._busy() else quiet + 1
            self.page.wait_for_timeout(500)

    def _menu(self, menu: str, command: str) -> None:
        """Open a menu of the menu bar and click its item for ``command`` (JupyterLab's command id)."""
        self.page.keyboard.press("Escape")  # close a menu left open
        self.page.locator(".lm-MenuBar-item", has_text=menu).first.click()
        self.page.locator(f".lm-Menu-item[data-command='{command}']").first.click()

    def run_all(self) -> float:
        """Run > Run All Cells, as a learner clicks it; seconds until the notebook is idle again.

        JupyterLab stops a Run All at the first cell that raises, as it does on a computer.
        """
        self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first.click(position={"x": 5, "y": 5})
        before = self._counts()
        started = time.monotonic()
        for _ in range(RUN_ALL_TRIES):
            self._menu("Run", "runmenu:run-all")
            if self._started(before):
                break
        else:
            raise TimeoutError(f"{self.path}: Run All started no cell in {RUN_ALL_TRIES} tries")
        self.wait_until_idle()
        return time.monotonic() - started

    def _counts(self) -> list:
        return self.evaluate("return [...panel.content.model.cells].map(c => c.type === 'code' ? c.executionCount : null);")

    def _started(self, before: list, timeout_s: float = 60) -> bool:
        """Whether a cell began to run (the kernel busy, or a count changed) within ``timeout_s``.

        On a busy machine a click on Run All can come before JupyterLab takes it; a learner clicks again.
        """
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._busy() or self._counts() != before:
                return True
            self.page.wait_for_timeout(250)
        return False

    def run_from(self, index: int) -> None:
        """Select cell ``index`` and run it and every cell below (Run > Run Selected Cell and All Below)."""
        self.evaluate("panel.content.activeCellIndex = arg; panel.content.mode = 'command'; return true;", index)
        before = self._counts()
        for _ in range(RUN_ALL_TRIES):
            self._menu("Run", "notebook:run-all-below")
            if self._started(before):
                break
        else:
            raise TimeoutError(f"{self.path}: Run Selected Cell and All Below started no cell in {RUN_ALL_TRIES} tries")
        self.wait_until_idle()

    def save(self) -> None:
        self._menu("File", "docmanager:save")
        self.page.wait_for_function(f"(path) => {{ {_JS_FIND} return panel.context.model.dirty ? null : true; }}",
                                    arg=self.path)

    def download(self, dest: Path) -> Path:
        """Right-click the notebook in the file browser, Download: the .ipynb as the browser hands it over."""
        self.page.keyboard.press("Escape")
        self.page.locator(".jp-DirListing-item", has_text=Path(self.path).name).first.click(button="right")
        with self.page.expect_download() as info:
            self.page.locator(".lm-Menu-item[data-command='filebrowser:download']").first.click()
        download = info.value
        dest.parent.mkdir(parents=True, exist_ok=True)
        download.save_as(str(dest))
        return dest

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path))

    def close(self) -> None:
        self.page.close()


def text_of(outputs: list[dict]) -> str:
    """All text a cell shows: streams, results and errors (ename: evalue)."""
    parts = []
    for out in outputs:
        if out.get("output_type") == "stream":
            parts.append("".join(out.get("text", "")))
        elif out.get("output_type") == "error":
            parts.append(f"{out.get('ename')}: {out.get('evalue')}")
        elif "data" in out and "text/plain" in out["data"]:
            parts.append("".join(out["data"]["text/plain"]))
    return "\n".join(parts)


def errors_of(outputs: list[dict]) -> list[dict]:
    return [out for out in outputs if out.get("output_type") == "error"]
