"""The chart config: one Vega-Lite ``config`` derived from the theme's CSS variables.

A chart should look like the report's tables: the same sans font and size, the same ink,
rule and accent colours. The default theme names them as CSS custom properties on
``:root`` (``--ink``, ``--muted``, ``--accent``, ``--rule``, ``--paper``, ``--sans``) in
``css/base.css``, and gives dark-mode values in a ``prefers-color-scheme: dark`` block of
``css/screen.css``; a report's own theme that keeps those names is followed, one that
does not falls back to the defaults below. report.yaml's ``charts:`` mapping (any
Vega-Lite config) is merged over the result.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportc.cache import digest, file_digest

FALLBACK = {"ink": "#1f2933", "muted": "#52606d", "accent": "#0b5d7a", "rule": "#9aa5b1",
            "paper": "#ffffff", "sans": '"Source Sans 3", sans-serif'}
# Series colours after the accent: dark enough for text contrast on white paper.
SERIES = ["#c26a00", "#1e7a3c", "#b42318", "#6b4fa0"]
FONT_SIZE = 12  # px: the tables' 9pt
SMALL_SIZE = 11  # px: axis and legend labels
_ROOT_BLOCK = re.compile(r":root\s*\{([^}]*)\}", re.S)
_DARK_BLOCK = re.compile(r"@media[^{]*prefers-color-scheme:\s*dark[^{]*\{(.*?)\n\}", re.S)
_VARIABLE = re.compile(r"--([\w-]+)\s*:\s*([^;]+);")


@dataclass(frozen=True)
class ChartTheme:
    """The config handed to the renderer, and the colours the web edition swaps in dark
    mode (light value -> dark value)."""

    config: dict[str, Any]
    dark: dict[str, str]
    fonts: str = ""  # digest of the theme's font files: the renderer measures text with them

    def fingerprint(self) -> str:
        """What the drawings depend on: part of every chart's cache key."""
        return json.dumps([self.config, self.dark, self.fonts], sort_keys=True)


def theme_variables(theme_root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The theme's ``:root`` custom properties, light and dark (missing ones fall back)."""
    light, dark = dict(FALLBACK), {}
    base = theme_root / "css" / "base.css"
    if base.is_file():
        for block in _ROOT_BLOCK.findall(base.read_text(encoding="utf-8", errors="replace")):
            light.update(_variables(block))
    screen = theme_root / "css" / "screen.css"
    if screen.is_file():
        for media in _DARK_BLOCK.findall(screen.read_text(encoding="utf-8", errors="replace")):
            for block in _ROOT_BLOCK.findall(media):
                dark.update(_variables(block))
    return light, dark


def _variables(block: str) -> dict[str, str]:
    return {name: value.strip() for name, value in _VARIABLE.findall(block)}


def chart_theme(theme_root: Path, override: dict[str, Any] | None = None) -> ChartTheme:
    """The theme's chart config with report.yaml's ``charts:`` merged over it."""
    light, dark = theme_variables(theme_root)
    config = derived_config(light)
    if override:
        config = merged(config, override)
    swaps = {light[name].lower(): dark[name] for name in ("ink", "muted", "accent", "rule")
             if name in dark and _is_colour(light.get(name, ""))}
    fonts = digest(*(file_digest(path) for path in sorted((theme_root / "fonts").glob("*"))
                     if path.is_file()))
    return ChartTheme(config, swaps, fonts)


def derived_config(v: dict[str, str]) -> dict[str, Any]:
    """Fonts, sizes, colours and gridlines from the theme's variables."""
    font = v["sans"]
    ink, muted, rule, accent = v["ink"], v["muted"], v["rule"], v["accent"]
    axis = {"labelFont": font, "titleFont": font, "labelFontSize": SMALL_SIZE,
            "titleFontSize": FONT_SIZE, "labelColor": ink, "titleColor": ink,
            "titleFontWeight": 600, "domainColor": ink, "tickColor": ink,
            "gridColor": rule, "gridOpacity": 0.6, "gridDash": [2, 2]}
    return {
        "font": font, "background": None,
        "view": {"stroke": None, "continuousWidth": 480, "continuousHeight": 260},
        "title": {"font": font, "fontSize": FONT_SIZE + 1, "color": ink, "fontWeight": 600,
                  "anchor": "start"},
        "axis": axis, "axisBand": {"grid": False},
        "legend": {"labelFont": font, "titleFont": font, "labelFontSize": SMALL_SIZE,
                   "titleFontSize": FONT_SIZE, "labelColor": ink, "titleColor": ink},
        "header": {"labelFont": font, "titleFont": font, "labelColor": ink,
                   "titleColor": ink, "labelFontSize": FONT_SIZE},
        "mark": {"color": accent}, "rule": {"color": accent},
        "text": {"font": font, "fontSize": SMALL_SIZE, "fill": ink},
        "range": {"category": [accent, *SERIES, muted], "ordinal": {"scheme": "blues"},
                  "ramp": {"scheme": "blues"}},
    }


def merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``extra`` over ``base``, mapping by mapping (a list or value replaces)."""
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _is_colour(value: str) -> bool:
    return bool(re.fullmatch(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?", value.strip()))


def dark_style(swaps: dict[str, str]) -> str:
    """An SVG ``<style>``: in dark mode the theme's light colours become its dark ones
    (CSS beats presentation attributes; a browser shows an ``<img>`` SVG in the page's
    colour scheme). Print and the Word edition ignore it."""
    if not swaps:
        return ""
    rules = []
    for light, dark in sorted(swaps.items()):
        rules.append(f'[fill="{light}"]{{fill:{dark}}}[stroke="{light}"]{{stroke:{dark}}}')
    return ("<style>@media (prefers-color-scheme: dark){" + "".join(rules) + "}</style>")
