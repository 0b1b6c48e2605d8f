"""The web edition, parsed: structure, notes, boxes, links, accessibility basics."""

from __future__ import annotations

import itertools
import re

import pytest
from htmlparse import parse_html


@pytest.fixture(scope="module")
def page(basic):
    return parse_html(basic.html_path.read_text(encoding="utf-8"))


def test_language_landmarks_and_one_h1(page):
    html = page.find_all("html")[0]
    assert html.attrs["lang"] == "en-GB"
    for landmark in ("header", "nav", "main", "footer"):
        assert page.find_all(landmark), landmark
    assert len(page.find_all("h1")) == 1


def test_headings_never_skip_a_level(page):
    levels = [int(e.tag[1]) for e in page.iter() if re.fullmatch(r"h[1-6]", e.tag)]
    for previous, current in itertools.pairwise(levels):
        assert current <= previous + 1, levels


def test_every_internal_link_has_a_target(page):
    ids = {e.attrs["id"] for e in page.iter() if "id" in e.attrs}
    hrefs = [e.attrs["href"] for e in page.find_all("a") if e.attrs.get("href", "").startswith("#")]
    assert len(hrefs) > 20
    missing = sorted({h for h in hrefs if h[1:] not in ids})
    assert not missing


def test_ids_are_unique(page):
    ids = [e.attrs["id"] for e in page.iter() if "id" in e.attrs]
    assert len(ids) == len(set(ids))


def test_notes_have_popups_end_notes_and_back_links(page):
    notes = page.find_all("span", "fn")
    assert len(notes) == 10
    for note in notes:
        call = note.find_all("a", "fn-ref")[0]
        body = note.find_all("span", "fn-body")[0]
        assert body.text(), "the pop-up carries the note text"
        target = call.attrs["href"][1:]
        item = next(e for e in page.iter() if e.attrs.get("id") == target)
        back = item.find_all("a", "fn-back")[0]
        assert back.attrs["href"] == "#" + call.attrs["id"]
        assert item.text().startswith(body.text()[:20])


def test_notes_restart_in_each_chapter(page):
    parts = page.find_all("section", "part")
    firsts = [part.find_all("a", "fn-ref")[0].text() for part in parts
              if part.find_all("a", "fn-ref")]
    assert firsts == ["1", "1", "1"]


def test_citations_link_to_their_bibliography_entries(page):
    entries = {e.attrs["id"] for e in page.find_all("div", "csl-entry")}
    assert entries == {"ref-lee2022", "ref-bendett2019", "ref-trends2022"}
    cited = {e.attrs["href"][1:] for e in page.find_all("a")
             if e.attrs.get("role") == "doc-biblioref"}
    assert cited == entries


def test_takeaway_boxes_carry_label_and_accessible_name(page):
    boxes = page.find_all("div", "takeaways")
    assert [b.attrs["aria-label"] for b in boxes] == ["Key takeaways", "What this chapter finds"]
    for box in boxes:
        assert box.attrs["role"] == "note"
        assert box.find_all(cls="takeaways-label")[0].text() == box.attrs["aria-label"]
        assert box.find_all("li")


def test_sidebar_contents_lists_chapters_and_sections(page):
    toc = page.find_all("nav", "toc")[0]
    texts = [a.text() for a in toc.find_all("a")]
    assert texts[:5] == ["Executive summary", "1Introduction", "1.1Scope", "1.2Method",
                         "2Defence-oriented technologies"]


def test_cross_references_read_as_words(page):
    text = page.find_all("main")[0].text()
    assert "listed in Table\u00a01" in text
    xrefs = {a.attrs["href"] for a in page.find_all("a", "xref")}
    assert {"#tbl-fields", "#fig-bars", "#sec-defence", "#sec-intro"} <= xrefs


def test_assets_and_images_are_written_beside_the_page(basic, page):
    for link in page.find_all("link"):
        assert (basic.out / link.attrs["href"]).is_file()
    for image in page.find_all("img"):
        assert (basic.out / image.attrs["src"]).is_file()
    assert sorted(p.name for p in (basic.out / "assets" / "fonts").iterdir())[:1] == \
        ["SourceSans3-Bold.woff2"]  # subset WOFF2 (test_web_fonts.py)


def test_only_the_theme_script_is_present(basic):
    html = basic.html_path.read_text(encoding="utf-8")
    scripts = re.findall(r"<script[^>]*>", html)  # the JSON-LD metadata block is data
    assert [tag for tag in scripts if tag != '<script type="application/ld+json">'] == \
        ["<script>"]
    assert "onload=" not in html and "javascript:" not in html


def test_screen_css_follows_dark_mode_and_reduced_motion_and_has_print_rules(basic):
    css = (basic.out / "assets" / "css" / "screen.css").read_text(encoding="utf-8")
    assert "prefers-color-scheme: dark" in css
    assert "prefers-reduced-motion" in css
    assert "@media print" in css
