"""The report as citeproc left it (:class:`Cited`): what the HTML is rendered from, and
what an edit that cites nothing new reuses (:mod:`reportc.citing.recite`), so that
citeproc runs once per build, not once per edition."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

REFS = "refs"  # citeproc's reference list Div


@dataclass
class Cited:
    """The report after citeproc: each chapter's blocks (JSON, by anchor) and the
    reference list (a JSON list holding citeproc's ``refs`` Div, or ``[]``; ``None`` where
    it is not known: a list made apart and taken from the cache as HTML); ``texts``:
    each chapter's blocks one by one (JSON, ``blocks`` is them joined as a list), where
    they are at hand (saves writing them again)."""

    blocks: dict[str, str]
    references: str | None = "[]"
    texts: dict[str, list[str]] = field(default_factory=dict)


def split_cited(outputs: list[str], anchors: set[str]) -> Cited:
    """Each chapter's cited blocks and the list, from citeproc's output documents."""
    cited = Cited({})
    for output in outputs:
        for block in json.loads(output)["blocks"]:
            identifier = block["c"][0][0] if block.get("t") == "Div" else None
            if identifier in anchors:
                texts = [json.dumps(item) for item in block["c"][1]]
                cited.texts[identifier] = texts
                cited.blocks[identifier] = "[" + ", ".join(texts) + "]"  # json.dumps's form
            elif identifier == REFS:
                cited.references = json.dumps([block])
    return cited


def kept_report(kept: Path, anchors: set[str]) -> Cited | None:
    """The cited report the render filter kept (``None`` if it wrote none)."""
    if not kept.is_file():
        return None
    return split_cited([kept.read_text(encoding="utf-8")], anchors)
