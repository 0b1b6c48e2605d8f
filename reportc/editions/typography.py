"""Print typography: how a chapter's HTML is set for a page of paper (notes kept with
their words, URLs broken where a reader expects, no paragraph ending in a hyphenated
fragment, citation ranges with an en dash). Any edition laid out on pages (the PDF, the
brief) takes its chapters through :func:`print_html`."""

from __future__ import annotations

import re

from reportc.document.math import print_formulas

_WEB_ONLY_NOTES = re.compile(
    r'<section id="[^"]*" class="notes-heading chapter-notes"[^>]*>.*?</section>'  # list
    r'|<a href="#[^"]*" id="[^"]*" class="fn-ref"[^>]*><sup>\d+</sup></a>', re.S)  # calls


def print_html(html: str) -> str:
    """A chapter's HTML as the print page lays it out (see :func:`for_print`)."""
    html = print_formulas(dash_citation_ranges(_WEB_ONLY_NOTES.sub("", html)))
    return keep_last_words(break_urls(keep_notes_with_words(html)))


_CITATION = re.compile(r'<span class="citation"')
_NOTE_ITEM = re.compile(r'<div id="[^"]*" class="fn-item">.*?</div>', re.S)  # web notes list
_RANGE = re.compile(r"(?<![\w./:-])(\d{1,5})-(\d{1,5})(?![\w/-])")


def dash_citation_ranges(html: str, whole: bool = False) -> str:
    """Number ranges in citations (and, with ``whole``, in a bibliography) printed with an
    en dash, as Chicago sets them: "nos 5–6". citeproc formats ``page`` ranges itself but
    prints fields such as ``number`` as written in the .bib. Only ascending pairs are
    ranges ("2019-04" in a report number is not); URLs and dates are left alone."""
    if whole:
        return _TEXT_RUN.sub(_dash_run, html)
    pieces, done = [], 0
    for citation in _CITATION.finditer(html):
        if citation.start() < done:
            continue
        end = _span_end(html, citation.start()) or len(html)
        cited = html[citation.start():end]
        pieces += [html[done:citation.start()], _TEXT_RUN.sub(_dash_run, cited)]
        done = end
    html = "".join(pieces) + html[done:]
    return _NOTE_ITEM.sub(lambda item: _TEXT_RUN.sub(_dash_run, item.group()), html)


def _dash_run(run: re.Match[str]) -> str:
    text, out, done = run.group(1), [], 0
    for url in _TEXT_URL.finditer(text):
        out += [_RANGE.sub(_dash, text[done:url.start()]), url.group()]
        done = url.end()
    return ">" + "".join(out) + _RANGE.sub(_dash, text[done:]) + "<"


def _dash(match: re.Match[str]) -> str:
    first, last = match.groups()
    return f"{first}\u2013{last}" if int(first) < int(last) else match.group()


_TEXT_URL = re.compile(r"(?<![\w/])(?:https?|ftp)://[^\s<>\"]+?(?=[.,;:)\]’”]*(?:\s|<|$))")
_URL_BREAK = re.compile(r"(?<=[/:])(?=[^/:])|(?<=[^/])(?=[.\-_?#&=~])")
_TEXT_RUN = re.compile(r">([^<]+)<")
LONG_URL_PART = 24  # characters: a longer piece may still break anywhere (it would overflow)


def break_urls(html: str) -> str:
    """Give every printed URL line breaks only after ``/`` or ``//`` and before ``.``, ``-``,
    ``_``, ``?``, ``#``, ``&``, ``=``, ``~`` (Chicago 7.47), never with a hyphen: each piece
    is a span that does not wrap, and hyphenation is off (print.css ``.url``). WeasyPrint
    would otherwise hyphenate a URL like a word ("ht-tps://", "polit-ics"). URLs are found in
    text, not in attributes: in notes a URL is text inside the link to its bibliography entry."""
    return _TEXT_RUN.sub(lambda run: ">" + _TEXT_URL.sub(_url_pieces, run.group(1)) + "<", html)


def _url_pieces(match: re.Match[str]) -> str:
    parts = [p for p in _URL_BREAK.split(match.group()) if p]
    spans = "<wbr>".join(p if len(p) > LONG_URL_PART else f"<span>{p}</span>" for p in parts)
    return f'<span class="url">{spans}</span>'


_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.S)
_TOKEN = re.compile(r"<(/?)([a-zA-Z0-9]+)([^>]*)>|[^<]+")


def keep_last_words(html: str) -> str:
    """Wrap the last word of every paragraph in a span that is not hyphenated, so that no
    paragraph ends with a hyphenated fragment alone on its last line ("technolo-/gies").
    The word is the last word of the paragraph's own text (note texts, which float to the
    page foot, are skipped), and only one long enough to be hyphenated."""
    return _PARAGRAPH.sub(_keep_last_word, html)


def _keep_last_word(match: re.Match[str]) -> str:
    body, offset = match.group(1), match.start(1) - match.start()
    last: tuple[int, int] | None = None
    note_depth, depth = 0, 0
    for token in _TOKEN.finditer(body):
        closing, tag, attrs = token.group(1), token.group(2), token.group(3)
        if tag:
            if tag == "span" and not closing:
                depth += 1
                if note_depth or 'class="fn-body"' in attrs:
                    note_depth += 1
            elif tag == "span" and closing and depth:
                depth -= 1
                note_depth = max(0, note_depth - 1) if note_depth else 0
            continue
        if note_depth:
            continue
        words = list(re.finditer(r"\S+", token.group()))
        if words:
            last = (token.start() + words[-1].start(), token.start() + words[-1].end())
    if last is None or not re.search(r"\w{5,}", body[last[0]:last[1]]):
        return match.group()  # a short last word cannot leave a fragment
    whole = match.group()
    start, end = last[0] + offset, last[1] + offset
    return whole[:start] + '<span class="last-word">' + whole[start:end] + "</span>" + whole[end:]


_NOTE = re.compile(r'(<span class="citation" data-cites="[^"]*">)?<span class="fn">')
_SPAN_TAG = re.compile(r"<span\b|</span>")


def keep_notes_with_words(html: str) -> str:
    """Wrap the word before each note (with its citation, if the note is one) in a
    ``.fn-keep`` span the print CSS does not break: WeasyPrint breaks a line at the
    boundary of an element, so a call that no longer fitted after its word went alone
    to the start of the next line. Browsers keep them together by themselves.

    The word is the text right before the note or its citation (up to a space or a tag);
    pandoc writes these spans exactly so, and never nests a note in a note."""
    pieces, done = [], 0
    for note in _NOTE.finditer(html):
        if note.start() < done:
            continue  # inside a note already wrapped
        word = _word_start(html, note.start(), done)
        end = _span_end(html, note.start())
        if word == note.start() or end is None:
            continue
        pieces += [html[done:word], '<span class="fn-keep">', html[word:end], "</span>"]
        done = end
    return "".join(pieces) + html[done:]


def _word_start(html: str, end: int, floor: int) -> int:
    """Where the text run that ends at ``end`` starts (after a space or a tag)."""
    start = end
    while start > floor and not html[start - 1].isspace() and html[start - 1] != ">":
        start -= 1
    return start


def _span_end(html: str, start: int) -> int | None:
    """Where the ``<span>`` opening at ``start`` closes (after its ``</span>``)."""
    depth = 0
    for tag in _SPAN_TAG.finditer(html, start):
        depth += 1 if tag.group() == "<span" else -1
        if depth == 0:
            return tag.end()
    return None


# A cross-reference and an element's id (mark_local_xrefs).
_XREF = re.compile(r'<a href="#([^"]+)" class="xref"')
_ID = re.compile(r'\sid="([^"]+)"')


def mark_local_xrefs(html: str, part: str) -> str:
    """Give every cross-reference whose target lies in the same part an id, so that its page
    is known once laid out: the PDF words it as LaTeX's varioref does
    (:mod:`reportc.pdf.varioref`)."""
    own = set(_ID.findall(html))
    count = 0

    def mark(match: re.Match[str]) -> str:
        nonlocal count
        if match.group(1) not in own:
            return match.group()
        count += 1
        return f'{match.group()} id="xr-{part}-{count}"'
    return _XREF.sub(mark, html)
