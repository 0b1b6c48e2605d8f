"""report.yaml's schema (reportc/project/schema.py) against what is made from it: the
checks' messages, the manual's key table, ``reportc new``'s comments and the keys of
``_quarto.yml`` that are read."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from reportc.commands.new import new_main
from reportc.errors import ConfigError, Diagnostics
from reportc.project.config import ReportConfig, load_config
from reportc.project.keytable import BEGIN, END, table
from reportc.project.publisher import Publisher
from reportc.project.schema import KEYS, KNOWN_KEYS, quarto_keys

REPO = Path(__file__).resolve().parent.parent


def _load(tmp_path: Path, text: str) -> tuple[ReportConfig | None, list[str]]:
    """The settings of a report whose report.yaml is ``text`` and the messages."""
    (tmp_path / "chapters").mkdir(exist_ok=True)
    (tmp_path / "chapters/01-a.md").write_text("# A\n\nText.\n", encoding="utf-8")
    (tmp_path / "report.yaml").write_text(text, encoding="utf-8")
    diag = Diagnostics.until_policy()  # as build() does: report.yaml's silence: applies
    config = load_config(tmp_path, diag)  # to report.yaml's own warnings too
    diag.set_policy(strict=False, silenced=frozenset(config.silence))
    return config, [str(problem) for problem in diag.problems]


# (report.yaml, the messages) for each kind of check the schema names
MESSAGES = [
    ("subtitle: x\n", ["report.yaml:1: 'title' is required"]),
    ("title: T\nslug: 'a b'\n",
     ["report.yaml:2: slug 'a b' must use only letters, digits, '.', '_' and '-'"]),
    ("title: T\norganisation: [x]\n", ["report.yaml:2: 'organisation' must be text, not a list"]),
    ("title: T\nlang: english\n",
     ["report.yaml:2: lang 'english' is not a BCP 47 language tag (e.g. en-GB)"]),
    ("title: T\nauthors:\n  - name: A\n    colour: red\n",
     ["report.yaml:4: unknown author field 'colour' (name, affiliation, bio, orcid, email, "
      "role)"]),
    ("title: T\ndate: May 4th\n", ["report.yaml:2: date 'May 4th' must be written as YYYY-MM-DD"]),
    ("title: T\nkeywords: a\n", ["report.yaml:2: 'keywords' must be a list of text items"]),
    ("title: T\nnumber-sections: 3\n", ["report.yaml:2: 'number-sections' must be true or false"]),
    ("title: T\npaper: A5\n", ["report.yaml:2: paper 'A5' must be A4 or letter"]),
    ("title: T\nsided: triple\n", ["report.yaml:2: sided 'triple' must be single or double"]),
    ("title: T\nstatus: done\n",
     ["report.yaml:2: status 'done' must be one of draft, review, final"]),
    ("title: T\nbibliography: [missing.bib]\n",
     ["report.yaml:2: bibliography file 'missing.bib' not found"]),
    ("title: T\nlicense: MITT\n",
     ["report.yaml:2: license 'MITT' is not a known SPDX licence id (did you mean MIT?); known: "
      "CC-BY-4.0, CC-BY-SA-4.0, CC-BY-NC-4.0, CC-BY-NC-SA-4.0, CC-BY-ND-4.0, CC-BY-NC-ND-4.0, "
      "CC-BY-3.0, CC-BY-SA-3.0, CC0-1.0, OGL-UK-3.0, MIT, Apache-2.0, GFDL-1.3-or-later"]),
    ("title: T\ncharts: [a]\n", ["report.yaml:2: 'charts' must be a mapping of Vega-Lite config "
                                 "settings (font: ..., axis: {...})"]),
    ("title: T\nbrief: {figure: x, y: 1}\n",
     ["report.yaml:2: brief takes one setting, figure: the id of a figure or table "
      "(brief: {figure: fig-x})"]),
    ("title: T\ncolour: red\n",
     ["report.yaml:2: warning: unknown setting 'colour' (ignored) [config.unknown]"]),
    ("title: T\nauthor: A. Writer\n",  # pandoc's and Quarto's name
     ["report.yaml:2: warning: unknown setting 'author' (ignored): did you mean 'authors'? "
      "[config.unknown]"]),
    ("title: T\nsilence: [config.unknown]\ncolour: red\n", []),
]


@pytest.mark.parametrize(("text", "expected"), MESSAGES)
def test_each_check_reports_at_the_line_of_its_key(tmp_path, text, expected):
    assert _load(tmp_path, text)[1] == expected


def test_messages_come_in_the_order_of_the_schema(tmp_path):
    text = "status: done\npaper: A5\nlang: x\n"  # written in the opposite order
    assert _load(tmp_path, text)[1] == [
        "report.yaml:1: 'title' is required",
        "report.yaml:3: lang 'x' is not a BCP 47 language tag (e.g. en-GB)",
        "report.yaml:2: paper 'A5' must be A4 or letter",
        "report.yaml:1: status 'done' must be one of draft, review, final"]


def test_defaults_and_aliases_fill_the_settings(tmp_path):
    config, problems = _load(tmp_path, "title: Harbour Study!\norganization: Port Trust\n"
                                       "number_sections: false\nlicense: cc-by-4.0\n")
    assert problems == []
    assert config is not None
    assert (config.slug, config.lang, config.paper, config.sided) == \
        ("harbour-study", "en", "A4", "double")
    assert config.organisation == "Port Trust"
    assert config.number_sections is False
    assert config.publisher.licence is not None and config.publisher.licence.spdx == "CC-BY-4.0"


def test_every_key_fills_a_setting_that_exists():
    fields = {f.name for f in dataclasses.fields(ReportConfig)}
    publisher = {f.name for f in dataclasses.fields(Publisher)}
    for key in KEYS:
        if key.check is None:
            continue
        first, _, rest = key.target.partition(".")
        assert (rest in publisher) if rest else (first in fields), key.name


def test_every_key_the_schema_knows_is_accepted_without_a_warning(tmp_path):
    names = sorted(KNOWN_KEYS - {"title"})
    text = "title: T\n" + "".join(f"{name}: null\n" for name in names)
    config, problems = _load(tmp_path, text)
    assert not [p for p in problems if "config.unknown" in p], problems
    assert config is not None and config.title == "T"


def _table_blocks() -> list[tuple[Path, str]]:
    """Each manual file holding the marked key table, with the table it holds."""
    files = [REPO / "README.md", *sorted((REPO / "docs").glob("**/*.md"))]
    blocks = []
    for path in files:
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        for match in re.finditer(re.escape(BEGIN) + r"\n(.*?)" + re.escape(END), text, re.S):
            blocks.append((path, match.group(1)))
    return blocks


def test_the_manuals_key_table_is_the_schemas(update_goldens):
    blocks = _table_blocks()
    assert blocks, f"no {BEGIN} ... {END} block in README.md or docs/**/*.md"
    for path, found in blocks:
        if update_goldens and found != table():
            subprocess.run([sys.executable, "-m", "reportc.project.keytable", "--write-table",
                            str(path)], check=True, timeout=60)
            continue
        assert found == table(), (f"{path.relative_to(REPO)}: the key table differs from the "
                                  "schema; run python -m reportc.project.keytable "
                                  f"--write-table {path.relative_to(REPO)}")


def test_the_table_names_every_key_and_the_quarto_key_that_feeds_it():
    rows = {line.split("|")[1].strip(): line for line in table().splitlines()[2:]}
    for key in KEYS:
        row = next(line for name, line in rows.items() if name.startswith(f"`{key.name}`"))
        for name in key.quarto:
            assert f"`{name}`" in row.split("|")[4], key.name
        assert key.help in row


def test_write_table_replaces_only_the_marked_block(tmp_path):
    manual = tmp_path / "manual.md"
    manual.write_text(f"# Manual\n\n{BEGIN}\nold\n{END}\n\nAfter.\n", encoding="utf-8")
    command = [sys.executable, "-m", "reportc.project.keytable", "--write-table", str(manual)]
    subprocess.run(command, check=True, timeout=60)
    assert manual.read_text(encoding="utf-8") == f"# Manual\n\n{BEGIN}\n{table()}{END}\n\nAfter.\n"
    manual.write_text("no markers\n", encoding="utf-8")
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1 and "has no <!-- reportc:keys -->" in done.stderr
    assert manual.read_text(encoding="utf-8") == "no markers\n"


def test_reportc_new_comments_each_key_with_its_help(tmp_path):
    assert new_main([str(tmp_path / "harbour"), "--pin", "reportc"]) == 0
    text = (tmp_path / "harbour/report.yaml").read_text(encoding="utf-8")
    helps = {name: key.help for key in KEYS for name in key.names}
    commented = 0
    for line in text.splitlines():
        match = re.match(r"(?:# )?([a-z_-]+):.*?(?: # (.*))?$", line)
        if match and match.group(1) in helps:
            assert match.group(2) == helps[match.group(1)], line
            commented += 1
    settings = yaml.safe_load(text)
    assert commented == len(settings) + 1  # every key, and the date left commented out
    assert settings["slug"] == "harbour"


QUARTO_VALUES = {"title": "Harbour book", "subtitle": "Sub", "description": "About",
                 "lang": "de", "author": ["Ada Example"], "date": "2026-03-04",
                 "number-sections": False, "crossref": {"fig-prefix": "Abb."},
                 "reference-section-title": "Quellen", "csl": "apa",
                 "bibliography": "refs.bib", "nocite": "@*", "abstract": "Short.",
                 "language": {"toc-title-document": "Übersicht"}, "code-annotations": False,
                 "output-file": "harbour-book-2026.pdf"}


def test_every_quarto_key_the_schema_declares_is_read_from_quarto_yml(tmp_path):
    declared = {name for name in quarto_keys() if "." not in name}
    assert declared == set(QUARTO_VALUES), "a new _quarto.yml key needs a value here"
    (tmp_path / "refs.bib").write_text("@book{a, title={A}, year=2020}\n", encoding="utf-8")
    for name in ("index.qmd", "intro.qmd", "appendix.qmd"):
        (tmp_path / name).write_text(f"# {name}\n\nText.\n", encoding="utf-8")
    book = {"book": {**QUARTO_VALUES, "chapters": ["index.qmd", "intro.qmd"],
                     "appendices": ["appendix.qmd"]}}
    (tmp_path / "_quarto.yml").write_text(yaml.safe_dump(book), encoding="utf-8")
    config = load_config(tmp_path, Diagnostics())
    for written, key in quarto_keys().items():
        if written != "project.render":
            assert config.file_of(key) == "_quarto.yml", written
    assert (config.title, config.subtitle, config.lang, config.csl) == \
        ("Harbour book", "Sub", "de", "apa")
    assert config.slug == "harbour-book-2026"  # Quarto's output-file names the outputs
    assert config.number_sections is False and config.crossref == {"fig": "Abb."}
    assert config.code_annotations == "none"  # Quarto's false hides them
    assert config.references_title == "Quellen" and config.authors[0].name == "Ada Example"
    assert config.words["toc-title-document"] == "Übersicht" and config.nocite == ["*"]
    assert (config.words["crossref-tbl-title"], config.words.labels()["fig"]) == \
        ("Tabelle", "Abb.")
    assert [(item.name, item.kind) for item in config.listed or []] == \
        [("index.qmd", "chapter"), ("intro.qmd", "chapter"), ("appendix.qmd", "appendix")]


def test_a_single_document_projects_render_list_gives_the_chapters(tmp_path):
    (tmp_path / "paper.qmd").write_text("---\ntitle: Paper\n---\n\nText.\n", encoding="utf-8")
    (tmp_path / "_quarto.yml").write_text("project:\n  render: [paper.qmd]\n",
                                          encoding="utf-8")
    config = load_config(tmp_path, Diagnostics())
    assert config.chapters == ["paper.qmd"] and config.title == "Paper"
    assert config.chapter_lines == {"paper.qmd": 2}


def test_quarto_yml_wins_over_the_single_documents_front_matter(tmp_path):
    """Each key is looked up under its report.yaml name (``reference-section-title`` was
    looked up as ``reference_section_title``, so the document's own won)."""
    (tmp_path / "paper.qmd").write_text("---\ntitle: Paper\nreference-section-title: Mine\n"
                                        "---\n\nText.\n", encoding="utf-8")
    (tmp_path / "_quarto.yml").write_text("project:\n  render: [paper.qmd]\n"
                                          "reference-section-title: Sources\n",
                                          encoding="utf-8")
    config = load_config(tmp_path, Diagnostics())
    assert (config.title, config.references_title) == ("Paper", "Sources")
    assert config.file_of("title") == "paper.qmd"
    assert config.file_of("reference-section-title") == "_quarto.yml"


def test_a_bad_quarto_value_is_reported_in_quarto_yml(tmp_path):
    (tmp_path / "index.qmd").write_text("# A\n", encoding="utf-8")
    (tmp_path / "_quarto.yml").write_text("book:\n  title: T\n  chapters: [index.qmd]\n"
                                          "  lang: english\n", encoding="utf-8")
    diag = Diagnostics()
    load_config(tmp_path, diag)
    assert [str(p) for p in diag.problems] == [
        "_quarto.yml:4: lang 'english' is not a BCP 47 language tag (e.g. en-GB)"]


@pytest.mark.parametrize("text", ["acknowledgments: {name}.md\n", "appendices: [{name}.md]\n",
                                  "sources: {{lee2022: {name}.pdf}}\n"])
def test_every_key_that_names_files_refuses_a_name_no_file_system_takes(tmp_path, text):
    """Each is a located error before any stage calls the file system (was a traceback
    for these three, which the hand-kept list of path keys left out)."""
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, "title: T\n" + text.format(name="a" * 300))
    key = text.split(":")[0]
    assert str(caught.value) == (f"report.yaml:2: '{key}' names a file or folder longer than "
                                 "255 bytes, which no file system takes")


def test_an_unreadable_report_yaml_is_still_one_located_error(tmp_path):
    (tmp_path / "report.yaml").write_text("title: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^report\.yaml:2: invalid YAML"):
        load_config(tmp_path, Diagnostics())


def test_an_output_file_name_reportc_cannot_use_leaves_the_titles(tmp_path):
    """Quarto allows any file name (``My thesis``); a slug may not have spaces, so such a
    name leaves the outputs named by the title rather than stopping the build."""
    (tmp_path / "index.qmd").write_text("# Index\n\nText.\n", encoding="utf-8")
    (tmp_path / "_quarto.yml").write_text("book:\n  title: Harbour book\n  output-file: My "
                                          "thesis\n  chapters: [index.qmd]\n", encoding="utf-8")
    assert load_config(tmp_path, Diagnostics()).slug == "harbour-book"


@pytest.mark.parametrize(("title", "slug"), [
    ("Un pétale dans la braise", "un-petale-dans-la-braise"),  # (was un-p-tale-dans-la-braise)
    ("Straße der Ämter", "strasse-der-amter"),
    ("Œuvres complètes", "oeuvres-completes"),
    ("China–Russia cooperation", "china-russia-cooperation"),
    ("中文", "report"),
])
def test_output_names_keep_the_letters_of_accented_titles(title, slug):
    """A French novel's outputs were named un-p-tale-dans-la-braise.pdf: an accented letter
    is its letter in the file name (NFKD, a few letters spelled out), not a break."""
    from reportc.project.slug import slugify

    assert slugify(title) == slug
