"""A ``--format pdf`` build does only the PDF's work (#25, item 5): no web page, no web
fonts, and pandoc does not write the web edition's list of notes, which the print page
leaves out; its PDF is byte for byte the PDF of an HTML + PDF build, and an HTML + PDF
build after it in the same out/ is byte for byte a clean one."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build_root, copy_root

from reportc.citing import render
from reportc.pandoc import runner
from reportc.web import html

WEB_NOTE_ITEM = 'class="fn-item"'  # an entry of the web edition's list of a chapter's notes


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Every pandoc output of the build, and the web edition's stages as they are called."""
    seen: dict[str, list[str]] = {"pandoc": [], "web page": [], "web fonts": []}
    real_pandoc, real_write, real_fonts = runner.run_pandoc, html.HtmlEdition.write, \
        html.WebFonts

    def pandoc(*args, **kwargs):
        result = real_pandoc(*args, **kwargs)
        seen["pandoc"].append(result.output)
        return result

    def write(self, made, folder):
        seen["web page"].append(str(folder))
        return real_write(self, made, folder)

    def fonts(*args, **kwargs):
        seen["web fonts"].append("subset")
        return real_fonts(*args, **kwargs)

    monkeypatch.setattr(runner, "run_pandoc", pandoc)  # run_batch's
    monkeypatch.setattr(render, "run_pandoc", pandoc)  # citing and the one-process path
    monkeypatch.setattr(html.HtmlEdition, "write", write)
    monkeypatch.setattr(html, "WebFonts", fonts)
    return seen


def _build(root: Path, out: Path, formats: tuple[str, ...], jobs: int,
           calls: dict[str, list[str]]) -> tuple[Path, dict[str, list[str]]]:
    """Build clean into ``out``; the PDF and what the build called."""
    for seen in calls.values():
        seen.clear()
    built = build_root(root, out=out, formats=formats, jobs=jobs)
    return out / f"{built.slug}.pdf", {name: list(seen) for name, seen in calls.items()}


@pytest.mark.parametrize("jobs", [2, 1], ids=["chapters-in-batches", "one-pandoc-process"])
def test_a_pdf_only_build_skips_the_web_work_and_prints_the_same_pdf(jobs, calls, tmp_path):
    root = copy_root("basic", tmp_path)
    both, both_calls = _build(root, tmp_path / "both", ("html", "pdf"), jobs, calls)
    alone, alone_calls = _build(root, tmp_path / "alone", ("pdf",), jobs, calls)

    assert both_calls["web page"] and both_calls["web fonts"]  # the counters count
    assert any(WEB_NOTE_ITEM in output for output in both_calls["pandoc"])
    assert not alone_calls["web page"] and not alone_calls["web fonts"]
    assert not any(WEB_NOTE_ITEM in output for output in alone_calls["pandoc"])
    assert alone_calls["pandoc"], "the PDF-only build wrote the chapters with pandoc"
    assert not list((tmp_path / "alone").glob("*.html"))
    assert (tmp_path / "both" / both.name.replace(".pdf", ".html")).is_file()
    assert alone.read_bytes() == both.read_bytes()

    # the same out/ asked for both next: its chapters are written again with their notes
    # list (another cache key), its PDF is the one already made
    again, again_calls = _build(root, tmp_path / "alone", ("html", "pdf"), jobs, calls)
    page = both.with_suffix(".html").name
    assert any(WEB_NOTE_ITEM in output for output in again_calls["pandoc"])
    assert (tmp_path / "alone" / page).read_bytes() == (tmp_path / "both" / page).read_bytes()
    assert again.read_bytes() == both.read_bytes()
