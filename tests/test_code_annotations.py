"""Quarto's code annotations (33 of quarto-cli's smoke-test documents use them): a code
line ending in ``# <1>`` is explained by item 1 of the numbered list after the block.
reportc printed the markers as code; now they leave the code's text, the number is drawn
after the line (not as text), and the list is tied to its block."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest
from conftest import build_root

from reportc.document.annotations import _ranges

ANNOTATED = """# Code

Text before.

```python
import pandas as pd        # <1>
df = pd.read_csv("x.csv")  # <2>
print(df)
```

1. Load the library.
2. Read the data.

After.
"""


def _report(root: Path, chapter: str, front: str = "") -> Path:
    (root / "chapters").mkdir(parents=True)
    (root / "report.yaml").write_text('title: "Annotations"\nslug: t\ndate: 2026-05-04\n'
                                      + front, encoding="utf-8")
    (root / "chapters" / "01-code.md").write_text(chapter, encoding="utf-8")
    return root


def _build(root: Path, *formats: str):
    return build_root(root, formats=formats or ("html",), git_stamp=False)


def _code(html: str) -> str:
    """The code's text as a reader copies it: the tags taken out."""
    pre = re.search(r"<pre.*?</pre>", html, re.S)
    assert pre
    return re.sub(r"<[^>]+>", "", pre.group(0)).replace("&quot;", '"')


def test_markers_leave_the_code_and_the_list_is_tied_to_the_block(tmp_path):
    built = _build(_report(tmp_path, ANNOTATED))
    html = built.html_path.read_text(encoding="utf-8")
    assert "&lt;1&gt;" not in html and "&lt;2&gt;" not in html
    assert _code(html) == 'import pandas as pd\ndf = pd.read_csv("x.csv")\nprint(df)'
    block = re.search(r'<div class="sourceCode" id="([^"]+)"><pre class="[^"]*'
                      r'code-annotation-code', html)
    assert block
    anchors = re.findall(r'<span class="code-annotation-anchor" data-code-annotation="(\d)"'
                         r' aria-hidden="true"></span>', html)
    assert anchors == ["1", "2"]
    assert f'<div class="code-annotations" data-code-cell="{block.group(1)}">' in html
    assert "<li>Load the library.</li>" in html
    assert not [w for w in built.warnings if "quarto.annotation" in w], built.warnings


@pytest.mark.parametrize(("language", "marker", "line"), [
    ("r", "# <1>", "x <- 1"), ("js", "// <1>", "let x = 1;"), ("sql", "-- <1>", "select 1"),
    ("c", "/* <1> */", "int x;"), ("matlab", "% <1>", "x = 1;"),
    ("text", "# <1>", "plain"),  # a language Quarto does not know comments with '#'
])
def test_each_languages_comment_is_a_marker(tmp_path, language, marker, line):
    text = f"# Code\n\n```{language}\n{line} {marker}\n```\n\n1. The one line.\n"
    html = _build(_report(tmp_path, text)).html_path.read_text(encoding="utf-8")
    assert _code(html) == line.replace("<", "&lt;")
    assert 'data-code-annotation="1"' in html


def test_a_marker_alone_on_its_line_leaves_an_empty_numbered_line(tmp_path):
    text = "# Code\n\n```python\nx = 1\n# <1>\ny = 2\n```\n\n1. Between.\n"
    html = _build(_report(tmp_path, text)).html_path.read_text(encoding="utf-8")
    assert _code(html) == "x = 1\n\ny = 2"
    assert html.count('data-code-annotation="1"') == 1


@pytest.mark.parametrize("front", ["code-annotations: none\n", "code-annotations: false\n"])
def test_none_removes_the_markers_and_keeps_an_ordinary_list(tmp_path, front):
    html = _build(_report(tmp_path, ANNOTATED, front)).html_path.read_text(encoding="utf-8")
    assert _code(html) == 'import pandas as pd\ndf = pd.read_csv("x.csv")\nprint(df)'
    assert "code-annotation" not in html.split("</head>")[1]
    assert "<li>Load the library.</li>" in html


def test_a_chapters_front_matter_and_quarto_yml_choose_the_style(tmp_path):
    root = tmp_path / "book"
    root.mkdir()
    (root / "_quarto.yml").write_text("project:\n  type: book\nbook:\n  title: T\n  date: "
                                      "2026-05-04\n  chapters: [index.qmd, code.qmd]\n"
                                      "code-annotations: none\n", encoding="utf-8")
    (root / "index.qmd").write_text("# Preface\n\nText.\n", encoding="utf-8")
    (root / "code.qmd").write_text(ANNOTATED, encoding="utf-8")
    html = _build(root).html_path.read_text(encoding="utf-8").split("</head>")[1]
    assert "code-annotation" not in html and "&lt;1&gt;" not in html
    (root / "code.qmd").write_text("---\ncode-annotations: below\n---\n\n" + ANNOTATED,
                                   encoding="utf-8")
    html = _build(root).html_path.read_text(encoding="utf-8")
    assert 'data-code-annotation="2"' in html  # the chapter's own setting wins


def test_half_an_annotation_keeps_its_text_and_is_said_at_its_line(tmp_path):
    text = ("# Code\n\n```c\nint x; /* <1> */\nint y; /* <3> */\n```\n\n2. No marker.\n"
            "3. Three.\n\n```r\na <- 1 # <1>\n```\n\nNo list.\n")
    built = _build(_report(tmp_path, text))
    html = built.html_path.read_text(encoding="utf-8")
    said = [w for w in built.warnings if "quarto.annotation" in w]
    assert any("01-code.md:4:" in w and "<1> has no item" in w for w in said), said
    assert any("01-code.md:8:" in w and "item 2" in w for w in said), said
    assert any("01-code.md:12:" in w and "no numbered list" in w for w in said), said
    assert "<li>No marker.</li>" in html and '<ol start="2"' in html
    assert "# &lt;1&gt;" in html  # a block without its list is printed as written


def test_no_edition_prints_a_marker(tmp_path):
    built = _build(_report(tmp_path, ANNOTATED), "pdf", "docx", "epub")
    pages = "".join(page.extract_text() for page in pypdf.PdfReader(built.pdf_path).pages)
    assert "import pandas as pd" in pages and "<1>" not in pages and "# <" not in pages
    import zipfile
    with zipfile.ZipFile(built.out / "t.docx") as docx:
        word = re.sub(r"<[^>]+>", "", docx.read("word/document.xml").decode())
    assert "&lt;1&gt;" not in word and "Line 1: Load the library." in word
    with zipfile.ZipFile(built.out / "t.epub") as epub:
        book = "".join(epub.read(name).decode() for name in epub.namelist()
                       if name.endswith(".xhtml"))
    assert "&lt;1&gt;" not in book and 'data-code-annotation="1"' in book


def test_line_ranges_are_written_as_runs():
    assert _ranges([5, 1, 2, 3]) == "1\u20133, 5"
    assert _ranges([4]) == "4"


def test_a_cached_build_gives_the_bytes_of_a_clean_one(tmp_path):
    """Edit the list, then switch the style in report.yaml: each build from the cache
    writes what a --no-cache build of the same text writes."""
    root = _report(tmp_path / "a", ANNOTATED)
    _build(root)
    chapter = root / "chapters" / "01-code.md"
    steps = [(chapter, ANNOTATED.replace("Read the data.", "Read the file.")),
             (root / "report.yaml", (root / "report.yaml").read_text(encoding="utf-8")
              + "code-annotations: none\n")]
    for path, text in steps:
        path.write_text(text, encoding="utf-8")
        cached = _build(root).html_path.read_bytes()
        clean = build_root(root, formats=("html",), git_stamp=False, use_cache=False,
                           out=tmp_path / "clean").html_path.read_bytes()
        assert cached == clean
    assert b"Read the file." in cached and b"code-annotation-anchor" not in cached


def test_a_style_reportc_does_not_know_is_said(tmp_path):
    from reportc.errors import Diagnostics
    from reportc.project.config import load_config

    _report(tmp_path, ANNOTATED, "code-annotations: sideways\n")
    diag = Diagnostics()
    load_config(tmp_path, diag)
    assert any("code-annotations 'sideways' must be below, hover, select or none" in str(p)
               for p in diag.problems)
    (tmp_path / "chapters" / "01-code.md").write_text(
        "---\ncode-annotations: aside\n---\n" + ANNOTATED, encoding="utf-8")
    (tmp_path / "report.yaml").write_text('title: "A"\nslug: t\n', encoding="utf-8")
    built = _build(tmp_path)
    assert any("01-code.md:2:" in w and "'aside'" in w for w in built.warnings), built.warnings


def test_a_cells_list_goes_under_its_code_above_the_output(tmp_path):
    """A frozen result writes a cell as a div (code, then output); the list follows the
    cell, and Quarto puts it under the code."""
    text = ("# Code\n\n::: {.cell}\n```{.python .cell-code}\nx = 1  # <1>\n```\n\n"
            "::: {.cell-output}\n```\n1\n```\n:::\n:::\n\n1. Set x.\n")
    built = _build(_report(tmp_path, text))
    html = built.html_path.read_text(encoding="utf-8")
    assert not [w for w in built.warnings if "quarto.annotation" in w], built.warnings
    assert "&lt;1&gt;" not in html and 'data-code-annotation="1"' in html
    assert html.index("Set x.") < html.index('class="cell-output"')


@pytest.mark.parametrize("where", ["quarto", "document"])
def test_a_style_under_format_html_is_read(tmp_path, where):
    """Quarto takes code-annotations under a format too (``format: html:``), in
    _quarto.yml and in a document's front matter."""
    front = "format:\n  html:\n    code-annotations: none\n"
    (tmp_path / "_quarto.yml").write_text(
        "project:\n  render: [paper.qmd]\n" + (front if where == "quarto" else ""),
        encoding="utf-8")
    (tmp_path / "paper.qmd").write_text(
        "---\ntitle: Paper\ndate: 2026-05-04\n" + (front if where == "document" else "")
        + "---\n\n" + ANNOTATED.replace("# Code", "## Code"), encoding="utf-8")
    html = _build(tmp_path).html_path.read_text(encoding="utf-8").split("</head>")[1]
    assert "code-annotation" not in html and "&lt;1&gt;" not in html
    assert "<li>Load the library.</li>" in html
