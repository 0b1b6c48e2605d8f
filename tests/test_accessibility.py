"""Accessible publishing (#13): tagged PDF/UA-1 through every build path, its semantics,
and the web edition's axe-core checks in a real browser (tests/a11y/browser.py).

The PDF checker (tests/a11y/pdfcheck.py) covers the Matterhorn-protocol conditions that
can be decided by machine without veraPDF; its docstring lists them: all content tagged or
artifact (01), role mapping (02), XMP pdfuaid and title (06), DisplayDocTitle (07), list
and table nesting (09), document language (11), Figure alt text (13), heading levels (14),
TH scope (15), Note IDs (19), annotations: Tabs, Contents, Link tags (28), embedded fonts
with ToUnicode (31), and the tagged-PDF basics (MarkInfo, unique StructParents keys).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.a11y.pdfcheck import Tree, check, link_targets
from tests.conftest import FLAGSHIP, FLAGSHIP_FORMATS, SharedBuilds, build_root, copy_root, run_cli


def _pdf(root: Path, **options) -> bytes:
    built = build_root(root, formats=("pdf",), **options)
    return built.pdf_path.read_bytes()


@pytest.fixture(scope="module")
def access(shared: SharedBuilds) -> dict[str, bytes]:
    """The accessibility fixture laid out part by part and in one pass."""
    return {"parts": shared.build("access", formats=("pdf",)).pdf_path.read_bytes(),
            "single": shared.build("access", formats=("pdf",), single_pass=True
                                   ).pdf_path.read_bytes()}


def _same_structure(merged: bytes, single: bytes) -> None:
    one, other = Tree(merged), Tree(single)
    assert one.outline() == other.outline()
    assert [e.alt for e in one.walk()] == [e.alt for e in other.walk()]
    assert link_targets(one) == link_targets(other)
    assert [str(e.obj.get("/Lang", "")) for e in one.walk()] == \
        [str(e.obj.get("/Lang", "")) for e in other.walk()]


def test_part_by_part_pdf_is_tagged_like_the_one_pass_layout(access: dict[str, bytes]) -> None:
    assert check(access["parts"]) == []
    assert check(access["single"]) == []
    _same_structure(access["parts"], access["single"])


# Each fixture built with the formats its own test file builds it with, so that the session
# lays it out once (conftest.SharedBuilds); the PDF is the same whatever other formats are.
FORMATS = {"basic": ("html", "pdf"), "typesetting": ("html", "pdf"), "scripts": ("pdf",),
           "quarto": ("html", "pdf"), "charts": ("html", "pdf", "docx")}


@pytest.mark.parametrize("name", ["basic", "typesetting", "scripts", "quarto", "charts"])
def test_other_fixtures_merged_tree_matches_single_pass(name: str, shared: SharedBuilds) -> None:
    parts = shared.build(name, formats=FORMATS[name]).pdf_path.read_bytes()
    single = shared.build(name, formats=FORMATS[name], single_pass=True).pdf_path.read_bytes()
    assert check(parts) == []
    _same_structure(parts, single)


def test_incremental_and_draft_builds_stay_tagged(tmp_path: Path, shared: SharedBuilds) -> None:
    project = shared.copy("access", tmp_path, formats=("pdf",)).root
    chapter = project / "chapters/02-second.md"
    chapter.write_text(chapter.read_text() + "\nOne more paragraph, added later.\n")
    incremental = _pdf(project)  # the first chapter's pages come from the last PDF
    fresh = copy_root("access", tmp_path / "fresh")
    shutil.copy(chapter, fresh / "chapters/02-second.md")
    assert check(incremental) == []
    _same_structure(incremental, _pdf(fresh, single_pass=True))
    draft = _pdf(project, status="draft")
    assert check(draft) == []
    assert Tree(draft).outline() == Tree(incremental).outline()  # the watermark is no element


def test_structure_says_what_each_part_is(access: dict[str, bytes]) -> None:
    tree = Tree(access["parts"])
    sects = [e for e in tree.elements[0].kids if e.type == "Sect"]
    chapters = [s for s in sects if any(k.type == "H1" for k in s.kids)]
    for sect in chapters:
        assert sum(e.type == "H1" for e in sect.walk()) == 1  # label and title: one H1
        assert not any(k.type.startswith("H") for h in sect.kids if h.type == "H1"
                       for k in h.walk() if k is not h)
    first = chapters[1]  # cover, chapter 1, chapter 2, bibliography
    assert [k.type for k in first.kids[:2]] == ["P", "H1"]  # "Chapter 1", then the title
    assert "H3" in tree.outline()
    notes = [e for e in tree.walk() if e.type == "Note"]
    assert len(notes) == 3 and len({str(n.obj.ID) for n in notes}) == 3
    for parent in tree.walk():
        kinds = [k.type for k in parent.kids]
        for i, kind in enumerate(kinds):
            if kind == "Note":
                assert kinds[i - 1] == "Reference"  # reached from its call
    assert any(e.raw == "Aside" for e in tree.walk())
    assert tree.outline().count("BibEntry") == 3
    assert tree.role_map["Aside"] == "Div"
    figures = [e for e in tree.walk() if e.type == "Figure"]
    assert [f.alt for f in figures] == ["Shares of the two partners, in per cent."]
    scopes = [str(e.obj.A.Scope) for e in tree.walk() if e.type == "TH"]
    assert scopes == ["/Column", "/Column"]
    langs = sorted(str(e.obj.Lang) for e in tree.walk() if "/Lang" in e.obj)
    assert langs == ["ru", "zh"]
    long = max((e for e in tree.walk() if e.type == "P"), key=lambda e: len(e.mcids))
    assert len({page for page, _ in long.mcids}) == 2  # one P across the page break


def test_links_say_where_they_go(access: dict[str, bytes]) -> None:
    tree = Tree(access["parts"])
    described = {str(a.Contents) for e in tree.walk() for a in e.links}
    assert any(re.fullmatch(r"1\s+Names in other scripts, page \d+", d) for d in described)
    assert any(re.fullmatch(r"Section 1\.1 on page \d+", d) for d in described)
    assert any(re.fullmatch(r"Table 1 on page \d+", d) for d in described)
    assert any(d.startswith("Bibliography entry: TRENDS Research") for d in described)
    assert not any(d.startswith(("#", "sec-", "ref-")) for d in described)
    for element in tree.walk():
        for annot in element.links:
            if "/A" in annot:
                assert str(annot.Contents) == str(annot.A.URI)


def test_decoration_and_running_heads_are_artifacts(access: dict[str, bytes]) -> None:
    from tests.a11y.pdfcheck import content_marks
    tree = Tree(access["parts"])
    chapter_page = next(i for i, p in enumerate(tree.pdf.pages) if "/Annots" not in p.obj
                        and content_marks(tree.pdf, i)[2] >= 3)
    _, untagged, artifacts = content_marks(tree.pdf, chapter_page)
    assert untagged == 0 and artifacts >= 3  # folio, running head, its rule at least


def test_labels_extract_as_words(access: dict[str, bytes], tmp_path: Path) -> None:
    pdf = tmp_path / "access.pdf"
    pdf.write_bytes(access["parts"])
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "FIXTURE POLICY INSTITUTE" in text
    assert "CHAPTER 1" in text and "KEY TAKEAWAYS" in text


def test_missing_alt_text_warns_and_fails_under_strict(tmp_path: Path) -> None:
    project = copy_root("access", tmp_path)
    chapter = project / "chapters/02-second.md"
    chapter.write_text(chapter.read_text() + "\n![](figures/mark.svg)\n")
    line = len(chapter.read_text().splitlines())
    built = run_cli(project, "--format", "pdf")
    assert built.returncode == 0
    assert f"chapters/02-second.md:{line}: warning: image 'figures/mark.svg' has no alt text" \
        in built.stderr
    strict = run_cli(project, "--format", "pdf", "--strict")
    assert strict.returncode != 0 and "Traceback" not in strict.stderr
    assert f"chapters/02-second.md:{line}:" in strict.stderr


def test_language_marks_reach_the_web_edition(shared: SharedBuilds) -> None:
    built = shared.build("access", formats=("html",))
    html = built.html_path.read_text()
    assert '<span lang="ru">Сергей Королёв</span>' in html
    assert '<span lang="zh">北京</span>' in html


# --- The web edition in a real browser ------------------------------------------------

from tests.a11y import browser as web  # noqa: E402

needs_browser = pytest.mark.skipif(web.missing() is not None, reason=web.missing() or "")


@pytest.fixture(scope="module")
def editions(shared: SharedBuilds) -> list[Path]:
    """The web editions under test: the flagship report and four fixtures, each as its own
    test file builds it (the session builds it once; a PDF beside the page adds only
    metadata naming it)."""
    pages = [shared.build(FLAGSHIP, strict=True, formats=FLAGSHIP_FORMATS).html_path,
             shared.build("access", formats=("html",)).html_path]
    for name in ("basic", "quarto", "charts"):
        pages.append(shared.build(name, formats=FORMATS[name]).html_path)
    return pages


@needs_browser
def test_web_edition_has_no_axe_violations(editions: list[Path], chromium) -> None:
    """WCAG 2.2 A/AA and best practice: light, dark, 375 px wide, and a note pop-up open
    (the note, its call and its pop-up, where they sit: the rest of the page is as in the
    light, checked whole)."""
    found = {}
    for page in editions:
        chromium.size(1280, 900)
        chromium.color_scheme("light")
        chromium.open(page)
        found[(page.name, "light")] = chromium.violations()
        chromium.color_scheme("dark")
        found[(page.name, "dark")] = chromium.violations()
        chromium.color_scheme("light")
        chromium.size(375, 800)
        found[(page.name, "375px")] = chromium.violations()
        chromium.size(1280, 900)
        assert chromium.run("var r = document.querySelector('.fn-ref'); r.focus();"
                            "return getComputedStyle(r.parentNode.querySelector('.fn-body'))"
                            ".display") == "block"
        found[(page.name, "pop-up open")] = chromium.violations(".fn:focus-within")
    assert {key: v for key, v in found.items() if v} == {}


_POPUPS = """
var width = document.documentElement.clientWidth, out = [];
document.querySelectorAll('.fn-ref').forEach(function (call) {
  call.focus();
  var body = call.parentNode.querySelector('.fn-body'), box = body.getBoundingClientRect();
  var line = call.getBoundingClientRect();
  var tabbable = Array.prototype.filter.call(body.querySelectorAll('a, button, [tabindex]'),
    function (el) { return el.tabIndex >= 0; }).length;
  out.push({left: box.left, right: box.right, top: box.top, callBottom: line.bottom,
            width: width, tabbable: tabbable});
});
return out;
"""


@needs_browser
def test_note_popups_stay_in_the_window_and_out_of_the_tab_order(editions: list[Path],
                                                                  chromium) -> None:
    chromium.color_scheme("light")
    for width in (375, 1280):
        chromium.size(width, 800)
        for page in editions:
            chromium.open(page)
            popups = chromium.run(_POPUPS)
            assert popups, page
            for popup in popups:
                assert popup["left"] >= 0 and popup["right"] <= popup["width"], (page, popup)
                assert popup["top"] >= popup["callBottom"], (page, popup)  # below the line
                assert popup["tabbable"] == 0, (page, popup)


@needs_browser
def test_escape_closes_a_note_popup(editions: list[Path], chromium) -> None:
    chromium.size(1280, 900)
    chromium.open(editions[0])
    shown = "return getComputedStyle(document.querySelector('.fn-body')).display"
    chromium.run("document.querySelector('.fn-ref').focus()")
    assert chromium.run(shown) == "block"
    chromium.press("Escape")
    assert chromium.run(shown) == "none"
    assert chromium.run("return document.activeElement.className") == "fn-ref"  # focus stays
    chromium.press("Tab")
    chromium.run("document.querySelectorAll('.fn-ref')[1].focus()")
    assert chromium.run("return getComputedStyle(document.querySelectorAll('.fn-body')[1])"
                        ".display") == "block"


@needs_browser
def test_figures_sit_on_a_light_plate_in_dark_mode(editions: list[Path], chromium,
                                                   tmp_path: Path) -> None:
    """axe cannot see ink inside an image: a figure drawn for paper is dark on transparent,
    so in dark mode every figure but a chart gets a light plate (the basic fixture's).
    The screenshot is kept for a look."""
    chromium.size(1280, 900)
    chromium.open(editions[2])
    chromium.color_scheme("dark")
    page, plate = chromium.run(
        "var img = document.querySelector('figure img:not(.chart)'); img.scrollIntoView();"
        "return [getComputedStyle(document.documentElement).backgroundColor,"
        " getComputedStyle(img).backgroundColor];")
    chromium.screenshot(tmp_path / "dark-figure.png")
    chromium.color_scheme("light")

    def luminance(css: str) -> float:
        r, g, b = (int(x) for x in re.findall(r"\d+", css)[:3])
        return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255
    assert luminance(page) < 0.2 and luminance(plate) > 0.9


def test_checker_finds_what_it_claims_to(access: dict[str, bytes]) -> None:
    """Each check, fed a PDF broken in its way, reports it (the checker can fail)."""
    import io

    import pikepdf

    def broken(edit) -> list[str]:
        pdf = pikepdf.open(io.BytesIO(access["parts"]))
        edit(pdf, Tree(access["parts"]))
        buffer = io.BytesIO()
        pdf.save(buffer)
        return check(buffer.getvalue())

    def first(pdf, tree, kind):
        objgen = next(e for e in tree.walk() if e.type == kind).obj.objgen
        return pdf.get_object(objgen)

    def no_alt(pdf, tree):
        del first(pdf, tree, "Figure")["/Alt"]

    def no_scope(pdf, tree):
        del first(pdf, tree, "TH").A["/Scope"]

    def same_note_ids(pdf, tree):
        notes = [pdf.get_object(e.obj.objgen) for e in tree.walk() if e.type == "Note"]
        notes[1].ID = notes[0].ID

    def link_without_contents(pdf, tree):
        page = next(p for p in pdf.pages if "/Annots" in p.obj)
        del page.obj.Annots[0]["/Contents"]

    def shared_keys(pdf, tree):
        pdf.pages[5].obj.StructParents = pdf.pages[4].obj.StructParents

    def untitled(pdf, tree):
        del pdf.Root["/ViewerPreferences"]
        del pdf.Root["/Lang"]

    def untagged_text(pdf, tree):
        page = pdf.pages[4]
        page.contents_add(pdf.make_stream(b"BT /F1 9 Tf (x) Tj ET"), prepend=False)

    assert any(p.startswith("13-004") for p in broken(no_alt))
    assert any(p.startswith("15:") for p in broken(no_scope))
    assert any(p.startswith("19-003") for p in broken(same_note_ids))
    assert any("no /Contents" in p for p in broken(link_without_contents))
    assert any("shared" in p for p in broken(shared_keys))
    assert {p[:3] for p in broken(untitled)} >= {"07-", "11:"}
    assert any(p.startswith("01-005") and "untagged" in p for p in broken(untagged_text))


@needs_browser
def test_a_chart_draws_light_ink_on_the_dark_page(editions: list[Path], chromium,
                                                  tmp_path: Path) -> None:
    """A chart follows the colour scheme itself (#27): in dark mode the flagship's timeline
    (inline SVG) has no plate, and its drawing is light ink (the theme's dark --ink) on the
    dark page."""
    from PIL import Image

    chromium.size(1280, 900)
    chromium.open(editions[0])
    chromium.color_scheme("dark")
    box = chromium.run(
        "var img = document.querySelector('figure svg.chart'); img.scrollIntoView();"
        "var r = img.getBoundingClientRect();"
        "return [r.left, r.top, r.right, r.bottom, getComputedStyle(img).backgroundColor];")
    chromium.screenshot(tmp_path / "dark-chart.png")
    chromium.color_scheme("light")
    assert box[4] in ("rgba(0, 0, 0, 0)", "transparent")
    with Image.open(tmp_path / "dark-chart.png") as shot:
        crop = shot.convert("L").crop(tuple(int(v) for v in box[:4]))
        levels = sorted(crop.tobytes())
    assert levels[len(levels) // 2] < 60  # the page shows through: dark
    assert levels[-len(levels) // 200] > 180  # the text and points: light
