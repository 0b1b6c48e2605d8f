"""WeasyPrint and pydyf patches: the same PDF, only sooner."""

from __future__ import annotations

import io
import re
import zlib

import pikepdf
import pydyf
import pypdf
import pytest
import weasyprint
from conftest import REPO
from weasyprint.layout import LayoutContext
from weasyprint.layout import block as block_layout
from weasyprint.layout import inline as inline_layout
from weasyprint.layout import page as page_layout

from reportc.pdf import compat
from reportc.pdf.compat import patches as weasyprint_patches
from reportc.pdf.layout import draft_layout, layout_pdf

SHEETS = [REPO / "templates/css/base.css", REPO / "templates/css/print.css"]


def _page_full_of_notes(reference_every: int = 0) -> str:
    """Paragraphs with two to four notes each, some long: pages hold many notes, some
    notes move to the next page and some pages break between a call and its note.
    ``reference_every``: every so many paragraphs, a reference to the paragraph two on."""
    paragraphs = []
    for index in range(60):
        notes = "".join(
            f'<span class="fn-body">Note {index}.{n}: '
            + "a source with a long title and more detail " * (1 + (index * n) % 7)
            + "</span>" for n in range(2 + index % 3))
        opening, reference = "<p>", ""
        if reference_every:
            opening = f'<p id="t{index}">'
            if index % reference_every == 0:
                reference = (f' See <a href="#t{index + 2}" class="xref" id="xr-p-{index}">'
                             f"Item {index + 2}</a> for more.")
        paragraphs.append(f"{opening}Paragraph {index} states a finding in a few words of "
                          f"ordinary prose, long enough to fill a line or two.{notes}"
                          f"{reference} It then goes on for another sentence.</p>")
    return ('<html lang="en"><body><main><section class="part">'
            + "".join(paragraphs) + "</section></main></body></html>")


def _layout(html: str, tmp_path) -> bytes:
    result = layout_pdf(html, tmp_path, SHEETS, [tmp_path, REPO / "templates"], b"0" * 32)
    assert result.pdf is not None and result.messages == []
    return result.pdf


@pytest.fixture(autouse=True)
def engaged():
    """The patches, as the PDF stage applies them (nothing is patched on import)."""
    assert compat.engage()


@pytest.fixture(scope="module")
def patched_notes(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list]:
    """The page full of notes laid out with every patch engaged (streams deflated at level
    6), and the footnote areas the patch stacked while laying it out: laid out once for
    the tests that compare it with WeasyPrint's own layout and with level 9."""
    assert compat.engage()
    stacked: list = []
    real_stack = weasyprint_patches._stacked_notes
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(weasyprint_patches, "_stacked_notes",
                      lambda *args: stacked.append(real_stack(*args)) or stacked[-1])
        pdf = _layout(_page_full_of_notes(), tmp_path_factory.mktemp("notes"))
    return pdf, stacked


def test_patch_is_installed_for_the_pinned_weasyprint():
    assert weasyprint.__version__ == compat.internals.PINNED["weasyprint"]
    assert LayoutContext._update_footnote_area is weasyprint_patches._update_footnote_area
    assert page_layout.block_level_layout is weasyprint_patches._page_block_level_layout
    assert LayoutContext.layout_footnote is weasyprint_patches._layout_footnote
    assert inline_layout.handle_leader is weasyprint_patches._handle_leader
    assert block_layout._linebox_layout is weasyprint_patches._linebox_layout
    assert page_layout.remake_page is weasyprint_patches._remake_page


def test_patched_layout_is_byte_identical_to_weasyprints_own(tmp_path, monkeypatch,
                                                            patched_notes):
    html = _page_full_of_notes()
    patched, stacked = patched_notes
    assert sum(area is not None for area in stacked) >= 8, "notes stacked on most pages"
    monkeypatch.setattr(LayoutContext, "_update_footnote_area",
                        weasyprint_patches.ORIGINAL["_update_footnote_area"])
    monkeypatch.setattr(page_layout, "block_level_layout",
                        weasyprint_patches.ORIGINAL["block_level_layout"])
    original = _layout(html, tmp_path)
    assert patched == original
    assert len(pypdf.PdfReader(io.BytesIO(patched)).pages) >= 8, "enough pages to matter"


def test_other_versions_are_left_alone(monkeypatch, caplog):
    compat.disengage()
    original = LayoutContext._update_footnote_area
    monkeypatch.setattr(weasyprint, "__version__", "999.0")
    try:
        assert compat.engage() is False
        assert compat.engage() is False
        assert LayoutContext._update_footnote_area is original
        assert page_layout.block_level_layout is not weasyprint_patches._page_block_level_layout
        assert not isinstance(pydyf.zlib, weasyprint_patches._Deflate)
        assert not isinstance(weasyprint.pdf.fonts.ffi, weasyprint_patches._OpenArrays)
        # the PDF stage reports why, as a warning of the build (code compat)
        assert "weasyprint 999.0 (pinned: 70.0)" in compat.mismatch()
        assert not [r for r in caplog.records if "[compat]" in r.getMessage()]
    finally:
        compat.disengage()


def _streams(pdf: bytes) -> list[bytes]:
    """Every stream inflated, but the cross-reference table's (it holds byte offsets)."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return [obj.read_bytes() for obj in document.objects
                if isinstance(obj, pikepdf.Stream) and obj.get("/Type") != "/XRef"]


def test_streams_deflated_at_level_6_inflate_to_the_same_bytes(tmp_path, monkeypatch,
                                                              patched_notes):
    assert isinstance(pydyf.zlib, weasyprint_patches._Deflate)
    html = _page_full_of_notes()
    level_6 = patched_notes[0]
    monkeypatch.setattr(pydyf, "zlib", zlib)
    level_9 = _layout(html, tmp_path)
    assert level_6 != level_9
    assert _streams(level_6) == _streams(level_9)
    assert len(level_6) < len(level_9) * 1.05


def test_font_subsets_declared_open_ended_give_the_same_pdf(tmp_path, monkeypatch):
    """The fonts module's ``ffi`` declares glyph arrays open-ended (9.): parsed once, not
    once per length, and the subset fonts, so the PDF, are the same bytes."""
    from weasyprint.pdf import fonts

    assert isinstance(fonts.ffi, weasyprint_patches._OpenArrays)
    declared = []
    real_new = fonts.ffi.original.new
    monkeypatch.setattr(fonts.ffi.original, "new",
                        lambda cdecl, init=None: declared.append(cdecl) or real_new(cdecl, init),
                        raising=False)
    html = _page_full_of_notes()
    open_ended = _layout(html, tmp_path)
    assert "hb_codepoint_t[]" in declared
    assert not [d for d in declared if d.startswith("hb_codepoint_t[") and d[-2] != "["]
    monkeypatch.setattr(fonts, "ffi", fonts.ffi.original)
    assert _layout(html, tmp_path) == open_ended


CONTENTS = ('<html lang="en"><body><nav class="toc"><ol class="toc-list">'
            + "".join(f'<li class="toc-entry"><a href="#p{i}" data-page="{i * 7 + 3}">'
                      f'<span class="toc-number">{i}</span><span class="toc-text">Part {i} '
                      + "of the report " * (i % 4) + "</span></a></li>" for i in range(1, 9))
            + "</ol></nav></body></html>")


def _leaders(html: str, tmp_path) -> list[list[tuple[str, float, float]]]:
    sheets = [*SHEETS, REPO / "templates/css/parts.css"]
    draft = draft_layout(html, tmp_path, sheets, [tmp_path, REPO / "templates"])
    found = []
    for box in draft.document.pages[0]._page_box.descendants():
        if getattr(box, "is_leader", False):
            found.append([(dot.text, round(dot.position_x, 6), round(dot.width, 6))
                          for dot in sorted(box.children, key=lambda dot: dot.position_x)])
    return found


def test_a_leaders_dots_are_one_text_box_at_the_same_places(tmp_path, monkeypatch):
    merged = _leaders(CONTENTS, tmp_path)
    monkeypatch.setattr(inline_layout, "handle_leader",
                        weasyprint_patches.ORIGINAL["handle_leader"])
    separate = _leaders(CONTENTS, tmp_path)
    assert len(merged) == len(separate) == 8
    for one, dots in zip(merged, separate, strict=True):
        assert len(dots) > 10 and len(one) == 1
        text, x, width = one[0]
        assert text == "".join(dot[0] for dot in dots) == " . " * len(dots)
        assert x == dots[0][1]
        assert abs(x + width - (dots[-1][1] + dots[-1][2])) < 1e-6


_SMALL_PAGES = """@page { size: 100mm 80mm; margin: 8mm; }
body { font: 10pt/13pt serif; orphans: 2; widows: 2; }
.n { float: footnote; font-size: 8pt; line-height: 10pt; }"""


def _notes_placed(html: str) -> list[int]:
    """The numbers of the notes printed in some page's footnote area, in page order."""
    document = weasyprint.HTML(string=html).render()
    placed = []
    for page in document.pages:
        for box in page._page_box.descendants():
            if type(box).__name__ == "FootnoteAreaBox":
                text = "".join(getattr(b, "text", "") or "" for b in box.descendants())
                placed += [int(n) for n in re.findall(r"Note (\d+)\b", text)]
    return placed


def test_notes_called_in_a_line_kept_after_making_room_are_not_lost(monkeypatch):
    """A page whose last line fits only once its last notes move on: WeasyPrint 70 kept
    the line and dropped the notes it calls (patch 5)."""
    calls = " ".join(f"text{i} more words here<span class=n>Note {i} " + "note text " * 6
                     + "</span>" for i in range(1, 9))
    html = (f"<html><head><style>{_SMALL_PAGES}</style></head><body>"
            f"<p>{'word ' * 50}</p><p>{calls}</p></body></html>")
    assert _notes_placed(html) == list(range(1, 9))
    monkeypatch.setattr(block_layout, "_linebox_layout",
                        weasyprint_patches.ORIGINAL["_linebox_layout"])
    lost = set(range(1, 9)) - set(_notes_placed(html))
    assert lost, "WeasyPrint's own layout no longer loses a note here: is patch 5 still needed?"


def _printed_notes(pdf: bytes) -> list[str]:
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return re.findall(r"Note (\d+\.\d+):", text)


def test_pages_made_again_keep_the_notes_carried_into_them(tmp_path, monkeypatch):
    """WeasyPrint 70 starts a page it makes again with the notes the last page it made
    carried over, not the page before it (patch 6): a note vanished, another printed twice."""
    html = _page_full_of_notes(reference_every=13)  # pages holding one are made again alone
    expected = [f"{i}.{n}" for i in range(60) for n in range(2 + i % 3)]
    assert _printed_notes(_layout(html, tmp_path)) == expected
    monkeypatch.setattr(page_layout, "remake_page", weasyprint_patches.ORIGINAL["remake_page"])
    assert _printed_notes(_layout(html, tmp_path)) != expected, \
        "WeasyPrint's own layout no longer misplaces a note here: is patch 6 still needed?"
