"""The citation style's check (reportc.sandbox.checks.check_csl) runs once per style: a
style that passed is noted in the build cache under its bytes' digest and not parsed again;
other bytes are checked, and a style that failed is checked every time."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportc.cache import BuildCache
from reportc.errors import Diagnostics
from reportc.sandbox import checks

GOOD = '<?xml version="1.0"?>\n<style xmlns="http://purl.org/net/xbiblio/csl"/>\n'
BROKEN = '<?xml version="1.0"?>\n<style xmlns="http://purl.org/net/xbiblio/csl"><info>\n'


def test_a_style_that_passed_is_not_parsed_again(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    style = tmp_path / "style.csl"
    style.write_text(GOOD)
    cache, diag = BuildCache(tmp_path / "cache", Diagnostics()), Diagnostics()
    parsed: list[bytes] = []
    real = checks._xml_problem
    monkeypatch.setattr(checks, "_xml_problem", lambda data: parsed.append(data) or real(data))
    checks.check_csl(style, 3, diag, cache)
    checks.check_csl(style, 3, diag, cache)
    assert parsed == [GOOD.encode()] and not diag.errors
    style.write_text(BROKEN)
    for _ in range(2):  # (a style that failed is not noted)
        diag = Diagnostics()
        checks.check_csl(style, 3, diag, cache)
        assert [(e.message[:38], e.line) for e in diag.errors] == [
            ("csl 'style.csl' is not well-formed XML", 3)]
    assert len(parsed) == 3


def test_without_a_cache_every_check_parses(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    style = tmp_path / "style.csl"
    style.write_text(GOOD)
    cache = BuildCache(tmp_path / "cache", Diagnostics(), enabled=False)
    parsed: list[bytes] = []
    real = checks._xml_problem
    monkeypatch.setattr(checks, "_xml_problem", lambda data: parsed.append(data) or real(data))
    checks.check_csl(style, 3, Diagnostics(), cache)
    checks.check_csl(style, 3, Diagnostics(), cache)
    assert len(parsed) == 2
