"""Evidence (#26): quotations checked against their sources, near-copies, the evidence table.

The ``evidence`` fixture cites sources in the four formats: ``sources/smith2020.txt`` and
``sources/other2017.txt`` (found by name), ``notes/brown.md`` (a plain ``file`` field),
``attachments/jones2021.pdf`` (a Zotero-style ``file`` field; the PDF is laid out here by
WeasyPrint in a narrow column, so its lines end hyphenated) and ``page.html`` in
``evidence-library/``, a folder outside the report that report.yaml maps web2022 to and
that the build is given with ``--sources``."""

from __future__ import annotations

import csv
import logging
import shutil
from pathlib import Path

import pypdf
import pytest
import weasyprint
from conftest import ROOTS, Built, build_root, copy_root
from htmlparse import parse_html
from trustkit import files_containing, make_canary

from reportc.build import BuildOptions, build
from reportc.errors import BuildFailed
from reportc.evidence.extract import extract
from reportc.evidence.locate import file_field_paths
from reportc.evidence.match import found_in, index_source, quote_pattern

LIBRARY = ROOTS / "evidence-library"
F = "chapters/01-quotes.md"
PDF_PAGE = """<html lang="en"><head><style>@page { size: 9cm 12cm; margin: 1cm }
p { width: 3.6cm; font: 11pt/1.3 serif; hyphens: auto; text-align: justify;
    font-variant-ligatures: none }</style></head><body><p>Co&shy;oper&shy;a&shy;tion
be&shy;tween the uni&shy;ver&shy;si&shy;ties in&shy;ten&shy;si&shy;fied con&shy;sid&shy;er&shy;ably
after the agree&shy;ment, al&shy;though ad&shy;min&shy;is&shy;tra&shy;tive
dif&shy;fi&shy;cul&shy;ties per&shy;sisted through&shy;out the fol&shy;low&shy;ing
dec&shy;ade.</p></body></html>"""

SMITH, BROWN = "smith2020", "brown2019"
MISMATCHES = [
    (26, SMITH, "the old harbour should be repaired before the winter storms arrived",
     "the old harbour should be rebuilt before the winter storms arrived", ""),
    (28, SMITH, "the old harbour should be quickly rebuilt before the winter storms arrived",
     "the old harbour should be rebuilt before the winter storms arrived", ""),
    (30, SMITH, "the old harbour should be rebuilt before the storms arrived",
     "the old harbour should be rebuilt before the winter storms arrived", ""),
    (32, BROWN, "Trade routes were never simply economic lines; they carried rumours, ideas & "
     "diseases as well", "Trade routes were never simply economic lines; they carried ideas, "
     "rumours & diseases as well", ""),
    (34, SMITH, "The Committee met in 1998", "The committee met in 1998", ""),
    (36, SMITH, "the mayor said nothing … The committee met in 1998",
     "The committee met in 1998", ""),
    (38, SMITH, "Nothing is certain except the tides and the taxes",
     "nothing. Rebuilding the harbour took four years, cost twice the",
     "; it is in other2017's source"),
    (40, "jones2021", "Administrative difficulties vanished throughout the following decade.",
     "administrative difficulties persisted throughout the following decade", ""),
]
COPIES = [
    (44, SMITH, "14 words in a row from", "took four years, cost twice the first estimate and "
     "left the town with debts"),
    (46, BROWN, "8 of its words in the order of", "The monastery kept its library for three "
     "centuries"),
]
# (line, keys, locator, quote, status) of every row, in reading order
ROWS = [
    (3, SMITH, "p. 3", "the old harbour should be rebuilt before the winter storms arrived",
     "verified"),
    (5, BROWN, "", "Trade routes were never simply economic lines; they carried ideas, rumours "
     "& diseases as well", "verified"),
    (7, "web2022", "", "the council’s report found that most bridges were in good repair – "
     "though three needed work", "verified"),
    (9, "jones2021", "", "Cooperation between the universities intensified considerably after "
     "the agreement, although administrative difficulties persisted throughout the following "
     "decade.", "verified"),
    (12, SMITH, "", "The committee met in 1998 … the old harbour should be rebuilt", "verified"),
    (12, SMITH, "", "Its members argued … that “the port’s future depends on the fishing fleet”",
     "verified"),
    (14, SMITH, "", "[t]he mayor said nothing", "verified"),
    (14, SMITH, "", "Rebuilding the harbour took four years [and] cost twice the first estimate",
     "verified"),
    (16, SMITH, "", "the port’s future depends on the fishing fleet", "verified"),
    (16, SMITH, "", "[T]he mayor said nothing", "verified"),
    (16, SMITH, "", "", "cited"),
    (18, "web2022", "", "visitors doubled between 2015 and 2019", "verified"),
    (18, "web2022", "", "", "cited"),
    (20, "nosource2018", "", "everything is connected", "unsourced"),
    *[(line, key, "", quote, "mismatch") for line, key, quote, _, _ in MISMATCHES[:7]],
    (38, "other2017", "pp. 4-5", "", "cited"),
    (40, "jones2021", "", MISMATCHES[7][2], "mismatch"),
    (44, SMITH, "", "", "cited"),
    (46, BROWN, "", "", "cited"),
    (48, SMITH, "", "rebuilding the harbour took four years, cost twice the first estimate and "
     "left the town with debts it paid off only in 2010", "verified"),
]


def make_root(destination: Path) -> Path:
    """A copy of the fixture with its PDF source laid out (hyphenated line ends)."""
    root = copy_root("evidence", destination)
    (root / "attachments").mkdir(exist_ok=True)  # not in git: it holds only the PDF made here
    weasyprint.HTML(string=PDF_PAGE).write_pdf(root / "attachments" / "jones2021.pdf")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = make_root(tmp_path_factory.mktemp("evidence"))
    return build_root(root, formats=("html",), source_dirs=(LIBRARY,))


def table(built: Built) -> list[dict[str, str]]:
    with (built.out / "evidence-evidence.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_pdf_source_has_hyphenated_line_ends(built):
    lines = pypdf.PdfReader(built.root / "attachments" / "jones2021.pdf").pages[0] \
        .extract_text().splitlines()
    broken = [line for line in lines if line.rstrip().endswith(("-", "\u2010"))]
    assert len(broken) >= 2, lines  # so the verified block quote crossed them


def test_mismatches_are_located_warnings_with_the_closest_passage(built):
    found = [w for w in built.warnings if w.endswith("[quote.mismatch]")]
    assert found == [f'{F}:{line}: warning: quotation not found in {key}\'s source: "{quote}" '
                     f'(closest: "{closest}"){extra} [quote.mismatch]'
                     for line, key, quote, closest, extra in MISMATCHES]


def test_near_copies_outside_quotation_marks(built):
    found = [w for w in built.warnings if w.endswith("[source.copy]")]
    assert found == [f"{F}:{line}: warning: sentence follows {key}'s source too closely "
                     f'({how} "{passage}"); quote it or reword it [source.copy]'
                     for line, key, how, passage in COPIES]


def test_nothing_else_is_warned_about(built):
    assert [w for w in built.warnings if not w.endswith(("[quote.mismatch]", "[source.copy]"))
            ] == []


def test_the_table_has_a_row_per_citation_and_quotation(built):
    rows = table(built)
    assert list(rows[0]) == ["file", "line", "keys", "locator", "quote", "status", "sentence",
                             "closest"]
    assert [(int(r["line"]), r["keys"], r["locator"], r["quote"], r["status"]) for r in rows] \
        == ROWS
    assert {r["file"] for r in rows} == {F}


def test_the_table_gives_sentences_and_closest_passages(built):
    rows = table(built)
    assert rows[0]["sentence"] == ("The committee agreed that ‘the old harbour should be rebuilt "
                                   "before the winter storms arrived’ [@smith2020, p. 3].")
    assert rows[8]["sentence"] == "Its members insisted that ‘the port’s future depends on " \
                                  "the fishing fleet’."  # its note carries the citation
    assert [r["closest"] for r in rows if r["status"] == "mismatch"] == \
        [closest for _, _, _, closest, _ in MISMATCHES]
    assert all(r["closest"] == "" for r in rows if r["status"] != "mismatch")


def test_the_html_table_reads_as_the_csv(built):
    page = parse_html((built.out / "evidence-evidence.html").read_text(encoding="utf-8"))
    header = [th.text() for th in page.find_all("th")]
    assert header == ["file", "line", "keys", "locator", "quote", "status", "sentence", "closest"]
    rows = page.find_all("tbody")[0].find_all("tr")
    assert [[td.text() for td in row.find_all("td")] for row in rows] == \
        [list(r.values()) for r in table(built)]
    assert "12 verified, 8 mismatch, 1 unsourced, 5 cited." in page.find_all("p")[0].text()


def test_without_the_sources_folder_the_mapped_entry_is_unchecked(tmp_path, caplog):
    root = make_root(tmp_path)
    with caplog.at_level(logging.INFO, logger="reportc"):
        result = build_root(root, formats=("html",))
    rows = {(r["line"], r["quote"]): r["status"] for r in table(result)}
    assert rows[("7", "the council’s report found that most bridges were in good repair – "
                      "though three needed work")] == "unsourced"
    assert "reportc: evidence: 3 quotation(s) not checked: report.yaml's sources: names files " \
        "for web2022, but no --sources folder was given" in caplog.messages


def test_a_mapping_outside_the_report_is_read_only_from_a_sources_folder(tmp_path):
    root = make_root(tmp_path)
    config = root / "report.yaml"
    config.write_text(config.read_text().replace("page.html", "../library/page.html"))
    shutil.copytree(LIBRARY, tmp_path / "library")
    refused = build_root(root, formats=("html",))
    assert "report.yaml:8: warning: sources: '../library/page.html' for 'web2022' is outside " \
        "the report directory: not read (give its folder with --sources DIR) " \
        "[source.refused]" in refused.warnings
    assert table(refused)[2]["status"] == "unsourced"
    allowed = build_root(root, formats=("html",), source_dirs=(tmp_path / "library",),
                         use_cache=False)
    assert not [w for w in allowed.warnings if "source.refused" in w]
    assert table(allowed)[2]["status"] == "verified"


def test_strict_makes_a_mismatch_an_error(tmp_path):
    root = make_root(tmp_path)
    with pytest.raises(BuildFailed) as failure:
        build(BuildOptions(root=root, formats=("html",), strict=True, source_dirs=(LIBRARY,)))
    errors = [str(p) for p in failure.value.problems]
    assert f'{F}:26: quotation not found in smith2020\'s source: "{MISMATCHES[0][2]}" ' \
        f'(closest: "{MISMATCHES[0][3]}") [quote.mismatch]' in errors
    assert not (root / "out" / "evidence-evidence.csv").exists()


def test_a_changed_source_rechecks_and_no_change_rebuilds_nothing(tmp_path):
    root = make_root(tmp_path)
    build_root(root, formats=("evidence",), source_dirs=(LIBRARY,))
    assert sorted(p.name for p in (root / "out").iterdir() if not p.name.startswith(".")) == \
        ["evidence-evidence.csv", "evidence-evidence.html"]  # --format evidence: the table only
    again = build(BuildOptions(root=root, formats=("evidence",), source_dirs=(LIBRARY,)))
    assert again.up_to_date
    source = root / "sources" / "smith2020.txt"
    source.write_text(source.read_text().replace("rebuilt", "repaired"))
    changed = build_root(root, formats=("evidence",), source_dirs=(LIBRARY,))
    assert table(changed)[0]["status"] == "mismatch"
    assert f"{F}:26: warning: quotation not found" not in " ".join(changed.warnings)
    clean = build_root(root, out=tmp_path / "clean", formats=("evidence",),
                       source_dirs=(LIBRARY,), use_cache=False)
    assert (clean.out / "evidence-evidence.csv").read_bytes() == \
        (changed.out / "evidence-evidence.csv").read_bytes()



def test_an_edit_rechecks_only_the_edited_chapter_and_keeps_every_warning(tmp_path,
                                                                          monkeypatch):
    """An unchanged chapter's rows and warnings come from the cache, as its last check
    found them; the edited chapter is checked again; the table is a clean build's."""
    import reportc.evidence.check

    root = make_root(tmp_path)
    other = root / "chapters" / "02-more.md"
    other.write_text("# More\n\nAs @smith2020 [p. 3] put it, \"the old harbour should be "
                     "rebuilt before the winter storms arrived\".\n")
    first = build_root(root, formats=("evidence",), source_dirs=(LIBRARY,))
    checked: list[str] = []
    real = reportc.evidence.check._check_chapter

    def counting(doc, library, diag):
        checked.append(doc.rel)
        return real(doc, library, diag)

    monkeypatch.setattr(reportc.evidence.check, "_check_chapter", counting)
    other.write_text(other.read_text().replace("winter storms", "autumn storms"))
    edited = build_root(root, formats=("evidence",), source_dirs=(LIBRARY,))
    assert checked == ["chapters/02-more.md"]
    ours = [w for w in edited.warnings if w.startswith(F)]
    assert ours == [w for w in first.warnings if w.startswith(F)] and len(ours) == 10
    assert any(w.startswith("chapters/02-more.md:3: warning: quotation not found")
               for w in edited.warnings)
    clean = build_root(root, out=tmp_path / "clean", formats=("evidence",),
                       source_dirs=(LIBRARY,), use_cache=False)
    assert (clean.out / "evidence-evidence.csv").read_bytes() == \
        (edited.out / "evidence-evidence.csv").read_bytes()

def test_a_source_that_appears_is_read_by_the_next_build(tmp_path):
    root = make_root(tmp_path)
    build_root(root, formats=("evidence",), source_dirs=(LIBRARY,))
    (root / "sources" / "nosource2018.md").write_text("*Everything* is connected.\n")
    again = build_root(root, formats=("evidence",), source_dirs=(LIBRARY,))
    assert [r["status"] for r in table(again) if r["keys"] == "nosource2018"] == ["verified"]


@pytest.mark.parametrize(("setting", "message"), [
    ("sources: [page.html]", "report.yaml:7: 'sources' must map entry keys to files, e.g. "
                             "{lee2022: lee.pdf}"),
    ("sources:\n  web2022: 3", "report.yaml:8: sources: 'web2022' must name a file or a "
                               "list of files"),
])
def test_a_malformed_sources_setting_is_a_located_error(tmp_path, setting, message):
    root = make_root(tmp_path)
    config = root / "report.yaml"
    config.write_text(config.read_text().replace("sources:\n  web2022: page.html", setting))
    with pytest.raises(BuildFailed) as failure:
        build(BuildOptions(root=root, formats=("evidence",)))
    assert [str(p) for p in failure.value.problems] == [message]


def test_file_fields_as_reference_managers_write_them():
    assert file_field_paths("Full Text PDF:files/12/lee.pdf:application/pdf") == \
        ["files/12/lee.pdf"]
    assert file_field_paths(":C\\:\\\\papers\\\\lee.pdf:PDF;Snapshot:snap/lee.html:text/html") \
        == ["C:\\papers\\lee.pdf", "snap/lee.html"]
    assert file_field_paths("/home/me/lee.pdf; notes/lee.md") == ["/home/me/lee.pdf",
                                                                  "notes/lee.md"]


def test_sources_are_read_as_a_reader_sees_them():
    page = extract("html", b"<p>A&nbsp;&amp;&#8217;b</p><script>hidden()</script><p>c</p>")
    assert "hidden" not in page and "A\u00a0&\u2019b" in page
    assert extract("md", b"Some *emphasised* [link](http://x.org) &eacute;") == \
        "Some emphasised link \u00e9"
    assert extract("txt", b"tech-\nnology") == "technology"


@pytest.mark.parametrize(("quote", "found"), [
    ("the co-operation of ten universities", True),  # hyphen and case at the start
    ("The cooperation of ten universities", True),
    ("of ten … began", True),
    ("began … of ten", False),
    ("[the] ten universities began", True),
    ("the cooperation of Ten universities", False),
    ("ten … in … earnest", True),
    ("in … ten … earnest", False),
])
def test_quotation_rules(quote, found):
    source = index_source("The co-\noperation of ten universities began in earnest.")
    pattern = quote_pattern(quote)
    assert pattern is not None and found_in(pattern, source) == found


def test_a_file_given_with_sources_is_read_and_one_outside_it_is_not(tmp_path):
    """The control for the bad-input cases: the canary quoted through a file field reaches
    the table when its folder is given with --sources, and only then."""
    canary, secret = make_canary(tmp_path)
    root = make_root(tmp_path / "in")
    bib = root / "references.bib"
    bib.write_text(bib.read_text() + f"\n@misc{{leak,\n  file = {{Secret:{canary}:text/plain}}"
                   "\n}\n\n@misc{gone,\n  file = {missing/nothing.pdf}\n}\n")
    chapter = root / F
    chapter.write_text(chapter.read_text() + "\nIt said ‘do publish: CANARY’ [@leak; "
                       "@gone].\n")
    refused = build_root(root, formats=("evidence",), source_dirs=(LIBRARY,))
    assert f"references.bib:45: warning: entry 'leak': file '{canary}' is outside the report " \
        "directory: not read (give its folder with --sources DIR) [source.outside]" \
        in refused.warnings
    assert "references.bib:49: warning: entry 'gone': file 'missing/nothing.pdf' cannot be " \
        "read: no such file [source.missing]" in refused.warnings
    assert files_containing(root / "out", secret) == []
    assert "do not publish" not in (root / "out" / "evidence-evidence.csv").read_text()
    given = build_root(root, formats=("evidence",), source_dirs=(LIBRARY, tmp_path))
    rows = [r for r in table(given) if r["keys"] == "leak; gone"]
    assert [(r["status"], r["closest"]) for r in rows] == [("mismatch",
                                                           "do not publish: CANARY")]
    assert not [w for w in given.warnings if "source.outside" in w]


def test_a_source_that_cannot_be_read_and_a_mapping_for_no_entry_are_warned_about(tmp_path):
    root = make_root(tmp_path)
    (root / "sources" / "other2017.pdf").write_bytes(b"%PDF-1.7 not really")
    config = root / "report.yaml"
    config.write_text(config.read_text() + "  smiht2020: smith.txt\n")
    result = build_root(root, formats=("evidence",), source_dirs=(LIBRARY,))
    assert "report.yaml:9: warning: sources: 'smiht2020' is not an entry of the bibliography " \
        "[source.missing]" in result.warnings
    assert "sources/other2017.pdf: warning: source of 'other2017' cannot be read " \
        "(PdfiumError) [source.missing]" in result.warnings
    assert [r["status"] for r in table(result)][:3] == ["verified"] * 3  # the rest is checked


def test_a_source_too_large_is_not_read(tmp_path, monkeypatch):
    monkeypatch.setattr("reportc.evidence.check.LARGEST", 100)  # bytes: other2017.txt fits
    result = build_root(make_root(tmp_path), formats=("evidence",), source_dirs=(LIBRARY,))
    assert "sources/smith2020.txt: warning: source of 'smith2020' is larger than 0 MB: not " \
        "read [source.missing]" in result.warnings
    assert {r["status"] for r in table(result) if r["keys"] == SMITH and r["quote"]} == \
        {"unsourced"}
