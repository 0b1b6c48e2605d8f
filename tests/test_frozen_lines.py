"""A chapter built from Quarto's frozen results: messages point at the .qmd's lines (the
cell for what the cell made), never at lines of the frozen text (issue #23)."""

from __future__ import annotations

import hashlib
import json

from conftest import build_root, copy_root


def test_messages_about_frozen_text_name_the_qmd_lines(tmp_path):
    root = copy_root("quarto-book", tmp_path)
    chapter = root / "chapters/gauges.qmd"
    chapter.write_text(chapter.read_text(encoding="utf-8") +
                       "\nAs the <iframe src=\"x.html\"></iframe> shows.\n", encoding="utf-8")
    frozen = root / "_freeze/chapters/gauges/execute-results/html.json"
    data = json.loads(frozen.read_text(encoding="utf-8"))
    markdown = data["result"]["markdown"]
    data["result"]["markdown"] = markdown.replace(
        "::: {.cell-output-display}\n",
        "::: {.cell-output-display}\n<div style=\"color: red\">\nDone\n</div>\n\n"
    ).rstrip("\n") + "\n\nAs the <iframe src=\"x.html\"></iframe> shows.\n"
    data["hash"] = hashlib.md5(chapter.read_bytes()).hexdigest()  # frozen again, as Quarto does
    frozen.write_text(json.dumps(data), encoding="utf-8")
    built = build_root(root, formats=("html",), git_stamp=False)
    mine = [w for w in built.warnings if w.startswith("chapters/gauges.qmd")]
    # the cell opens at line 7; the paragraph after it is line 16 of the .qmd
    assert [w.split(": warning: ")[0] for w in mine] == ["chapters/gauges.qmd:7",
                                                         "chapters/gauges.qmd:16"], mine
    assert "raw HTML '<div style=\"color: red\">'" in mine[0], mine
    assert "raw HTML '<iframe src=\"x.html\">'" in mine[1], mine


def test_inline_code_that_would_run_is_a_located_error(tmp_path):
    """bookdown-demo's 06-references.Rmd is one `r ...` expression: reportc said only
    'chapter has no title'."""
    import pytest

    from reportc.errors import BuildFailed

    root = copy_root("bookdown-book", tmp_path)
    chapter = root / "01-intro.Rmd"
    lines = chapter.read_text(encoding="utf-8").split("\n")
    chapter.write_text("\n".join(lines) + "\nThe mean is `r mean(x)` today.\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_root(root, formats=("html",), git_stamp=False)
    assert [str(p) for p in failed.value.problems] == [
        f"01-intro.Rmd:{len(lines) + 1}: inline code `r mean(x)`: reportc never runs code; "
        "render the project once with Quarto and 'execute: freeze: true' (reportc then takes "
        "the results from _freeze/), or write its result in the text instead"]


def test_a_file_edited_after_its_freeze_says_its_edits_are_not_printed(tmp_path):
    """Quarto records the MD5 of the file it froze; the frozen text is what prints."""
    root = copy_root("quarto-book", tmp_path)
    quiet = build_root(root, formats=("html",), git_stamp=False)
    assert not [w for w in quiet.warnings if "freeze.stale" in w]
    chapter = root / "chapters/gauges.qmd"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nA sentence added later.\n",
                       encoding="utf-8")
    built = build_root(root, formats=("html",), git_stamp=False)
    assert [w for w in built.warnings if "freeze.stale" in w] == [
        "chapters/gauges.qmd: warning: was edited after Quarto froze its results "
        "(_freeze/chapters/gauges/execute-results/html.json): it prints as it was then, "
        "without the edits; render it again with 'quarto render chapters/gauges.qmd' to take "
        "them in [freeze.stale]"]
    assert "A sentence added later" not in built.html_path.read_text(encoding="utf-8")
