"""Print robustness (issue 23, item 6): long code lines stay on the page in every edition,
emoji print in colour, a character no font has is an error at its line before layout, and
pandoc's own warnings carry their line."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import REPO, build_root, copy_root
from PIL import Image

from reportc.cache import BuildCache
from reportc.document.read import read_chapters
from reportc.errors import BuildFailed, Diagnostics
from reportc.pdf.edition import PdfEdition
from reportc.project.chapters import Chapter

LONG_LINE = "result = compute(" + ", ".join(f"argument_{n}" for n in range(40)) + ")"
UNBROKEN = "x" * 240
EMOJI = "Done \u2705, failed \u274c, smile \U0001f642."
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="pdftotext (Debian poppler-utils) reads word positions")


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    root = copy_root("basic", tmp_path_factory.mktemp("print"))
    (root / "chapters/03-code.md").write_text(
        f"# Code and symbols\n\n```python\n{LONG_LINE}\nkey = \"{UNBROKEN}\"\n```\n\n{EMOJI}\n",
        encoding="utf-8")
    return build_root(root, formats=("html", "pdf", "docx"), git_stamp=False)


def _words(pdf: Path) -> list[tuple[float, float, str]]:
    """(right edge, page width, word) of every word of ``pdf``."""
    layout = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                            text=True, check=True).stdout
    words = []
    for page in re.findall(r'<page width="([\d.]+)".*?</page>', layout, re.S):
        width = float(page)
        words += [(float(right), width, word) for right, word in
                  re.findall(r'xMax="([\d.]+)"[^>]*>([^<]*)</word>',
                             layout.split(f'<page width="{page}"', 1)[1])]
    return words


def _assert_code_on_the_page(pdf: Path) -> None:
    words = _words(pdf)
    assert all(right <= width for right, width, _word in words), \
        [word for right, width, word in words if right > width]
    text = "".join(word for _right, _width, word in words)
    assert UNBROKEN in text and "argument_39" in text  # wrapped, nothing lost


def test_long_code_lines_wrap_in_the_pdf(printed):
    assert printed.warnings == []
    _assert_code_on_the_page(printed.pdf_path)


def test_long_code_lines_wrap_in_the_web_edition():
    """The theme wraps code (the browser's own layout is not run here): pre-wrap in the
    shared stylesheet, and the screen stylesheet no longer scrolls code sideways."""
    base = (REPO / "templates/css/base.css").read_text(encoding="utf-8")
    screen = (REPO / "templates/css/screen.css").read_text(encoding="utf-8")
    assert re.search(r"^pre, pre code \{ white-space: pre-wrap; overflow-wrap: anywhere; \}",
                     base, re.M)
    assert not re.search(r"\bpre\b[^{]*\{[^}]*(white-space|overflow-x)", screen)


def test_long_code_lines_wrap_in_the_word_edition(printed, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it")
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(printed.out / f"{printed.slug}.docx")], capture_output=True,
                   timeout=180, check=True)
    _assert_code_on_the_page(tmp_path / f"{printed.slug}.pdf")


def test_emoji_print_in_colour(printed, tmp_path):
    pages = printed.page_texts()
    number = next(i for i, text in enumerate(pages, start=1) if "smile" in text)
    stem = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", str(number), "-l",
                    str(number), str(printed.pdf_path), str(stem)], check=True)
    image = Image.open(stem.with_suffix(".png")).convert("RGB")
    colours = [pixel for pixel in image.get_flattened_data()
               if max(pixel) - min(pixel) > 80 and pixel[1] > pixel[2] + 40]
    assert len(colours) > 10  # the green of the check mark (text is grey or the accent blue)


@pytest.fixture
def no_layout(monkeypatch):
    """The PDF edition fails the test if it is ever laid out: the error must come before."""
    def laid_out(*args, **kwargs):
        raise AssertionError("the PDF was laid out")
    monkeypatch.setattr(PdfEdition, "write", laid_out)


def test_a_character_no_font_has_is_an_error_at_its_line_before_layout(tmp_path,
                                                                         no_layout):
    root = copy_root("basic", tmp_path)
    (root / "chapters/03-odd.md").write_text(
        "# Odd\n\n<!-- \ue001 in a comment is never printed -->\n\nA sign \U00010000 here.\n",
        encoding="utf-8")

    with pytest.raises(BuildFailed) as failed:
        build_root(root, formats=("html", "pdf"), git_stamp=False)
    assert [str(p) for p in failed.value.problems] == [
        "chapters/03-odd.md:5: no font has '\U00010000' (U+10000 Linear B Syllable B008 A): "
        "the PDF would print an empty box; install a font that has it (emoji: Debian's "
        "fonts-noto-color-emoji) or write it another way"]
    assert not (root / "out" / "fixture.html").exists()


def test_a_line_in_a_script_no_font_has_is_one_error_naming_its_characters(tmp_path,
                                                                              no_layout):
    """A page of Linear B (no font here has it) is one error a line, naming the first five
    characters, not one a character: a font-fallback demo gave 2,246 lines before."""
    root = copy_root("basic", tmp_path)
    signs = "".join(chr(0x10000 + n) for n in range(7))
    text = f"# Odd\n\nSigns {signs}.\n\nAgain {signs[0]} and {chr(0x10080)}.\n"
    (root / "chapters/03-odd.md").write_text(text, encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_root(root, formats=("pdf",), git_stamp=False)
    problems = [str(p) for p in failed.value.problems]
    assert len(problems) == 2, problems
    assert problems[0].startswith(
        "chapters/03-odd.md:3: no font has 7 characters of this line: '\U00010000' (U+10000 "
        "Linear B Syllable B008 A), '\U00010001' (U+10001 Linear B Syllable B038 E), ")
    assert " and 2 more: the PDF would print empty boxes; " in problems[0]
    assert "\U00010005" not in problems[0]  # the sixth and seventh are counted, not named
    assert problems[1].startswith("chapters/03-odd.md:5: no font has '\U00010080' (U+10080 ")


def test_an_edit_checks_the_glyphs_of_the_edited_chapter_only(tmp_path, shared, monkeypatch):
    """An unchanged chapter's characters were checked against the same fonts last time:
    only the edited chapter is walked again, and a character no font has that the edit
    brings in is still the error at its line."""
    import reportc.pdf.glyphs

    project = shared.copy("basic", tmp_path, formats=("pdf",)).root
    walked: list[str] = []
    real = reportc.pdf.glyphs._missing

    def counting(doc, covered):
        walked.append(doc.rel)
        return real(doc, covered)

    monkeypatch.setattr(reportc.pdf.glyphs, "_missing", counting)
    intro = project / "chapters/01-intro.md"
    intro.write_text(intro.read_text().replace("describe the ties", "describe these ties"))
    build_root(project, formats=("pdf",))
    assert walked == ["chapters/01-intro.md"]
    intro.write_text(intro.read_text().replace("these ties", "these \U00010000 ties"))
    with pytest.raises(BuildFailed) as failed:
        build_root(project, formats=("pdf",))
    line = intro.read_text().splitlines().index(
        next(t for t in intro.read_text().splitlines() if "\U00010000" in t)) + 1
    assert [str(p) for p in failed.value.problems] == [
        f"chapters/01-intro.md:{line}: no font has '\U00010000' (U+10000 Linear B Syllable "
        "B008 A): the PDF would print an empty box; install a font that has it (emoji: "
        "Debian's fonts-noto-color-emoji) or write it another way"]

def test_pandocs_own_warning_carries_its_line(tmp_path):
    diag = Diagnostics()
    text = "# T\n\nSee [the site].\n\n[the site]: https://example.org/a\n" \
           "[the site]: https://example.org/b\n"
    chapter = Chapter(path=tmp_path / "x.md", rel="chapters/x.md", text=text)
    with ThreadPoolExecutor(max_workers=1) as pool:
        read_chapters([chapter], diag, BuildCache(tmp_path / "c", diag, enabled=False), pool, 1)
    assert [(p.line, p.code) for p in diag.problems] == [(6, "pandoc")]


def test_an_image_that_cannot_be_loaded_is_an_error_at_its_line_before_layout(tmp_path,
                                                                             no_layout):
    root = copy_root("basic", tmp_path)
    (root / "figures/broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    (root / "figures/broken.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'><rect",
                                             encoding="utf-8")
    (root / "figures/damaged.png").write_bytes(_damaged_png(b"IDAT"))
    (root / "figures/edited.png").write_bytes(_damaged_png(b"zTXt"))
    (root / "chapters/03-broken.md").write_text(
        "# Broken\n\n![A broken picture](figures/broken.png)\n\n"
        "![A broken drawing](figures/broken.svg)\n\n![A damaged chunk](figures/damaged.png)\n"
        "\n![An editor's comment chunk](figures/edited.png)\n", encoding="utf-8")

    with pytest.raises(BuildFailed) as failed:
        build_root(root, formats=("html", "pdf"), git_stamp=False)
    assert [str(p) for p in failed.value.problems] == [
        "chapters/03-broken.md:3: image 'figures/broken.png' cannot be read: it is not a PNG, "
        "JPEG, GIF, WebP or other image Pillow can decode",
        "chapters/03-broken.md:5: image 'figures/broken.svg' cannot be read: it is not "
        "well-formed SVG (unclosed token: line 1, column 40)",
        "chapters/03-broken.md:7: image 'figures/damaged.png' cannot be read: its PNG chunk "
        "'IDAT' is damaged (its checksum does not match): save the image again, e.g. from an "
        "image editor or with optipng"]  # (edited.png: drawn, as WeasyPrint and browsers do)


def _damaged_png(kind: bytes) -> bytes:
    """A PNG with a chunk of ``kind`` whose checksum is wrong: image data (IDAT: the file
    is damaged), or the metadata chunk an editor wrote wrongly in a 2016 thesis's figures
    (zTXt: browsers and WeasyPrint skip the chunk; reportc refused the file, or not,
    depending on whether WeasyPrint had been imported before it looked)."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    data = buffer.getvalue()
    body = kind + (b"Comment\x00\x00" if kind == b"zTXt" else b"") + zlib.compress(b"x" * 64)
    chunk = len(body[4:]).to_bytes(4, "big") + body + (zlib.crc32(body) ^ 1).to_bytes(4, "big")
    return data[:33] + chunk + data[33:]  # after the signature and IHDR
