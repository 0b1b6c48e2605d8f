"""Trust: sandboxed resources, bounded tools, safe HTML, atomic and byte-identical output.

The bad-input corpus (``test_bad_inputs.py``) checks one message per hostile input;
this file checks the mechanisms underneath: that the trap server and the canary
would catch a leak at all, that the fetcher and pandoc runs refuse what they
must, that a failed or killed build leaves the previous output byte-identical,
and that two clean builds agree byte for byte.
"""

from __future__ import annotations

import contextlib
import errno
import html.parser
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import weasyprint
from conftest import REPO, build_root, copy_root, run_cli
from trustkit import TrapServer, files_containing, make_canary

import reportc.output
from reportc.build import BuildOptions, build
from reportc.cache import BuildCache
from reportc.citing.render import render_chapters
from reportc.citing.setup import CitationSetup
from reportc.document.model import ChapterDoc
from reportc.errors import BuildFailed, Diagnostics
from reportc.output import STAGING_PREFIX, remove_stale_staging, staging_folder
from reportc.pandoc.runner import (
    READER,
    PandocOutOfMemory,
    PandocStalled,
    collector,
    run_pandoc,
)
from reportc.pdf.layout import layout_pdf
from reportc.project.chapters import Chapter
from reportc.project.csl import STYLES_DIR
from reportc.sandbox.brackets import check_brackets
from reportc.sandbox.checks import nesting_depth
from reportc.sandbox.fetcher import SandboxFetcher, locate
from reportc.sandbox.rendered import check_html

BASE = Path(__file__).resolve().parent / "bad" / "_base"
PIXEL = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kg"
         "AAAABJRU5ErkJggg==")  # a 1x1 PNG


@pytest.fixture(scope="module")
def trap():
    server = TrapServer()
    yield server
    server.close()


@pytest.fixture
def report(tmp_path: Path) -> Path:
    root = tmp_path / "report"
    shutil.copytree(BASE, root)
    return root


def _errors(root: Path, **options) -> list[str]:
    with pytest.raises(BuildFailed) as failure:
        build(BuildOptions(root=root, use_cache=False, **options))
    return [str(problem) for problem in failure.value.problems]


def _every_vector(canary: Path, trap_url: str, dev_zero: bool = True) -> str:
    """HTML that asks for the canary and the trap in every way WeasyPrint loads things.

    ``dev_zero``: also ask for ``file:///dev/zero`` (never with the default fetcher,
    which reads it until the process is killed for lack of memory).
    """
    uri = canary.as_uri()
    zero = '<img src="file:///dev/zero">' if dev_zero else ""
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9">'
           f'<image href="{uri}" width="9" height="9"/></svg>')
    return f"""<html><head><style>
      @import url("{trap_url}/import.css");
      @font-face {{ font-family: Leak; src: url("{trap_url}/font.woff"); }}
      body {{ background: url("{uri}"); font-family: Leak, serif; }}
    </style><link rel="attachment" href="{uri}"><link rel="stylesheet" href="{uri}"></head>
    <body><p>Text</p><img src="{uri}"><img src="{trap_url}/img.png">
    <img src="data:image/svg+xml,{svg.replace('"', "'").replace("#", "%23")}">
    <a rel="attachment" href="{uri}">leak</a><a rel="attachment" href="{trap_url}/a.bin">net</a>
    <span style="background: url({trap_url}/style.png)">s</span>
    {zero}</body></html>"""


# --- the trap and the canary catch a leak when there is one (controls) ---------------------

def test_trap_server_records_a_request(trap):
    trap.connections.clear()
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{trap.url}/control", timeout=5)  # 404
    assert "GET /control" in trap.connections


def test_weasyprint_default_fetcher_would_leak_and_reach_the_network(tmp_path, trap):
    """Without the sandbox, WeasyPrint embeds the canary and calls the trap."""
    canary, secret = make_canary(tmp_path)
    trap.connections.clear()
    pdf = weasyprint.HTML(string=_every_vector(canary, trap.url, dev_zero=False),
                          base_url=tmp_path.as_uri() + "/").write_pdf()  # default fetcher
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "control.pdf").write_bytes(pdf)
    assert files_containing(tmp_path / "out", secret), "the canary detector is blind"
    assert trap.connections, "the trap server is deaf"


# --- the sandboxed fetcher -------------------------------------------------------------------

def test_sandbox_fetcher_refuses_every_vector(tmp_path, trap):
    canary, secret = make_canary(tmp_path)
    root = tmp_path / "report"
    root.mkdir()
    trap.connections.clear()
    fetcher = SandboxFetcher([root])
    started = time.monotonic()
    pdf = weasyprint.HTML(string=_every_vector(canary, trap.url), base_url=root.as_uri() + "/",
                          url_fetcher=fetcher).write_pdf()
    assert time.monotonic() - started < 20  # /dev/zero is refused, not read
    (root / "out").mkdir()
    (root / "out" / "sandboxed.pdf").write_bytes(pdf)
    assert files_containing(root / "out", secret) == []
    assert trap.connections == []
    refused = {refusal.url for refusal in fetcher.refused}
    assert canary.as_uri() in refused and "file:///dev/zero" in refused
    assert {f"{trap.url}/img.png", f"{trap.url}/a.bin", f"{trap.url}/style.png",
            f"{trap.url}/import.css", f"{trap.url}/font.woff"} <= refused


def test_sandbox_fetcher_file_policy(tmp_path):
    root = tmp_path / "report"
    (root / "figures").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "figures" / "ok.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (root / ".git" / "config").write_text("token=secret")
    (root / "figures" / "big.png").write_bytes(b"x" * 2048)
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"secret")
    (root / "figures" / "out.png").symlink_to(outside)
    (root / "figures" / "in.svg").symlink_to(root / "figures" / "ok.svg")
    os.mkfifo(root / "figures" / "pipe.png")
    fetcher = SandboxFetcher([root], max_bytes=1024)

    def reason(name: str) -> str | None:
        return fetcher.check((root / name).as_uri())

    assert reason("figures/ok.svg") is None
    assert reason("figures/in.svg") is None  # a link that stays inside is fine
    assert "inside the report directory" in reason("figures/out.png")
    assert "hidden" in reason(".git/config")
    assert reason("figures/pipe.png") == "not a regular file"  # would block a read
    with pytest.raises(ValueError, match="larger than the 0 MB limit"):
        fetcher.fetch((root / "figures/big.png").as_uri())
    assert fetcher.check("http://127.0.0.1:9/x").startswith("remote URLs are never fetched")
    assert fetcher.check("file://otherhost/etc/passwd") == "files on other hosts are never read"
    assert fetcher.check("data:text/plain,hi") is None
    body = fetcher.fetch((root / "figures/ok.svg").as_uri()).read()
    assert body.startswith(b"<svg")


def test_fetcher_total_size_cap(tmp_path):
    for name in "abc":
        (tmp_path / f"{name}.png").write_bytes(b"x" * 600)
    fetcher = SandboxFetcher([tmp_path], max_bytes=1000, max_total=1500)
    fetcher.fetch((tmp_path / "a.png").as_uri())
    fetcher.fetch((tmp_path / "b.png").as_uri())
    with pytest.raises(ValueError, match="in total"):
        fetcher.fetch((tmp_path / "c.png").as_uri())


def test_a_refusal_is_traced_to_the_chapter_line(tmp_path):
    root = tmp_path / "report"
    (root / "chapters").mkdir(parents=True)
    (root / "figures").mkdir()
    (root / "chapters" / "01-a.md").write_text("# A\n\nText.\n\n![Chart](figures/outer.svg)\n")
    (root / "figures" / "outer.svg").write_text("<svg><image href='inner.svg'/></svg>")
    (root / "figures" / "inner.svg").write_text("<svg><image href='file:///etc/shadow'/></svg>")
    assert locate("file:///etc/shadow", root) == ("chapters/01-a.md", 5)
    assert locate("file:///nowhere/at/all", root) == (None, None)


# --- the build as a whole --------------------------------------------------------------------

def test_a_hostile_report_reaches_no_network_and_leaks_nothing(report, trap):
    canary, secret = make_canary(report.parent)
    uri = canary.as_uri()
    (report / "figures" / "evil.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg"><image href="{trap.url}/svg.png"/></svg>')
    (report / "chapters" / "02-hostile.md").write_text(
        f"# Hostile\n\n[a](/etc/passwd){{rel=attachment}} [b]({uri}){{rel=attachment}}\n\n"
        f"![c]({uri}) ![d]({trap.url}/d.png) ![e](figures/evil.svg)\n\n"
        f"[f]{{style=\"background:url({trap.url}/f.png)\"}}\n", encoding="utf-8")
    trap.connections.clear()
    errors = _errors(report)
    assert trap.connections == []
    assert files_containing(report, secret) == []  # nothing copied anywhere in the report
    assert not (report / "out" / "bad.pdf").exists()
    assert any("attachment '/etc/passwd' is refused" in e for e in errors), errors


def test_the_chart_renderer_itself_fetches_nothing(trap, tmp_path):
    """Beneath the spec checks (#27): the renderer is called with no base URL allowed, so a
    spec that named an address anyway is refused by vl-convert, and nothing is fetched."""
    from reportc.charts.engine import RendererError, start_engine

    canary = tmp_path / "canary.csv"
    canary.write_text("secret\n424242\n")
    engine = start_engine([])
    trap.connections.clear()
    with pytest.raises(RendererError, match="not allowed"):
        engine.svg({"data": {"url": f"{trap.url}/data.csv"}, "mark": "point"}, {})
    local = {"data": {"url": canary.as_uri()}, "mark": "text",
             "encoding": {"text": {"field": "secret"}, "x": {"field": "secret",
                                                             "type": "quantitative"}}}
    with contextlib.suppress(RendererError):  # vl-convert 1.9 draws it empty: no file
        assert "4242" not in engine.svg(local, {})
    image = {"data": {"values": [{"u": f"{trap.url}/p.png"}]}, "mark": "image",
             "encoding": {"url": {"field": "u"}}}
    with contextlib.suppress(RendererError):  # refused, or drawn without the picture
        engine.svg(image, {})
    assert trap.connections == []


def test_chapter_metadata_never_reaches_citeproc(report, trap):
    """Even if an AST carried bibliography/csl metadata, the render step drops it."""
    chapter = Chapter(report / "chapters" / "01-intro.md", "chapters/01-intro.md", "# T\n")
    result = run_pandoc(["-f", READER, "-t", "json"], "# T\n\nText [@lee2022].\n", what="t")
    ast = json.loads(result.output)
    ast["meta"] = {key: {"t": "MetaInlines", "c": [{"t": "Str", "c": f"{trap.url}/{key}"}]}
                   for key in ("bibliography", "csl", "references")}
    doc = ChapterDoc(chapter, ast, anchor="ch-t")
    setup = CitationSetup(report / "references.bib", STYLES_DIR / "apa.csl", "en")
    diag = Diagnostics()
    trap.connections.clear()
    with ThreadPoolExecutor(max_workers=1) as pool:
        body, = render_chapters([doc], setup, diag,
                                BuildCache(report / "cache", diag, enabled=False), pool, 1)
    assert trap.connections == []
    assert body and "Lee" in body, diag.problems


def test_pandoc_stall_and_heap_become_errors(monkeypatch):
    started = time.monotonic()
    with pytest.raises(PandocStalled, match="did not finish within 1 s"):
        run_pandoc(["-f", READER, "-t", "json"], "[" * 30 + "x\n", what="stall.md", timeout=1)
    assert time.monotonic() - started < 10
    monkeypatch.setenv("REPORTC_PANDOC_HEAP", "64m")
    big = "Words *here* and [a link](https://example.org/) ok.\n\n" * 20000
    with pytest.raises(PandocOutOfMemory, match=r"big\.md: pandoc ran out of memory"):
        run_pandoc(["-f", READER, "-t", "json"], big, what="big.md")



def test_pandoc_collector_is_sized_under_the_default_heap_limit_only(monkeypatch, caplog):
    """Citing runs with a large allocation area; a tight heap limit (a user's or the heap
    test's) gets the runtime's defaults, so pandoc stops at the limit, and so do inputs over
    1 MB (a long report cited at once) and runs that do not cite, whose peak memory it
    raised."""
    caplog.set_level(logging.DEBUG, logger="reportc.pandoc")
    monkeypatch.delenv("REPORTC_PANDOC_HEAP", raising=False)
    cite = ["-t", "html", "--citeproc"]
    assert run_pandoc(cite, "*x*\n", what="a.md").output == "<p><em>x</em></p>\n"
    monkeypatch.setenv("REPORTC_PANDOC_HEAP", "64m")
    assert run_pandoc(cite, "*x*\n", what="b.md").output == "<p><em>x</em></p>\n"
    commands = [record.getMessage() for record in caplog.records]
    assert "+RTS -M1500m -A128m -O128m -RTS" in commands[0]
    assert "+RTS -M64m -RTS" in commands[1]
    assert collector("2g", cite, 1000) == ["-A128m", "-O128m"]
    assert collector("1500m", cite, 1 << 20) == [] and collector("2g", ["-t", "html"], 9) == []

def test_bracket_check_has_no_false_alarms():
    text = ("# T\n\nSee [one], [two] and [three](https://example.org).\n\n"
            "Escaped \\[ \\[ \\[ \\[ \\[ \\[ \\[ \\[ \\[ \\[ \\[ \\[ \\[ brackets.\n\n"
            "Code `[[[[[[[[[[[[[[` spans.\n\n```\n[[[[[[[[[[[[[[[[[[[\n```\n")
    diag = Diagnostics()
    assert check_brackets(Chapter(Path("c.md"), "c.md", text), diag)
    assert diag.problems == []


def test_deep_nesting_is_measured_without_recursion():
    ast = {"blocks": []}
    node = ast["blocks"]
    for _ in range(5000):  # far deeper than Python's recursion limit
        inner: list = []
        node.append({"t": "BlockQuote", "c": inner})
        node = inner
    assert nesting_depth(ast) == 5000


def test_weasyprint_recursion_is_caught_as_an_error(tmp_path):
    page = "<blockquote>" * 400 + "x" + "</blockquote>" * 400
    result = layout_pdf(page, tmp_path, [], [tmp_path], b"0" * 32)
    assert result.too_deep and result.pdf is None


def test_ordinary_svg_figures_pass_the_checks(report):
    """What plotting and diagram tools write is fine: links, clip paths, inline PNGs."""
    (report / "figures" / "chart.svg").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="60" height="20"><defs><clipPath id="p1"><rect width="60" height="20"/>'
        '</clipPath><path id="g" d="M0 0L5 5"/></defs>'
        '<style>text { font-family: serif; }</style>'
        '<g clip-path="url(#p1)"><use xlink:href="#g"/><text y="10">one=1, on = off</text>'
        f'<image width="1" height="1" xlink:href="data:image/png;base64,{PIXEL}"/>'
        '<a xlink:href="https://example.org/source"><rect width="5" height="5"/></a>'
        '<image href="dot.svg" width="5" height="5"/></g></svg>\n', encoding="utf-8")
    (report / "chapters" / "02-chart.md").write_text(
        "# Chart\n\n![A chart.](figures/chart.svg)\n", encoding="utf-8")
    built = build_root(report, formats=("html", "pdf"), use_cache=False)
    assert built.warnings == []
    assert (built.out / "figures" / "chart.svg").is_file()


# --- HTML output safety ----------------------------------------------------------------------

class _Elements(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self.js_urls: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        for key, value in attrs:
            if key.startswith("on"):
                self.handlers.append(f"{tag} {key}")
            if value and "javascript:" in value.replace(" ", "").lower():
                self.js_urls.append(value)

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)
        self.text.append(data)

    def handle_endtag(self, tag):
        self._in_script = False


def test_html_output_carries_no_script_from_chapters_or_report_yaml(report):
    (report / "report.yaml").write_text(
        'title: "<script>alert(1)</script> & \\"Q\\""\nslug: bad\ndate: 2026-01-15\n'
        "lang: en-GB\nauthors:\n  - name: '<img src=x onerror=alert(2)>'\n"
        "keywords: ['\"><script>alert(3)</script>']\n", encoding="utf-8")
    (report / "chapters" / "02-text.md").write_text(
        "# Raw <b>HTML</b> & \"quotes\"\n\n<script>alert(4)</script>\n\n"
        "<img src=x onerror=alert(5)> <a href=\"javascript:alert(6)\">x</a>\n\n"
        "<div onclick=\"alert(7)\">d</div> <span onmouseover=\"alert(8)\">s</span>\n",
        encoding="utf-8")
    built = build_root(report, formats=("html", "pdf"))
    page = built.html_path.read_text(encoding="utf-8")
    parsed = _Elements()
    parsed.feed(page)
    template = (REPO / "templates" / "report.html.j2").read_text(encoding="utf-8")
    # the JSON-LD metadata block (#17) is data: its "<" are escaped, so it cannot end early
    data = [script for script in parsed.scripts if script.lstrip().startswith("{")]
    assert len(data) == 1 and "<" not in data[0]
    assert json.loads(data[0])["name"] == '<script>alert(1)</script> & "Q"'
    assert all(script.strip() in template for script in parsed.scripts
               if script not in data)  # the theme's own
    assert parsed.handlers == [] and parsed.js_urls == []
    text = "".join(parsed.text)
    assert '<script>alert(1)</script> & "Q"' in text  # shown literally
    assert 'Raw HTML & \u201cquotes\u201d' in text  # <b> is bold; nothing else is kept
    pdf = built.pdf
    assert pdf.metadata.title == '<script>alert(1)</script> & "Q"'
    assert "<img src=x onerror=alert(2)>" in pdf.metadata.author
    titles = [item.title for item in _flat(pdf.outline)]
    assert any("Raw HTML & \u201cquotes\u201d" in title for title in titles), titles
    assert [w.split(": warning: ")[1].split(" is left")[0] for w in built.warnings
            if "[raw.html]" in w] == [
        "raw HTML '<script>alert(4)</script>'", "raw HTML '<img src=x onerror=alert(5)>'",
        "raw HTML '<a href=\"javascript:alert(6)\">'", "raw HTML '<div onclick=\"alert(7)\">'",
        "raw HTML '<span onmouseover=\"alert(8)\">'"]


def _flat(outline: list) -> list:
    items = []
    for item in outline:
        items.extend(_flat(item) if isinstance(item, list) else [item])
    return items


@pytest.mark.parametrize("fragment, problem", [
    ('<p><script>alert(1)</script></p>', "a <script> element"),
    ('<p onclick="x">a</p>', "event-handler attribute 'onclick'"),
    ('<a href=" java\tscript:alert(1)">a</a>', "a link to"),
    ('<img src="http://example.org/x.png">', "an image from"),
    ('<span style="background:url(x.png)">a</span>', "style attribute"),
    ('<iframe src="data:text/html,x"></iframe>', "a <iframe> element"),
])
def test_the_html_backstop_catches_what_the_ast_checks_might_miss(fragment, problem):
    diag = Diagnostics()
    assert not check_html(fragment, "chapters/x.md", diag)
    assert any(problem in str(p) for p in diag.problems), diag.problems


def test_the_html_backstop_accepts_pandoc_output():
    diag = Diagnostics()
    fragment = ('<p><a href="https://example.org">x</a> <a href="#fn1" class="fn-ref">1</a> '
                '<a href="mailto:a@example.org">m</a> <img src="figures/a.svg" alt="a" /> '
                '<img src="data:image/png;base64,AAAA" alt="b" /> <col style="width: 50%" /></p>')
    assert check_html(fragment, "chapters/x.md", diag), diag.problems


# --- atomic output ---------------------------------------------------------------------------

@pytest.fixture
def built_once(tmp_path: Path, shared) -> tuple[Path, dict[str, bytes]]:
    """The basic fixture built once (a copy of the session's shared build, its cache too);
    returns the project and its artifacts' bytes."""
    project = shared.copy("basic", tmp_path).root
    artifacts = _artifacts(project / "out")
    assert {"fixture.pdf", "fixture.html"} <= set(artifacts)
    _edit_chapter(project)  # the next build has something new to write
    return project, artifacts


def _artifacts(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and ".reportc-cache" not in p.parts}


def _edit_chapter(project: Path) -> None:
    chapter = project / "chapters" / "02-defence.md"
    chapter.write_text(chapter.read_text() + "\nA new closing sentence.\n")


def _assert_untouched(project: Path, before: dict[str, bytes]) -> None:
    out = project / "out"
    assert _artifacts(out) == before
    assert not list(out.glob(STAGING_PREFIX + "*")), "staging debris left behind"


def test_full_disk_while_writing_the_pdf_leaves_previous_output(built_once, monkeypatch):
    project, before = built_once
    real_write_bytes = Path.write_bytes

    def full_disk(self: Path, data: bytes) -> int:
        if self.suffix == ".pdf" and STAGING_PREFIX in str(self):
            real_write_bytes(self, data[: len(data) // 2])  # a partial file, then the error
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real_write_bytes(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    errors = _errors(project)
    assert errors == [f"{project / 'out' / 'fixture.pdf'}: could not write the output: No space "
                      "left on device (free some disk space and build again); the previous "
                      "output is left unchanged"]
    _assert_untouched(project, before)


def test_full_disk_while_writing_assets_leaves_previous_output(built_once, monkeypatch):
    project, before = built_once
    real_write_bytes = Path.write_bytes

    def full_disk(self, data):
        if self.suffix == ".woff2":  # the web fonts, written after the page
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real_write_bytes(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    errors = _errors(project)
    assert len(errors) == 1 and "No space left on device" in errors[0]
    _assert_untouched(project, before)


def test_a_failure_halfway_through_the_moves_is_rolled_back(built_once, monkeypatch):
    project, before = built_once
    real_replace = os.replace
    calls = []

    def flaky_replace(source, target):
        calls.append(target)
        if len(calls) == 2:  # the first artifact changed is already in place (the commit
            # moves only the files that changed: the HTML and the PDF)
            raise OSError(errno.EIO, "Input/output error", str(target))
        return real_replace(source, target)

    monkeypatch.setattr(reportc.output.os, "replace", flaky_replace)
    errors = _errors(project)
    assert len(errors) == 1 and "Input/output error" in errors[0]
    _assert_untouched(project, before)


def _processes_of(project: Path) -> list[int]:
    """Processes whose command line names ``project`` (a build, or a process it forked)."""
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if entry.name.isdigit() and str(project).encode() in \
                    (entry / "cmdline").read_bytes().split(b"\0") and \
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                found.append(int(entry.name))
    return found


def test_kill_9_mid_build_leaves_previous_output(tmp_path):
    project = copy_root("basic", tmp_path)
    long_chapter = "# Appendix\n\n" + "".join(
        f"Paragraph {n} of a long appendix that keeps the PDF stage busy for a while, with "
        f"enough words to fill lines and pages [@lee2022].\n\n" for n in range(150))
    (project / "chapters" / "09-long.md").write_text(long_chapter, encoding="utf-8")
    good = run_cli(project, "-q")
    assert good.returncode == 0, good.stderr
    before = _artifacts(project / "out")
    _edit_chapter(project)

    process = subprocess.Popen([sys.executable, str(REPO / "build.py"), str(project), "-q"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list((project / "out").glob(STAGING_PREFIX + "*")):
        assert process.poll() is None, "the build ended before it started writing"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 20  # its PDF helpers (zygote, merge) see it gone and end
    while _processes_of(project) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _processes_of(project), "a helper of the killed build outlived it"

    assert _artifacts(project / "out") == before  # byte-identical, whatever was staged
    assert list((project / "out").glob(STAGING_PREFIX + "*")), "the killed build's folder remains"
    again = run_cli(project, "-q")  # the next build cleans up after the killed one
    assert again.returncode == 0, again.stderr
    assert not list((project / "out").glob(STAGING_PREFIX + "*"))
    assert _artifacts(project / "out")["fixture.pdf"] != before["fixture.pdf"]


def test_stale_stages_of_dead_builds_are_removed_live_ones_kept(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"{STAGING_PREFIX}{dead.pid}-abc"
    live = tmp_path / f"{STAGING_PREFIX}{os.getppid()}-def"
    for folder in (stale, live):
        (folder / "assets").mkdir(parents=True)
        (folder / "half.pdf").write_bytes(b"%PDF-partial")
    assert remove_stale_staging(tmp_path) == [stale]
    assert live.exists() and not stale.exists()


def test_an_error_inside_the_stage_removes_it(tmp_path):
    with pytest.raises(RuntimeError), staging_folder(tmp_path) as staging:
        (staging.path / "half.html").write_text("<p>half")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


# --- determinism -----------------------------------------------------------------------------

def test_two_clean_builds_in_different_folders_are_byte_identical(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = build_root(copy_root("basic", tmp_path / "a"), use_cache=False)
    second = build_root(copy_root("basic", tmp_path / "b"), use_cache=False)
    assert first.pdf_path.read_bytes() == second.pdf_path.read_bytes()
    assert first.html_path.read_bytes() == second.html_path.read_bytes()
    assert _artifacts(first.out) == _artifacts(second.out)  # assets and figures too
    assert first.pdf.metadata["/CreationDate"] == "D:20260504000000Z"  # the report's date
    assert str(tmp_path).encode() not in first.pdf_path.read_bytes()


def test_source_date_epoch_is_honoured(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    first = build_root(copy_root("basic", tmp_path / "a"), use_cache=False)
    assert first.pdf.metadata["/CreationDate"] == "D:20231114000000Z"
    assert '<meta name="dcterms.created" content="2023-11-14T00:00:00Z">' in \
        first.html_path.read_text(encoding="utf-8")
    pdf, html = first.pdf_path.read_bytes(), first.html_path.read_bytes()
    shutil.rmtree(first.out)  # the second build's files are read from the same paths
    second = build_root(first.root, use_cache=False)
    assert second.pdf_path.read_bytes() == pdf
    assert second.html_path.read_bytes() == html
