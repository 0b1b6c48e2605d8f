"""Where a citation's ``@key`` stands (reportc.evidence.lines.Locator.find_key): found with
str.find, it must answer as the pattern it replaced, a key never taken for the start of a
longer one."""

from __future__ import annotations

import random
import re
from pathlib import Path

from reportc.evidence.lines import Locator
from reportc.project.markdown import Chapter

KEYS = ["a", "ab", "a:b", "lee2022", "lee2022a", "x.y", "k-1", "k"]
PIECES = ["@", "a", "b", ":", ".", " ", "\n", "lee2022", "-", "1", "k", "x.y", "@a", ",", ";",
          "]", "[@lee2022, 4]", "@lee2022a"]


def _as_the_pattern_found(locator: Locator, text: str, key: str, after: int | None) -> int | None:
    start = locator.starts[after - 1] if after else 0
    pattern = re.compile("@" + re.escape(key) + r"(?![\w:.#$%&+?<>~/-]*\w)")
    found = pattern.search(text, start) or pattern.search(text)
    return locator.line(found.start()) if found else after


def test_a_key_is_found_where_the_pattern_found_it():
    rng = random.Random(3)
    for _ in range(1500):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 60)))
        locator = Locator(Chapter(path=Path("c.md"), rel="c.md", text=text))
        for key in KEYS:
            for after in [None, *range(1, text.count("\n") + 2)]:
                assert locator.find_key(key, after) == \
                    _as_the_pattern_found(locator, text, key, after), (text, key, after)


def test_a_longer_key_is_not_the_key():
    text = "See @lee2022a here.\n\nAnd @lee2022, p. 4.\n"
    locator = Locator(Chapter(path=Path("c.md"), rel="c.md", text=text))
    assert locator.find_key("lee2022", None) == 3
    assert locator.find_key("lee2022a", 3) == 1  # not after line 3: the first anywhere
