"""The web edition's fonts: WOFF2 subsets of the theme's fonts holding every character the
page shows, a fraction of the TrueType files' size, the same bytes on every build."""

from __future__ import annotations

import io
import re

from conftest import build_root, copy_root
from fontTools.ttLib import TTFont

from reportc.editions.theme import DEFAULT_THEME, Theme
from reportc.web.fonts import code_points, subset_font, woff2_stylesheet


def test_the_page_links_woff2_subsets_that_hold_its_characters(tmp_path):
    built = build_root(copy_root("basic", tmp_path), formats=("html",))
    fonts = built.out / "assets" / "fonts"
    subsets = sorted(fonts.iterdir())
    theme = Theme(DEFAULT_THEME)
    assert [p.name for p in subsets] == sorted(f.stem + ".woff2" for f in theme.fonts)
    assert all(p.read_bytes()[:4] == b"wOF2" for p in subsets)
    full = sum(f.stat().st_size for f in theme.fonts)
    assert sum(p.stat().st_size for p in subsets) < full / 5
    css = (built.out / "assets" / "css" / "base.css").read_text(encoding="utf-8")
    assert ".ttf" not in css
    assert 'url("../fonts/SourceSerif4-Regular.woff2") format("woff2")' in css
    text = re.sub(r"<[^>]+>", "", built.html_path.read_text(encoding="utf-8"))
    for original in theme.fonts:
        had = TTFont(original).getBestCmap()
        has = TTFont(io.BytesIO((fonts / (original.stem + ".woff2")).read_bytes())).getBestCmap()
        lost = {c for c in set(text) if ord(c) in had and ord(c) not in has}
        assert lost == set(), (original.name, lost)


def test_subsets_keep_whole_blocks_and_the_same_bytes():
    points = code_points("Ab\u2013\u00e9")
    assert set(range(0x20, 0x7F)) <= set(points)
    assert {0x2000, 0x207F, 0xC0, 0xFF} <= set(points)  # the blocks of – and é, whole
    assert 0x400 not in points  # Cyrillic: not used
    font = DEFAULT_THEME / "fonts" / "SourceSerif4-Regular.ttf"
    first = subset_font(font, points)
    assert first == subset_font(font, points)
    names = TTFont(io.BytesIO(first))["name"]
    assert "Open Font License" in str(names.getDebugName(13))  # the licence travels along


def test_only_local_ttf_references_change():
    css = ('@font-face { src: url("../fonts/A-Regular.ttf"); }\n'
           '@font-face { src: url("https://example.org/B.ttf"); }\n')
    assert woff2_stylesheet(css) == (
        '@font-face { src: url("../fonts/A-Regular.woff2") format("woff2"); }\n'
        '@font-face { src: url("https://example.org/B.ttf"); }\n')


def test_made_once_per_process_and_kept_in_each_cache(tmp_path, monkeypatch):
    from reportc.web import fonts as web_fonts

    first = build_root(copy_root("basic", tmp_path / "a"), formats=("html",))
    calls = []
    monkeypatch.setattr(web_fonts, "subset_font", lambda *a: calls.append(a))
    second = build_root(copy_root("basic", tmp_path / "b"), formats=("html",))
    assert calls == []  # the same fonts and blocks: this process made them already
    for built in (first, second):
        index = (built.out / ".reportc-cache" / "index.json").read_text(encoding="utf-8")
        assert index.count('"woff2:') == len(Theme(DEFAULT_THEME).fonts)
    names = sorted((first.out / "assets" / "fonts").iterdir())
    assert all((second.out / "assets" / "fonts" / p.name).read_bytes() == p.read_bytes()
               for p in names)


def test_the_self_contained_page_inlines_the_subsets(tmp_path):
    built = build_root(copy_root("basic", tmp_path), formats=("html",), self_contained=True)
    page = built.html_path.read_text(encoding="utf-8")
    assert page.count("data:font/woff2;base64,") == len(Theme(DEFAULT_THEME).fonts)
    assert "data:font/ttf" not in page
    assert len(page.encode("utf-8")) < 1_000_000  # the TTFs alone were 3.3 MB in base64


def test_brotli_compresses_at_the_chosen_quality(monkeypatch):
    """fontTools would compress at quality 11: a third more CPU for 1.5 % smaller files."""
    import brotli
    from fontTools.ttLib import woff2

    from reportc.web.fonts import WOFF2_QUALITY

    qualities = []

    class Recorder:
        MODE_FONT = brotli.MODE_FONT

        @staticmethod
        def compress(data, **kwargs):
            qualities.append(kwargs.get("quality"))
            return brotli.compress(data, **kwargs)

    monkeypatch.setattr(woff2, "brotli", Recorder)
    font = DEFAULT_THEME / "fonts" / "SourceSans3-Bold.ttf"
    made = subset_font(font, code_points("Abc"))
    assert qualities and set(qualities) == {WOFF2_QUALITY} and WOFF2_QUALITY < 11
    monkeypatch.undo()  # reading the file decompresses it
    assert TTFont(io.BytesIO(made)).flavor == "woff2"
