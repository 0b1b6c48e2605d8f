"""Documents with several level-1 headings (#23): a whole book in one file is one chapter
per ``#`` heading; under a front matter title its headings are sections; an empty
trailing section is not printed. Line numbers stay the file's.
"""

from __future__ import annotations

import re

import pytest
from conftest import build_root, copy_root

from reportc.build import BuildOptions, build
from reportc.errors import BuildFailed

BOOK = """Preface
=======

Before the chapters.

# Rivers

The first chapter.

## Sources

Where rivers start.

# Lakes {#lakes}

The second chapter, see @sec-deep.

## Deep lakes {#sec-deep}

Deep water.

# References
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = copy_root("basic", tmp_path_factory.mktemp("one"))
    for path in (root / "chapters").glob("0[12]-*.md"):
        path.unlink()
    (root / "chapters/01-book.md").write_text(BOOK, encoding="utf-8")
    (root / "report.yaml").write_text(
        (root / "report.yaml").read_text(encoding="utf-8") + "silence: [bib.unused]\n",
        encoding="utf-8")
    return build_root(root, formats=("html", "pdf"))


def test_each_level_one_heading_is_a_numbered_chapter(built):
    html = built.html_path.read_text(encoding="utf-8")
    labels = re.findall(r'<span class="chapter-label">([^<]*)</span><span class="chapter-title">'
                        r'([^<]*)</span>', html)
    assert labels == [("Chapter 1", "Preface"), ("Chapter 2", "Rivers"),
                      ("Chapter 3", "Lakes")]
    assert re.findall(r'id="(ch-01-book(?:-\d)?|lakes)"', html) == ["ch-01-book",
                                                                    "ch-01-book-2", "lakes"]
    assert '<a href="#sec-deep" class="xref">Section 3.1</a>' in html  # its chapter's number
    assert built.warnings == []


def test_the_chapters_are_listed_and_the_empty_trailing_section_is_gone(built):
    contents = next(t for t in built.page_texts() if "Contents" in t)
    flat = [" ".join(line.replace(".", " ").split()) for line in contents.split("\n")]
    entries = [re.sub(r" \d+$", "", line) for line in flat if re.search(r"\d$", line)]
    assert entries[1:7] == ["1 Preface", "2 Rivers", "2 1 Sources", "3 Lakes",
                            "3 1 Deep lakes", "Bibliography"]
    html = built.html_path.read_text(encoding="utf-8")
    assert ">References<" not in html


def test_a_problem_is_located_at_its_line_of_the_file(tmp_path):
    root = copy_root("basic", tmp_path)
    (root / "chapters/01-intro.md").write_text(BOOK.replace("Deep water.", "See @fig-none."),
                                               encoding="utf-8")
    with pytest.raises(BuildFailed) as failure:
        build(BuildOptions(root=root, formats=("html",)))
    assert "chapters/01-intro.md:20: unknown cross-reference '@fig-none'" in \
        [str(p) for p in failure.value.problems]


def test_a_heading_inside_a_block_opens_no_chapter():
    from reportc.project.split import drop_empty_tail, split_pieces

    text = "# A\n\n::: {.callout-note}\n# Inside\n:::\n\n```\n# code\n```\n\n# B\n\nx\n"
    pieces = split_pieces(text)
    assert [p.split("\n").index(next(line for line in p.split("\n") if line)) for p in pieces] \
        == [0, 10]
    assert all(len(p.split("\n")) == len(text.split("\n")) for p in pieces)  # lines kept
    assert drop_empty_tail("# A\n\nx\n\n# References\n\n") == "# A\n\nx\n\n\n\n"
    assert drop_empty_tail("# Only\n") == "# Only\n"  # a chapter's own title stays
    assert drop_empty_tail("# A\n\nx\n\n## Bibliografía {.unnumbered}\n") == "# A\n\nx\n\n\n"
    # any other last heading is the author's (Quarto's tests end with one): it prints
    assert drop_empty_tail("## A\n\n## B\n\ntext\n\n## C") == "## A\n\n## B\n\ntext\n\n## C"
