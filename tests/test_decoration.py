"""Decorative marks are artifacts in the tagged PDF (PDF/UA, Matterhorn 13-004).

The stars of "Key takeaways at a glance" (an inline SVG the theme marks ``aria-hidden``),
a callout's icon and the end-of-proof box (drawn by the stylesheet, no words) are
decoration: a screen reader must skip them, so they are Artifact, not Figure elements
without /Alt. The only Figure is the picture the writer described.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pikepdf
import pypdf
import pytest

from reportc.build import BuildOptions, build
from tests.a11y.pdfcheck import Tree, check, content_marks
from tests.conftest import TESTS

CHAPTER = """# Introduction

::: takeaways
- Stars mark each takeaway in the list.
- A second takeaway.
:::

The corpus starts from this small, valid report [@lee2022].

![A dot.](figures/dot.svg)

::: {.callout-note}
A callout with its icon.
:::
"""


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    root = tmp_path_factory.mktemp("decoration") / "report"
    shutil.copytree(TESTS / "bad" / "_base", root)
    (root / "chapters/01-intro.md").write_text(CHAPTER, encoding="utf-8")
    with (root / "report.yaml").open("a", encoding="utf-8") as config:
        config.write("lists: [takeaways]\n")
    build(BuildOptions(root=root, formats=("pdf",), git_stamp=False, use_cache=False))
    return (root / "out/bad.pdf").read_bytes()


def test_the_pdf_passes_the_structure_checks(pdf: bytes) -> None:
    assert check(pdf) == []


def test_the_only_figure_is_the_described_picture(pdf: bytes) -> None:
    figures = [e.alt for e in Tree(pdf).walk() if e.type == "Figure"]
    assert figures == ["A dot."]


def test_the_stars_are_drawn_as_artifacts(pdf: bytes) -> None:
    tree = Tree(pdf)
    page = next(n for n, p in enumerate(tree.pdf.pages)
                if "Key takeaways at a glance" in _text(tree.pdf, n))
    _, untagged, artifacts = content_marks(tree.pdf, page)
    assert untagged == 0
    assert artifacts >= 3  # the title's star and one per takeaway (and the page's folio)


def test_the_checker_fails_on_a_figure_without_alt(pdf: bytes, tmp_path: Path) -> None:
    """The check the stars used to fail: a Figure element without /Alt is reported."""
    document = pikepdf.open(io.BytesIO(pdf))
    figures = [obj for obj in document.objects
               if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") == "/Figure"]
    assert len(figures) == 1
    del figures[0]["/Alt"]
    document.save(tmp_path / "no-alt.pdf")
    assert check((tmp_path / "no-alt.pdf").read_bytes()) == ["13-004: a Figure has no /Alt"]


def _text(pdf: pikepdf.Pdf, page: int) -> str:
    """The page's text as pypdf reads it."""
    buffer = io.BytesIO()
    single = pikepdf.new()
    single.pages.append(pdf.pages[page])
    single.save(buffer)
    return pypdf.PdfReader(buffer).pages[0].extract_text()
