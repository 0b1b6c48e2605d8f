"""Redline: word-level differences between two revisions, built as a review PDF and HTML."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOTS, copy_root, run_cli
from conftest import git as _git
from htmlparse import parse_html

from reportc.pandoc.runner import READER, run_pandoc
from reportc.redline.diff import Counts, diff_blocks
from reportc.redline.tree import WRITER, write_redline

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _blocks(markdown: str) -> list:
    return json.loads(run_pandoc(["-f", READER, "-t", "json"], markdown, what="test").output)[
        "blocks"]


def _markdown(blocks: list) -> str:
    api = json.loads(run_pandoc(["-f", READER, "-t", "json"], "x", what="t").output)
    document = {"pandoc-api-version": api["pandoc-api-version"], "meta": {}, "blocks": blocks}
    return run_pandoc(["-f", "json", "-t", WRITER, "--wrap=none"], json.dumps(document),
                      what="test").output.strip()


def _redline(old: str, new: str) -> tuple[str, Counts]:
    counts = Counts()
    return _markdown(diff_blocks(_blocks(old), _blocks(new), counts)), counts


def _without_counters(tree):
    return json.loads(re.sub(r'"citation(Hash|NoteNum)": ?-?\d+', '"citation\\1": 0',
                             json.dumps(tree)))


# --- the diff, on pandoc ASTs ------------------------------------------------------------

def test_identical_text_is_not_marked():
    text = "# Title\n\nSome words [@lee2022, 4].^[A note.]\n\n::: takeaways\n- One.\n:::\n"
    merged, counts = _redline(text, text)
    assert ".ins" not in merged and ".del" not in merged
    assert (counts.ins, counts.dele) == (0, 0)


def test_words_are_marked_word_by_word():
    merged, counts = _redline("The quick brown fox jumps over the dog.",
                              "The quick red fox jumps over the lazy dog.")
    assert merged == "The quick [brown]{.del} [red]{.ins} fox jumps over the [lazy]{.ins} dog."
    assert (counts.ins, counts.dele) == (2, 1)


def test_rewrapped_lines_are_not_changes():
    merged, counts = _redline("One two three\nfour five.", "One two\nthree four five.")
    assert (counts.ins, counts.dele) == (0, 0) and ".ins" not in merged


def test_a_changed_citation_stays_whole_on_both_sides():
    merged, counts = _redline("Power shifts [@lee2022, 4].", "Power shifts [@bendett2019].")
    assert merged == "Power shifts [[@lee2022, 4]]{.del} [[@bendett2019]]{.ins}."
    cites = [n for n in json.dumps(_blocks(merged)).split('"citationId":')[1:]]
    assert [c.split('"')[1] for c in cites] == ["lee2022", "bendett2019"]
    assert (counts.ins, counts.dele) == (1, 1)


def test_citation_counters_shifting_is_not_a_change():
    merged, counts = _redline("Intro words.\n\nLater [@lee2022].",
                              "Intro words.\n\nNew [@bendett2019].\n\nLater [@lee2022].")
    assert merged.split("\n\n") == ["Intro words.", "[New [@bendett2019].]{.ins}",
                                    "Later [@lee2022]."]
    assert (counts.ins, counts.dele) == (2, 0)


def test_boxes_and_lists_keep_their_structure():
    merged, counts = _redline(
        "::: takeaways\n1. Ties are broad [@lee2022].\n2. Trade is shallow.\n:::\n",
        "::: takeaways\n1. Ties are broad but thin [@lee2022].\n2. Trade is shallow.\n"
        "3. Arms matter most.\n:::\n")
    blocks = _blocks(merged)
    assert [b["t"] for b in blocks] == ["Div"]
    assert blocks[0]["c"][0][1] == ["takeaways"]
    items = blocks[0]["c"][1][0]["c"][1]
    assert len(items) == 3
    assert "[but thin]{.ins}" in merged and "[Arms matter most.]{.ins}" in merged
    assert (counts.ins, counts.dele) == (5, 0)


def test_a_rewritten_paragraph_is_deleted_then_inserted_whole():
    merged, _ = _redline("Alpha beta gamma delta.\n\nKept.", "Entirely other words here.\n\n"
                                                              "Kept.")
    assert merged.split("\n\n") == ["[Alpha beta gamma delta.]{.del}",
                                    "[Entirely other words here.]{.ins}", "Kept."]


def test_a_changed_note_is_marked_inside_the_note():
    merged, counts = _redline("Text.^[A short note.]", "Text.^[A short revised note.]")
    assert "[revised]{.ins}" in merged
    assert (counts.ins, counts.dele) == (1, 0)


def test_deleted_heading_loses_number_and_id_and_deleted_table_its_caption():
    old = ("## Gone {#sec-gone}\n\nText.\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n"
           ": Old table. {#tbl-old}\n\nKept.")
    merged, _ = _redline(old, "Kept.")
    blocks = _blocks(merged)
    header = next(b for b in blocks if b["t"] == "Header")
    assert header["c"][1][0] == "" and "unnumbered" in header["c"][1][1]
    table = next(b for n in blocks if n["t"] == "Div" for b in n["c"][1] if b["t"] == "Table")
    assert table["c"][0][0] == "" and table["c"][1][1] == [], "not numbered, no id"
    assert "[Old table.]{.del}" in merged


def test_unchanged_fixture_round_trips_through_markdown(tmp_path):
    changes = write_redline(ROOTS / "basic", ROOTS / "basic", tmp_path / "merged", ("a", "b"))
    assert [(c.name, c.change) for c in changes] == [
        ("00-summary.md", "unchanged"), ("01-intro.md", "unchanged"),
        ("02-defence.md", "unchanged")]
    for change in changes:
        original = (ROOTS / "basic" / "chapters" / change.name).read_text()
        written = (tmp_path / "merged" / "chapters" / change.name).read_text()
        body = lambda text: _blocks(re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S))  # noqa: E731
        assert _without_counters(body(written)) == _without_counters(body(original)), change.name


# --- the command, on a git repository ----------------------------------------------------

OUTLOOK = "# Outlook\n\nCooperation may deepen further [@old2020].\n"
OLD_ENTRY = "\n@report{old2020,\n  author = {Old, Alice},\n  title = {An Older Study},\n" \
            "  institution = {Old Institute},\n  date = {2020}\n}\n"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """A git repository holding the fixture report: v1, then a revision as HEAD."""
    repo = copy_root("basic", tmp_path_factory.mktemp("history"))
    (repo / "chapters" / "03-outlook.md").write_text(OUTLOOK)
    (repo / "references.bib").write_text((repo / "references.bib").read_text() + OLD_ENTRY)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "v1")
    _git(repo, "tag", "v1")
    intro = repo / "chapters" / "01-intro.md"
    _edit(intro, "Advanced technologies shape the balance of power [@lee2022, 4].",
          "Advanced and emerging technologies shape the balance of power [@bendett2019].")
    _edit(intro, "describe the ties.", "describe the ties.\n\nSanctions changed the picture.")
    defence = repo / "chapters" / "02-defence.md"
    _edit(defence, "Co-development is growing [@trends2022].",
          "Co-development is growing fast [@trends2022].")
    _edit(defence, " They later turned into co-development [@trends2022; @lee2022].", "")
    (repo / "chapters" / "03-outlook.md").unlink()
    _edit(repo / "references.bib", OLD_ENTRY, "")
    _git(repo, "commit", "-qam", "revise")
    return repo


@pytest.fixture(scope="module")
def redline(history: Path) -> Path:
    result = run_cli("diff", "v1", "HEAD", "--report-dir", history, "-q")
    assert result.returncode == 0, result.stderr
    return history / "out"


def test_redline_outputs_are_named_after_both_revisions(redline):
    assert sorted(p.name for p in redline.glob("fixture-*")) == [
        "fixture-redline-v1-HEAD.html", "fixture-redline-v1-HEAD.pdf"]


def test_summary_lists_changed_chapters_with_word_counts(redline):
    page = parse_html((redline / "fixture-redline-v1-HEAD.html").read_text(encoding="utf-8"))
    summary = page.find_all("section", "part")[0]
    assert summary.find_all("h2")[0].text().startswith("Changes since v1 (")
    rows = [[cell.text() for cell in row.find_all("td")] for row in summary.find_all("tr")]
    assert [r for r in rows if r] == [
        ["Executive summary", "unchanged", "0", "0"],
        ["Introduction", "changed", "7", "1"],
        ["Defence-oriented technologies", "changed", "1", "6"],
        ["Outlook", "removed", "0", "6"],
        ["Total", "3 of 4 changed", "8", "13"],
    ]
    assert "Bibliography entries: 0 added, 1 removed, 0 changed." in summary.text()


def test_insertions_and_deletions_are_marked_in_the_html(redline):
    page = parse_html((redline / "fixture-redline-v1-HEAD.html").read_text(encoding="utf-8"))
    parts = page.find_all("section", "part")[1:]
    inserted = [s.text() for part in parts for s in part.find_all("span", "ins")]
    deleted = [s.text() for part in parts for s in part.find_all("span", "del")]
    assert "and emerging" in inserted and "Sanctions changed the picture." in inserted
    assert "fast" in inserted
    assert any(text.startswith("They later turned into co-development") for text in deleted)
    assert any(text.startswith("Cooperation may deepen further") for text in deleted)
    refs = {e.attrs["id"] for e in page.find_all("div", "csl-entry")}
    assert "ref-old2020" in refs, "a deleted citation keeps its (removed) source"


def test_redline_pdf_keeps_the_new_numbering_and_marks_the_review(redline, tmp_path):
    import pypdf

    texts = [p.extract_text() for p in
             pypdf.PdfReader(redline / "fixture-redline-v1-HEAD.pdf").pages]
    assert all("REVIEW" in text for text in texts)
    summary = next(t for t in texts if t.lstrip().startswith("Changes since v1"))
    assert "Introduction" in summary and "removed" in summary
    joined = "\n".join(texts).replace("\xa0", " ")  # a font subset may map its space to NBSP
    assert "CHAPTER 1" in joined and "CHAPTER 2" in joined and "CHAPTER 3" not in joined
    assert "Table 1." in joined and "Figure 1." in joined and "Table 2." not in joined
    if shutil.which("pdftoppm"):
        from PIL import Image

        page = next(i for i, t in enumerate(texts, 1) if "CHAPTER 1" in t)
        stem = tmp_path / "intro"
        subprocess.run(["pdftoppm", "-r", "40", "-png", "-singlefile", "-f", str(page), "-l",
                        str(page), str(redline / "fixture-redline-v1-HEAD.pdf"), str(stem)],
                       check=True)
        data = Image.open(f"{stem}.png").convert("RGB").tobytes()
        pixels = [data[i:i + 3] for i in range(0, len(data), 3)]
        green = sum(1 for r, g, b in pixels if g > r + 40 and g > b + 20)
        assert green > 20, "inserted text is drawn in green"


def test_redline_against_the_working_tree(history, tmp_path):
    intro = history / "chapters" / "01-intro.md"
    original = intro.read_text()
    try:
        _edit(intro, "Sanctions changed the picture.", "Sanctions changed the whole picture.")
        result = run_cli("diff", "HEAD", "--report-dir", history, "--format", "html",
                         "--out", tmp_path, "-q")
        assert result.returncode == 0, result.stderr
    finally:
        intro.write_text(original)
    page = parse_html((tmp_path / "fixture-redline-HEAD-worktree.html").read_text())
    rows = [[c.text() for c in row.find_all("td")] for row in page.find_all("tr")]
    assert ["Introduction", "changed", "1", "0"] in rows
    assert [s.text() for s in page.find_all("span", "ins")][-1] == "whole"
    assert "as of the working tree" in page.find_all("section", "part")[0].text()


def test_unknown_revision_and_missing_repository_are_clear_errors(history, tmp_path):
    result = run_cli("diff", "v9", "--report-dir", history)
    assert result.returncode == 1
    assert "reportc diff: unknown revision 'v9'" in result.stderr
    plain = copy_root("basic", tmp_path)
    result = run_cli("diff", "v1", "--report-dir", plain)
    assert result.returncode == 1
    assert "reportc diff: git rev-parse failed" in result.stderr


def test_ins_and_del_are_styled_in_both_editions():
    from reportc.editions.theme import DEFAULT_THEME

    for sheet in ("print.css", "screen.css"):
        css = (DEFAULT_THEME / "css" / sheet).read_text()
        assert re.search(r"\.ins \{[^}]*underline", css), sheet
        assert re.search(r"\.del \{[^}]*line-through", css), sheet
