"""tinyhtml5's regular-expression cache, made to cache (pinned tinyhtml5 2.1.0 only).

WeasyPrint parses each part's HTML with tinyhtml5, whose tokenizer reads a run of text
with ``HTMLUnicodeInputStream.chars_until(characters)``: a regular expression built
from ``characters`` and kept in the module's dict ``characters_until_regex``. Kept under
the wrong key: ``characters = cache[(characters, opposite)] = regex`` binds
``characters`` to the expression first, then stores under ``(regex, opposite)``, so every
call misses and builds its expression again: half of parsing, which is a tenth of laying a
part out (the 200-page benchmark's 20 parts parse in 1.68 CPU-s, 0.89 s with a cache that
finds what it stored). :class:`_Expressions` builds a
missing expression as ``chars_until`` does and stores it under the key it was asked for:
the same expressions, found instead of rebuilt, so the same tree (tested).
"""

from __future__ import annotations

import importlib
import re
from typing import Any

PINNED = "2.1.0"
_ORIGINAL: dict[str, Any] = {}  # "cache": tinyhtml5's own dict, while ours is in place


class _Expressions(dict):
    """``characters_until_regex`` that finds what it stored: a missing ``(characters,
    opposite)`` is built as tinyhtml5's ``chars_until`` builds it."""

    def __missing__(self, key: tuple[Any, bool]) -> re.Pattern[str]:
        characters, opposite = key
        regex = "".join([f"\\x{ord(character):02x}" for character in characters])
        if not opposite:
            regex = f"^{regex}"
        found = self[key] = re.compile(f"[{regex}]+")
        return found


def apply() -> bool:
    """Put the working cache in place if tinyhtml5 is the pinned version and keeps its
    cache where expected (once per process; the layout workers inherit it)."""
    stream = _input_stream()
    if stream is None:
        return False
    if not isinstance(stream.characters_until_regex, _Expressions):
        _ORIGINAL["cache"] = stream.characters_until_regex
        stream.characters_until_regex = _Expressions()
    return True


def remove() -> None:
    """Give tinyhtml5 its own cache back (tests compare both)."""
    stream = _input_stream()
    if stream is not None and "cache" in _ORIGINAL:
        stream.characters_until_regex = _ORIGINAL.pop("cache")


def _input_stream() -> Any:
    """tinyhtml5's input stream module, if it is the pinned version with its cache."""
    try:
        module = importlib.import_module("tinyhtml5.inputstream")
        version = importlib.import_module("tinyhtml5").__version__
    except (ImportError, AttributeError):
        return None
    cache = getattr(module, "characters_until_regex", None)
    return module if version == PINNED and isinstance(cache, dict) else None
