"""The web edition's fonts: WOFF2 subsets of the theme's fonts holding every character the
page shows, a fraction of the TrueType files' size, the same bytes on every build."""

from __future__ import annotations

import io
import os
import re
import time
from pathlib import Path

import pytest
from conftest import build_root, copy_root
from fontTools.ttLib import TTFont

from reportc.cache import BuildCache
from reportc.editions.theme import DEFAULT_THEME, Theme
from reportc.errors import ConfigError, Diagnostics
from reportc.web import background as background_module
from reportc.web import fonts as fonts_module
from reportc.web.background import LOWEST_PRIORITY, FontsInBackground
from reportc.web.fonts import WebFonts, code_points, subset_font, woff2_stylesheet


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


def _children() -> set[int]:
    """This process's child processes alive (or not yet waited for)."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if entry.name.isdigit() and int(stat[stat.rfind(")") + 2:].split()[1]) == os.getpid():
            found.add(int(entry.name))
    return found


def _no_cache(tmp_path: Path) -> BuildCache:
    return BuildCache(tmp_path / "cache", Diagnostics(), enabled=False)


@pytest.fixture(autouse=True)
def _made_afresh(monkeypatch):
    """No font made by an earlier test of this process counts as made."""
    monkeypatch.setattr(fonts_module, "_MADE", {})


THEME_FONTS = Theme(DEFAULT_THEME).fonts
TEXT = "Grid storage – the “energy” transition, 2026 é"


def test_fonts_made_in_the_background_are_the_fonts_made_at_once(tmp_path):
    """Made by two processes at nice 19 while the build goes on, the same bytes as made in
    the build's process, in the theme's order; no process or scratch file left behind."""
    before = _children()
    points = code_points(TEXT)
    background = FontsInBackground(WebFonts(THEME_FONTS, TEXT, _no_cache(tmp_path)), jobs=2)
    assert len(_children() - before) == 2
    # its own scratch folder (other test processes make theirs in the same /tmp meanwhile)
    scratch = background._folder
    assert scratch is not None and scratch.is_dir() and scratch.name.startswith("reportc-fonts-")
    made = background.result(2)
    assert made == [subset_font(font, points) for font in THEME_FONTS]
    assert _children() == before
    assert not scratch.exists()


def test_background_fonts_run_at_the_lowest_priority_and_are_stopped_on_close(
        tmp_path, monkeypatch):
    """While the processes work (here they wait), they run at nice 19; asked for the fonts,
    the build brings them back to its own priority where it may; a build that stops
    (close) ends them."""
    monkeypatch.setattr(background_module, "subset_font", lambda *args: time.sleep(30))
    before = _children()
    background = FontsInBackground(WebFonts(THEME_FONTS, TEXT, _no_cache(tmp_path)), jobs=2)
    started = _children() - before
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and \
            {os.getpriority(os.PRIO_PROCESS, pid) for pid in started} != {LOWEST_PRIORITY}:
        time.sleep(0.01)  # each lowers its own priority as it starts
    assert {os.getpriority(os.PRIO_PROCESS, pid) for pid in started} == {LOWEST_PRIORITY}
    if background._hurry():  # allowed here: back to this process's own priority
        assert {os.getpriority(os.PRIO_PROCESS, pid) for pid in started} == \
            {os.getpriority(os.PRIO_PROCESS, 0)}
    background.close()
    assert _children() == before


def test_fonts_left_unmade_are_made_at_once_where_priority_cannot_be_raised(
        tmp_path, monkeypatch):
    """A user who may not lower a nice value: the background processes are stopped and the
    fonts they had not made are made in the build, the same bytes."""
    monkeypatch.setattr(background_module, "subset_font", lambda *args: time.sleep(30))

    def refused(*args):
        raise PermissionError("not allowed")

    monkeypatch.setattr(background_module.os, "setpriority", refused)
    before = _children()
    background = FontsInBackground(WebFonts(THEME_FONTS[:3], TEXT, _no_cache(tmp_path)),
                                   jobs=2)
    made = background.result(1)
    assert made == [subset_font(font, code_points(TEXT)) for font in THEME_FONTS[:3]]
    assert _children() == before


def test_a_font_that_cannot_be_made_in_the_background_is_reported_by_the_build(tmp_path):
    bad = tmp_path / "Broken-Regular.ttf"
    bad.write_bytes(b"not a font")
    background = FontsInBackground(WebFonts([bad], TEXT, _no_cache(tmp_path)), jobs=2)
    with pytest.raises(ConfigError, match=r"Broken-Regular\.ttf: cannot make a web font"):
        background.result(2)


def test_cached_fonts_start_no_process(tmp_path):
    cache = BuildCache(tmp_path / "cache", Diagnostics())
    first = FontsInBackground(WebFonts(THEME_FONTS[:2], TEXT, cache), jobs=2).result(2)
    before = _children()
    again = FontsInBackground(WebFonts(THEME_FONTS[:2], TEXT, cache), jobs=2)
    assert _children() == before
    assert again.result(2) == first
