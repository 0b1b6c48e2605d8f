"""Citeproc's output split into chapters: one block parsed at a time, the same result."""

from __future__ import annotations

import json

from reportc.citing.cited import split_cited

DOCUMENT = {
    "pandoc-api-version": [1, 23, 1],
    "meta": {"lang": {"t": "MetaString", "c": 'en ],"blocks":['}},
    "blocks": [
        {"t": "Div", "c": [["ch-a", ["section"], []],
                           [{"t": "Para", "c": [{"t": "Str", "c": "a ],"}]}]]},
        {"t": "HorizontalRule"},
        {"t": "Div", "c": [["refs", [], []], [{"t": "Para", "c": []}]]},
        {"t": "Div", "c": [["ch-b", [], []], []]},
    ],
}


def _whole(document: dict) -> dict:
    """What the split gave when it parsed the whole document at once."""
    blocks = {b["c"][0][0]: json.dumps(b["c"][1]) for b in document["blocks"]
              if b["t"] == "Div" and b["c"][0][0] != "refs"}
    refs = [json.dumps([b]) for b in document["blocks"]
            if b["t"] == "Div" and b["c"][0][0] == "refs"]
    return {"blocks": blocks, "references": refs[0] if refs else "[]"}


def test_pandocs_output_split_block_by_block_is_what_the_whole_parse_gave():
    pandoc = json.dumps(DOCUMENT, separators=(",", ":"))  # pandoc's own layout
    cited = split_cited([pandoc], {"ch-a", "ch-b"})
    assert {"blocks": cited.blocks, "references": cited.references} == _whole(DOCUMENT)


def test_another_layout_and_an_empty_document_are_split_too():
    spaced = json.dumps(DOCUMENT)  # not pandoc's: parsed whole
    assert split_cited([spaced], {"ch-a", "ch-b"}).blocks == _whole(DOCUMENT)["blocks"]
    empty = json.dumps({**DOCUMENT, "blocks": []}, separators=(",", ":"))
    assert split_cited([empty], {"ch-a"}).blocks == {}


def test_blocks_are_parsed_one_at_a_time():
    from itertools import islice

    from reportc.citing.cited import _blocks

    pandoc = json.dumps(DOCUMENT, separators=(",", ":"))
    cut = pandoc[:pandoc.index('{"t":"HorizontalRule"')] + "not JSON"
    first = list(islice(_blocks(cut), 1))  # parsed whole, the cut document would fail
    assert first == DOCUMENT["blocks"][:1]
