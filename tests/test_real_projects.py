"""Fixes found building public projects as a new user would (issue #23, item 7); each on a
fixture of our own."""

from __future__ import annotations

from conftest import build_root, copy_root


def test_a_sentence_ending_in_the_word_is_not_a_doubled_word(tmp_path):
    """gw-ospo/quarto-manuscript-template: "This is a table. @tbl-history summarizes ..."
    was warned as 'table. Table 1' and its sentence-ending word dropped."""
    root = copy_root("basic", tmp_path)
    (root / "chapters/03-tables.md").write_text(
        "# Tables\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n: Scores {#tbl-scores}\n\n"
        "This is a table. @tbl-scores summarizes the scores.\n\n"
        "As Tab. @tbl-scores shows.\n", encoding="utf-8")
    built = build_root(root, formats=("html",), git_stamp=False)
    assert built.warnings == [
        "chapters/03-tables.md:11: warning: 'Tab. @tbl-scores' would print 'Tab. Table\u00a02': "
        "the reference brings its own word; write '@tbl-scores' (or '[-@tbl-scores]' for the "
        "number alone) [xref.word]"]
    page = built.html_path.read_text(encoding="utf-8")
    assert "This is a table. <a" in page
