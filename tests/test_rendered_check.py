"""The rendered HTML's backstop takes plain HTML without Python's parser: it must say what
the parser says, for every fragment, cut anywhere (reportc.sandbox.rendered)."""

from __future__ import annotations

import random

import pytest

from reportc.errors import Diagnostics
from reportc.pandoc.runner import run_pandoc
from reportc.sandbox import rendered
from reportc.sandbox.rendered import check_html, html_problems

# Markdown in the shapes reports hold: what pandoc writes from it is the plain case.
MARKDOWN = r"""
# A heading {#sec-a .unnumbered}

Text with *emphasis*, **strong**, `code <b>`, a [link](https://example.org/a?b=1&c=2 "T"),
a [section link](#sec-a), a note,^[With [a link](mailto:a@example.org).] and 3 < 4 > 2 & so.

| Field | Depth |
|:------|------:|
| Telecommunications & AI | 3 |

![An image.](figures/x.png){#fig-x width=50%}

```python
if a < b and c > d: print("<script>")
```

$$x^2 + \frac{1}{2}$$

- one
- two [span]{.mark data-x="1"}

<div class="raw">held</div>
"""

# Fragments the parser reads in ways a regular expression would not: each must get the
# parser's own answer (some are problems, some end inside a tag, some are harmless).
TRICKY = [
    '<p onclick="x()">a</p>', "<P ONCLICK='x()'>a</P>", "<p OnLoad>a</p>",
    '<a href="javascript:alert(1)">x</a>', '<a href="java\tscript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>', '<a href=javascript:alert(1)>x</a>',
    '<a href="ftp://example.org">x</a>', '<img src="https://example.org/x.png">',
    '<img src="data:image/png;base64,AAAA">', '<span style="background:url(x)">a</span>',
    '<span style="color: red">a</span>', "<script>alert(1)</script>", "<SCRIPT>a</SCRIPT>",
    "<style>p{}</style>", "<iframe></iframe>", "<svg><a href='x'></a></svg>",
    "<title><p onclick='x'></p></title>", "<title>open", "<script>a < b",
    "<!-- <p onclick='x'> -->", "<!-- open comment", "<p>a</p><!",
    '<p class="a"', "<p", "<", "a < b", "<p class=a onclick=x>a</p>",
    '<p class="a"onclick="x">a</p>', '<p data-x="1" data-y>a</p>', "</p onclick='x'>",
    '<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math>',
    '<p xmlns="http://www.w3.org/1998/Math/MathML">a</p>',
    '<MATH XMLNS="http://www.w3.org/1998/Math/MathML">',
    '<math xmlns="http://wwwXw3.org/1998/Math/MathML">',
    '<math class="a" xmlns="http://www.w3.org/1998/Math/MathML" xmlns="http://x.org">',
    '<p class="javascript:x">a</p>',
    '<a xlink:href="vbscript:x">a</a>', '<p srcset="a.png 1x">a</p>', "<p/onclick='x'>a</p>",
    '<my-element class="x">a</my-element>', '<p class="x">a&amp;b</p>', "<?php x ?>",
    '<p\nclass="x"\n>a</p>', '<br/><hr />', '<p class="">a</p>',
]


def _parser_says(fragment: str) -> list[str] | None:
    """What html_problems said before it had a plain path: the parser alone."""
    scan = rendered._HtmlScan()
    scan.feed(fragment)
    if "<" in scan.rawdata or scan.cdata_elem is not None:
        return None
    scan.close()
    return list(dict.fromkeys(scan.problems))


@pytest.fixture(scope="module")
def written() -> list[str]:
    html = run_pandoc(["-f", "markdown", "-t", "html5", "--wrap=none", "--mathml"],
                      MARKDOWN, what="sample.md").output
    assert '<a href="https://example.org/a?b=1&amp;c=2"' in html  # a value the parser unescapes
    return [html, *html.split("\n")]


def test_plain_html_is_told_safe_without_the_parser_and_equals_its_answer(written):
    whole = written[0]
    assert rendered._plain_and_safe(whole.replace("&amp;", "and")) is True
    for fragment in written + TRICKY:
        assert html_problems(fragment) == _parser_says(fragment), fragment


def test_fragments_cut_anywhere_get_the_parsers_answer(written):
    rng = random.Random(7)
    text = written[0] + "".join(TRICKY)
    for _ in range(600):
        start = rng.randrange(len(text))
        fragment = text[start:start + rng.randrange(1, 400)]
        assert html_problems(fragment) == _parser_says(fragment), fragment


@pytest.mark.parametrize("fragment", TRICKY)
def test_the_whole_check_reports_what_the_parser_finds(fragment):
    diag = Diagnostics()
    found = _parser_says(fragment + "\n")  # a fragment alone, closed
    scan = rendered._HtmlScan()
    scan.feed(fragment)
    scan.close()
    assert check_html(fragment, "c.md", diag) is (not scan.problems)
    assert len(diag.errors) == len(dict.fromkeys(scan.problems))
    if rendered._plain_and_safe(fragment):
        assert found == [] and diag.errors == []
