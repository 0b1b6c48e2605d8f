"""Output file names from titles (``slug``): what a report's files are called when
report.yaml names none."""

from __future__ import annotations

import re
import unicodedata

_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d",
                          "ð": "d", "þ": "th", "ı": "i"})


def slugify(text: str) -> str:
    """A name for output files from a title or a folder name: lower case, ASCII letters
    and digits joined by '-', at most 60 characters; a letter with an accent is the
    letter ("Un pétale" is un-petale, not un-p-tale; "Straße" strasse)."""
    plain = unicodedata.normalize("NFKD", text.lower().translate(_LETTERS))
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    slug = re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-")
    return slug[:60].strip("-") or "report"
