"""A cover with many authors under a long title: the byline never overlaps the title
(greenelab/meta-review's cover did: seven authors with long affiliations under two title
lines), and a cover with room keeps its byline at the foot."""

from __future__ import annotations

import re
import subprocess

from conftest import build_root, copy_root

from reportc.editions.byline import _lines

AFFILIATION = ("Department of Systems Pharmacology and Translational Therapeutics, University "
               "of Pennsylvania, Philadelphia, Pennsylvania, United States of America")


def _first_page_words(pdf) -> list[tuple[str, float, float]]:
    """(word, top, bottom) of page 1, in points from the top (pdftotext's bounding boxes)."""
    xml = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return [(word, float(top), float(bottom)) for top, bottom, word in re.findall(
        r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', xml)]


def _title_and_byline(root, authors: int) -> tuple[float, float, float]:
    """The title's lowest point, the first author's top and the last word's bottom."""
    report = root / "report.yaml"
    text = report.read_text(encoding="utf-8")
    listed = "".join(f"  - name: Author{n} Person\n    affiliation: {AFFILIATION}\n"
                     for n in range(authors))
    text = re.sub(r"authors:\n(?:  .*\n)+", "authors:\n" + listed, text)
    text = text.replace('title: "Cooperation under constraint"',
                        'title: "Open collaborative writing with long titles"')
    report.write_text(text, encoding="utf-8")
    built = build_root(root, formats=("pdf",), git_stamp=False)
    words = _first_page_words(built.pdf_path)
    title_bottom = max(bottom for word, _, bottom in words if word in ("Open", "titles"))
    first_author = min(top for word, top, _ in words if word == "Author0")
    return title_bottom, first_author, max(bottom for _, _, bottom in words)


def test_many_authors_follow_the_title_instead_of_overlapping_it(tmp_path):
    title_bottom, first_author, last = _title_and_byline(copy_root("basic", tmp_path), 7)
    assert first_author > title_bottom + 10, (title_bottom, first_author)
    assert last < 842  # still on the cover page


def test_a_cover_with_room_keeps_its_byline_at_the_foot(tmp_path):
    title_bottom, first_author, last = _title_and_byline(copy_root("basic", tmp_path), 2)
    assert first_author > title_bottom + 150  # far below: set from the foot
    assert 842 - 30 * 72 / 25.4 - 40 < last < 842 - 30 * 72 / 25.4 + 2  # 30 mm from the foot


def test_lines_break_between_words():
    assert _lines("", 28) == 0
    assert _lines("short", 28) == 1
    assert _lines("Open collaborative writing with Manubot", 28) == 2
    assert _lines("x" * 60, 28) == 3
