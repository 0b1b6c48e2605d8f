"""The chapters are serialised once per build (#25): the citing stage takes the blocks'
JSON the check digest wrote, unless the tree changed in between (a list's entry given an
anchor), and what it takes is always the tree as it is then."""

from __future__ import annotations

import json

from conftest import build_root, copy_root

import reportc.citing.render
from reportc.document import model


def test_the_citing_stage_takes_the_blocks_as_they_are(tmp_path, monkeypatch):
    """The publisher fixture shows lists: entries without an anchor are given one after
    the digest, so some chapters' kept JSON is stale and must not be taken; the others'
    is taken instead of written again. Same bytes as a build without the cache, which
    keeps none."""
    project = copy_root("publisher", tmp_path)
    taken: list[tuple[bool, bool]] = []  # (kept text was there, the text is the tree's)

    def take(doc):
        kept = doc.blocks_json is not None
        text = model.take_blocks(doc)
        taken.append((kept, text == json.dumps(doc.ast["blocks"])))
        return text

    monkeypatch.setattr(reportc.citing.render, "take_blocks", take)
    built = build_root(project, formats=("html",))  # what citing takes is the same with a PDF
    assert taken and all(same for _, same in taken), taken
    assert any(kept for kept, _ in taken), "the digest's JSON was taken"
    assert not all(kept for kept, _ in taken), "an anchored chapter's JSON was written anew"
    clean = build_root(project, out=tmp_path / "clean", formats=("html",), use_cache=False)
    assert built.html_path.read_bytes() == clean.html_path.read_bytes()
