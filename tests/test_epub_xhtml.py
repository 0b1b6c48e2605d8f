"""The EPUB's XHTML made from the web edition's chapter HTML, piece by piece (no build):
notes, headings, links across files, page markers, pictures and the stylesheet's files."""

from __future__ import annotations

import base64
from pathlib import Path

from lxml import etree

from reportc.epub.media import Media, theme_files
from reportc.epub.pages import mark_pages
from reportc.epub.xhtml import (
    EPUB_NS,
    NS,
    TYPE,
    XHTML,
    link_across_files,
    serialise,
    shape_chapter,
    xhtml_file,
)

# a chapter as the render filter writes it for the web page (resources/render.lua)
CHAPTER = """<h1 class="chapter-heading kind-chapter" data-bookmark="3 Storage and *use*" \
id="sec-storage"><span class="chapter-label">Chapter 3</span><span class="chapter-title">\
Storage and <em>use</em></span></h1>
<p>Text.<span class="fn"><a href="#sec-storage-fn1" id="sec-storage-fnref1" class="fn-ref" \
role="doc-noteref" aria-label="Note 1"><sup>1</sup></a><span class="fn-body" \
aria-hidden="true">First <em>note</em>.</span></span> More, see <a href="#fig-x" \
class="xref">Figure 1</a>.</p>
<section id="sec-storage-notes" class="notes-heading chapter-notes" role="doc-endnotes">
<h2 class="notes-heading">Notes</h2>
<ol>
<li><div id="sec-storage-fn1" class="fn-item">
<p>First <em>note</em>. <a href="#sec-storage-fnref1" class="fn-back" role="doc-backlink" \
aria-label="Back to the text of note 1">↩︎</a></p>
<p>Its second paragraph.</p>
</div></li>
</ol>
</section>
"""


def chapter(content: str = CHAPTER, name: str = "text/ch001.xhtml"):
    made = xhtml_file(name, "Storage", content, "en-GB", "bodymatter")
    shape_chapter(made)
    return made


def test_notes_become_footnotes_with_their_blocks_and_links_back():
    body = chapter().body
    call = body.find(".//x:p/x:a[@role='doc-noteref']", NS)
    assert call.get(TYPE) == "noteref" and call.get("href") == "#sec-storage-fn1"
    assert call.tail == " More, see "  # the text after the call stays
    assert body.find(".//x:span[@class='fn-body']", NS) is None  # the print page's copy
    notes = body.findall(".//x:section[@class='footnotes']/x:aside", NS)
    assert [n.get("id") for n in notes] == ["sec-storage-fn1"]
    assert notes[0].get(TYPE) == "footnote" and notes[0].get("role") == "doc-footnote"
    assert [p.xpath("string()").strip() for p in notes[0].findall("x:p", NS)] == [
        "First note. ↩︎", "Its second paragraph."]
    assert body.find(".//x:h2", NS) is None  # the web page's "Notes" heading


def test_a_list_written_for_the_print_page_alone_takes_the_notes_from_their_calls():
    start = CHAPTER.index("<section")
    empty = '<section id="sec-storage-notes" class="notes-heading chapter-notes"></section>'
    body = chapter(CHAPTER[:start] + empty).body
    note = body.find(".//x:aside[@id='sec-storage-fn1']", NS)
    assert note.get(TYPE) == "footnote" and note.xpath("string()") == "First note."
    assert note.find("x:p/x:em", NS).text == "note"


def test_the_chapter_heading_reads_number_and_title():
    heading = chapter().body.find("x:h1", NS)
    assert heading.xpath("string()") == "3 Storage and use"
    assert heading.find("x:em", NS).text == "use" and "data-bookmark" not in heading.attrib
    assert heading.get("id") == "sec-storage"


def test_html_that_is_not_well_formed_xml_is_read_as_html():
    made = xhtml_file("text/ch001.xhtml", "T", "<p>a<br>b&nbsp;c</p><p>d", "en", "bodymatter")
    paragraphs = made.body.findall("x:p", NS)
    assert [p.xpath("string()") for p in paragraphs] == ["ab\u00a0c", "d"]
    assert paragraphs[0].find("x:br", NS) is not None
    assert serialise(made).startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE html>")


def test_a_link_to_an_id_in_another_file_names_the_file():
    first = chapter()
    second = chapter('<figure id="fig-x"><figcaption>X</figcaption></figure>'
                     '<p><a href="#sec-storage">back</a> <a href="#nowhere">n</a></p>',
                     "text/ch002.xhtml")
    owners = link_across_files([first, second])
    assert owners["fig-x"] == "text/ch002.xhtml"
    assert first.body.find(".//x:a[@class='xref']", NS).get("href") == "ch002.xhtml#fig-x"
    hrefs = [a.get("href") for a in second.body.iterfind(".//x:a", NS)]
    assert hrefs == ["ch001.xhtml#sec-storage", "#nowhere"]
    call = first.body.find(".//x:a[@epub:type='noteref']", {**NS, "epub": EPUB_NS})
    assert call.get("href") == "#sec-storage-fn1"  # in its own file


def test_page_markers_stand_where_a_span_may_stand():
    book = chapter('<h1 id="bibliography">Bibliography</h1>'
                   '<div id="refs" role="list"><div id="ref-a" role="listitem">A.</div>'
                   '<div id="ref-b" role="listitem">B. <em>Title</em>.</div></div>'
                   '<table id="tbl-x"><tbody><tr><td id="cell">1</td></tr></tbody></table>')
    book.kind = "bibliography"
    marked = mark_pages([book], {"anchors": {"bibliography": 4, "ref-b": 5, "cell": 6}})
    assert marked == [(4, book.name), (5, book.name), (6, book.name)]
    markers = book.body.findall(".//x:span[@role='doc-pagebreak']", NS)
    parents = [etree.QName(m.getparent()).localname for m in markers]
    assert parents == ["body", "div", "body"]
    assert markers[1].getparent().get("id") == "ref-b" and markers[1].tail == "B. "
    assert markers[2].getnext().get("id") == "tbl-x"  # before the table, not in a row
    assert [m.get("aria-label") for m in markers] == ["4", "5", "6"]


def test_pictures_come_from_inside_the_report_each_once(tmp_path: Path):
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "a b.svg").write_text("<svg/>")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "a b.svg").write_text("<svg id='2'/>")
    (tmp_path.parent / "secret.svg").write_text("<svg/>")
    (tmp_path / "cover.png").write_bytes(b"\x89PNG")
    media = Media(tmp_path, reserved=("media/cover.png",))
    assert media.place("cover.png") == "media/cover-2.png"  # the book's cover is another
    assert media.place("figures/a%20b.svg") == "media/a-b.svg"
    assert media.place("figures/a%20b.svg") == "media/a-b.svg"
    assert media.place("other/a b.svg") == "media/a-b-2.svg"
    assert media.place("../secret.svg") is None and media.place("https://x.org/a.svg") is None
    drawn = base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'/>").decode()
    name = media.place(f"data:image/svg+xml;base64,{drawn}")
    assert name and name.startswith("media/image-") and name.endswith(".svg")
    assert media.files[name] == b"<svg xmlns='http://www.w3.org/2000/svg'/>"
    assert media.place("data:text/html,<p>x</p>") is None
    assert sorted(media.files) == sorted(["media/a-b.svg", "media/a-b-2.svg", name,
                                          "media/cover-2.png"])


def test_the_stylesheet_keeps_only_files_inside_its_theme(tmp_path: Path):
    theme = tmp_path / "theme"
    (theme / "css").mkdir(parents=True)
    (theme / "img").mkdir()
    (theme / "img" / "rule.png").write_bytes(b"\x89PNG")
    (tmp_path / "outside.png").write_bytes(b"secret")
    (theme / "css" / "epub.css").write_text(
        'h1 { background: url("../img/rule.png"); color: red }\n'
        'h2 { background: url(../../outside.png); color: blue }\n'
        'h3 { background: url("data:image/png;base64,AAAA") }\n'
        'p { background-image: url(/etc/hostname) }\n', encoding="utf-8")
    files = theme_files(theme / "css" / "epub.css", theme, "styles/stylesheet1.css", [])
    assert sorted(files) == ["img/rule.png", "styles/stylesheet1.css"]
    css = files["styles/stylesheet1.css"].decode()
    assert 'url("../img/rule.png")' in css and "color: blue" in css and "data:" in css
    assert "outside" not in css and "hostname" not in css


def test_each_file_is_an_xhtml_document_with_the_stylesheet():
    made = chapter()
    assert made.tree.tag == f"{{{XHTML}}}html" and made.tree.get("lang") == "en-GB"
    assert made.tree.find("x:head/x:link", NS).get("href") == "../styles/stylesheet1.css"
