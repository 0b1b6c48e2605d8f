"""A Manubot paper as Manubot writes it: content files that start at ``## Abstract``, the
bibliography placed by ``<div id="refs"></div>`` (issue #23)."""

from __future__ import annotations

from conftest import build_root, copy_root
from htmlparse import parse_html

from reportc.project.markdown import promote_sections


def test_a_file_that_starts_at_level_two_has_its_sections_raised():
    text = "Intro text.\n\n## Abstract {.page_break_before}\n\n```\n## not a heading\n```\n\n" \
           "### Aims\n\n## Methods\n"
    assert promote_sections(text) == ("Intro text.\n\n# Abstract {.page_break_before}\n\n```\n"
                                      "## not a heading\n```\n\n## Aims\n\n# Methods\n")
    assert promote_sections("# Title\n\n## Section\n") == "# Title\n\n## Section\n"
    assert promote_sections("No heading at all.\n") == "No heading at all.\n"


def test_manubot_content_files_build_as_written(tmp_path):
    root = copy_root("manubot", tmp_path)
    (root / "content/01.abstract.md").write_text(
        "## Abstract {.page_break_before}\n\nWe count bars [@doi:10.1139/e91-030].\n\n"
        "### Aims\n\nTo count.\n", encoding="utf-8")
    (root / "content/90.back-matter.md").write_text(
        "## References {.page_break_before}\n\n<!-- Explicitly insert bibliography here -->\n"
        "<div id=\"refs\"></div>\n", encoding="utf-8")
    report = root / "report.yaml"
    report.write_text(report.read_text(encoding="utf-8") + "chapters:\n"
                      "  - content/01.abstract.md\n  - chapters/01-introduction.md\n"
                      "  - content/90.back-matter.md\n", encoding="utf-8")
    built = build_root(root, formats=("html",), git_stamp=False)
    assert not [w for w in built.warnings if "content/" in w], built.warnings
    page = parse_html(built.html_path.read_text(encoding="utf-8"))
    chapters = [h.attrs.get("data-bookmark") for h in page.find_all("h2")
                if "chapter-heading" in h.attrs.get("class", "")]
    assert chapters == ["1\u2002Abstract", "2\u2002Introduction", "3\u2002References"]
    assert "1.1 Aims" in [h.text() for h in page.find_all("h3")]
    html = built.html_path.read_text(encoding="utf-8")
    back = html[html.index('id="ch-90-back-matter"'):]
    assert '<div id="refs"' in back and "How Do Gravel-Bed Rivers Braid?" in back


def test_text_before_a_content_files_first_heading_continues_the_section_before(tmp_path):
    """rootstock's 02.delete-me.md opens with two paragraphs, then '## Basic formatting':
    Manubot joins the files, so they close the Abstract (no 'text before the title')."""
    import pytest

    from reportc.errors import BuildFailed

    root = copy_root("manubot", tmp_path)
    (root / "content/01.abstract.md").write_text("## Abstract\n\nWe count bars.\n",
                                                 encoding="utf-8")
    (root / "content/02.main.md").write_text(
        "This paper is a test.\n\n## Methods\n\nCounting.\n", encoding="utf-8")
    report = root / "report.yaml"
    report.write_text(report.read_text(encoding="utf-8") + "chapters:\n"
                      "  - content/01.abstract.md\n  - content/02.main.md\n", encoding="utf-8")
    built = build_root(root, formats=("html",), git_stamp=False)
    assert not [w for w in built.warnings if "content/" in w or "heading.first" in w]
    html = built.html_path.read_text(encoding="utf-8")
    assert html.index("We count bars.") < html.index("This paper is a test.") < \
        html.index("id=\"ch-02-main\"")
    (root / "content/02.main.md").write_text(
        "This paper is $\\frob{x}$ a test.\n\n## Methods\n\nCounting.\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_root(root, formats=("html",), git_stamp=False)
    assert [str(p).split(": formula")[0] for p in failed.value.problems] == [
        "content/02.main.md:1"]


def test_outside_a_manubot_paper_a_file_without_its_title_is_still_an_error(tmp_path):
    """Only a paper with Manubot's metadata.yaml reads ## as its top level; elsewhere a
    chapter that starts at ## has lost its title, and is told so."""
    import pytest

    from reportc.errors import BuildFailed

    root = copy_root("basic", tmp_path)
    (root / "chapters/03-untitled.md").write_text("## Background\n\nText.\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_root(root, formats=("html",), git_stamp=False)
    assert [str(p) for p in failed.value.problems] == [
        "chapters/03-untitled.md:1: chapter has no title: start it with a '# Title' line"]
