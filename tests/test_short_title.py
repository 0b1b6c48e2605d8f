"""A chapter's ``short_title`` (front matter) is its running head in the PDF, as LaTeX's
``\\chapter[short]{long}``: the full title stays in the heading, contents and outline."""

from __future__ import annotations

import re

from conftest import build_root, copy_root


def test_a_chapters_short_title_is_its_running_head(tmp_path):
    root = copy_root("basic", tmp_path)
    chapter = root / "chapters/02-defence.md"
    chapter.write_text("---\nshort_title: Defence in brief\n---\n" +
                       chapter.read_text(encoding="utf-8"), encoding="utf-8")
    built = build_root(root, formats=("pdf",), jobs=1)
    assert built.warnings == []
    texts = built.page_texts()
    opener = next(i for i, text in enumerate(texts) if text.lstrip().startswith("CHAPTER 2"))
    lines = [line.strip() for line in texts[opener].splitlines()]
    assert "Defence in brief" in lines, "the running head over the chapter's first page"
    assert lines.count("Defence-oriented technologies") == 1, "the heading keeps the title"
    contents = next(text for text in texts if text.lstrip().startswith("Contents"))
    assert "Defence-oriented technologies" in contents
    assert "Defence in brief" not in re.sub(r"\s+", " ", contents)
    outline = [item.title for item in built.pdf.outline if not isinstance(item, list)]
    assert any("Defence-oriented technologies" in title for title in outline), outline
