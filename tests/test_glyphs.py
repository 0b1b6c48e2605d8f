"""Cyrillic and Chinese render as the right glyphs, checked on pixels.

Text extraction cannot catch wrong glyphs (the PDF text layer stays correct
while the drawn glyphs are wrong), so a rendered page is compared with a
reviewed golden image. Regenerate with ``make goldens`` and review the diff.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import GOLDENS, Built, SharedBuilds
from PIL import Image, ImageChops, ImageStat

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None,
                                reason="pdftoppm (Debian poppler-utils) is needed to render pages")
GOLDEN = GOLDENS / "scripts-chapter.png"
MAX_MEAN_DIFFERENCE = 1.5  # of 255: anti-aliasing noise, far below one wrong glyph


def _render(pdf: Path, page: int, target: Path) -> Path:
    stem = target.with_suffix("")
    subprocess.run(["pdftoppm", "-r", "60", "-gray", "-png", "-singlefile", "-f", str(page),
                    "-l", str(page), str(pdf), str(stem)], check=True)
    return target


@pytest.fixture(scope="module")
def scripts(shared: SharedBuilds) -> Built:
    return shared.build("scripts", formats=("pdf",))


def test_text_layer_has_the_cyrillic_and_chinese_text(scripts):
    text = " ".join(scripts.page_texts())
    assert "Российско-китайское сотрудничество" in text
    assert "中俄在先进技术领域的合作" in text


def test_no_missing_glyph_warnings(scripts):
    assert scripts.warnings == []


def test_glyphs_match_the_reviewed_golden_image(scripts, tmp_path, update_goldens):
    chapter = next(number for number, text in enumerate(scripts.page_texts(), start=1)
                   if "Российско-китайское" in text)
    page = _render(scripts.pdf_path, chapter, tmp_path / "page.png")
    if update_goldens:
        GOLDEN.parent.mkdir(exist_ok=True)
        shutil.copyfile(page, GOLDEN)
        pytest.skip("golden image rewritten: review tests/goldens/scripts-chapter.png")
    assert GOLDEN.is_file(), "no golden image yet: run `make goldens` and review it"
    actual, expected = Image.open(page).convert("L"), Image.open(GOLDEN).convert("L")
    assert actual.size == expected.size
    difference = ImageStat.Stat(ImageChops.difference(actual, expected)).mean[0]
    assert difference <= MAX_MEAN_DIFFERENCE, (
        f"page differs from the golden image by {difference:.2f}/255; look at {page}")
