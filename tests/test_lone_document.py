"""One Markdown document built as it is, the way pandoc users run ``pandoc document.md``:
a folder holding ``document.md`` (its title in the front matter) beside a build script and
a README, with no report.yaml, or the file named on the command line. The layout is
Wandmalfarbe/pandoc-latex-template's examples' (read for this; the documents are written
here). Sections are numbered as pandoc numbers them: only when the document asks."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import build_root, run_cli

from reportc.errors import ConfigError
from reportc.project.csl import STYLES_DIR

DOCUMENT = """\
---
title: "Example PDF"
author: [Author]
date: "2017-02-20"
keywords: [Markdown, Example]
lang: "en"
...

# Vinaque sanguine

## Aesculeae domus

Lorem markdownum Letoia, et alios.
"""


def _folder(tmp_path: Path, **documents: str) -> Path:
    root = tmp_path / "example"
    root.mkdir()
    (root / "build.sh").write_text("pandoc document.md -o document.pdf\n", encoding="utf-8")
    (root / "README.md").write_text("# How to build\n\nRun build.sh.\n", encoding="utf-8")
    for name, text in documents.items():
        (root / f"{name}.md").write_text(text, encoding="utf-8")
    return root


def _headings(html: str) -> list[str]:
    return [line for line in html.split("\n") if 'class="chapter-heading' in line]


def test_a_folder_with_one_titled_document_builds_it_unnumbered(tmp_path):
    built = build_root(_folder(tmp_path, document=DOCUMENT), formats=("html",),
                       git_stamp=False)
    html = built.html_path.read_text(encoding="utf-8")
    assert "<title>Example PDF</title>" in html and "Lorem markdownum" in html
    assert "Run build.sh" not in html  # the README is not part of it
    heading = _headings(html)
    assert len(heading) == 1 and "Vinaque sanguine" in heading[0]
    assert "chapter-label" not in heading[0] and 'class="secnum"' not in html
    assert built.warnings == []


def test_the_file_named_on_the_command_line_is_built_alone(tmp_path):
    other = DOCUMENT.replace("Example PDF", "Other").replace("Lorem", "Ipsum")
    root = _folder(tmp_path, document=DOCUMENT, other=other)
    (root / "report.yaml").write_text('title: "Not this"\nchapters: [other.md]\n',
                                      encoding="utf-8")
    done = run_cli(root / "document.md", "--format", "html", "--no-git-stamp")
    assert done.returncode == 0, done.stderr
    html = (root / "out" / "example-pdf.html").read_text(encoding="utf-8")
    assert "<title>Example PDF</title>" in html and "Lorem markdownum" in html
    assert "Ipsum" not in html and "Not this" not in html  # nor report.yaml's settings


def test_numbersections_numbers_it_as_pandoc_would(tmp_path):
    numbered = DOCUMENT.replace('lang: "en"\n', 'lang: "en"\nnumbersections: true\n')
    built = build_root(_folder(tmp_path, document=numbered), formats=("html",),
                       git_stamp=False)
    html = built.html_path.read_text(encoding="utf-8")
    assert "Chapter 1" in _headings(html)[0] and '<span class="secnum">1.1</span>' in html


def test_several_titled_documents_are_named_in_the_error(tmp_path):
    root = _folder(tmp_path, a=DOCUMENT, b=DOCUMENT)
    with pytest.raises(ConfigError) as failed:
        build_root(root, formats=("html",), git_stamp=False)
    message = str(failed.value)
    assert "2 titled documents: a.md, b.md" in message and "reportc a.md" in message
    assert not (root / "out").exists()


def test_a_named_document_without_a_title_is_a_located_error(tmp_path):
    root = _folder(tmp_path, notes="# Notes\n\nText.\n")
    done = run_cli(root / "notes.md", "--format", "html")
    assert done.returncode == 1 and "notes.md:1: no title" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and not (root / "out").exists()


ALERTS = DOCUMENT + """
> [!NOTE]
> Useful information.

> [!warning] Mind the gap
> Between the train and the platform.

> [!TIP]
>
> A paragraph of its own, with **strong** words.

> A plain quotation stays one.
"""


def test_github_alerts_are_callouts_not_markers(tmp_path):
    """Wandmalfarbe's github-alerts example printed "[!NOTE]" before each alert's text:
    GitHub's alerts are Quarto's five callout kinds."""
    built = build_root(_folder(tmp_path, document=ALERTS), formats=("html",),
                       git_stamp=False)
    html = built.html_path.read_text(encoding="utf-8")
    assert "[!" not in html and built.warnings == []
    boxes = re.findall(r'class="callout callout-(\w+)" role="note" aria-label="([^"]+)"', html)
    assert boxes == [("note", "Note"), ("warning", "Mind the gap"), ("tip", "Tip")]
    assert "Between the train and the platform." in html and "<strong>strong</strong>" in html
    assert "<blockquote>\n<p>A plain quotation stays one.</p>\n</blockquote>" in html


BOXES = DOCUMENT.replace('lang: "en"\n', '''lang: "en"
pandoc-latex-environment:
  noteblock: [note]
  warning-box: [warning]
  error-box: [error]
  tcolorbox: [box]
''') + """
::: note
A note.
:::

::: warning
A warning.
:::

::: error
An error.
:::

::: box
A plain box.
:::
"""


def test_pandoc_latex_environment_boxes_are_callouts_or_said(tmp_path):
    """Eisvogel's boxes (pandoc-latex-environment maps LaTeX environments to the classes
    of ::: blocks) printed as plain text without a word: a box named as a callout kind is
    that callout, any other is said at its line. A change of the map in the front matter
    rebuilds from the cache what a clean build gives."""
    root = _folder(tmp_path, document=BOXES)
    built = build_root(root, formats=("html",), git_stamp=False)
    html = built.html_path.read_text(encoding="utf-8")
    kinds = re.findall(r'class="callout callout-(\w+)"', html)
    assert kinds == ["note", "warning", "caution"] and "A plain box." in html
    line = BOXES.split("\n").index("::: box") + 1
    assert built.warnings == [f"document.md:{line}: warning: 'box' blocks are LaTeX's "
                              "tcolorbox environment (pandoc-latex-environment): they print "
                              "as plain text; style the class .box in the theme, or name a "
                              "callout kind (note, tip, important, warning, caution) "
                              "[environment.box]"]
    document = root / "document.md"
    document.write_text(BOXES.replace("tcolorbox: [box]", "tip-box: [box]"), encoding="utf-8")
    rebuilt = build_root(root, formats=("html",), git_stamp=False)
    clean = build_root(root, formats=("html",), git_stamp=False, use_cache=False,
                       out=tmp_path / "clean")
    made = rebuilt.html_path.read_text(encoding="utf-8")
    assert re.findall(r'class="callout callout-(\w+)"', made)[-1] == "tip"
    assert made == clean.html_path.read_text(encoding="utf-8") and rebuilt.warnings == []


METADATA = """\
---
title: "Tides and moons"
author: [Jo Bloggs]
bibliography: refs.bib
numbersections: true
---
"""


def _thesis(tmp_path: Path) -> Path:
    """A pandoc thesis as its Makefile builds it (``pandoc metadata.yaml chapters/*.md``):
    the settings in a metadata file, one chapter per file, no report.yaml."""
    root = tmp_path / "thesis"
    (root / "chapters").mkdir(parents=True)
    (root / "metadata.yaml").write_text(METADATA, encoding="utf-8")
    (root / "refs.bib").write_text("@book{doe2020, author = {Doe, Jane}, title = {Tides}, "
                                   "publisher = {Sea Press}, year = {2020}}\n", encoding="utf-8")
    (root / "chapters/01-results.md").write_text("# Results\n\nThe moon pulls [@doe2020].\n",
                                                 encoding="utf-8")
    (root / "chapters/02-opening.md").write_text("# Opening\n\nTides rise.\n", encoding="utf-8")
    return root


def test_documents_named_with_a_metadata_file_are_one_report_in_the_order_given(tmp_path):
    """``reportc metadata.yaml b.md a.md`` reads as ``pandoc metadata.yaml b.md a.md``:
    the metadata block titles the report and names its bibliography, the documents are its
    chapters in the order named (not by file name), numbered as the metadata asks."""
    root = _thesis(tmp_path)
    done = run_cli(root / "metadata.yaml", root / "chapters/02-opening.md",
                   root / "chapters/01-results.md", "--format", "html", "--no-git-stamp")
    assert done.returncode == 0, done.stderr
    html = (root / "out" / "tides-and-moons.html").read_text(encoding="utf-8")
    assert "<title>Tides and moons</title>" in html and "Jo Bloggs" in html
    headings = _headings(html)
    assert "Chapter 1" in headings[0] and "Opening" in headings[0]
    assert "Chapter 2" in headings[1] and "Results" in headings[1]
    assert "Sea Press" in html and "[@doe2020]" not in html


def test_a_thesis_as_pandoc_joins_its_files(tmp_path):
    """What pandoc's joining of the files gives (a 2016 thesis built by ``pandoc
    bibliography.yml metadata.yml content/*.md``, read for this): a file with no ``#``
    heading goes on with the chapter before it (it stopped as "chapter has no title"); a
    metadata file's ``references:`` are cited, their dates as pandoc-citeproc wrote them
    (pandoc stopped at them); a last file that is only ``# Quellenverzeichnis`` is where
    the bibliography goes, under that heading, not an empty chapter."""
    root = _thesis(tmp_path)
    (root / "metadata.yaml").write_text(METADATA.replace("bibliography: refs.bib\n", ""),
                                        encoding="utf-8")
    (root / "sources.yml").write_text(
        "---\nreferences:\n- id: roe2014\n  type: webpage\n  title: Moon tables\n"
        "  author:\n  - family: Roe\n  URL: https://example.org/moon\n  issued:\n"
        "  - year: '2014'\n    month: '09'\n...", encoding="utf-8")  # (no newline at the end)
    (root / "chapters/01-results.md").write_text("# Results\n\nThe moon pulls.\n",
                                                 encoding="utf-8")
    (root / "chapters/01b-study.md").write_text("## Study\n\nTables agree [@roe2014].\n",
                                                encoding="utf-8")
    (root / "chapters/09-sources.md").write_text("# Quellenverzeichnis\n", encoding="utf-8")
    done = run_cli(root / "sources.yml", root / "metadata.yaml",
                   *sorted((root / "chapters").glob("*.md")), "--format", "html",
                   "--no-git-stamp")
    assert done.returncode == 0, done.stderr
    html = (root / "out" / "tides-and-moons.html").read_text(encoding="utf-8")
    headings = _headings(html)
    assert [next((t for t in ("Results", "Opening", "Quellenverzeichnis") if t in h), h)
            for h in headings] == ["Results", "Opening", "Quellenverzeichnis"]
    results = html[html.index('id="ch-01-results"'):html.index('id="ch-02-opening"')]
    assert "Study</h" in results and "Tables agree" in results
    assert "Roe, <span>“Moon Tables,”" in html and "September 2014" in html


@pytest.mark.parametrize(("names", "message"), [
    (["plain.yaml", "chapters/02-opening.md"],
     "plain.yaml:1: no metadata block: write its settings between two '---' lines"),
    (["refs.bib", "chapters/02-opening.md"],
     "reportc: {root}/refs.bib: not a Markdown document or metadata file"),
    (["chapters/01-results.md", "chapters/02-opening.md"],
     "01-results.md:1: no title: give 'title:' in a metadata file's block or in "
     "the first document's front matter"),
    (["metadata.yaml"], "metadata.yaml:1: no Markdown document among the files given"),
    (["tabs.yaml", "chapters/02-opening.md"],
     "tabs.yaml:3: invalid YAML in the metadata block: found character '\\t' that cannot "
     "start any token"),
])
def test_documents_that_cannot_make_a_report_are_a_located_error(tmp_path, names, message):
    root = _thesis(tmp_path)
    (root / "plain.yaml").write_text("title: Plain\n", encoding="utf-8")
    (root / "tabs.yaml").write_text("---\nabstract:\n\tIndented with a tab.\n---\n",
                                    encoding="utf-8")
    done = run_cli(*(root / name for name in names), "--format", "html")
    assert done.returncode == 1 and message.format(root=root) in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and not (root / "out").exists()


def test_pandocs_options_from_a_makefile_give_their_settings(tmp_path):
    """``cd src && reportc *.md --metadata-file=../template/settings.yml
    --bibliography=refs.bib --csl=../template/style.csl -N``, the command a 2024 thesis's
    Makefile runs with pandoc (read for this): the metadata file's settings under the
    documents' own (its ``numbersections``), ``-M`` over them, the bibliography and style
    named; ``@sec:results`` is the section pandoc-crossref's ``autoSectionLabels`` labels
    (it was an unknown cross-reference); a date "January 2024" prints as written."""
    root = tmp_path / "thesis"
    (root / "src").mkdir(parents=True)
    (root / "template").mkdir()
    (root / "template/settings.yml").write_text(
        "lang: fr\nnumbersections: true\nautoSectionLabels: true\ntitle: Not this\n",
        encoding="utf-8")
    shutil.copy(STYLES_DIR / "apa.csl", root / "template/style.csl")
    (root / "src/refs.bib").write_text("@book{doe2020, author = {Doe, Jane}, title = {Tides},"
                                       " publisher = {Sea Press}, year = {2020}}\n",
                                       encoding="utf-8")
    (root / "src/00_thesis.md").write_text(
        "---\ntitle: Tides\ndate: January 2024\n---\n\n# Opening\n\nAs in [-@sec:results], "
        "the moon pulls [@doe2020].\n\n# Results\n\nText.\n", encoding="utf-8")
    done = run_cli(root / "src/00_thesis.md", "--metadata-file", root / "template/settings.yml",
                   "--bibliography", root / "src/refs.bib", "--csl",
                   root / "template/style.csl", "-M", "lang=de", "-M", "unheard=1",
                   "--format", "html", "--no-git-stamp")
    assert done.returncode == 0, done.stderr
    html = (root / "out" / "tides.html").read_text(encoding="utf-8")
    assert '<html lang="de"' in html and ">Januar 2024</time>" in html
    assert 'role="doc-biblioref">Doe, 2020</a>)' in html and "Kapitel 2" in _headings(html)[1]
    assert 'href="#ch-00_thesis-2"' in html and "??" not in html
    assert "command line: warning: -M unheard: not a setting reportc reads (it is left out) " \
        "[config.unknown]" in done.stderr


def test_pandocs_options_need_documents(tmp_path):
    root = _thesis(tmp_path)
    done = run_cli(root, "--bibliography", root / "refs.bib", "--format", "html")
    assert done.returncode != 0 and "pandoc's options are for documents named on the " \
        "command line" in done.stderr and "Traceback" not in done.stderr


def test_other_files_or_options_named_are_no_up_to_date_build(tmp_path):
    """The files named and pandoc's options are inputs: a second build with another
    ``-M`` or another order of the documents is built again, not 'up to date'."""
    root = _thesis(tmp_path)
    first = [root / "metadata.yaml", root / "chapters/01-results.md",
             root / "chapters/02-opening.md"]
    runs = [(first, "lang=de"), (first, "lang=de"), (first, "lang=fr"),
            ([first[0], first[2], first[1]], "lang=fr")]
    said = []
    for files, meta in runs:
        done = run_cli(*files, "-M", meta, "--format", "html", "--no-git-stamp")
        assert done.returncode == 0, done.stderr
        said.append("is up to date" in done.stderr)
    assert said == [False, True, False, False]
    html = (root / "out" / "tides-and-moons.html").read_text(encoding="utf-8")
    assert '<html lang="fr"' in html and html.index("Opening") < html.index("Results")


def test_watch_mode_watches_the_metadata_file_an_option_names(tmp_path):
    from reportc.commands.watch import read_files

    root = _thesis(tmp_path)
    (root / "settings.yml").write_text("lang: de\n", encoding="utf-8")
    read = read_files(root, ("metadata.yaml", "chapters/01-results.md"), None,
                      (("--metadata-file", "settings.yml"),))
    assert {root / "settings.yml", root / "metadata.yaml", root / "chapters/01-results.md",
            root / "refs.bib"} <= set(read)


def test_include_in_header_gives_the_preambles_macros(tmp_path):
    """``-H style/preamble.tex`` (tompollard/phd_thesis_markdown's Makefile): its
    ``\\DeclareMathOperator*{\\argmin}`` holds in the formulas (it was "\\argmin is not
    defined")."""
    root = _thesis(tmp_path)
    (root / "preamble.tex").write_text("\\DeclareMathOperator*{\\argmin}{arg\\,min}\n",
                                       encoding="utf-8")
    (root / "chapters/01-results.md").write_text(
        "# Results\n\n$$\\hat\\theta = \\argmin_\\theta f(\\theta)$$\n", encoding="utf-8")
    done = run_cli(root / "metadata.yaml", root / "chapters/01-results.md", "-H",
                   root / "preamble.tex", "--format", "html", "--no-git-stamp")
    assert done.returncode == 0, done.stderr
    html = (root / "out" / "tides-and-moons.html").read_text(encoding="utf-8")
    assert "arg" in html[html.index("<math"):] and "\\argmin" not in html


def test_a_book_as_pandocs_manual_makes_one_from_text_files(tmp_path):
    """``pandoc -o book.epub title.txt ch1.markdown ch2.txt``: a document that is only a
    metadata block (``title.txt``, ended by ``...``, its ``language: en-US``) is metadata
    wherever it is named; .txt and .markdown files are Markdown, as pandoc reads them (they
    were refused)."""
    (tmp_path / "title.txt").write_text("---\ntitle: My Book\nauthor: Sam Smith\n"
                                        "language: en-US\n...\n", encoding="utf-8")
    (tmp_path / "ch1.markdown").write_text("# One\n\nFirst chapter.\n", encoding="utf-8")
    (tmp_path / "ch2.txt").write_text("# Two\n\nSecond chapter.\n", encoding="utf-8")
    done = run_cli(tmp_path / "ch1.markdown", tmp_path / "title.txt", tmp_path / "ch2.txt",
                   "--format", "html", "--no-git-stamp")
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "out" / "my-book.html").read_text(encoding="utf-8")
    assert '<html lang="en-US"' in html and "Sam Smith" in html
    assert [h for h in _headings(html) if "One" in h or "Two" in h] == _headings(html)
    assert html.index("First chapter.") < html.index("Second chapter.")


def test_a_makefiles_pandoc_command_runs_with_reportc_in_its_place(tmp_path):
    """The whole command a thesis's Makefile runs (jdupak/diploma-thesis's, read for this),
    ``pandoc`` replaced by ``reportc``: what reportc does anyway (--citeproc, -s, --toc) is
    taken without a word, each option for pandoc's own writers, LaTeX or filters is said
    once and not used (argparse stopped at the first); the settings ones are taken."""
    root = _thesis(tmp_path)
    done = run_cli(root / "metadata.yaml", root / "chapters/01-results.md",
                   "-o", root / "build/thesis.pdf", "--from", "markdown+smart", "-s",
                   "--pdf-engine=tectonic", "--toc", "--citeproc", "-V", "documentclass=report",
                   "--filter", "pandoc-crossref", "--filter", "pandoc-citeproc",
                   "--reference-links", "--format", "html",
                   "--no-git-stamp")
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stderr.splitlines() if "[pandoc.option]" in line]
    assert said == [
        f"command line: warning: --output {root}/build/thesis.pdf is not used as a path: "
        "reportc writes its editions into out/ in the documents' folder (--out DIR chooses "
        "another); its suffix chooses the edition unless --format does [pandoc.option]",
        "command line: warning: --variable documentclass=report is not used: reportc lays out "
        "its editions itself [pandoc.option]",
        "command line: warning: --pdf-engine tectonic is not used: reportc lays out its "
        "editions itself [pandoc.option]",
        "command line: warning: --from markdown+smart is not used: reportc reads pandoc's "
        "Markdown with its own extensions [pandoc.option]",
        "command line: warning: --filter pandoc-crossref is not used: reportc runs no pandoc "
        "filter (its own do their work) [pandoc.option]",
        "command line: warning: --reference-links is not used: reportc lays out its editions "
        "itself [pandoc.option]"]
    assert (root / "out" / "tides-and-moons.html").is_file()
    assert not (root / "build").exists()
    done = run_cli(root, "--citeproc", "--format", "html")
    assert done.returncode != 0 and "reportc: --citeproc: pandoc's options are for " \
        "documents named on the command line" in done.stderr


DEFAULTS = """\
from: markdown+smart
output-file: build/thesis.pdf
input-files:
- chapters/02-opening.md
- chapters/01-results.md
metadata:
  title: A Defaults Thesis
  author: [Ann One, Bob Two]
bibliography: ${.}/refs.bib
number-sections: true
citeproc: true
pdf-engine: xelatex
filters:
- citeproc
- {type: lua, path: filters/x.lua}
verbosity: INFO
"""


def test_a_pandoc_defaults_file_gives_its_options(tmp_path):
    """``pandoc -d thesis.yaml``, pandoc's options kept in a defaults file: its input files
    (in its order), metadata (a list too), bibliography (``${.}``: the file's folder) and
    numbering are taken; the rest is said as not used, its keys named (they were
    "unrecognized arguments")."""
    root = _thesis(tmp_path)
    (root / "thesis.yaml").write_text(DEFAULTS, encoding="utf-8")
    done = run_cli("-d", "thesis.yaml", "--format", "html", "--no-git-stamp", cwd=root)
    assert done.returncode == 0, done.stderr
    html = (root / "out" / "a-defaults-thesis.html").read_text(encoding="utf-8")
    assert "Ann One" in html and "Bob Two" in html and "Sea Press" in html
    headings = _headings(html)
    assert "Chapter 1" in headings[0] and "Opening" in headings[0] and "Results" in headings[1]
    said = [line.split(": warning: ")[1].split(" is not used")[0]
            for line in done.stderr.splitlines() if "[pandoc.option]" in line]
    assert said == ["--output build/thesis.pdf", "--pdf-engine xelatex",
                    "--from markdown+smart", "--filter filters/x.lua",
                    "the defaults file's verbosity: INFO"]
    done = run_cli("-d", "missing.yaml", cwd=root)
    assert done.returncode == 2 and "--defaults missing.yaml: [Errno 2]" in done.stderr


def test_a_book_templates_command_with_its_metadata_file_between_dashes(tmp_path):
    """wikiti/pandoc-book-template's command (read for this): ``--toc-depth 2 --webtex
    --metadata-file metadata.yml`` with the file's settings between two ``---`` lines, as
    pandoc reads it ("invalid YAML: but found another document"; and --toc-depth,
    --webtex were unrecognized arguments)."""
    root = _thesis(tmp_path)
    (root / "book.yml").write_text("---\ntitle: My book title\nabstract: |\n  Your summary.\n"
                                   "---\n", encoding="utf-8")
    done = run_cli(root / "chapters/01-results.md", "--toc", "--toc-depth", "2",
                   "--webtex=https://latex.codecogs.com/svg.latex?", "--metadata-file",
                   root / "book.yml", "--bibliography", root / "refs.bib", "--format", "html",
                   "--no-git-stamp")
    assert done.returncode == 0, done.stderr
    html = (root / "out" / "my-book-title.html").read_text(encoding="utf-8")
    assert "Your summary." in html
    said = [line for line in done.stderr.splitlines() if ": warning: " in line]
    assert [line.split(": warning: ")[1].split(" is not")[0] for line in said] == [
        "--toc-depth 2", "--webtex"]  # (and not chapters/02-opening.md as unlisted)


def test_files_that_share_no_folder_but_the_root_are_an_error(tmp_path):
    """Files from two trees whose only common folder is ``/``: out/ would be written there."""
    root = _thesis(tmp_path)
    done = run_cli(root / "chapters/01-results.md", "/dev/null/x.md")
    assert done.returncode != 0 and "no such file" in done.stderr
    if tmp_path.is_relative_to("/var"):
        pytest.skip("the test's folder is under /var/tmp, where the other file is written")
    other = Path("/var/tmp") / f"reportc-{tmp_path.name}.md"
    other.write_text("# Other\n\nText.\n", encoding="utf-8")
    try:
        done = run_cli(root / "metadata.yaml", other, "--format", "html")
    finally:
        other.unlink()
    assert done.returncode != 0 and "share no folder but /" in done.stderr, done.stderr
    assert not Path("/out").exists() and "Traceback" not in done.stderr


def test_pandocs_output_file_chooses_the_edition(tmp_path):
    """``make docx`` runs ``pandoc ... -o build/thesis.docx``: with reportc in its place
    the Word edition is built (and only it), into out/; --format still decides if given."""
    root = _thesis(tmp_path)
    files = [root / "metadata.yaml", root / "chapters/02-opening.md"]
    done = run_cli(*files, "-o", "build/thesis.docx", "--no-git-stamp")
    assert done.returncode == 0, done.stderr
    assert sorted(p.suffix for p in (root / "out").glob("tides-and-moons.*")) == [".docx"]
    done = run_cli(*files, "-o", "build/thesis.docx", "--format", "html", "--no-git-stamp")
    assert done.returncode == 0 and (root / "out" / "tides-and-moons.html").is_file()


def test_pandocs_paper_and_sides_variables_set_the_pdfs(tmp_path):
    """``papersize`` and ``classoption`` (pandoc's LaTeX variables, in a thesis's metadata
    or as ``-V``) are reportc's ``paper`` and ``sided``: they were said as not used, and a
    letter-size thesis printed on A4. ``-V`` is over the metadata, as in pandoc."""
    import pypdf

    root = _thesis(tmp_path)
    (root / "metadata.yaml").write_text(METADATA.replace(
        "---\n", "---\npapersize: letterpaper\nclassoption: [12pt, oneside]\n", 1),
        encoding="utf-8")
    files = [root / "metadata.yaml", root / "chapters/02-opening.md"]
    sizes = []
    for extra in ([], ["-V", "papersize:a4", "-V", "classoption=twoside"]):
        done = run_cli(*files, *extra, "--format", "pdf", "--no-git-stamp")
        assert done.returncode == 0 and "[pandoc.option]" not in done.stderr, done.stderr
        pdf = pypdf.PdfReader(root / "out" / "tides-and-moons.pdf")
        box = pdf.pages[0].mediabox
        sizes.append((round(float(box.width)), round(float(box.height)), len(pdf.pages)))
    assert sizes[0][:2] == (612, 792) and sizes[1][:2] == (595, 842)
    assert sizes[0][2] < sizes[1][2]  # single-sided: no blank left-hand pages
