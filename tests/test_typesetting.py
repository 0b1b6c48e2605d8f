"""Typesetting details every report gets (issue 18): URLs break without hyphens, number
ranges in citations take an en dash, cross-references to nearby pages are worded as
LaTeX's varioref words them, and no paragraph ends in a hyphenated fragment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import weasyprint
from conftest import Built, SharedBuilds, build_root, copy_root

from reportc.editions.typography import (
    break_urls,
    dash_citation_ranges,
    keep_last_words,
    mark_local_xrefs,
)
from reportc.pdf import compat
from reportc.pdf.varioref import settle, where

THEME_CSS = Path(__file__).resolve().parents[1] / "templates" / "css" / "print.css"


@pytest.fixture(scope="module")
def typesetting(shared: SharedBuilds) -> Built:
    return shared.build("typesetting")


@pytest.fixture(scope="module")
def single_pass(shared: SharedBuilds) -> Built:
    return shared.build("typesetting", single_pass=True)


def _lines(built: Built) -> list[tuple[int, str]]:
    return [(number, line) for number, text in enumerate(built.page_texts(), start=1)
            for line in text.splitlines()]


# --- URLs --------------------------------------------------------------------------------

def test_url_pieces_break_only_after_slashes_and_before_dots_and_hyphens() -> None:
    html = break_urls('<span>see https://www.example.org/a-b/c_d?x=1.</span>')
    pieces = re.findall(r"<span>([^<]*)</span>", html)
    assert "".join(pieces) == "https://www.example.org/a-b/c_d?x=1"
    assert pieces[:4] == ["https://", "www", ".example", ".org/"]
    assert all(not p.endswith("-") for p in pieces)  # never a break after a hyphen
    assert html.endswith("</span></span>.</span>")  # the full stop is not part of the URL


def test_urls_in_attributes_are_left_alone() -> None:
    html = '<a href="https://example.org/x-y">the page</a>'
    assert break_urls(html) == html


def test_printed_urls_are_never_hyphenated(typesetting: Built) -> None:
    lines = _lines(typesetting)
    url_lines = [line for _, line in lines if "https://" in line or "example.org" in line]
    assert url_lines, "the fixture prints a URL"
    text = "\n".join(line for _, line in lines)
    long_url = ("https://www.example.org/content/international-cooperation-advanced-"
                "technologies-future-global-balance-power-and-limits")
    # Joined across its line break, the URL reads exactly as written: no hyphen was added.
    assert long_url in re.sub(r"\n(?=[-./\w])", "", text)
    for _, line in lines:
        assert not re.search(r"(https?:/?/?|www\.|\.org/)\S*[\u2010-]$", line), line
    assert not re.search(r"ht-\s*tps|ht\u2010", text)


# --- number ranges -------------------------------------------------------------------------

def test_ranges_in_citations_take_an_en_dash() -> None:
    html = ('<p>In 2019-20 <span class="citation"><span class="fn">nos 5-6; report 2019-04; '
            '2021-11-08; https://x.org/1-2</span></span> and 5-6</p>')
    out = dash_citation_ranges(html)
    assert "nos 5\u20136" in out and "report 2019-04" in out and "2021-11-08" in out
    assert "https://x.org/1-2" in out
    assert out.startswith("<p>In 2019-20 ") and out.endswith(" and 5-6</p>")  # author's text
    assert dash_citation_ranges("<div>pp. 3-9</div>", whole=True) == "<div>pp. 3\u20139</div>"


def test_number_range_in_the_pdf_and_html(typesetting: Built) -> None:
    text = "\n".join(typesetting.page_texts())
    assert "nos 5\u20136" in text and "nos 5-6" not in text
    html = typesetting.html_path.read_text(encoding="utf-8")
    assert "nos 5\u20136" in html and "nos 5-6" not in html


# --- cross-references worded by page ------------------------------------------------------

def test_where_words() -> None:
    assert [where(4, t) for t in (4, 5, 3, 6, None)] == ["same", "next", "previous", "far", "far"]


def test_only_references_within_the_part_get_an_id() -> None:
    html = ('<h2 id="sec-a">A</h2><p><a href="#sec-a" class="xref">Section 1</a> and '
            '<a href="#sec-z" class="xref">Section 9</a></p>')
    marked = mark_local_xrefs(html, "ch-1")
    assert '<a href="#sec-a" class="xref" id="xr-ch-1-1">' in marked
    assert '<a href="#sec-z" class="xref">' in marked


def test_references_to_nearby_pages(typesetting: Built) -> None:
    texts = typesetting.page_texts()
    same = next(t for t in texts if "As Figure 1 shows" in t)
    assert "As Figure 1 shows, a reference" in same  # same page: no page number
    assert re.search(r"Section 1\.1 on the previous page opened", "\n".join(texts))
    for number, text in enumerate(texts, start=1):
        for match in re.finditer(r"on p\.\s?(\d+)", text):
            assert abs(int(match.group(1)) - number) > 1, (number, match.group())


_TWO_REFERENCES = ('<h2 id="sec-a">A</h2><p><a href="#sec-a" class="xref" id="xr-c-1">Section 1'
                   '</a> and <a href="#sec-a" class="xref" id="xr-c-2">Section 1</a></p>')


def test_references_are_worded_while_the_part_is_laid_out_once() -> None:
    assert compat.engage()
    laid_out: list[str] = []
    result = settle(_TWO_REFERENCES, lambda html: laid_out.append(html) or html,
                    lambda _: {"sec-a": 3, "xr-c-1": 3, "xr-c-2": 2},
                    lambda _: {"xr-c-1": "same", "xr-c-2": "next"})
    assert len(laid_out) == 1 and result == laid_out[0]
    assert result.count(" data-varioref ") == 2 and "data-where" not in result


def test_a_wording_that_moves_its_own_link_becomes_on_p_n() -> None:
    """The second reference printed "next" but its pages call for "same" (the words moved
    it): it is fixed to "on p. N" and the part is laid out again; the first is left."""
    assert compat.engage()
    laid_out: list[str] = []
    printed = iter([{"xr-c-1": "same", "xr-c-2": "next"}, {"xr-c-1": "same", "xr-c-2": "far"}])
    settle(_TWO_REFERENCES, lambda html: laid_out.append(html) or html,
           lambda _: {"sec-a": 3, "xr-c-1": 3, "xr-c-2": 3}, lambda _: next(printed))
    assert len(laid_out) == 2
    assert 'data-varioref data-where="far" id="xr-c-2"' in laid_out[1]
    assert 'data-varioref id="xr-c-1"' in laid_out[1]


def test_a_part_with_nearby_references_is_laid_out_once(tmp_path, monkeypatch) -> None:
    """The wording is chosen while pages are made: no part is laid out again to word its
    references (the layouts run in forked workers: each appends what it laid out to a file)."""
    import hashlib

    import reportc.pdf.layout as layout
    real, record = layout._draft, tmp_path / "laid-out.txt"

    def draft(html: str, *args):
        if "data-varioref" in html:
            with record.open("a", encoding="utf-8") as file:
                file.write(hashlib.sha256(html.encode()).hexdigest() + " "
                           + str('data-where="' in html) + "\n")
        return real(html, *args)
    monkeypatch.setattr(layout, "_draft", draft)
    built = build_root(copy_root("typesetting", tmp_path / "root"), formats=("pdf",))
    assert "on the previous page" in "\n".join(built.page_texts())
    lines = record.read_text(encoding="utf-8").splitlines()
    assert lines and len(set(lines)) == len(lines), lines
    assert all(line.endswith("False") for line in lines), "a reference was fixed to on p. N"


def _normalised(built: Built) -> list[str]:
    """Page texts with the one glyph a font subset keeps for both hyphens made equal."""
    return [re.sub(r"\s+", " ", text.replace("\u2010", "-")) for text in built.page_texts()]


def test_one_pass_words_references_the_same(typesetting: Built, single_pass: Built) -> None:
    assert _normalised(typesetting) == _normalised(single_pass)


# --- last lines ----------------------------------------------------------------------------

def test_last_word_of_a_paragraph_is_protected() -> None:
    html = ('<p>Some <em>text</em> about <span class="fn-keep">technologies\u201d.'
            '<span class="fn"><span class="fn-body">Note words here.</span></span></span></p>')
    out = keep_last_words(html)
    assert '<span class="fn-keep"><span class="last-word">technologies\u201d.</span>' in out
    assert "Note words here." in out and out.count("last-word") == 1
    # A short last word cannot be hyphenated; an earlier long word is not the last word.
    assert keep_last_words("<p>The uses of space. Then a note (p. 38).</p>") == \
        "<p>The uses of space. Then a note (p. 38).</p>"


def _last_lines(html: str, width: int) -> list[str]:
    rule = re.search(r"\.last-word \{[^}]*\}", THEME_CSS.read_text(encoding="utf-8"))
    assert rule, "print.css protects the last word of a paragraph"
    css = weasyprint.CSS(string=rule.group())
    page = (f'<html lang="en"><body><p style="width: {width}mm; text-align: justify; '
            f'hyphens: auto; font-size: 10.5pt">{html}</p></body></html>')
    document = weasyprint.HTML(string=page).render(stylesheets=[css])
    lines = []
    for box in document.pages[0]._page_box.descendants():
        if type(box).__name__ == "LineBox":
            lines.append("".join(getattr(b, "text", "") for b in box.descendants()))
    return lines


def _ends_in_fragment(lines: list[str]) -> bool:
    """The last line is the tail of a word hyphenated at the end of the line before."""
    return (len(lines) > 1 and lines[-2].rstrip().endswith(("\u2010", "-"))
            and len(lines[-1].split()) == 1)


def test_no_paragraph_ends_in_a_hyphenated_fragment() -> None:
    text = ("The debate over which partner gains more has been settled in favour of "
            "internationalisation")
    # The test's premise: at some widths this paragraph ends "inter-" / "nationalisation".
    widths = [w for w in range(40, 90) if _ends_in_fragment(_last_lines(text, w))]
    assert widths, "no width hyphenates the last word: the fixture proves nothing"
    protected = keep_last_words(f"<p>{text}</p>")[3:-4]
    for width in widths:
        lines = _last_lines(protected, width)
        assert not _ends_in_fragment(lines), (width, lines)
        assert lines[-1].strip().endswith("internationalisation"), (width, lines)


# --- running heads ---------------------------------------------------------------------------

def test_a_formula_in_a_chapter_title_reaches_the_running_head(tmp_path) -> None:
    """The print page draws a formula as a picture, so the running head (the title's text)
    lost it: "Introduction and" for "Introduction and $E = mc^2$"."""
    root = copy_root("basic", tmp_path)
    chapter = root / "chapters" / "01-intro.md"
    lines = chapter.read_text(encoding="utf-8").splitlines()
    lines[0] = "# Introduction and $E = mc^2$ {#sec-intro}"
    filler = "A paragraph long enough to fill the page and push the chapter on. " * 8
    chapter.write_text("\n".join(lines) + "\n\n" + "\n\n".join([filler] * 12) + "\n",
                       encoding="utf-8")
    built = build_root(root, formats=("pdf",))
    heads = [text.strip().splitlines()[-2] for text in built.page_texts()
             if "A paragraph long enough" in text]
    assert len(heads) >= 3, "the chapter runs over more than two pages"
    titled = [head.strip() for head in heads if head.startswith("Introduction")]
    assert titled and all(head == "Introduction and E = mc\u00b2" for head in titled), heads
