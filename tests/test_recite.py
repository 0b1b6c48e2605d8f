"""Citing again without citeproc (reportc/citing/recite.py): an edit that cites nothing new
gives exactly what citeproc gives, and a build after it runs no citeproc."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import build_root, copy_root

import reportc.pandoc.runner
from reportc.cache import CACHE_DIR
from reportc.citing.recite import record_key, splice
from reportc.pandoc.runner import run_pandoc
from reportc.project.csl import STYLES_DIR

BIB = """@book{lee2022, author = {Lee, Ann}, title = {Power and Trade}, date = {2022},
  publisher = {Example Press}, location = {London}}
@article{kim2020, author = {Kim, Bo}, title = {Ties}, journaltitle = {Journal of Ties},
  date = {2020}, volume = {3}, pages = {1--20}}
@article{kim2021, author = {Kim, Cy}, title = {More Ties}, journaltitle = {Journal of Ties},
  date = {2021}, volume = {4}, pages = {5--9}}
"""
# Ibid, subsequent short notes, name disambiguation (two Kims), a note after "quoted"
# text, a citation in an author's note, narrative citations and locators.
TEXT = """Power shifts [@lee2022, 4]. Trade follows [@lee2022, 5]. Ties matter [@kim2020].

@kim2021 disagrees, and "so do others" [@kim2020; @lee2022]. The text goes on.

A paragraph that cites nothing at all.^[An author's note citing @kim2021 [p. 6].]

Last words [@kim2021, 7], then more text and a closing remark.
"""
# Edits that cite nothing new: (old, new) replacements of TEXT.
EDITS: list = [
    ("The text goes on.", "The text goes on. A new sentence follows it."),
    ("A paragraph that cites nothing at all.", "A paragraph that still cites nothing."),
    ("Last words", "Final words"),
    ("then more text and a closing remark.", "then more text and a longer closing remark."),
    ("Ties matter [@kim2020].", "Ties matter [@kim2020].\n\nA new paragraph."),
    ("The text goes on.", "The text goes on"),
    ("and a closing remark.", "and a closing remark. An appended sentence."),
    ("Trade follows", "Trade, too, follows"),  # next to a citation: citeproc again
    ("[@kim2020].", "[@kim2020]"),
]
# A div and a block quote that cite, edited inside; two edits in one chapter.
TEXT += """
::: {.takeaways}
Inside a box [@lee2022, 12]. More words here.

Another paragraph in the box.
:::

> Quoted [@kim2020, 3]. And a quoted remark.
"""
EDITS += [("More words here.", "More words here, and a few more."),
          ("Another paragraph in the box.", "Another paragraph in the box.\n\nAnd one more."),
          ("And a quoted remark.", "And a longer quoted remark."),
          ("Last words", "Final words")]
EDITS += [(("@lee2022]. The text goes on.", "A paragraph that cites nothing at all."),
           ("@lee2022]. The text goes on, and on.", "A paragraph that cites little.")),
          (("Trade follows [@lee2022, 5]. Ties", "Inside a box"),
           ("Trade follows [@lee2022, 5]. Yes. Ties", "Inside a small box"))]
# Paragraphs ending on a citation, the benchmark's case: a sentence appended after it.
TEXT += "\nThe end is near [@lee2022, 9].\n\nAnd here [@kim2021].\n"
EDITS += [("near [@lee2022, 9].", "near [@lee2022, 9]. Appended."),
          ("here [@kim2021].", "here [@kim2021]. Appended, too.")]
STYLES = ["chicago-notes-bibliography.csl", "chicago-notes-bibliography-subsequent-ibid.csl",
          "apa.csl", "ieee.csl"]


def _pandoc(args: list[str], text: str) -> list:
    return json.loads(run_pandoc(args, text, what="test").output)["blocks"]


def _cite(blocks: list, csl: Path, bib: Path) -> list:
    """The chapter's blocks as citeproc leaves them in a report (a section of its own)."""
    chapter = {"t": "Div", "c": [["c", ["section", "reset-citation-positions"], []], blocks]}
    document = json.dumps({"pandoc-api-version": _VERSION, "meta": {}, "blocks": [chapter]})
    cited = _pandoc(["-f", "json", "-t", "json", "--citeproc", f"--csl={csl}",
                     f"--bibliography={bib}", "-M", "lang=en-GB"], document)
    return cited[0]["c"][1]  # the reference list follows, outside the chapter


_VERSION = json.loads(run_pandoc(["-f", "markdown", "-t", "json"], "x", what="test")
                      .output)["pandoc-api-version"]


@pytest.mark.parametrize("style", STYLES)
def test_a_splice_is_what_citeproc_gives_or_nothing(tmp_path, style):
    """Each edit either splices to exactly citeproc's output for the edited text (byte
    for byte as JSON), or declines; the edits apart from citations do splice."""
    csl = STYLES_DIR / style
    if not csl.is_file():
        pytest.skip(f"{style} not among the bundled styles")
    bib = tmp_path / "references.bib"
    bib.write_text(BIB, encoding="utf-8")
    old = _pandoc(["-f", "markdown", "-t", "json"], TEXT)
    cited = _cite(old, csl, bib)
    spliced = 0
    for before, after in EDITS:
        edited = TEXT
        for old_text, new_text in ([(before, after)] if isinstance(before, str) else
                                   zip(before, after, strict=True)):
            assert old_text in edited
            edited = edited.replace(old_text, new_text)
        new = _pandoc(["-f", "markdown", "-t", "json"], edited)
        assert record_key([("c", json.dumps(new))], "") == record_key([("c", json.dumps(old))], "")
        result = splice(old, cited, new)
        if result is not None or str(after).endswith("Appended.") or "A new" in after:
            assert result is not None, after
            assert json.dumps(result) == json.dumps(_cite(new, csl, bib)), (style, after)
            spliced += 1
    assert spliced >= 12, style


def test_a_new_citation_changes_the_key():
    texts = [TEXT, TEXT.replace("Last words", "Last words [@kim2020]"),
             TEXT.replace("[@lee2022, 5]", "[@lee2022, 6]")]
    keys = {record_key([("c", json.dumps(_pandoc(["-f", "markdown", "-t", "json"], text)))], "")
            for text in texts}
    assert len(keys) == 3


@pytest.fixture
def citeproc_runs(monkeypatch):
    """Every pandoc run that cites (it names citeproc on its command line)."""
    runs: list[str] = []
    real = reportc.pandoc.runner.run_pandoc

    def counting(args, stdin, *, what, **kwargs):
        if "--citeproc" in args or any("cite.lua" in a for a in args):
            runs.append(what)
        return real(args, stdin, what=what, **kwargs)

    monkeypatch.setattr("reportc.citing.render.run_pandoc", counting)
    return runs


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and CACHE_DIR not in p.parts}


@pytest.mark.parametrize("jobs", [1, 2])  # one pandoc process citing and writing, or two steps
def test_an_edit_citing_nothing_new_runs_no_citeproc_and_matches_a_clean_build(
        tmp_path, citeproc_runs, jobs):
    project = copy_root("basic", tmp_path / "edited")
    build_root(project, jobs=jobs)
    assert citeproc_runs
    citeproc_runs.clear()
    chapter = project / "chapters/01-intro.md"
    text = chapter.read_text(encoding="utf-8")
    edited = text.replace("summarises the evidence.",
                          "summarises the evidence. One more sentence, citing nothing.")
    assert edited != text
    chapter.write_text(edited, encoding="utf-8")
    rebuilt = build_root(project, jobs=jobs)
    assert citeproc_runs == []
    assert "One more sentence" in " ".join(rebuilt.page_texts())
    clean = tmp_path / "clean" / "basic"
    shutil.copytree(project, clean, ignore=shutil.ignore_patterns("out"))
    build_root(clean, jobs=jobs)
    assert _outputs(clean / "out") == _outputs(project / "out")  # HTML, PDF, all: byte for byte


def test_an_edit_next_to_a_citation_is_cited_again(tmp_path, citeproc_runs):
    project = copy_root("basic", tmp_path)
    build_root(project, formats=("html",))
    citeproc_runs.clear()
    chapter = project / "chapters/01-intro.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace(
        "balance of power [@lee2022, 4]", "balance of powers [@lee2022, 4]"),
        encoding="utf-8")
    build_root(project, formats=("html",))
    assert citeproc_runs



def test_the_citations_are_found_as_a_walk_of_the_whole_chapter_finds_them():
    """The fast scan of a chapter's JSON for citations gives what walking it gives, also
    with a citation in another's prefix and the word "Cite" in the text."""
    from reportc.citing.recite import _citations, _walk

    for text in (TEXT, TEXT + '\n"Cite" and Cite [see @lee2022 and [@kim2020]].\n'):
        blocks = _pandoc(["-f", "markdown", "-t", "json"], text)
        assert _citations(json.dumps(blocks)) == _walk(blocks, [])
        assert len(_walk(blocks, [])) >= 8


def test_edits_one_after_another_each_run_no_citeproc(tmp_path, citeproc_runs):
    """A build that reused the last citing keeps its own, so the next edit reuses it too."""
    project = copy_root("basic", tmp_path / "edited")
    build_root(project, formats=("html",))
    chapter = project / "chapters/01-intro.md"
    for sentence in (" A first added sentence.", " A second added sentence."):
        citeproc_runs.clear()
        chapter.write_text(chapter.read_text(encoding="utf-8").replace(
            "summarises the evidence.", "summarises the evidence." + sentence), encoding="utf-8")
        build_root(project, formats=("html",))
        assert citeproc_runs == []
        clean = tmp_path / sentence.split()[1] / "basic"
        shutil.copytree(project, clean, ignore=shutil.ignore_patterns("out"))
        build_root(clean, formats=("html",))
        assert _outputs(clean / "out") == _outputs(project / "out")


# Edits after which a chapter's HTML is written block by block (reportc/citing/pieces.py):
# text citing nothing, a new citation (citeproc again: later notes renumbered), a new
# author's note early in the chapter (every later note renumbered), a block deleted.
PIECE_EDITS = [
    ("summarises the evidence.", "summarises the evidence.\n\nA new paragraph, citing nothing."),
    ("describe the ties.", "describe the ties. See also [@lee2022, 9]."),
    ("The report covers four fields,", "The report covers^[A new note, early.] four fields,"),
    ("\n\nA new paragraph, citing nothing.", ""),
]


def test_edits_write_only_changed_blocks_and_match_a_clean_build(tmp_path, monkeypatch,
                                                                 shared):
    """Each edit's build writes only the blocks it changed (all but the new citation's,
    which citeproc cites again, reuse the last HTML's other blocks) and gives every
    edition byte for byte as a build without a cache does."""
    import reportc.citing.pieces

    written: list[int] = []
    spliced: list[bool] = []
    real, real_spliced = reportc.citing.pieces.write_parts, reportc.citing.pieces.spliced

    def counting(parts, *args):
        written.append(len(parts))
        return real(parts, *args)

    def splicing(*args):
        made = real_spliced(*args)
        spliced.append(made is not None)
        return made

    monkeypatch.setattr("reportc.citing.pieces.write_parts", counting)
    monkeypatch.setattr("reportc.citing.pieces.spliced", splicing)
    (tmp_path / "edited").mkdir()  # the session's clean build, its out/ and cache
    project = shared.copy("basic", tmp_path / "edited").root
    chapter = project / "chapters/01-intro.md"
    for step, (before, after) in enumerate(PIECE_EDITS):
        text = chapter.read_text(encoding="utf-8")
        assert before in text
        chapter.write_text(text.replace(before, after, 1), encoding="utf-8")
        written.clear()
        spliced.clear()
        build_root(project, jobs=2)
        assert spliced == [True], after  # the edited chapter, from its kept blocks
        # the blocks written: the edited one (with the notes renumbered after it); none
        # where a block was deleted and the blocks after it kept their note numbers
        assert written == ([] if not after else [len(written) and written[0]]), after
        assert not after or 0 < written[0] < 12, (after, written)
        clean = tmp_path / f"clean{step}" / "basic"
        shutil.copytree(project, clean, ignore=shutil.ignore_patterns("out"))
        build_root(clean, jobs=2, use_cache=False)
        assert _outputs(clean / "out") == _outputs(project / "out"), after
