"""Bibliographies in every format pandoc reads, and any style of the CSL repository (#23).

BibTeX/biblatex, CSL JSON and CSL YAML, several files at once (duplicate keys located),
a file that parses to nothing an error; styles by name with renamed and dependent styles
resolved, unknown names answered with the closest; numeric labels beside their entries
and the list's heading from the style and the language.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import build_root, copy_root

from reportc.errors import Diagnostics
from reportc.project.bibliography import load_bibliography
from reportc.project.config import load_config
from reportc.project.csl import STYLES_DIR, resolve_csl

CSL_JSON = """[
  {
    "id": "numpy",
    "type": "software",
    "title": "NumPy"
  },
  {
    "id": "pandas",
    "type": "software",
    "title": "pandas"
  }
]
"""
CSL_YAML = """references:
- id: tide2020
  type: book
  title: Tides
- id: moon2021
  type: book
  title: Moon
"""
BIBTEX = "@book{field2021,\n  author = {Field, Ada},\n  title = {Rivers},\n  date = {2021}\n}\n"


def _load(tmp_path: Path, files: dict[str, str]) -> tuple[dict, list[str]]:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    diag = Diagnostics()
    bib = load_bibliography([tmp_path / name for name in files], tmp_path, diag)
    return {key: (bib.rel_of(r), r.line) for key, r in bib.records.items()}, \
        [str(p) for p in diag.problems]


def test_bibtex_csl_json_and_csl_yaml_are_read_together(tmp_path):
    records, problems = _load(tmp_path, {"book.bib": BIBTEX, "packages.json": CSL_JSON,
                                         "more.yaml": CSL_YAML})
    assert problems == []
    assert records == {"field2021": ("book.bib", 1), "numpy": ("packages.json", 3),
                       "pandas": ("packages.json", 8), "tide2020": ("more.yaml", 2),
                       "moon2021": ("more.yaml", 5)}


def test_a_key_defined_in_two_files_is_located_at_its_second_definition(tmp_path):
    _records, problems = _load(tmp_path, {"book.bib": BIBTEX, "dup.yaml":
                                          "- id: other\n  title: O\n- id: Field2021\n"
                                          "  title: Again\n"})
    assert problems == ["dup.yaml:3: duplicate entry key 'Field2021' (first defined in "
                        "book.bib:1)"]


@pytest.mark.parametrize(("name", "text", "message"), [
    ("refs.bib", CSL_JSON, "refs.bib:1: holds no bibliography entries (BibTeX or biblatex "
                           "files end .bib, CSL JSON .json, CSL YAML .yaml)"),
    ("refs.json", "{\"items\": []}\n", "refs.json:1: is not a CSL JSON bibliography: expected "
                                      "a list of items, each with an 'id'"),
    ("refs.json", "[\n  {\"id\": \"a\",}\n]\n", "refs.json:2: is not valid CSL JSON: Expecting "
                                               "property name enclosed in double quotes"),
    ("refs.json", "[]\n", "refs.json:1: holds no bibliography entries (BibTeX or biblatex "
                          "files end .bib, CSL JSON .json, CSL YAML .yaml)"),
    ("refs.yaml", "- title: No id\n", "refs.yaml:1: item 1 has no 'id' (each CSL item needs "
                                      "one: its citation key)"),
    ("refs.yaml", "- id: bad\n  URL: javascript:alert(1)\n",
     "refs.yaml:1: entry 'bad': URL 'javascript:alert(1)' must start with http:// or https://"),
])
def test_a_file_that_parses_to_nothing_is_an_error(tmp_path, name, text, message):
    _records, problems = _load(tmp_path, {name: text})
    assert problems[0] == message


def test_report_yaml_takes_a_list_of_bibliography_files_each_located(tmp_path):
    root = copy_root("basic", tmp_path)
    (root / "packages.json").write_text(CSL_JSON, encoding="utf-8")
    with (root / "report.yaml").open("a", encoding="utf-8") as config:
        config.write("bibliography:\n  - references.bib\n  - packages.json\n  - gone.yaml\n")
    diag = Diagnostics()
    config = load_config(root, diag)
    lines = (root / "report.yaml").read_text(encoding="utf-8").split("\n")
    assert [str(p) for p in diag.problems] == [
        f"report.yaml:{lines.index('  - gone.yaml') + 1}: bibliography file 'gone.yaml' not "
        "found"]
    assert [p.name for p in config.bibliographies] == ["references.bib", "packages.json"]


def test_a_cited_csl_json_entry_prints_in_the_list(tmp_path):
    root = copy_root("basic", tmp_path)
    (root / "packages.json").write_text(CSL_JSON, encoding="utf-8")
    with (root / "report.yaml").open("a", encoding="utf-8") as config:
        config.write("bibliography: [references.bib, packages.json]\nsilence: [bib.unused]\n")
    chapter = root / "chapters/01-intro.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nSee [@numpy].\n",
                       encoding="utf-8")
    built = build_root(root, formats=("html",))
    assert built.warnings == []
    html = built.html_path.read_text(encoding="utf-8")
    assert re.search(r'<div id="ref-numpy" class="csl-entry"[^>]*>\s*<em>NumPy</em>', html)


# --- styles ----------------------------------------------------------------------------------

def _style(tmp_path: Path, csl: str, lang: str = "en-GB") -> tuple[str | None, str, list[str]]:
    (tmp_path / "report.yaml").write_text(f"title: T\ncsl: {csl}\nlang: {lang}\n",
                                          encoding="utf-8")
    diag = Diagnostics()
    config = load_config(tmp_path, diag)
    path = resolve_csl(config, diag)
    return (path.name if path else None), config.references_title, \
        [str(p) for p in diag.problems]


@pytest.mark.parametrize(("name", "parent"), [
    ("apa", "apa.csl"),
    ("mla", "modern-language-association.csl"),  # renamed
    ("modern-humanities-research-association", "mhra-notes.csl"),  # renamed
    ("vancouver", "nlm-citation-sequence.csl"),  # renamed
    ("nature-genetics", "nature.csl"),  # dependent
    ("angelaki", "modern-language-association.csl"),  # dependent
])
def test_any_style_name_of_the_csl_repository_resolves_to_a_shipped_style(tmp_path, name,
                                                                          parent):
    found, _heading, problems = _style(tmp_path, name)
    assert problems == [] and found == parent
    assert (STYLES_DIR / parent).is_file()


def test_an_unknown_style_is_answered_with_the_closest_names(tmp_path):
    _found, _heading, problems = _style(tmp_path, "chicago-author-dat")
    assert problems == [
        "report.yaml:2: unknown CSL style 'chicago-author-dat' (closest: chicago-author-date, "
        "chicago-author-date-fr, chicago-author-date-de; give a .csl file in the report or a "
        "style name of the CSL repository such as apa, ieee or chicago-notes-bibliography)"]


@pytest.mark.parametrize(("csl", "lang", "heading"), [
    ("apa", "en-GB", "References"), ("ieee", "en-US", "References"),
    ("chicago-notes-bibliography", "en-GB", "Bibliography"), ("apa", "de-DE", "Literatur"),
    ("chicago-notes-bibliography", "fr", "Bibliographie"),
])
def test_the_heading_follows_the_style_and_the_language(tmp_path, csl, lang, heading):
    assert _style(tmp_path, csl, lang)[1] == heading


def test_numeric_labels_stand_beside_their_entries_and_report_yaml_names_the_list(tmp_path):
    root = copy_root("basic", tmp_path)
    with (root / "report.yaml").open("a", encoding="utf-8") as config:
        config.write("csl: ieee\nreference-section-title: Works cited\n")
    built = build_root(root, formats=("html", "pdf"))
    html = built.html_path.read_text(encoding="utf-8")
    assert '<span class="chapter-title">Works cited</span>' in html
    assert re.search(r'<div class="csl-left-margin">\[1\]\s*</div><div class="csl-right-inline">',
                     html)
    layout = subprocess.run(["pdftotext", "-layout", str(built.pdf_path), "-"], check=True,
                            capture_output=True, text=True).stdout  # as a reader sees lines
    listed = layout[layout.rindex("Works cited"):]
    numbered = re.findall(r"(?m)^\s*(\[\d\])\s+(\S.*)$", listed)
    assert [label for label, _entry in numbered] == ["[1]", "[2]", "[3]"]
    assert numbered[0][1].startswith("J. Lee, \u2018China-russia cooperation")  # beside it
    lines = listed.split("\n")
    after = lines[next(i for i, line in enumerate(lines) if "[1]" in line) + 1]
    assert after.startswith(" " * 4) and after.strip()  # the second line hangs after "[1]"


def test_the_word_bibliography_style_hangs_with_a_tab_at_its_indent():
    import zipfile

    from conftest import REPO

    with zipfile.ZipFile(REPO / "templates/reference.docx") as word:
        styles = word.read("word/styles.xml").decode("utf-8")
    style = re.search(r'<w:style [^>]*w:styleId="Bibliography".*?</w:style>', styles).group()
    indent = re.search(r'<w:ind w:left="(\d+)" w:hanging="(\d+)"', style)
    assert indent and indent.group(1) == indent.group(2) != "0"
    assert f'<w:tab w:pos="{indent.group(1)}" w:val="left"' in style  # "[1]<tab>entry"
    assert "<w:keepLines" in style
