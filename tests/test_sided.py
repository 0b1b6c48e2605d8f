"""``sided: single | double`` in report.yaml: double-sided parts open on right-hand pages
(after a blank page when needed); single-sided pages are all alike and never blank."""

from __future__ import annotations

import pytest
from conftest import build_root, copy_root

from reportc.build import BuildOptions, build
from reportc.errors import BuildFailed


def _with(project, line: str):
    config = project / "report.yaml"
    config.write_text(config.read_text() + line + "\n")
    return project


def _left_edge(page) -> float:
    """Where the body text starts on the page (the smallest x of a word of text)."""
    xs: list[float] = []

    def visit(text, cm, tm, font, size):
        if len(text.strip()) > 3:
            xs.append(cm[0] * tm[4] + cm[2] * tm[5] + cm[4])

    page.extract_text(visitor_text=visit)
    return round(min(xs), 1)


def test_single_sided_has_no_blank_page_and_equal_margins_and_equals_one_pass(tmp_path,
                                                                             shared):
    """One single-sided build, laid out part by part, checked against the double-sided
    basic build (the session's shared one) and against a one-pass layout of itself."""
    project = _with(copy_root("basic", tmp_path), "sided: single")
    single = build_root(project)
    double = shared.build("basic")
    single_texts, double_texts = single.page_texts(), double.page_texts()
    assert all(text.strip() for text in single_texts), "a blank page in a single-sided PDF"
    assert any(not text.strip() for text in double_texts)  # double: blank versos
    assert len(single_texts) == len([t for t in double_texts if t.strip()])
    pages = single.pdf.pages
    assert _left_edge(pages[2]) == _left_edge(pages[3]) == _left_edge(pages[4])
    # every part opens on the page after the last one ends
    assert "Executive summary" in single_texts[2] and "Introduction" in single_texts[3]
    one = build_root(project, out=tmp_path / "one", single_pass=True)
    assert single_texts == one.page_texts()


def test_sided_takes_single_or_double(tmp_path):
    project = _with(copy_root("basic", tmp_path), "sided: triple")
    with pytest.raises(BuildFailed) as failure:
        build(BuildOptions(root=project))
    assert any("sided 'triple' must be single or double" in str(p) and "report.yaml:" in str(p)
               for p in failure.value.problems)
