"""Regenerate templates/reference.docx, the Word edition's styles (run after changing them).

    .venv/bin/python scripts/make_reference_docx.py

Starts from the pinned pandoc's own reference document (so every style its docx writer
uses is there) and restyles it like the theme (templates/css/base.css): Source Serif 4 for
reading, Source Sans 3 for headings, captions and tables, one accent colour; adds the
styles reportc's Word edition names ("Takeaway", "Takeaway Title", "Callout", "Cover Info",
"Status"). The file is written with fixed zip timestamps, so running the script twice gives
the same bytes. Needs python-docx (a test dependency).
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pypandoc
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

TARGET = Path(__file__).resolve().parents[1] / "templates" / "reference.docx"
SERIF, SANS = "Source Serif 4", "Source Sans 3"
EAST_ASIAN = {SERIF: "Noto Serif CJK SC", SANS: "Noto Sans CJK SC"}  # the theme's fallbacks
INK, ACCENT, MUTED = RGBColor(0x1F, 0x29, 0x33), RGBColor(0x0B, 0x5D, 0x7A), \
    RGBColor(0x52, 0x60, 0x6D)
TINT, ACCENT_HEX = "E7F0F3", "0B5D7A"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def default_reference() -> bytes:
    """pandoc's built-in reference.docx."""
    return subprocess.run([pypandoc.get_pandoc_path(), "--print-default-data-file",
                           "reference.docx"], capture_output=True, check=True).stdout


def set_font(style, name: str, size: float | None = None, *, bold: bool | None = None,
             color: RGBColor | None = None) -> None:
    """Font for Latin and Cyrillic text, and the theme's Noto CJK fallback for Chinese and
    Japanese (Word takes East Asian text's font from its own attribute; Source Serif and
    Sans have no CJK glyphs)."""
    style.font.name = name
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), name)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN.get(name, name))
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attr), None)
    if size:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    if color is not None:
        style.font.color.rgb = color


def shade_and_border(style, *, left_only: bool) -> None:
    """A tinted background and an accent rule, like the theme's .takeaways box."""
    ppr = style.element.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    sides = ("left",) if left_only else ("top", "left", "bottom", "right")
    for side in sides:
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), "24" if side == "left" else "6")
        edge.set(qn("w:space"), "8")
        edge.set(qn("w:color"), ACCENT_HEX)
        borders.append(edge)
    ppr.append(borders)
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), TINT)
    ppr.append(shading)


def paragraph_style(document, name: str, base: str):
    styles = document.styles
    style = styles[name] if name in [s.name for s in styles] else \
        styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base]
    style.quick_style = True
    return style


def restyle(document) -> None:
    styles = document.styles
    set_font(styles["Normal"], SERIF, 10.5, color=INK)
    for name in ("Body Text", "First Paragraph", "Compact", "Block Text", "Bibliography",
                 "Abstract", "Definition", "Definition Term"):
        if name in [s.name for s in styles]:
            set_font(styles[name], SERIF)
    for level, size in zip(range(1, 7), (20, 14, 12, 11, 10.5, 10.5), strict=True):
        set_font(styles[f"Heading {level}"], SANS, size, bold=True, color=INK)
    styles["Heading 1"].paragraph_format.space_before = Pt(24)
    styles["Heading 1"].paragraph_format.page_break_before = True
    for name, size, color in (("Title", 26, INK), ("Subtitle", 15, MUTED),
                              ("Author", 11, INK), ("Date", 11, MUTED),
                              ("Abstract Title", 11, INK)):
        set_font(styles[name], SANS, size, color=color)
    for name in ("Caption", "Table Caption", "Image Caption"):
        set_font(next(s for s in styles if s.name == name), SANS, 9, color=INK)
    set_font(styles["Footnote Text"], SERIF, 8.5)
    set_font(styles["Hyperlink"], styles["Hyperlink"].font.name or SERIF, color=ACCENT)
    cover = paragraph_style(document, "Cover Info", "Normal")
    set_font(cover, SANS, 10.5, color=MUTED)
    status = paragraph_style(document, "Status", "Normal")
    set_font(status, SANS, 14, bold=True, color=RGBColor(0xB4, 0x23, 0x18))
    status.paragraph_format.space_before = Pt(12)
    takeaway = paragraph_style(document, "Takeaway", "Body Text")
    set_font(takeaway, SERIF, 10.5)
    shade_and_border(takeaway, left_only=True)
    title = paragraph_style(document, "Takeaway Title", "Takeaway")
    set_font(title, SANS, 9, bold=True, color=ACCENT)
    title.font.all_caps = True
    title.paragraph_format.keep_with_next = True
    callout = paragraph_style(document, "Callout", "Body Text")
    set_font(callout, SANS, 10)
    shade_and_border(callout, left_only=False)
    entry = styles["Bibliography"].paragraph_format  # hanging; a numeric label's tab
    entry.left_indent, entry.first_line_indent = Pt(28), Pt(-28)  # goes to the indent,
    entry.tab_stops.add_tab_stop(Pt(28))  # so "[1]" stands beside its entry
    entry.keep_together, entry.space_after = True, Pt(4)  # never split across pages
    for level in (1, 2):  # the contents field's entries (Word's own ids: TOC1, TOC2)
        entry = paragraph_style(document, f"toc {level}", "Normal")
        entry.element.set(qn("w:styleId"), f"TOC{level}")
        set_font(entry, SANS, 10.5 if level == 1 else 10, bold=level == 1, color=INK)
        entry.paragraph_format.left_indent = Pt(14 * (level - 1))
        entry.paragraph_format.space_before = Pt(6 if level == 1 else 0)
        entry.paragraph_format.space_after = Pt(2)


def fixed_zip(data: bytes) -> bytes:
    """The same bytes every run: fixed timestamps, sorted-as-given entries."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(item.filename))
    return out.getvalue()


def main() -> int:
    document = Document(io.BytesIO(default_reference()))
    restyle(document)
    document.core_properties.title = ""
    buffer = io.BytesIO()
    document.save(buffer)
    TARGET.write_bytes(fixed_zip(buffer.getvalue()))
    print(f"wrote {TARGET} ({TARGET.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
