"""Headless Chromium for the web edition's accessibility tests, driven through
chromedriver's W3C WebDriver HTTP interface with the standard library alone (no Python
driver package to pin), and axe-core from tests/a11y/node_modules (installed by
``npm ci`` from the pinned package-lock.json: ``make test`` and .ci/run do it; nothing
is downloaded at test time).
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-dev-shm-usage", "--force-device-scale-factor=1"]
# WCAG 2.2 A and AA, and axe's best practices
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
KEYS = {"Tab": "\ue004", "Escape": "\ue00c", "ArrowUp": "\ue013", "ArrowDown": "\ue015",
        "Enter": "\ue007"}


# True once the web edition's script has run to its end on the page: it shows the search box
SEARCH_SHOWN = "return !document.querySelector('.site-search').hidden"


def search_markup(page: Path) -> str:
    """A site page's search box and the script element that runs it, as written: the same
    on every page means the search a reader opens is the same on every page (one index,
    one script, pages in one folder)."""
    html = page.read_text(encoding="utf-8")
    start = html.index('<div class="site-search"')
    end = html.index("</header>", start)
    script = re.search(r'<script src="[^"]*site\.js"></script>', html)
    assert script is not None, page
    return html[start:end] + script.group(0)


def missing() -> str | None:
    """Why the browser tests cannot run here, or ``None``."""
    if not any(shutil.which(name) for name in CHROMIUM):
        return "chromium is not installed (Debian: apt-get install chromium chromium-driver)"
    if not shutil.which("chromedriver"):
        return "chromedriver is not installed (Debian: apt-get install chromium-driver)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """One chromedriver and one headless Chromium with a fresh profile."""

    def __init__(self, width: int = 1280, height: int = 900) -> None:
        if not AXE.is_file():
            raise RuntimeError(f"{AXE} is missing: run `npm ci` in tests/a11y (make test does)")
        self.profile = tempfile.mkdtemp(prefix="reportc-chromium-")
        self.port = _free_port()
        self.driver = subprocess.Popen(["chromedriver", f"--port={self.port}"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"
        self._wait_ready()
        binary = next(shutil.which(n) for n in CHROMIUM if shutil.which(n))
        options = {"binary": binary, "args": [*FLAGS, f"--user-data-dir={self.profile}",
                                                f"--window-size={width},{height}"]}
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome",
                                                 "goog:chromeOptions": options}}}
        self.session = self._call("POST", "/session", caps)["sessionId"]
        self._session("POST", "/timeouts", {"script": 120_000, "pageLoad": 60_000})
        self.axe_source = AXE.read_text(encoding="utf-8")

    def _wait_ready(self) -> None:
        for _ in range(100):
            try:
                with urllib.request.urlopen(self.base + "/status", timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("chromedriver did not start")

    def _call(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body if body is not None else {}).encode() if method == "POST" else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return json.loads(response.read())["value"]
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"WebDriver {path}: {error.read().decode()[:500]}") from error

    def _session(self, method: str, path: str, body: dict | None = None):
        return self._call(method, f"/session/{self.session}{path}", body)

    def open(self, path: Path) -> None:
        self._session("POST", "/url", {"url": path.resolve().as_uri()})

    def size(self, width: int, height: int = 900) -> None:
        self._session("POST", "/window/rect", {"width": width, "height": height})

    def color_scheme(self, scheme: str) -> None:
        """Emulate prefers-color-scheme (light or dark) through the DevTools protocol."""
        self._session("POST", "/goog/cdp/execute", {
            "cmd": "Emulation.setEmulatedMedia",
            "params": {"features": [{"name": "prefers-color-scheme", "value": scheme}]}})

    def run(self, script: str, *args):
        return self._session("POST", "/execute/sync", {"script": script, "args": list(args)})

    def press(self, key: str) -> None:
        code = KEYS[key]
        self._session("POST", "/actions", {"actions": [{
            "type": "key", "id": "keyboard",
            "actions": [{"type": "keyDown", "value": code}, {"type": "keyUp", "value": code}]}]})

    def type(self, text: str) -> None:
        """Type ``text`` into the focused element, key by key, as a reader would."""
        keys = [{"type": kind, "value": char} for char in text for kind in ("keyDown", "keyUp")]
        self._session("POST", "/actions", {"actions": [{"type": "key", "id": "keyboard",
                                                         "actions": keys}]})

    def screenshot(self, target: Path) -> None:
        import base64
        target.write_bytes(base64.b64decode(self._session("GET", "/screenshot")))

    def violations(self, within: str | None = None) -> list[str]:
        """axe-core's violations, one line each as a failing assertion shows them."""
        return [f"{v['id']} ({v['impact']}): {v['help']}; {v['nodes']}"
                for v in self.axe(within)]

    def axe(self, within: str | None = None) -> list[dict]:
        """axe-core's violations on the page as it is now: [{id, impact, nodes: [...]}].
        ``within``, a CSS selector, checks only the elements it selects and their content,
        as they sit in the page (colours, sizes and names as the page gives them); axe then
        leaves out its rules about the page as a whole (one main landmark, a level-one
        heading...), and reports an error where the selector selects nothing."""
        if not self.run("return !!window.axe"):
            self.run(self.axe_source + "\nreturn true;")
        script = ("var done = arguments[arguments.length - 1];"
                  "var context = arguments[1] ? {include: [arguments[1]]} : document;"
                  "axe.run(context, {runOnly: {type: 'tag', values: arguments[0]},"
                  " resultTypes: ['violations']})"
                  ".then(function (r) { done(r.violations.map(function (v) {"
                  " return {id: v.id, impact: v.impact, help: v.help,"
                  " nodes: v.nodes.slice(0, 5).map(function (n) { return n.target.join(' ') + '"
                  " :: ' + n.failureSummary; })}; })); },"
                  " function (e) { done([{id: 'axe-error', impact: 'error', help: String(e),"
                  " nodes: []}]); });")
        return self._session("POST", "/execute/async",
                             {"script": script, "args": [AXE_TAGS, within]})

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, OSError):
            self._session("DELETE", "")
        self.driver.terminate()
        try:
            self.driver.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.driver.kill()
        shutil.rmtree(self.profile, ignore_errors=True)
