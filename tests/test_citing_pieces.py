"""A chapter's HTML kept block by block (reportc/citing/pieces.py): the render filter's
output in pieces joins to what it writes whole, and what cannot be kept in pieces is not."""

from __future__ import annotations

import json

from reportc.citing import pieces
from reportc.citing.render import HTML, RENDER_FILTER
from reportc.pandoc.runner import BATCH_MARKER, run_pandoc
from reportc.sandbox.rendered import html_problems

TEXT = """# A chapter {#sec-a}

First paragraph.^[A note with *emphasis* and a [link](https://example.org).]

::: {.box}
Inside a box.^[Another note.]
:::

- a list item
- another^[A note in a list.]

Last paragraph, no note.
"""


def _filter(blocks: list, pieced: bool, notes_list: bool = True) -> str:
    """The render filter's output for one chapter of ``blocks``, as the batch split gives it."""
    version = json.loads(run_pandoc(["-f", "markdown", "-t", "json"], "x", what="test")
                         .output)["pandoc-api-version"]
    div = {"t": "Div", "c": [["ch-a", [], []], blocks]}
    meta = ["-M", "reportc-pieces=true"] if pieced else []
    meta += [] if notes_list else ["-M", "reportc-notes-list=false"]
    document = json.dumps({"pandoc-api-version": version, "meta": {}, "blocks": [div]})
    output = run_pandoc([*HTML, *meta, f"--lua-filter={RENDER_FILTER}"], document,
                        what="test").output
    return BATCH_MARKER.split(output)[2]


def _blocks(text: str) -> list:
    return json.loads(run_pandoc(["-f", "markdown", "-t", "json"], text, what="test")
                      .output)["blocks"]


def test_pieces_join_to_the_chapter_written_whole():
    blocks = _blocks(TEXT)
    for notes_list in (True, False):
        whole = _filter(blocks, False, notes_list)
        html, record = pieces.cut(_filter(blocks, True, notes_list),
                                  pieces.layout([json.dumps(b) for b in blocks]), "ch-a-",
                                  notes_list)
        assert html == whole
        assert record is not None and len(record.blocks) == len(blocks)
        items = [item for piece, own in record.blocks.values() for item in own]
        assert len(items) == (3 if notes_list else 0)


def test_a_block_written_alone_is_its_piece_in_the_chapter():
    """Each block written alone with its first note number gives the HTML and list items
    it has in the chapter written whole."""
    blocks = _blocks(TEXT)
    lay = pieces.layout([json.dumps(b) for b in blocks])
    _, record = pieces.cut(_filter(blocks, True), lay, "ch-a-", True)
    assert record is not None
    written = pieces.write_parts(list(zip(lay.texts, lay.firsts, strict=True)), "ch-a-",
                                 json.loads(run_pandoc(["-f", "markdown", "-t", "json"], "x",
                                                       what="test").output)[
                                     "pandoc-api-version"],
                                 [*HTML, f"--lua-filter={RENDER_FILTER}"], "test")
    assert written is not None
    for key, raw, first, count in zip(lay.keys, written, lay.firsts, lay.counts, strict=True):
        assert pieces._piece(raw, "ch-a-", first, count, True) == record.blocks[key]


def test_a_chapter_with_a_code_block_or_the_marker_is_not_kept_in_pieces():
    for text in (TEXT + "\n```python\nx = 1\n```\n", TEXT + "\n<!--reportc:block-->\n"):
        assert not pieces.layout([json.dumps(b) for b in _blocks(text)]).usable


def test_a_fragment_ending_inside_a_tag_is_not_checked_alone():
    assert html_problems("<p>fine &amp; dandy</p>") == []
    assert html_problems('<p onclick="x">') == ["an event-handler attribute 'onclick'"]
    for open_end in ("<p>text</p><a", '<a href="x', "<script>", "<!-- a comment"):
        assert html_problems(open_end) is None


def test_items_are_found_once_and_in_order_or_not_at_all():
    notes = ('\n<section>\n<ol>\n<li><div id="p-fn1" class="fn-item">one</div></li>\n'
             '<li><div id="p-fn2" class="fn-item">two</div></li>\n</ol>\n</section>')
    head, items, end = pieces._items(notes, "p-", 1, 2) or ("", [], "")
    assert items == ['<li><div id="p-fn1" class="fn-item">one</div></li>',
                     '<li><div id="p-fn2" class="fn-item">two</div></li>']
    assert "\n" + head + "\n".join(items) + end == notes
    assert pieces._items(notes, "p-", 1, 3) is None
    assert pieces._items(notes.replace("fn2", "fn1"), "p-", 1, 2) is None


def test_edits_to_one_chapter_then_another_both_write_only_their_blocks(tmp_path, monkeypatch):
    """A chapter whose HTML came whole from the cache keeps its pieces for its own next
    edit (the cache drops what a build did not use)."""
    from conftest import build_root, copy_root

    made: list[bool] = []
    real = pieces.spliced

    def splicing(*args):
        html = real(*args)
        made.append(html is not None)
        return html

    monkeypatch.setattr("reportc.citing.pieces.spliced", splicing)
    project = copy_root("basic", tmp_path)
    build_root(project, jobs=2, formats=("html",))
    for name, before in (("01-intro.md", "describe the ties."),
                         ("02-defence.md", "Back to @sec-intro and the table [-@tbl-fields].")):
        chapter = project / "chapters" / name
        text = chapter.read_text(encoding="utf-8")
        assert before in text
        chapter.write_text(text.replace(before, before + " An added sentence."),
                           encoding="utf-8")
        made.clear()
        build_root(project, jobs=2, formats=("html",))
        assert made == [True], name
