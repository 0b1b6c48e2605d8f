"""The glyph check's fonts (reportc.pdf.glyphs): fontconfig's code points are kept as ranges
(looked up by bisection, never expanded) and, like the theme fonts', in the build cache
under the key the chapters' findings are kept under, so an edit runs no fc-list."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from reportc.cache import BuildCache
from reportc.errors import Diagnostics
from reportc.pdf import glyphs

LISTING = "20-7e a0-ff\n20-7e 100-17f 2010-2015\n3b1 3b3-3b4 3b2\nzz 50-4f\n"


def test_fontconfigs_ranges_hold_exactly_the_points_it_lists(monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    monkeypatch.setattr(glyphs.shutil, "which", lambda name: "/usr/bin/fc-list")
    monkeypatch.setattr(glyphs.subprocess, "run", lambda *args, **kwargs:
                        subprocess.CompletedProcess(args, 0, stdout=LISTING))
    glyphs.system_ranges.cache_clear()
    try:
        ranges = glyphs.system_ranges()
    finally:
        glyphs.system_ranges.cache_clear()
    assert ranges == [[0x20, 0x7E], [0xA0, 0x17F], [0x3B1, 0x3B4], [0x2010, 0x2015]]
    listed = {point for item in LISTING.split() if item != "zz" for first, _, last in
              [item.partition("-")] for point in range(int(first, 16), int(last or first, 16) + 1)}
    covered = glyphs.Coverage(ranges or [], frozenset({0x1F600}))
    assert {p for p in range(0x20000) if p in covered} == listed | {0x1F600}


def test_an_edit_takes_the_fonts_coverage_from_the_cache(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    cache = BuildCache(tmp_path / "cache", Diagnostics())
    first = glyphs._coverage([], cache, "key")
    if first is None:
        pytest.skip("no fontconfig here")
    monkeypatch.setattr(glyphs, "system_ranges", lambda: pytest.fail("fc-list asked again"))
    monkeypatch.setattr(glyphs, "theme_coverage", lambda fonts: pytest.fail("fonts read again"))
    again = glyphs._coverage([], cache, "key")
    assert again is not None
    assert (again.firsts, again.lasts, again.theme) == (first.firsts, first.lasts, first.theme)
