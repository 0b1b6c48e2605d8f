"""The book put together: its XHTML files in reading order (cover, title page, navigation,
the chapters, the bibliography), what they show (figures, stylesheet, fonts, cover
picture), the package document, and the OCF zip with fixed dates (``mimetype`` first and
stored), so that the same report gives the same bytes."""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path, PurePosixPath

from lxml import etree

from reportc.editions.base import Made
from reportc.editions.typography import dash_citation_ranges
from reportc.epub.media import Media, media_type, read, theme_files
from reportc.epub.metadata import Item, identifier, package_document
from reportc.epub.nav import NAV, NCX, contents, navigation_document, ncx
from reportc.epub.pages import mark_pages
from reportc.epub.xhtml import (
    MATHML,
    NS,
    STYLESHEET,
    SVG,
    XHTML,
    BookFile,
    has_element,
    heading_text,
    link_across_files,
    serialise,
    shape_chapter,
    xhtml_file,
)

CONTAINER = (b'<?xml version="1.0" encoding="UTF-8"?>\n<container version="1.0" '
             b'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
             b'<rootfile full-path="EPUB/content.opf" '
             b'media-type="application/oebps-package+xml"/></rootfiles></container>\n')

COVER = "media/cover.png"  # the PDF's first page, drawn by pdftoppm


@dataclass
class BookStyle:
    """The stylesheet the book takes and the fonts it may embed."""

    css: Path
    root: Path  # the theme the stylesheet belongs to: the files it names lie inside
    fonts: list[Path]


def make_book(made: Made, style: BookStyle, modified: dt.datetime) -> bytes:
    """The EPUB's bytes."""
    lang, media = made.config.lang, Media(made.config.root, reserved=(COVER,))
    cover = made.products.get("cover")
    picture = read(cover) if cover else b""
    front = ([_cover_page(lang, made.config.title, picture)] if cover else []) + \
        [_title_page(made)]
    chapters = _chapters(made, media)
    owners = link_across_files(chapters)
    entries = contents(chapters)
    marked = mark_pages([*front, *chapters], made.products.get("pages") or {})
    nav = navigation_document(made.config.title, lang, entries, marked,
                              _landmarks(front, chapters, owners, made.config.words))
    files = theme_files(style.css, style.root, STYLESHEET, style.fonts)
    files.update(media.files)
    if cover:
        files[COVER] = picture
    book = [*front, nav, *chapters]
    texts = {f.name: serialise(f) for f in book}
    math = any(has_element(f, MATHML, "math") for f in chapters)
    items = _manifest(book, files, bool(cover))
    package = package_document(made, items, bool(marked), math, modified)
    title_page = front[-1].name
    return _zip({"mimetype": b"application/epub+zip", "META-INF/container.xml": CONTAINER,
                 "EPUB/content.opf": package,
                 f"EPUB/{NCX}": ncx(identifier(made), made.config.title, entries, title_page),
                 **{f"EPUB/{name}": data for name, data in texts.items()},
                 **{f"EPUB/{name}": data for name, data in sorted(files.items())}},
                made.release.date.timetuple()[:6])


def _chapters(made: Made, media: Media) -> list[BookFile]:
    """One file per chapter (its heading a level 1 heading), then the bibliography's,
    each shaped for the book, its pictures placed."""
    lang, files = made.config.lang, []
    for n, part in enumerate(made.context.parts, 1):
        chapter = xhtml_file(f"text/ch{n:03d}.xhtml", part.title,
                             dash_citation_ranges(str(part.html)), lang, "bodymatter")
        shape_chapter(chapter)
        heading = chapter.body.find("x:h1", NS)
        if heading is not None:  # the <title> says what the heading says
            chapter.tree[0].find("x:title", NS).text = heading_text(heading)
        files.append(chapter)
    if files:
        _status(made, files[0])
    references = str(made.context.bibliography)
    if references.strip():
        title = made.config.references_title or made.config.words["section-title-references"]
        section = (f'<section class="level1 unnumbered" epub:type="bibliography" '
                   f'role="doc-bibliography">\n'
                   f'<h1 id="bibliography" class="unnumbered">{escape(title)}</h1>\n'
                   f"{dash_citation_ranges(references, whole=True)}</section>")
        bibliography = xhtml_file(f"text/ch{len(files) + 1:03d}.xhtml", title, section, lang,
                                  "bodymatter")
        bibliography.kind = "bibliography"
        files.append(bibliography)
    for book_file in files:
        _place_pictures(book_file, media)
    return files


def _place_pictures(book_file: BookFile, media: Media) -> None:
    """Each picture a file of the book, named relative to the chapter's file."""
    for image in book_file.body.iter(f"{{{XHTML}}}img"):
        placed = media.place(image.get("src") or "")
        if placed:
            image.set("src", f"../{placed}")


def _status(made: Made, first: BookFile) -> None:
    """A draft or review build says so before the first chapter, as the PDF's watermark
    and the web page's banner do (none for a final text)."""
    release = made.release
    if not release.watermark:
        return
    banner = etree.Element(f"{{{XHTML}}}div", {"class": "status-banner", "role": "note"})
    words = made.config.words
    etree.SubElement(banner, f"{{{XHTML}}}p").text = (
        f"{release.word_in(words)} · {words['status-not-final']} · {release.detail_in(words)}")
    banner.tail = first.body.text
    first.body.text = "\n"
    first.body.insert(0, banner)


def _title_page(made: Made) -> BookFile:
    config, record = made.config, made.context.matter.record
    date = config.display_date or made.release.date.isoformat()
    lines = [f'<h1 class="title">{escape(config.title)}</h1>']
    lines += [f'<p class="subtitle">{escape(config.subtitle)}</p>'] if config.subtitle else []
    lines += [f'<p class="author">{escape(a.name)}</p>' for a in config.authors]
    if config.organisation:
        lines.append(f'<p class="publisher">{escape(config.organisation)}</p>')
    lines.append(f'<p class="date">{escape(date)}</p>')
    if record and record.rights:
        lines.append(f'<div class="rights">{escape(record.rights)}</div>')
    page = xhtml_file("text/title_page.xhtml", config.title,
                      '<section epub:type="titlepage" class="titlepage">\n  '
                      + "\n  ".join(lines) + "\n</section>\n", config.lang, "frontmatter")
    page.kind = "title_page"
    return page


def _cover_page(lang: str, title: str, picture: bytes) -> BookFile:
    """The cover picture on a page of its own, scaled to the screen (as pandoc drew it)."""
    width, height = _png_size(picture)
    svg = (f'<div id="cover-image"><svg xmlns="{SVG}" '
           'xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" width="100%" '
           f'height="100%" viewBox="0 0 {width} {height}" preserveAspectRatio="xMidYMid">'
           f'<image width="{width}" height="{height}" xlink:href="../{COVER}"/>'
           "</svg></div>\n")
    page = xhtml_file("text/cover.xhtml", title, svg, lang, None, ' id="cover"')
    page.kind = "cover"
    return page


def _png_size(picture: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (pdftoppm draws the cover as PNG)."""
    if picture[:8] == b"\x89PNG\r\n\x1a\n" and len(picture) >= 24:
        width, height = struct.unpack(">II", picture[16:24])
        return width, height
    return 1200, 1698


def _landmarks(front: list[BookFile], chapters: list[BookFile], owners: dict[str, str],
               words: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(href, epub:type, words) of the title page, the cover, the contents, the start of
    the text and the bibliography (its own file's, or the list where a chapter places
    it)."""
    marks = [(f.name, f.kind.replace("_", ""), words["landmark-title-page"]
              if f.kind == "title_page" else words["cover-title"]) for f in reversed(front)]
    marks.append(("#toc", "toc", words["landmark-toc"]))
    if chapters:
        marks.append((chapters[0].name, "bodymatter", words["landmark-start"]))
    for anchor in ("bibliography", "refs"):
        if anchor in owners:
            marks.append((f"{owners[anchor]}#{anchor}", "bibliography",
                          words["section-title-references"]))
            break
    return marks


def _manifest(book: list[BookFile], files: dict[str, bytes], cover: bool) -> list[Item]:
    """Every file but the package document, the XHTML files in reading order (the spine)."""
    items = [Item("ncx", NCX, "application/x-dtbncx+xml"),
             Item("stylesheet1", STYLESHEET, "text/css")]
    for book_file in book:
        properties = " ".join(word for word, present in (
            ("nav", book_file.name == NAV),
            ("mathml", has_element(book_file, MATHML, "math")),
            ("svg", has_element(book_file, SVG, "svg"))) if present)
        item_id = "nav" if book_file.name == NAV else f"{book_file.stem}_xhtml"
        items.append(Item(item_id, book_file.name, "application/xhtml+xml", properties,
                          linear=True))
    for name in sorted(files):
        if name != STYLESHEET:
            items.append(Item(_item_id(name), name, media_type(name),
                              "cover-image" if cover and name == COVER else ""))
    return items


def _item_id(name: str) -> str:
    return "f-" + re.sub(r"[^A-Za-z0-9_.-]", "_", PurePosixPath(name).as_posix())


def _zip(files: dict[str, bytes], when: tuple[int, ...]) -> bytes:
    """The OCF zip: ``mimetype`` first and stored, the rest deflated, all dated ``when``.
    zlib's default level: level 9 took twice the time (0.19 s against 0.09 s for the
    default theme's fonts, most of the book's bytes) for a book 0.3 % smaller."""
    buffer = io.BytesIO()
    names = ["mimetype", *(n for n in files if n != "mimetype")]
    with zipfile.ZipFile(buffer, "w") as book:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=when)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" \
                else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            book.writestr(info, files[name], compresslevel=6)
    return buffer.getvalue()
