"""tinyhtml5's regular-expression cache (reportc.pdf.compat.parser): found, not rebuilt, and
the same tree as tinyhtml5's own code parses."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest
import tinyhtml5
from tinyhtml5 import inputstream

from reportc.pdf.compat import parser

# Every tokenizer state that reads runs of text with chars_until: data with character
# references, attributes (quoted, unquoted), comments, raw text (style, script),
# RCDATA (title, textarea), whitespace, and SVG with a CDATA section.
DOCUMENT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>A &amp; B &lt;title&gt;</title>
<style>p > a { color: red } /* <b> */</style>
<script>if (a < b && c) { d = "</p>" }</script></head>
<body class=plain data-x='single "quoted"'>
<!-- a comment -- with dashes -->
<p id="p1">Text, &eacute;t&eacute; &#233; &#x2014; &notanentity; and   spaces
across lines.<span class="fn"><span class="fn-body">A note.</span></span></p>
<textarea>raw &amp; <b>not a tag</b></textarea>
<table><tr><td>cell<td>next</table>
<svg viewBox="0 0 10 10"><text><![CDATA[a < b]]></text><foreignObject/></svg>
<p>Café — “quoted” ‘text’ ½ € 中文 \U0001F600 end</p>
</body></html>"""


def _tree(html: str) -> bytes:
    return ElementTree.tostring(tinyhtml5.parse(html))


@pytest.fixture
def own_cache():
    """tinyhtml5's own cache in place for the test, reportc's put back after."""
    applied = isinstance(inputstream.characters_until_regex, parser._Expressions)
    parser.remove()
    yield
    if applied:
        parser.apply()


def test_same_tree_as_tinyhtml5s_own_cache(own_cache):
    own = _tree(DOCUMENT)
    assert parser.apply()
    assert isinstance(inputstream.characters_until_regex, parser._Expressions)
    assert _tree(DOCUMENT) == own
    parser.remove()
    assert not isinstance(inputstream.characters_until_regex, parser._Expressions)


def test_expressions_are_found_not_rebuilt(own_cache, monkeypatch):
    assert parser.apply()
    _tree(DOCUMENT)  # every expression built once
    built = []
    compile_ = re.compile
    monkeypatch.setattr(re, "compile", lambda *a, **k: built.append(a) or compile_(*a, **k))
    _tree(DOCUMENT)
    assert built == []  # tinyhtml5's own cache rebuilds on every call of chars_until
    assert inputstream.characters_until_regex[(("<", "\u0000"), False)].pattern == \
        "[^\\x3c\\x00]+"


def test_another_tinyhtml5_keeps_its_own_cache(own_cache, monkeypatch):
    monkeypatch.setattr(tinyhtml5, "__version__", "3.0.0")
    assert not parser.apply()
    assert not isinstance(inputstream.characters_until_regex, parser._Expressions)
