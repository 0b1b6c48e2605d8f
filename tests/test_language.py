"""reportc's own words in the report's language: a German report (tests/roots/language-de)
reads German everywhere reportc writes a word itself, and ``language:`` sets any word."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import Built, build_root, copy_root

from reportc.errors import Diagnostics
from reportc.project.config import load_config
from reportc.project.language import Words, _css_string, words_for
from reportc.project.words import ENGLISH, TRANSLATIONS

# English words reportc printed in every report before it had translations
ENGLISH_WORDS = ("Contents", "Figure", "Table", "Chapter", "Appendix", "on the next page",
                 "on the previous page", "on p.", "Key takeaways", "Note", "Proof", "Theorem",
                 "Equation", "Bibliography", "Skip to", "Back to the text",
                 "Built with", "March")


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = copy_root("language-de", tmp_path_factory.mktemp("language"))
    return build_root(root, use_cache=False)


def _visible(html: str) -> str:
    """A page's words as a reader or a screen reader meets them: text and labels."""
    body = re.sub(r"<(style|script|svg)\b.*?</\1>", "", html[html.index("<body"):], flags=re.S)
    labels = " ".join(re.findall(r'(?:aria-label|alt|title)="([^"]*)"', body))
    return re.sub(r"<[^>]+>", " ", body) + " " + labels


def test_the_pdf_prints_reportcs_words_in_german(german):
    pages = german.page_texts()
    text = "\n".join(pages)
    assert "4. März 2026 · Version 2.0" in pages[0]
    assert any(page.lstrip().startswith("Inhalt") for page in pages)
    for words in ("KAPITEL 1", "KAPITEL 2", "ANHANG A", "Abbildung 1. Tiefe", "Tabelle 1. Die",
                  "Hinweis", "Satz 1", "Beweis.", "DAS WICHTIGSTE", "Abbildungen", "Tabellen",
                  "Das Wichtigste im Überblick", "Kapitel 2 auf S. 9", "Literaturverzeichnis"):
        assert words in text, words
    # nearby targets worded by their page, in German, while the PDF is laid out
    flat = " ".join(text.split())
    assert "Zurück zu Abbildung 1 auf der vorigen Seite, zu Gleichung 1 auf der vorigen Seite" \
        in flat
    assert "Anhang A auf S. 11" in flat
    for english in ENGLISH_WORDS:
        assert english not in text, english
    outline = [item.title for item in german.pdf.outline if not isinstance(item, list)]
    assert outline[:4] == ["Inhalt", "Abbildungen", "Tabellen", "Das Wichtigste im Überblick"]
    assert not german.warnings


def test_the_web_page_speaks_german_to_readers_and_screen_readers(german):
    html = german.html_path.read_text(encoding="utf-8")
    visible = _visible(html)
    for words in ("Zum Bericht springen", 'aria-label="Inhalt"', "Anmerkungen",
                  'aria-label="Anmerkung 1"', "Zurück zum Text von Anmerkung 1",
                  "Erstellt mit reportc.", "Hinweis", "Kapitel 2"):
        assert words in html, words
    for english in ENGLISH_WORDS:
        assert english not in visible, english


def test_english_words_are_the_ones_reportc_always_printed():
    words = words_for("en-GB")
    assert dict(words) == ENGLISH and not words.missing
    # nothing is added to an English page: its bytes are those of earlier builds
    assert (words.css(), words.brief_css(), words.search()) == ("", "", {})
    assert words.labels()["fig"] == "Figure" and words.labels()["ch"] == "Chapter"
    assert words.date(dt.date(2026, 3, 4)) == "4 March 2026"
    assert words.date(dt.date(2026, 3, 4), us=True) == "March 4, 2026"


@pytest.mark.parametrize("code", sorted(TRANSLATIONS))
def test_every_translation_has_every_word(code):
    table = TRANSLATIONS[code]
    assert set(table) == set(ENGLISH)
    assert len(table["months"].split()) == 12
    day = words_for(code).date(dt.date(2026, 12, 7))
    assert "7" in day and "2026" in day and table["months"].split()[11] in day
    assert not words_for(f"{code}-XX").missing  # a region reads its language's table
    assert words_for(code).css()  # the page wording is the language's


def test_dates_follow_the_language():
    assert words_for("de").date(dt.date(2026, 3, 4)) == "4. März 2026"
    assert words_for("fr-CA").date(dt.date(2026, 3, 4)) == "4 mars 2026"
    assert words_for("es").date(dt.date(2026, 3, 4)) == "4 de marzo de 2026"
    assert words_for("pt-BR")["crossref-sec-prefix"] == "Seção"
    assert words_for("pt-PT")["crossref-sec-prefix"] == "Secção"


def test_a_word_in_css_cannot_close_the_style_element_or_the_string():
    assert _css_string('a"b\\c</style>\u00a0') == '"a\\"b\\\\c\\3c /style>\\00a0 "'


def _config(tmp_path: Path, text: str) -> tuple[Words, list[str]]:
    (tmp_path / "chapters").mkdir(exist_ok=True)
    (tmp_path / "chapters/01-a.md").write_text("# A\n\nText.\n", encoding="utf-8")
    (tmp_path / "report.yaml").write_text(text, encoding="utf-8")
    diag = Diagnostics.until_policy()
    config = load_config(tmp_path, diag)
    diag.set_policy(strict=False, silenced=frozenset(config.silence))
    return config.words, [str(problem) for problem in diag.problems]


def test_language_sets_any_word_and_crossref_prefixes_win(tmp_path):
    words, messages = _config(tmp_path, (
        "title: T\nlang: de\ncrossref:\n  fig-prefix: Abb.\nlanguage:\n"
        "  toc-title-document: Übersicht\n  callout-note-caption: Merke\n  bogus-word: x\n"))
    assert words["toc-title-document"] == "Übersicht"
    assert words.labels()["nte"] == "Merke"  # Quarto's older -caption key
    assert words.labels()["fig"] == "Abb." and words["crossref-tbl-title"] == "Tabelle"
    assert messages == ["report.yaml:5: warning: language: unknown word 'bogus-word' (ignored); "
                        "the words are listed in the manual's Languages section "
                        "[config.unknown]"]


def test_language_may_name_a_yaml_file_in_the_report(tmp_path):
    (tmp_path / "words.yml").write_text("xref-page-next: umseitig\n", encoding="utf-8")
    words, messages = _config(tmp_path, "title: T\nlang: de\nlanguage: words.yml\n")
    assert words["xref-page-next"] == "umseitig" and not messages
    assert '" umseitig"' in words.css()
    _words, messages = _config(tmp_path, "title: T\nlanguage: ../outside.yml\n")
    assert messages == ["report.yaml:2: '../outside.yml' is outside the report directory"]
    _words, messages = _config(tmp_path, "title: T\nlanguage: missing.yml\n")
    assert messages == ["report.yaml:2: language file 'missing.yml' not found"]


def test_a_language_without_a_translation_is_said_once_and_can_be_silenced(tmp_path):
    words, messages = _config(tmp_path, "title: T\nlang: ja\n")
    assert words["toc-title-document"] == "Contents"
    assert len(messages) == 1 and messages[0].startswith(
        f"report.yaml:2: warning: lang 'ja': {len(ENGLISH)} of reportc's own words have no "
        "translation")
    assert messages[0].endswith("[language.missing]")
    _words, messages = _config(tmp_path, "title: T\nlang: ja\nsilence: [language.missing]\n")
    assert messages == []
    every = "".join(f"  {key}: x\n" for key in ENGLISH)
    _words, messages = _config(tmp_path, f"title: T\nlang: ja\nlanguage:\n{every}")
    assert messages == []


def test_a_changed_word_rebuilds_exactly(tmp_path):
    """The per-chapter cache keys on the words: a build after a change of ``language:``
    gives the bytes of a build without the cache."""
    root = copy_root("language-de", tmp_path)
    build_root(root, formats=("html",))
    config = root / "report.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "language:\n"
                      "  crossref-ch-prefix: Teil\n  crossref-fig-title: Bild\n", encoding="utf-8")
    cached = build_root(root, formats=("html",))
    fresh = build_root(root, formats=("html",), use_cache=False, out=tmp_path / "fresh")
    html = cached.html_path.read_text(encoding="utf-8")
    assert "Teil 1" in html and "Bild\u00a01" in html and "Abbildung\u00a01" not in html
    assert cached.html_path.read_bytes() == fresh.html_path.read_bytes()


def test_a_changed_language_file_is_a_change_to_the_report(tmp_path):
    """The no-change check hashes the files a setting reads (here ``language: words.yml``)."""
    root = copy_root("language-de", tmp_path)
    words = root / "words.yml"
    words.write_text("toc-title-document: Übersicht\n", encoding="utf-8")
    config = root / "report.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "language: words.yml\n",
                      encoding="utf-8")
    built = build_root(root, formats=("html",))
    assert ">Übersicht<" in built.html_path.read_text(encoding="utf-8")
    words.write_text("toc-title-document: Inhaltsübersicht\n", encoding="utf-8")
    html = build_root(root, formats=("html",)).html_path.read_text(encoding="utf-8")
    assert ">Inhaltsübersicht<" in html and ">Übersicht<" not in html


def test_the_epub_and_word_editions_speak_german_too(tmp_path):
    import zipfile

    root = copy_root("language-de", tmp_path)
    built = build_root(root, formats=("epub", "docx"), use_cache=False)
    with zipfile.ZipFile(built.out / f"{built.slug}.epub") as book:
        nav = book.read(next(n for n in book.namelist() if n.endswith("nav.xhtml"))).decode()
        text = " ".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml"))
    for words in (">Titelseite<", ">Inhaltsverzeichnis<", ">Textanfang<",
                  ">Literaturverzeichnis<"):
        assert words in nav, words
    assert "Abbildung\u00a01" in text and "Kapitel" in text
    with zipfile.ZipFile(built.out / f"{built.slug}.docx") as document:
        xml = document.read("word/document.xml").decode()
    assert "<w:t>Inhalt</w:t>" in xml and "Version 2.0" in xml
    shown = " ".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml))  # the text Word shows
    for english in ("Contents", "Figure", "Bibliography"):
        assert english not in shown and english not in nav, english


def test_a_drafts_watermark_and_banner_are_in_german(tmp_path):
    root = copy_root("language-de", tmp_path)
    built = build_root(root, formats=("html", "pdf"), status="draft", git_stamp=False)
    html = built.html_path.read_text(encoding="utf-8")
    assert "<strong>ENTWURF</strong> · nicht die endgültige Fassung · " in html
    assert "ENTWURF" in built.page_texts()[6] and "DRAFT" not in "".join(built.page_texts())


def test_a_charts_data_table_is_titled_in_german(tmp_path):
    root = copy_root("charts", tmp_path)
    config = root / "report.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^lang: .*$", "lang: de", text) if "lang:" in text
                      else text + "lang: de\n", encoding="utf-8")
    html = build_root(root, formats=("html",)).html_path.read_text(encoding="utf-8")
    assert re.search(r"<summary>Daten dieses Diagramms \(\d+ Zeilen", html)
    assert "Data of this chart" not in html


def test_the_pdfs_links_are_described_in_german(german):
    """What a screen reader announces for a link: its text and where it goes."""
    described = [str(annot.get_object().get("/Contents", "")) for page in german.pdf.pages
                 for annot in page.get("/Annots", [])]
    assert "Anhang A auf Seite 11" in described
    assert "Satz 1 auf der vorigen Seite" in described  # its words broken over two lines
    assert "Kapitel 2 auf Seite 9" in described and "2 Methode, Seite 9" in described
    assert not [text for text in described if "page" in text or text == "Link"]
