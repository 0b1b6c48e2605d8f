"""The flagship report in this repository builds cleanly and has the promised structure."""

from __future__ import annotations

import csv
import re

import pytest
from conftest import REPO, Built, build_root, copy_flagship
from htmlparse import parse_html

FIELD_CHAPTERS = [
    "Telecommunications, artificial intelligence and cyberspace",
    "Machine tools, ‘fourth industrial revolution’ applications and microelectronics",
    "Defence-oriented technologies",
    "Uses of outer space",
]


@pytest.fixture(scope="module")
def flagship(flagship_editions: Built) -> Built:
    """A strict build of a copy of the repository's report (warnings are errors), the
    session's one build of it with every edition."""
    return flagship_editions


SEEDS = REPO.parent / "shared" / "seeds"
SEEDED = {"lee2022", "bendett2019", "trends2022"}  # report.yaml's sources: maps them


@pytest.fixture(scope="module")
def evidence(tmp_path_factory) -> Built:
    """The flagship's evidence table, its quotations checked against the seed documents."""
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds not present: the flagship's quotations are checked "
                    "against the seed documents")
    root = copy_flagship(tmp_path_factory.mktemp("flagship-evidence"))
    return build_root(root, formats=("evidence",), source_dirs=(SEEDS,))


@pytest.fixture(scope="module")
def page(flagship):
    return parse_html(flagship.html_path.read_text(encoding="utf-8"))


def _parts(page):
    return page.find_all("section", "part")


def _title(part) -> str:
    heading = part.find_all(cls="chapter-heading")[0]
    return heading.find_all(cls="chapter-title")[0].text()


def test_builds_strictly_without_warnings(flagship):
    assert flagship.warnings == []
    assert flagship.pdf_path.stat().st_size > 100_000


def test_summary_comes_first_with_three_takeaways(page):
    summary = _parts(page)[0]
    assert "kind-summary" in summary.classes
    boxes = summary.find_all("div", "takeaways")
    assert len(boxes) == 1
    assert len(boxes[0].find_all("li")) == 3


def test_four_field_chapters_each_end_with_a_takeaway_box(page):
    titles = {_title(part): part for part in _parts(page)}
    for title in FIELD_CHAPTERS:
        assert title in titles, f"missing chapter {title!r}; have {list(titles)}"
        body = [e for e in titles[title].children if "chapter-notes" not in e.classes]
        boxes = [e for e in body if e.tag == "div" and "takeaways" in e.classes]
        assert boxes, f"{title} has no takeaway box"
        assert body[-1] is boxes[-1], f"{title} does not end with its takeaway box"


def test_figure_and_table_are_cross_referenced(page):
    xrefs = {a.attrs["href"][1:] for a in page.find_all("a", "xref")}
    figures = [f.attrs.get("id", "") for f in page.find_all("figure")]
    tables = [t.attrs.get("id", "") for t in page.find_all("table")]
    assert any(f in xrefs for f in figures), figures
    assert any(t in xrefs for t in tables), tables
    for figure in page.find_all("figure"):  # a chart is an inline <svg role="img"> (#27)
        picture = (figure.find_all("img") or figure.find_all("svg"))[0]
        assert picture.attrs.get("alt") or picture.attrs.get("aria-label"), \
            "figures need alt text"


def test_every_bibliography_entry_is_cited_and_every_citation_resolves(flagship, page):
    bib = (REPO / "references.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", bib))
    listed = {e.attrs["id"].removeprefix("ref-") for e in page.find_all("div", "csl-entry")}
    assert listed == keys  # only cited keys are listed, so all of them are cited


def test_about_this_report_names_the_three_source_documents(page):
    about = next(p for p in _parts(page) if _title(p) == "About this report")
    cited = {a.attrs["href"] for a in about.find_all("a") if a.attrs.get("role") ==
             "doc-biblioref"}
    assert len(cited) >= 3


def test_pdf_outline_lists_every_part(flagship):
    titles = [item.title for item in flagship.pdf.outline if not isinstance(item, list)]
    for title in FIELD_CHAPTERS:
        assert any(t.endswith(title) for t in titles), (title, titles)


def test_every_note_is_printed_at_a_page_foot_numbered_per_chapter(flagship, page):
    """Each chapter's notes 1..N all appear in the PDF, in order (none lost in layout)."""
    expected = [len(part.find_all(cls="fn-body")) for part in _parts(page)]
    expected = [count for count in expected if count]
    runs: list[list[int]] = []
    for text in flagship.page_texts():
        for number in re.findall(r"^(\d+)\.\u2002", text, re.M):
            if number == "1":
                runs.append([])
            runs[-1].append(int(number))
    assert [len(run) for run in runs] == expected
    assert all(run == list(range(1, len(run) + 1)) for run in runs)


def test_no_note_call_starts_a_line_on_its_own(flagship):
    """The call stays with the word before it (`.fn-keep`, print page only): WeasyPrint used to
    put a call that no longer fit at the end of a full line alone on the next one."""
    for number, text in enumerate(flagship.page_texts(), start=1):
        body = text.split("\n1.\u2002")[0]  # the page's text above its notes
        assert not re.search(r"\n\d{1,3}\n", body), f"page {number}: {body[-300:]}"


def test_single_sided_with_no_blank_page_and_the_takeaways_on_the_summarys_first_page(flagship):
    """The flagship is read on screen as often as printed (issue 18): no blank pages, and
    the key takeaways sit on the first page of the executive summary."""
    texts = flagship.page_texts()
    assert all(text.strip() for text in texts), "a blank page"
    first = next(text for text in texts if "KEY TAKEAWAYS" in text)
    assert "Executive summary" in first.splitlines()[:3]  # the summary's opening page


def test_the_seed_documents_are_the_sources_of_the_seeded_entries(evidence):
    with (evidence.out / "china-russia-tech-evidence.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    quoted = [row for row in rows if row["quote"]]
    assert not [row for row in quoted if set(row["keys"].split("; ")) & SEEDED
                and row["status"] == "unsourced"]
    assert sum(row["status"] == "verified" for row in quoted) >= 20
    assert {row["file"] for row in rows} >= {"chapters/00-summary.md", "chapters/04-defence.md"}


def test_every_quotation_is_in_its_source_and_no_sentence_copies_one(evidence):
    assert [w for w in evidence.warnings if w.endswith(("[quote.mismatch]", "[source.copy]"))
            ] == []
