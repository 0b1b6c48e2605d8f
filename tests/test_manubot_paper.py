"""A Manubot paper built as it is published: no report.yaml, its text in ``content/`` and
rendered with Jinja2 as Manubot renders it (the layout and the templates of
manubot/rootstock, read for this; the fixture below is written here)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import build_root, run_cli
from htmlparse import parse_html
from PIL import Image

from reportc.errors import BuildFailed, Diagnostics
from reportc.project.manubot import manubot_settings, moved_origins, render_templates

METADATA = """\
title: "Counting river bars"
date: 2026-03-05
keywords: [rivers]
lang: en-GB
authors:
  - name: Rowan Example
    github: rexample
    orcid: 0000-0002-1825-0097
    affiliations: Department of Tests; University of Fixtures
  - name: Sam Sample
    affiliations:
      - Department of Tests
    corresponding: true
"""
FRONT = """\
{## A comment over
    three lines ##}

<small><em>
Published on {{manubot.date_long}}{% if manubot.ci_source is defined %} from \
{{manubot.ci_source.repo_slug}}{% endif %}.
</em></small>

## Authors

{% for author in manubot.authors %}
+ **{{author.name}}**
  ![icon](images/dot.svg){.inline_icon width=16 height=16}
  {{author.affiliations | join('; ')}} ({{author.affiliation_numbers | join(', ')}})
{% endfor %}

The paper has {{manubot.manuscript_stats.word_count}} words <i class="fa">here</i>.
"""
ABSTRACT = "## Abstract\n\nBars were counted [@smith2020], as Figure @fig:bar shows.\n\n" \
    "![A bar](images/bar.png){#fig:bar}\n"
REFERENCES = [{"id": "smith2020", "type": "article-journal", "title": "Bars of braided rivers",
               "author": [{"family": "Smith", "given": "Ann"}],
               "issued": {"date-parts": [[2020]]}, "container-title": "Rivers"}]


def _paper(folder: Path, front: str = FRONT) -> Path:
    """A Manubot paper as rootstock lays it out."""
    content = folder / "paper" / "content"
    (content / "images").mkdir(parents=True)
    (content / "metadata.yaml").write_text(METADATA, encoding="utf-8")
    (content / "00.front-matter.md").write_text(front, encoding="utf-8")
    (content / "01.abstract.md").write_text(ABSTRACT, encoding="utf-8")
    (content / "manual-references.json").write_text(json.dumps(REFERENCES), encoding="utf-8")
    (content / "images" / "dot.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">'
        '<circle cx="256" cy="256" r="200"/></svg>', encoding="utf-8")
    Image.new("RGB", (40, 20), "navy").save(content / "images" / "bar.png")
    (content / "notes.md").write_text("Not a numbered file: not read.\n", encoding="utf-8")
    return folder / "paper"


def test_a_manubot_paper_builds_without_report_yaml(tmp_path):
    root = _paper(tmp_path)
    built = build_root(root, formats=("html", "pdf"), git_stamp=False)
    html = built.html_path.read_text(encoding="utf-8")
    page = parse_html(html)
    assert page.find_all("title")[0].text().startswith("Counting river bars")
    body = page.find_all("main")[0].text()
    assert "Published on March 5, 2026." in body  # the CI link's condition is false
    assert "Rowan Example" in body and "Department of Tests; University of Fixtures (1, 2)" in body
    assert "Sam Sample" in body and "Department of Tests (1)" in body
    words = sum(len(p.read_text(encoding="utf-8").split())
                for p in sorted((root / "content").glob("[0-9]*.md")))
    assert f"The paper has {words} words" in body
    assert "Bars of Braided Rivers" in body  # cited from content/manual-references.json
    assert "as Figure\u00a01 shows" in body  # pandoc-fignos's way of writing it: no warning
    assert not [w for w in built.warnings if "xref.word" in w]
    assert "Not a numbered file" not in body
    for mark in ("{%", "%}", "{{", "}}", "{##", "##}", "comment over"):
        assert mark not in body, mark
    assert 'style="width:16px;height:16px"' in html
    text = subprocess.run(["pdftotext", str(built.pdf_path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Published on March 5, 2026." in text and "{%" not in text and "{{" not in text
    # the line of a warning after the templates is its line in the file, not the rendered one
    icon = FRONT.split("\n").index(next(line for line in FRONT.split("\n") if "<i " in line))
    assert any(w.startswith(f"content/00.front-matter.md:{icon + 1}: warning: raw HTML '<i ")
               for w in built.warnings), built.warnings


def test_an_icon_sized_in_pixels_is_that_size_in_the_pdf(tmp_path):
    """WeasyPrint reads no width attribute: the 16-pixel icon was as wide as the page."""
    import pypdfium2

    root = _paper(tmp_path)
    built = build_root(root, formats=("pdf",), git_stamp=False)
    document = pypdfium2.PdfDocument(str(built.pdf_path))
    sizes = [obj.get_bounds() for page in document for obj in page.get_objects(max_depth=4)
             if obj.type in (pypdfium2.raw.FPDF_PAGEOBJ_PATH,) and _is_dot(obj)]
    assert sizes, "the icon is drawn"
    for left, bottom, right, top in sizes:
        assert right - left <= 13 and top - bottom <= 13  # 16 px = 12 pt (a 400 px circle)


def _is_dot(obj) -> bool:
    left, bottom, right, top = obj.get_bounds()
    return abs((right - left) - (top - bottom)) < 0.5 and right - left > 1


def test_an_undefined_variable_is_a_warning_at_its_line(tmp_path):
    front = "Intro.\n\n{## two\nlines ##}\nSee {{manubot.html_url}}.\n"
    root = _paper(tmp_path, front)
    built = build_root(root, formats=("html",), git_stamp=False)
    assert [w for w in built.warnings if "[template.undefined]" in w] == [
        "content/00.front-matter.md:5: warning: Manubot template variable 'html_url' is not "
        "defined: it prints nothing (reportc gives templates metadata.yaml's variables and the "
        "build's date, not a CI service's) [template.undefined]"]


@pytest.mark.parametrize(("front", "line", "says"), [
    ("A.\n\n{% if manubot.date %}\nno end\n", 3, "Manubot template: Unexpected end of template"),
    ("A.\n\n{## a\ncomment ##}\nFrom {{manubot.ci_source.repo_slug}}.\n", 5,
     "Manubot template: 'dict object' has no attribute 'ci_source'"),
    ("A.\n\n{{ 1 / 0 }}\n", 3, "Manubot template: division by zero"),
    ("A.\n\n{% include 'secret.txt' %}\n", 3, "Manubot template: secret.txt"),
    ("A.\n\n{% include '/etc/passwd' %}\n", 3, "Manubot template: /etc/passwd"),
    ("A.\n\nB {{ ''.__class__.__mro__[1].__subclasses__() }}\n", 3,
     "Manubot template: access to attribute '__class__'"),
])
def test_a_template_that_cannot_be_rendered_is_a_located_error(tmp_path, front, line, says):
    root = _paper(tmp_path, front)
    (root / "content" / "secret.txt").write_text("SECRET", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_root(root, formats=("html",), git_stamp=False)
    message = str(failed.value)
    assert f"content/00.front-matter.md:{line}: {says}" in message, message
    assert "SECRET" not in message


def test_the_command_line_reports_a_broken_template_without_a_traceback(tmp_path):
    root = _paper(tmp_path, "A.\n\n{% for x in %}\n")
    done = run_cli(root, "--format", "html")
    assert done.returncode != 0
    assert "content/00.front-matter.md:3: Manubot template:" in done.stderr
    assert "Traceback" not in done.stderr


def test_manubot_settings_follow_the_rootstock_layout(tmp_path):
    root = _paper(tmp_path)
    (root / "content" / "manual-references-extra.bib").write_text("", encoding="utf-8")
    (root / "build" / "assets").mkdir(parents=True)
    (root / "build" / "assets" / "style.csl").write_text("<style/>", encoding="utf-8")
    data, _ = manubot_settings(root)
    assert data == {"chapters": ["content/00.front-matter.md", "content/01.abstract.md"],
                    "bibliography": ["content/manual-references-extra.bib",
                                     "content/manual-references.json"],
                    "csl": "build/assets/style.csl", "silence": ["xref.word"]}


def test_rendered_lines_keep_where_they_were_written():
    before = ["a", "{% for x in y %}", "- {{x}}", "{% endfor %}", "b"]
    origins = [("f.md", n) for n in range(1, 6)]
    after = ["a", "", "- 1", "", "- 2", "", "b"]
    moved = moved_origins(before, origins, after)
    assert moved[0] == ("f.md", 1) and moved[-1] == ("f.md", 5)
    assert all(2 <= line <= 4 for _, line in moved[1:-1])


def test_a_template_renders_with_the_build_date_when_metadata_has_none(tmp_path):
    import datetime as dt

    root = _paper(tmp_path)
    (root / "content" / "metadata.yaml").write_text("title: T\n", encoding="utf-8")
    diag = Diagnostics.until_policy()
    text = "On {{manubot.date_long}}, made {{manubot.generated_date_long}}."
    rendered, _ = render_templates(root, "x.md", text, [("x.md", 1)], dt.date(2026, 12, 7), diag)
    assert rendered == "On December 7, 2026, made December 7, 2026."
    assert not diag.problems


def test_template_variables_named_by_the_build_script_are_read(tmp_path):
    """meta-review's build.sh passes --template-variables-path=...stats.json; a URL or a
    file outside the paper is not read, with a warning at its line of build/build.sh."""
    root = _paper(tmp_path, "A.\n\n{{total_commits}} commits, {{stats.stars}} stars.\n")
    (root / "analyses").mkdir()
    (root / "analyses" / "stats.json").write_text('{"total_commits": 755}', encoding="utf-8")
    (root / "analyses" / "more.yaml").write_text("stars: 819\n", encoding="utf-8")
    (root / "build").mkdir()
    (root / "build" / "build.sh").write_text(
        "#!/usr/bin/env bash\nmanubot process \\\n  --content-directory=content \\\n"
        "  --template-variables-path=analyses/stats.json \\\n"
        "  --template-variables-path=stats=analyses/more.yaml \\\n"
        "  --template-variables-path=https://example.org/vars.json \\\n"
        "  --template-variables-path=../outside.json\n", encoding="utf-8")
    (tmp_path / "outside.json").write_text('{"secret": 1}', encoding="utf-8")
    built = build_root(root, formats=("html",), git_stamp=False)
    body = parse_html(built.html_path.read_text(encoding="utf-8")).find_all("main")[0].text()
    assert "755 commits, 819 stars." in body
    unread = sorted(w for w in built.warnings if "are not read" in w)
    assert [w.split(": warning:")[0] for w in unread] == ["build/build.sh:6", "build/build.sh:7"]
    assert "a build fetches nothing" in unread[0] and "outside the report" in unread[1]


CITED = """\
## Methods

We cite [@doi:10.1000/ABC.Def], [@tag:alias], [@https://example.org/page] and
[@pmid:123].
"""


def test_manubot_manual_references_are_found_as_manubot_finds_them(tmp_path):
    """An item Manubot wrote is keyed by its note's standard_id (its own id is a hash); a
    DOI matches whatever its case, a URL with or without its last slash, pmid: as
    pubmed:; an alias defined in another file holds; a later manual-references file
    replaces an entry of an earlier one."""
    root = _paper(tmp_path)
    (root / "content" / "02.methods.md").write_text(CITED, encoding="utf-8")
    (root / "content" / "90.back-matter.md").write_text(
        "## References\n\n[@tag:alias]: doi:10.1000/xyz\n", encoding="utf-8")
    written = [_item("GKPtRdAw", "doi:10.1000/abc.def", "Old title"),
               _item("h4sh", "doi:10.1000/xyz", "Aliased work"),
               _item("p4ge", "url:https://example.org/page/", "A web page"),
               _item("pm1d", "pubmed:123", "A PubMed record")]
    (root / "content" / "manual-references-2019.json").write_text(json.dumps(written),
                                                                   encoding="utf-8")
    (root / "content" / "manual-references.json").write_text(
        json.dumps([*REFERENCES, {**_item("x", "", "Newer title"),
                                  "id": "doi:10.1000/abc.def"}]), encoding="utf-8")
    built = build_root(root, formats=("html",), git_stamp=False)
    assert not [w for w in built.warnings if "cite.identifier" in w or "bib.unused" in w], \
        built.warnings
    body = parse_html(built.html_path.read_text(encoding="utf-8")).find_all("main")[0].text()
    for title in ("Newer Title", "Aliased Work", "A Web Page", "A PubMed Record"):
        assert title in body, title
    assert "Old Title" not in body


def _item(short: str, standard: str, title: str) -> dict[str, object]:
    note = f"This CSL JSON Item was automatically generated by Manubot.\nstandard_id: {standard}"
    return {"id": short, "type": "webpage", "title": title, "note": note if standard else "",
            "issued": {"date-parts": [[2019]]}, "author": [{"family": "Doe", "given": "J"}]}


def test_a_duplicate_key_in_other_bibliographies_is_still_an_error(tmp_path):
    root = _paper(tmp_path)
    (root / "content" / "manual-references.json").unlink()
    for name in ("refs-a.json", "refs-b.json"):
        (root / name).write_text(json.dumps(REFERENCES), encoding="utf-8")
    (root / "report.yaml").write_text("bibliography: [refs-a.json, refs-b.json]\n",
                                      encoding="utf-8")
    with pytest.raises(BuildFailed, match=r"refs-b.json:1: duplicate entry key 'smith2020'"):
        build_root(root, formats=("html",), git_stamp=False)


def test_an_alias_changed_in_another_file_is_seen_by_an_unchanged_chapter(tmp_path):
    """The per-chapter cache keys a chapter's resolving by the paper's aliases too: the
    chapter citing [@tag:alias] is unchanged, the file defining the alias is not."""
    root = _paper(tmp_path)
    (root / "content" / "02.methods.md").write_text("## Methods\n\nSee [@tag:alias].\n",
                                                   encoding="utf-8")
    back = root / "content" / "90.back-matter.md"
    back.write_text("## References\n\n[@tag:alias]: doi:10.1000/xyz\n", encoding="utf-8")
    (root / "content" / "manual-references-2019.json").write_text(json.dumps(
        [_item("h4sh", "doi:10.1000/xyz", "Aliased work"),
         _item("p4ge", "url:https://example.org/page/", "A web page")]), encoding="utf-8")
    first = build_root(root, formats=("html",), git_stamp=False)
    assert "Aliased Work" in first.html_path.read_text(encoding="utf-8")
    back.write_text("## References\n\n[@tag:alias]: url:https://example.org/page\n",
                    encoding="utf-8")
    second = build_root(root, formats=("html",), git_stamp=False)
    methods = second.html_path.read_text(encoding="utf-8").split('id="ch-02-methods"')[1]
    assert "A Web Page" in methods.split("</section>")[0]
