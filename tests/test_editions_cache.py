"""The EPUB and the brief through the exact cache: after an input changes, the build that
reuses the cache writes the bytes a clean build writes."""

from __future__ import annotations

import shutil

import pytest
from conftest import build_root, copy_root

from reportc.editions.theme import DEFAULT_THEME


def _figure(root):
    svg = root / "figures" / "demand.svg"
    svg.write_text(svg.read_text(encoding="utf-8").replace("#2b5f8a", "#8a2b5f"),
                   encoding="utf-8")


def _stylesheet(name):
    def change(root):
        with (root / "templates" / "css" / name).open("a", encoding="utf-8") as css:
            css.write("\nh2 { letter-spacing: 0.01em; }\n")
    return change


@pytest.mark.parametrize(("edition", "output", "change"), [
    ("epub", "grid.epub", _figure),
    ("epub", "grid.epub", _stylesheet("epub.css")),
    ("brief", "grid-brief.pdf", _figure),
    ("brief", "grid-brief.pdf", _stylesheet("brief.css")),
], ids=["epub-figure", "epub-css", "brief-figure", "brief-css"])
def test_a_changed_input_gives_the_clean_build_bytes(edition, output, change, tmp_path):
    root = copy_root("editions", tmp_path)
    shutil.copytree(DEFAULT_THEME, root / "templates")
    before = build_root(root, formats=(edition,)).out / output
    old = before.read_bytes()
    change(root)
    cached = build_root(root, formats=(edition,)).out / output
    clean = build_root(root, formats=(edition,), out=tmp_path / "clean", use_cache=False)
    assert cached.read_bytes() != old
    assert cached.read_bytes() == (clean.out / output).read_bytes()
