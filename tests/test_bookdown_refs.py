"""bookdown's ``\\@ref(label)`` cross-references (found building rstudio/bookdown-demo, where
"Chapter \\@ref(intro)" printed as "Chapter @ref(intro)"; issue #23)."""

from __future__ import annotations

import pytest
from conftest import build_root, copy_root

from reportc.errors import BuildFailed


def test_bookdown_references_print_the_number(tmp_path):
    root = copy_root("bookdown-book", tmp_path)
    methods = root / "02-methods.Rmd"
    methods.write_text(methods.read_text(encoding="utf-8") +
                       "\nAs Chapter \\@ref(intro) said, and Chapter \\@ref(methods) shows.\n",
                       encoding="utf-8")
    built = build_root(root, formats=("html",), git_stamp=False)
    page = built.html_path.read_text(encoding="utf-8")
    assert "@ref(" not in page
    assert 'As Chapter <a href="#sec-intro" class="xref">1</a> said, and Chapter ' \
           '<a href="#sec-methods" class="xref">2</a> shows.' in page


def test_a_bookdown_reference_to_nothing_is_located(tmp_path):
    root = copy_root("bookdown-book", tmp_path)
    methods = root / "02-methods.Rmd"
    lines = methods.read_text(encoding="utf-8").split("\n")
    methods.write_text("\n".join(lines) + "\nSee Figure \\@ref(fig:made-by-r).\n",
                       encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_root(root, formats=("html",), git_stamp=False)
    assert [str(p) for p in failed.value.problems] == [
        f"02-methods.Rmd:{len(lines) + 1}: unknown cross-reference '@fig-made-by-r'"]
