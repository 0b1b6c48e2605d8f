"""A 200-page report's site under axe-core (issue #28 item 2): the report
bench/generate.py writes for 200 PDF pages (a summary and 17 chapters with tables,
figures, notes, a long bibliography) built as ``site`` only, then every page in one
browser session, light; the landing page and a chapter also with the search open and
results shown, dark, and 375 px wide. 0 violations. Its time is printed (``-s``).

Every page's search box, and the script that runs it, are written the same (asserted), so
the search a reader opens is the same on every page: it is opened on the landing page and
a chapter, whose headers differ, and on every page the script runs to its end over that
page's content (it shows the box). A whole check costs about a second of the browser's
time on these pages, and opening the search half a second (lunr indexes the report)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.a11y import browser as web
from tests.conftest import REPO, build_root

pytestmark = pytest.mark.skipif(web.missing() is not None, reason=web.missing() or "")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("p200") / "report"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "--pages", "200",
                    "--out", str(root)], check=True, capture_output=True, timeout=120)
    build_root(root, formats=("site",))  # the site's pages are the same with "html" or not
    return root / "out" / "site"


def _search(session: web.Browser, query: str) -> int:
    """Type ``query`` into the search box; how many results are shown."""
    session.run("var i = document.getElementById('site-search-input'); i.value = ''; i.focus();")
    session.type(query)
    for _ in range(100):  # lunr and the index load on first focus
        if session.run("return document.getElementById('site-search-status').textContent"):
            break
        time.sleep(0.1)
    return session.run("return document.querySelectorAll('.site-search-list a').length")


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` and everything below it so far (the
    browser's processes), from /proc; 0 where /proc is not there."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        child = int(stat.parent.name)
        parents[child] = int(fields[1])
        times[child] = (int(fields[11]) + int(fields[12])) / tick
    tree, grown = {pid}, True
    while grown:
        below = {child for child, parent in parents.items() if parent in tree} - tree
        grown = bool(below)
        tree |= below
    return sum(times.get(member, 0.0) for member in tree)


def test_every_page_of_a_200_page_site_has_no_axe_violations(site: Path, chromium) -> None:
    pages = sorted(site.glob("*.html"))
    assert len(pages) >= 19  # landing (with the summary), 17 chapters, bibliography
    chapter = next(page.name for page in pages if page.name.startswith("ch-"))
    started, cpu = time.perf_counter(), time.process_time()
    found: dict[tuple[str, str], list[str]] = {}
    browser_cpu = -_tree_cpu(chromium.driver.pid)
    assert len({web.search_markup(page) for page in pages}) == 1
    for page in pages:
        chromium.size(1280, 900)
        chromium.color_scheme("light")
        chromium.open(page)
        found[(page.name, "light")] = chromium.violations()
        assert chromium.run(web.SEARCH_SHOWN), page.name
        if page.name in ("index.html", chapter):
            assert _search(chromium, "market") > 0, page.name
            found[(page.name, "search open")] = chromium.violations()
            chromium.press("Escape")
            chromium.color_scheme("dark")
            found[(page.name, "dark")] = chromium.violations()
            chromium.size(375, 800)
            found[(page.name, "375px")] = chromium.violations()
    browser_cpu += _tree_cpu(chromium.driver.pid)
    print(f"\naxe on {len(pages)} pages of a 200-page site: "
          f"{time.perf_counter() - started:.1f} s wall, {browser_cpu:.1f} s CPU in the "
          f"browser, {time.process_time() - cpu:.1f} s in the test process")
    assert {key: v for key, v in found.items() if v} == {}
