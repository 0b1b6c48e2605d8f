"""The web edition as a site (#28, --format site): its pages, the links between them, the
search index and the search box in a browser, axe-core on every page, the web fonts, the
exact cache and byte-for-byte identical builds."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from fontTools.ttLib import TTFont

from tests.a11y import browser as web
from tests.conftest import Built, build_root, copy_root
from tests.htmlparse import Element, parse_html

needs_browser = pytest.mark.skipif(web.missing() is not None, reason=web.missing() or "")


@pytest.fixture(scope="module")
def basic_site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The basic fixture with the PDF and Word editions, which the landing page offers."""
    root = copy_root("basic", tmp_path_factory.mktemp("site"))
    return build_root(root, formats=("pdf", "docx", "site"))


@pytest.fixture(scope="module")
def flagship_site(flagship_editions: Built) -> Path:
    """The site of the session's one build of the flagship (a copy of the repository's
    report, every edition); read only."""
    return flagship_editions.out / "site"


def _pages(site: Path) -> dict[str, Element]:
    return {page.name: parse_html(page.read_text(encoding="utf-8"))
            for page in sorted(site.glob("*.html"))}


def _meta(doc: Element, key: str) -> list[str]:
    return [e.attrs["content"] for e in doc.find_all("meta")
            if key in (e.attrs.get("name"), e.attrs.get("property"))]


def crawl(site: Path) -> tuple[int, list[str]]:
    """Follow every local href and src of every page: (links followed, the broken ones)."""
    pages = _pages(site)
    ids = {name: {e.attrs["id"] for e in doc.iter() if "id" in e.attrs}
           for name, doc in pages.items()}
    followed, broken = 0, []
    for name, doc in pages.items():
        for element in doc.iter():
            for attr in ("href", "src"):
                url = element.attrs.get(attr)
                if url is None or urlsplit(url).scheme or url.startswith("//"):
                    continue
                followed += 1
                parts = urlsplit(url)
                target = (site / unquote(parts.path or name)).resolve()
                if not target.is_file():
                    broken.append(f"{name}: {url} (no file)")
                elif parts.fragment and parts.fragment not in ids.get(target.name, set()):
                    broken.append(f"{name}: {url} (no such id)")
    return followed, broken


def test_one_page_per_chapter_with_landing_and_bibliography(basic_site: Built) -> None:
    site = basic_site.out / "site"
    pages = _pages(site)
    assert sorted(pages) == ["bibliography.html", "ch-02-defence.html", "index.html",
                             "sec-intro.html"]
    landing = pages["index.html"]
    assert [h.text() for h in landing.find_all("h1")] == ["Cooperation under constraint"]
    assert landing.find_all(cls="kind-summary")  # the summary is on the landing page
    downloads = [a.attrs["href"] for s in landing.find_all(cls="site-downloads")
                 for a in s.find_all("a")]
    assert downloads == [f"../{basic_site.slug}.{ext}" for ext in ("pdf", "docx", "bib", "ris")]
    covers = [i.attrs["src"] for i in landing.find_all("img", cls="site-cover")]
    assert covers == ([f"../{basic_site.slug}-cover.png"] if shutil.which("pdftoppm") else [])
    contents = [a.text() for s in landing.find_all(cls="site-contents") for a in s.find_all("a")]
    assert contents == ["Chapter 1: Introduction", "Chapter 2: Defence-oriented technologies",
                        "Bibliography"]
    chapter = pages["ch-02-defence.html"]
    assert [h.text() for h in chapter.find_all("h1")] == \
        ["Chapter 2Defence-oriented technologies"]
    assert not chapter.find_all(cls="kind-summary")


def test_each_page_has_contents_pager_header_and_its_own_metadata(basic_site: Built) -> None:
    pages = _pages(basic_site.out / "site")
    titles, descriptions = set(), set()
    for name, doc in pages.items():
        current = [a for a in doc.find_all("a") if a.attrs.get("aria-current") == "page"]
        assert [a.attrs["href"] for a in current] == [name]
        assert doc.find_all(cls="masthead") and doc.find_all(cls="site-search")
        titles.add(doc.find_all("title")[0].text())
        descriptions.update(_meta(doc, "description"))
        assert _meta(doc, "citation_title") == ["Cooperation under constraint"]
        assert _meta(doc, "citation_pdf_url") == [f"../{basic_site.slug}.pdf"]
        assert _meta(doc, "og:title") == [doc.find_all("title")[0].text()]
    assert len(titles) == len(pages) and len(descriptions) == len(pages)
    chapter = pages["sec-intro.html"]
    pager = chapter.find_all(cls="pager")[0]
    assert [a.attrs["href"] for a in pager.find_all("a")] == ["index.html", "ch-02-defence.html"]
    sections = [a.text() for a in chapter.find_all(cls="toc-sections")[0].find_all("a")]
    assert sections == ["1.1Scope", "1.2Method"]  # the current chapter is open
    assert len(chapter.find_all(cls="toc-sections")) == 1
    description = _meta(chapter, "description")[0]
    assert description.startswith("Advanced technologies shape the balance of power. This")


def test_chapter_says_how_to_cite_it(flagship_site: Path) -> None:
    doc = _pages(flagship_site)["ch-04-defence.html"]
    cite = doc.find_all(cls="chapter-cite")[0].text()
    assert cite.startswith("How to cite this chapter")
    assert "Chapter 4, “Defence-oriented technologies”, in" in cite
    assert "china–russia cooperation in advanced technologies" in cite.lower()


def test_links_across_pages_resolve(basic_site: Built) -> None:
    site = basic_site.out / "site"
    followed, broken = crawl(site)
    assert broken == [] and followed > 50
    intro = (site / "sec-intro.html").read_text(encoding="utf-8")
    defence = (site / "ch-02-defence.html").read_text(encoding="utf-8")
    assert 'href="bibliography.html#ref-lee2022"' in intro  # citations, notes included
    assert 'href="#tbl-fields"' in intro  # on its own page: a fragment
    assert re.search(r'href="sec-intro\.html#(fig-bars|tbl-fields|ch-01-intro-\w+)"', defence)
    assert 'href="#sec-intro-fnref1"' in intro  # back-links stay on the page


def test_flagship_site_links_resolve(flagship_site: Path) -> None:
    followed, broken = crawl(flagship_site)
    assert broken == [] and followed > 500
    assert len(list(flagship_site.glob("*.html"))) == 10  # landing, 7 + 1 parts, bibliography


def _index(site: Path) -> list[dict[str, str]]:
    text = (site / "assets/search-index.js").read_text(encoding="utf-8")
    prefix = "window.reportcSearch = "
    start = text.index(prefix) + len(prefix)
    return json.loads(text[start:text.rindex(";")])


def test_search_index_covers_every_page_by_section(basic_site: Built) -> None:
    site = basic_site.out / "site"
    entries = _index(site)
    assert {e["id"].split("#")[0] for e in entries} == {p.name for p in site.glob("*.html")}
    scope = next(e for e in entries if e["id"] == "sec-intro.html#ch-01-intro-scope")
    assert scope["s"] == "1.1 Scope" and scope["c"] == "Chapter 1: Introduction"
    assert "listed in Table 1" in scope["t"]
    assert "fields follow the source report" not in scope["t"]  # pop-ups: in the notes list
    words = " ".join(e["t"] for e in entries)
    assert "Bendett" in words and "Skip to" not in words and "Search the report" not in words
    _, broken = crawl(site)
    assert not broken
    ids = {p.name: p.read_text() for p in site.glob("*.html")}
    for entry in entries:
        page, _, anchor = entry["id"].partition("#")
        assert not anchor or f'id="{anchor}"' in ids[page]


def test_web_fonts_are_woff2_subsets_and_a_chapter_loads_under_1_mb(flagship_site: Path) -> None:
    fonts = sorted((flagship_site / "assets/fonts").iterdir())
    assert fonts and all(f.suffix == ".woff2" for f in fonts)
    css = (flagship_site / "assets/css/base.css").read_text()
    assert ".ttf" not in css and 'format("woff2")' in css
    regular = TTFont(flagship_site / "assets/fonts/SourceSerif4-Regular.woff2")
    assert regular.flavor == "woff2"
    cmap = regular.getBestCmap()
    text = (flagship_site / "ch-04-defence.html").read_text(encoding="utf-8")
    assert all(ord(c) in cmap for c in set(re.sub(r"<[^>]+>", "", text)) if c.isalpha())
    assert len(cmap) < 400  # the full face maps over a thousand characters
    page = flagship_site / "ch-04-defence.html"
    loaded = [page, *fonts, *(flagship_site / "assets").glob("*.js")]  # search's too
    loaded += [flagship_site / unquote(src) for src in
               re.findall(r'<(?:img|script|link rel="stylesheet")\b[^>]*(?:src|href)="([^"]+)"',
                          text)]
    assert sum(p.stat().st_size for p in set(loaded)) < 1_000_000


def test_same_inputs_give_the_same_bytes(basic_site: Built, tmp_path: Path) -> None:
    other = build_root(copy_root("basic", tmp_path), formats=("pdf", "docx", "site"))
    first, second = basic_site.out / "site", other.out / "site"
    names = sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second).as_posix()
                           for p in second.rglob("*") if p.is_file())
    assert [n for n in names if (first / n).read_bytes() != (second / n).read_bytes()] == []


def test_exact_cache_rebuilds_the_site_when_a_chapter_changes(tmp_path: Path) -> None:
    import reportc.cache

    assert "uharfbuzz=0." in reportc.cache.library_versions()  # the fonts' subsetter is keyed
    root = copy_root("basic", tmp_path)
    build_root(root, formats=("site",))
    page = root / "out/site/ch-02-defence.html"
    before = page.read_bytes()
    from reportc.build import BuildOptions, build
    assert build(BuildOptions(root=root, formats=("site",))).up_to_date
    chapter = root / "chapters/02-defence.md"
    chapter.write_text(chapter.read_text() + "\nA sentence about zeppelins.\n")
    assert not build(BuildOptions(root=root, formats=("site",))).up_to_date
    assert page.read_bytes() != before
    assert "zeppelins" in (root / "out/site/assets/search-index.js").read_text()
    (root / "out/site/bibliography.html").unlink()  # an output gone: built again
    assert not build(BuildOptions(root=root, formats=("site",))).up_to_date
    assert (root / "out/site/bibliography.html").is_file()


# --- In a browser -------------------------------------------------------------------------


def _search(session: web.Browser, query: str) -> list[str]:
    session.run("document.getElementById('site-search-input').focus()")
    session.type(query)
    for _ in range(100):  # lunr and the index load on first focus, as script elements
        if session.run("return document.getElementById('site-search-status').textContent"):
            break
        time.sleep(0.1)
    return session.run("return Array.prototype.map.call(document.querySelectorAll("
                       "'.site-search-list a'), function (a) { return a.textContent; })")


@needs_browser
def test_search_with_the_keyboard(basic_site: Built, chromium) -> None:
    chromium.size(1280, 900)
    chromium.open(basic_site.out / "site" / "index.html")  # file://, as opened from disk
    assert chromium.run("return window.reportcSearch === undefined")  # loaded when needed
    results = _search(chromium, "radar")
    assert results and all("Chapter" in r or "Bibliography" in r for r in results)
    assert chromium.run("return document.getElementById('site-search-status').textContent") \
        .endswith("result" if len(results) == 1 else "results")
    active = "return document.activeElement.getAttribute('href')"
    chromium.press("ArrowDown")
    first = chromium.run(active)
    assert first and "#" in first
    chromium.press("ArrowUp")
    assert chromium.run("return document.activeElement.id") == "site-search-input"
    chromium.press("Escape")
    assert chromium.run("return document.getElementById('site-search-results').hidden")
    chromium.type(" zzqx")
    assert chromium.run("return document.getElementById('site-search-status').textContent") \
        == "No results"
    chromium.run("var i = document.getElementById('site-search-input'); i.value = '';")
    _search(chromium, "Huawei")
    chromium.press("ArrowDown")
    target = chromium.run(active)
    chromium.press("Enter")
    assert chromium.run("return location.href").endswith(target)


@needs_browser
def test_flagship_site_has_no_axe_violations(flagship_site: Path, chromium) -> None:
    """Every page, light; the landing page and a chapter dark and 375 px wide, and with the
    search results shown. Every page's search box, and the script that runs it, are
    written the same (asserted), and on every page the script runs to the end over its
    content (the box is shown), as in test_site_axe_200."""
    found = {}
    pages = sorted(flagship_site.glob("*.html"))
    assert len({web.search_markup(page) for page in pages}) == 1
    for page in pages:
        chromium.size(1280, 900)
        chromium.color_scheme("light")
        chromium.open(page)
        found[(page.name, "light")] = chromium.violations()
        assert chromium.run(web.SEARCH_SHOWN), page.name
        if page.name in ("index.html", "ch-04-defence.html"):
            assert _search(chromium, "Russia"), page.name
            found[(page.name, "search open")] = chromium.violations()
            chromium.press("Escape")
            chromium.color_scheme("dark")
            found[(page.name, "dark")] = chromium.violations()
            chromium.color_scheme("light")
            chromium.size(375, 800)
            found[(page.name, "375px")] = chromium.violations()
            assert chromium.run("return document.documentElement.scrollWidth") <= 375
    assert {key: v for key, v in found.items() if v} == {}


def test_a_report_theme_without_site_files_uses_the_default_ones_and_keys_on_them(
        tmp_path: Path) -> None:
    from reportc.editions.theme import DEFAULT_THEME, Theme
    from reportc.site import fallback_files

    root = copy_root("basic", tmp_path)
    shutil.copytree(DEFAULT_THEME, root / "templates",
                    ignore=shutil.ignore_patterns("site", "__pycache__", "*.py"))
    css = root / "templates/css/screen.css"
    css.write_text(css.read_text() + "\n.masthead { border-bottom: 2px solid red; }\n")
    fallback = {p.relative_to(DEFAULT_THEME).as_posix()
                for p in fallback_files(Theme(root / "templates"))}
    assert {"site/page.html.j2", "site/site.css", "site/site.js"} <= fallback
    assert "css/screen.css" not in fallback  # the report's own is used and keyed
    build_root(root, formats=("site",))
    site = root / "out/site"
    assert "border-bottom: 2px solid red" in (site / "assets/css/screen.css").read_text()
    assert crawl(site)[1] == [] and (site / "assets/lunr.min.js").is_file()


def test_a_damaged_theme_font_is_a_clear_error_and_out_is_kept(tmp_path: Path) -> None:
    from reportc.editions.theme import DEFAULT_THEME
    from tests.conftest import run_cli

    root = copy_root("basic", tmp_path)
    shutil.copytree(DEFAULT_THEME, root / "templates",
                    ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    assert run_cli(root, "--format", "site").returncode == 0
    landing = (root / "out/site/index.html").read_bytes()
    (root / "templates/fonts/SourceSans3-Bold.ttf").write_bytes(b"not a font at all")
    done = run_cli(root, "--format", "site")
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "SourceSans3-Bold.ttf: cannot make a web font of this font file" in done.stderr
    assert (root / "out/site/index.html").read_bytes() == landing


def test_page_file_names_never_collide(basic_site: Built) -> None:
    from markupsafe import Markup

    from reportc.editions.page import Part
    from reportc.errors import Diagnostics
    from reportc.project.config import load_config
    from reportc.site.pages import plan_pages

    config = load_config(basic_site.root, Diagnostics())
    parts = [Part(anchor, "chapter", "", "", anchor, anchor, [], Markup("<p>x</p>"))
             for anchor in ("bibliography", "index", "same", "same", "a/b c")]
    files = [page.file for page in plan_pages(config, parts, True)]
    assert files == ["index.html", "bibliography-2.html", "index-2.html", "same.html",
                     "same-2.html", "a-b-c.html", "bibliography.html"]


def test_with_a_url_each_page_has_its_canonical_address(tmp_path: Path) -> None:
    built = build_root(copy_root("publisher", tmp_path), formats=("site",))
    pages = _pages(built.out / "site")
    base = "https://reports.example.org/grid-storage/"
    for name, doc in pages.items():
        canonical = [e.attrs["href"] for e in doc.find_all("link")
                     if e.attrs.get("rel") == "canonical"]
        assert canonical == [base + name]
        assert _meta(doc, "og:url") == [base + name]
    assert crawl(built.out / "site")[1] == []
