"""A pandoc thesis kept in one file (cagix/pandoc-thesis's layout, read for this; the
fixture is written here): its front matter holds the title, author, date and language,
as pandoc reads them, and it labels figures and tables the LaTeX way."""

from __future__ import annotations

import subprocess

import pytest
from conftest import build_root

from reportc.errors import BuildFailed, ConfigError

THESIS = """\
---
title: "Title of my Thesis"
author: "Surname Name"
studentnumber: "12345678"
date: "20. Juli 2025"
lang: de-DE
---

# Einleitung

Siehe Abbildung \\ref{fig:foo}, Tabelle \\ref{tab:ugh} und Listing \\ref{lst:huh}.

![Die Bildunterschrift, Quelle: [@Dietz2018] \\label{fig:foo}](figs/bild.png){width=50%}

| a | b |
|---|---|
| 1 | 2 |

: Tabelle als Pipe-Table, vgl. [@Dietz2018] \\label{tab:ugh}

```{.python caption="Der Vorverarbeitungsschritt, vgl. [@Dietz2018]" #lst:huh}
def foo():
    pass
```

# Stand der Technik

Text.
"""
BIB = "@book{Dietz2018, author = {Dietz, Anna}, title = {Ein Buch}, year = {2018}, " \
      "publisher = {Verlag}}\n"


def _thesis(folder, report: str = "chapters: [thesis.md]\n"):
    from PIL import Image

    root = folder / "thesis"
    (root / "figs").mkdir(parents=True)
    Image.new("RGB", (40, 30), "gray").save(root / "figs" / "bild.png")
    (root / "thesis.md").write_text(THESIS, encoding="utf-8")
    (root / "references.bib").write_text(BIB, encoding="utf-8")
    (root / "report.yaml").write_text(report, encoding="utf-8")
    return root


def test_the_documents_front_matter_is_the_title_page(tmp_path):
    built = build_root(_thesis(tmp_path), formats=("html", "pdf"), git_stamp=False)
    assert not [w for w in built.warnings if "thesis.md" in w], built.warnings
    html = built.html_path.read_text(encoding="utf-8")
    assert "<title>Title of my Thesis</title>" in html and 'lang="de-DE"' in html
    assert "Surname Name" in html and 'datetime="2025-07-20"' in html
    text = subprocess.run(["pdftotext", str(built.pdf_path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Einleitung" in text and "Stand der Technik" in text  # each # heading a chapter
    assert "studentnumber" not in text and "12345678" not in text


def test_latex_labels_in_captions_number_the_figure_and_table(tmp_path):
    built = build_root(_thesis(tmp_path), formats=("html",), git_stamp=False)
    html = built.html_path.read_text(encoding="utf-8")
    assert 'id="fig-foo"' in html and 'id="tbl-ugh"' in html and 'id="lst-huh"' in html
    for target in ("fig-foo", "tbl-ugh", "lst-huh"):
        assert f'href="#{target}"' in html, target
    assert "[@Dietz2018]" not in html and "\\label" not in html  # cited, in every caption


def test_report_yaml_still_wins_and_a_file_outside_is_not_read(tmp_path):
    root = _thesis(tmp_path, 'title: "Mine"\nchapters: [thesis.md]\n')
    built = build_root(root, formats=("html",), git_stamp=False)
    assert "<title>Mine</title>" in built.html_path.read_text(encoding="utf-8")
    outside = _thesis(tmp_path / "x", "chapters: [../../thesis/thesis.md]\n")
    with pytest.raises((BuildFailed, ConfigError)) as failed:
        build_root(outside, formats=("html",), git_stamp=False)
    assert "Title of my Thesis" not in str(failed.value)
    assert "'title' is required" in str(failed.value)
