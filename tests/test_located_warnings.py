"""Every warning carries file:line: WeasyPrint's, the Word edition's, citeproc's and the
bibliography conversion's (issue #23)."""

from __future__ import annotations

from pathlib import Path

from conftest import build_root

from reportc.document.model import ChapterDoc
from reportc.document.read import warning_place
from reportc.errors import Diagnostics
from reportc.pdf.results import source_line
from reportc.project.bibliography.reader import load_bibliography
from reportc.project.bibliography.references import _warning_place, entry_place, flat_biblatex
from reportc.project.chapters import Chapter


def _report(tmp_path: Path, chapter: str) -> Path:
    root = tmp_path / "located"
    (root / "chapters").mkdir(parents=True)
    (root / "report.yaml").write_text("title: Located\nslug: located\ndate: 2026-05-04\n"
                                      "lang: en-GB\n", encoding="utf-8")
    (root / "chapters/01-a.md").write_text(chapter, encoding="utf-8")
    return root


def test_weasyprints_warnings_are_at_the_chapter_line(tmp_path):
    root = _report(tmp_path, "# A\n\nSome [red text]{style=\"color: nonsense\"} here.\n\n"
                             "## Sub {#twice}\n\nText.\n\n[again]{#twice}\n")
    built = build_root(root, formats=("pdf",), git_stamp=False)
    assert built.warnings == [
        "chapters/01-a.md:3: warning: WeasyPrint: Ignored `color: nonsense` at 1:1, invalid "
        "value. [layout]",
        "chapters/01-a.md:9: warning: WeasyPrint: Anchor defined twice: 'twice' [layout]"]


def test_a_one_pass_layout_message_finds_its_chapter():
    texts = {"chapters/01-a.md": "# A\n", "chapters/02-b.md": "# B\n\n[x]{style=\"width: q\"}\n"}
    assert source_line("Ignored `width: q` at 1:1, invalid value.", None, texts) == \
        ("chapters/02-b.md", 3)
    assert source_line("Something else", None, texts) == (None, None)


def _doc(rel: str, text: str) -> ChapterDoc:
    chapter = Chapter(path=Path(rel), rel=rel, text=text)
    return ChapterDoc(chapter, {"blocks": []})


def test_a_word_or_citeproc_warning_is_placed_in_the_chapter_that_causes_it():
    docs = [_doc("chapters/01-a.md", "# A\n\nText.\n"),
            _doc("chapters/02-b.md", "# B\n\nSee [@gone].\n\n![Chart.](figures/chart.svg)\n\n"
                                     "Then $\\frac{a}{$ broken.\n")]
    assert warning_place("Could not determine image size for figures/chart.svg: could not "
                         "determine SVG size", docs) == ("chapters/02-b.md", 5)
    assert warning_place("Citeproc: citation gone not found", docs) == ("chapters/02-b.md", 3)
    assert warning_place("Could not convert TeX math \\frac{a}{, rendering as TeX:\n  unexpected "
                         "eof", docs) == ("chapters/02-b.md", 7)
    assert warning_place("Something about nothing", docs) is None


def test_a_bibliography_conversion_warning_is_at_its_entrys_line(tmp_path):
    bib = tmp_path / "references.bib"
    bib.write_text("@book{first,\n  title = {One},\n  year = {2001}\n}\n\n"
                   "@book{second,\n  title = {An odd \\weird{title}},\n  year = {2002}\n}\n",
                   encoding="utf-8")
    loaded = load_bibliography(bib, tmp_path, Diagnostics())
    records = list(loaded.records.values())
    _, starts = flat_biblatex(records)
    assert _warning_place("Skipped '\\weird{title}'", starts, records, loaded) == \
        ("references.bib", 6)
    second_start = starts[1][0]
    assert _warning_place(f"Unexpected thing at line {second_start + 1} column 3", starts,
                          records, loaded) == ("references.bib", 6)


def test_a_citeproc_warning_naming_an_entry_is_at_its_line_in_a_csl_json_file(tmp_path):
    bib = tmp_path / "refs.json"
    bib.write_text('[\n  {"id": "first", "type": "book", "title": "One"},\n'
                   '  {"id": "smith-2020", "type": "book", "title": "Two"}\n]\n',
                   encoding="utf-8")
    loaded = load_bibliography(bib, tmp_path, Diagnostics())
    assert entry_place("Citeproc: could not parse date of smith-2020.", loaded) == \
        ("refs.json", 3)
    assert entry_place("Citeproc: nothing known", loaded) is None
    assert entry_place("anything", None) is None
