"""A list written straight after a paragraph line (GitHub's habit) is read by pandoc as more
of the paragraph, so "- item" would print as text with a dash: a located warning says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_root

from reportc.build import BuildOptions, build
from reportc.errors import BuildFailed
from reportc.project.markdown import lists_read_as_text

CASES = [
    ("Decisions:\n- one\n- two\n", [2]),             # the habit: only the first item counts
    ("Steps:\n1. first\n2. second\n", [2]),
    ("Decisions:\n\n- one\n- two\n", []),            # a blank line before the list
    ("- one\nlazy continuation\n- two\n", []),       # one list, its item goes on lazily
    ("- one\n\n  more of one\n- two\n", []),
    ("# Title\n- one\n", []),                        # after a heading a list may start
    ("::: {.takeaways}\n- one\n:::\n", []),          # and inside a div
    ("> quoted\n- one\n", []),
    ("Text\n* * *\n", []),                           # a rule, not a list
    ("Published in\n2019. It says\n", []),           # a year, not a list from 1
    ("Text\n```\nCode:\n- not a list\n```\n", []),   # fenced code is never read
]


@pytest.mark.parametrize(("text", "lines"), CASES)
def test_lists_read_as_text(text: str, lines: list[int]) -> None:
    assert lists_read_as_text(text.split("\n")) == lines


def test_the_build_names_the_line_and_fails_strict(tmp_path: Path) -> None:
    root = copy_root("basic", tmp_path)
    chapter = root / "chapters/02-defence.md"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace("Arms sales came first", "Findings:\n- arms sales\n\nArms "
                                    "sales came first", 1), encoding="utf-8")
    line = chapter.read_text(encoding="utf-8").split("\n").index("- arms sales") + 1
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(root=root, formats=("html",), strict=True))
    assert [str(p) for p in failed.value.problems] == [
        f"chapters/02-defence.md:{line}: a list item right after a paragraph line, with no "
        "blank line between, is read as more of the paragraph (it prints as text with a "
        "dash): put a blank line before the list [markdown.list]"]
