"""A redline's notes are the notes the build of the new version prints: a deleted
citation of a source does not turn the next citation of it into a short note."""

from __future__ import annotations

import re

from conftest import build_root, copy_root, git, run_cli


def _notes(pdf_texts: list[str], chapter_heading: str) -> list[str]:
    """The text of every note printed on the pages of one chapter, without its number."""
    pages = [t for t in pdf_texts if chapter_heading in t and "CHAPTER" in t]
    text = "\n".join(pages)
    # a note starts with its number at the start of a line and may wrap onto the next one
    notes = re.findall(r"^\d+\.\s(.+(?:\n(?!\d+\.\s|Introduction\n).+)*)", text, re.M)
    return [" ".join(n.split()) for n in notes]


def test_redline_notes_are_the_notes_of_the_new_version(tmp_path):
    repo = copy_root("basic", tmp_path)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "v1")
    git(repo, "tag", "v1")
    intro = repo / "chapters/01-intro.md"
    text = intro.read_text()
    text = text.replace("balance of power [@lee2022, 4].", "balance of power [@trends2022].")
    text = text.replace("@bendett2019 describe the ties.",
                        "@bendett2019 describe the ties, as does Lee [@lee2022, 9].")
    intro.write_text(text)
    git(repo, "commit", "-qam", "v2")
    done = run_cli("diff", "v1", "HEAD", "--report-dir", repo, "--format", "pdf", "-q")
    assert done.returncode == 0, done.stderr
    real = build_root(repo, formats=("pdf",), out=tmp_path / "real")
    redline = real.pdf.__class__(repo / "out/fixture-redline-v1-HEAD.pdf")
    new_notes = _notes(real.page_texts(), "Introduction")
    marked_notes = _notes([p.extract_text() for p in redline.pages], "Introduction")
    full_lee = next(n for n in new_notes if n.startswith("John Lee") and ", 9," in n)
    assert full_lee in marked_notes  # not "Lee, China-Russia Cooperation ..., 9."
    assert set(new_notes) <= set(marked_notes)
    # the deleted citation still shows, as a note of its own
    assert any(n.startswith("John Lee") and ", 4," in n for n in marked_notes)
