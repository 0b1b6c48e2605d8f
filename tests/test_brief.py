"""The policy brief as a minister's office meets it: two to four A4 pages with the title,
date, authors, summary, takeaways, the chosen figure and how to get the full report;
tagged PDF/UA-1 like the report's PDF; clear errors for a summary too long or a figure
that does not exist; the cache and the bytes."""

from __future__ import annotations

import shutil

import pikepdf
import pypdf
import pytest
import yaml
from conftest import REPO, Built, SharedBuilds, build_root, copy_root

from reportc.brief import edition
from reportc.errors import BuildFailed
from tests.a11y.pdfcheck import check

A4 = (595, 842)  # points, rounded


@pytest.fixture(scope="module")
def brief(shared: SharedBuilds) -> Built:
    """The editions fixture built with the brief alone, once per session; read only."""
    return shared.build("editions", formats=("brief",))


def texts(built: Built) -> list[str]:
    reader = pypdf.PdfReader(built.out / f"{built.slug}-brief.pdf")
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def set_brief(root, value) -> None:
    config = yaml.safe_load((root / "report.yaml").read_text(encoding="utf-8"))
    config["brief"] = value
    (root / "report.yaml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                      encoding="utf-8")


def test_two_to_four_a4_pages_and_nothing_else(brief):
    reader = pypdf.PdfReader(brief.out / "grid-brief.pdf")
    assert 2 <= len(reader.pages) <= 4
    assert all(tuple(round(v) for v in page.mediabox[2:]) == A4 for page in reader.pages)
    assert sorted(p.name for p in brief.out.iterdir() if not p.name.startswith(".")) == [
        "grid-brief.pdf"]
    assert brief.warnings == []


def test_first_page_has_title_authors_date_summary_and_takeaways(brief):
    first = texts(brief)[0]
    for words in ("POLICY BRIEF", "Water, power and the grid", "Ada Example", "Ben Sample",
                  "15 June 2026", "Executive summary", "KEY TAKEAWAYS",
                  "Pumped storage covers the seasonal gap at the lowest cost"):
        assert words in first, words
    assert first.index("Executive summary") < first.index("KEY TAKEAWAYS")


def test_the_chosen_figure_and_how_to_get_the_report(brief):
    whole = " ".join(texts(brief))
    assert "Figure 1. Monthly electricity demand" in whole
    assert "How to cite it".upper() in whole.upper()
    assert "Water, Power and the Grid" in whole  # the report's reference in its style
    assert "https://example.org/reports/grid/" in whole and "grid.pdf" in whole
    assert "Demand and supply" not in whole  # the chapters themselves stay out


def test_tagged_pdf_ua_like_the_report(brief):
    data = (brief.out / "grid-brief.pdf").read_bytes()
    assert check(data) == []
    with pikepdf.open(brief.out / "grid-brief.pdf") as pdf:
        meta = pdf.open_metadata()
        assert meta.get("pdfuaid:part") == "1"
        assert meta.get("dc:title") == "Water, power and the grid: policy brief"
        assert str(pdf.Root.Lang) == "en-GB"
        kinds = {str(node.get("/S")) for node in _structure(pdf.Root.StructTreeRoot)}
        assert {"/H1", "/H2", "/Figure", "/L"} <= kinds


def _structure(node, depth=0):
    kids = node.get("/K")
    items = kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
    for kid in items:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _structure(kid, depth + 1)


def test_a_table_can_be_the_chosen_one(tmp_path):
    root = copy_root("editions", tmp_path)
    set_brief(root, {"figure": "tbl-sources"})
    whole = " ".join(texts(build_root(root, formats=("brief",))))
    assert "Table 1. Sources of supply in 2025." in whole
    assert "Monthly electricity demand" not in whole


def test_an_unknown_figure_is_a_located_error(tmp_path):
    root = copy_root("editions", tmp_path)
    set_brief(root, {"figure": "fig-missing"})
    with pytest.raises(BuildFailed) as failed:
        build_root(root, formats=("brief",))
    [problem] = failed.value.problems
    assert problem.path == "report.yaml" and problem.line is not None
    assert "'fig-missing' is not a figure or table" in problem.message
    assert "fig-demand, tbl-sources" in problem.message


def test_a_bad_brief_setting_is_a_config_error(tmp_path):
    root = copy_root("editions", tmp_path)
    set_brief(root, {"figures": "fig-demand"})
    with pytest.raises(BuildFailed) as failed:
        build_root(root, formats=("brief",))
    assert "brief takes one setting, figure" in failed.value.problems[0].message


def test_a_summary_longer_than_four_pages_is_an_error_and_out_is_kept(tmp_path, shared):
    root = shared.copy("editions", tmp_path, formats=("brief",)).root  # built, out/ and all
    before = (root / "out" / "grid-brief.pdf").read_bytes()
    summary = root / "chapters" / "00-summary.md"
    paragraph = ("Storage is the question this report answers, season by season and "
                 "grid by grid, with costs that change as the technologies mature. ") * 6
    summary.write_text(summary.read_text(encoding="utf-8")
                       + "".join(f"\n{paragraph}\n" for _ in range(40)), encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_root(root, formats=("brief",))
    [problem] = failed.value.problems
    assert problem.path == "chapters/00-summary.md"
    assert "at most 4 fit: shorten the executive summary" in problem.message
    assert (root / "out" / "grid-brief.pdf").read_bytes() == before


def test_no_summary_chapter_is_an_error(tmp_path):
    root = copy_root("editions", tmp_path)
    (root / "chapters" / "00-summary.md").unlink()
    with pytest.raises(BuildFailed) as failed:
        build_root(root, formats=("brief",))
    assert "needs an executive summary" in failed.value.problems[0].message


def test_same_bytes_in_another_folder_and_from_the_cache(brief, tmp_path, monkeypatch):
    other = build_root(copy_root("editions", tmp_path), formats=("brief",))
    made = (other.out / "grid-brief.pdf").read_bytes()
    assert made == (brief.out / "grid-brief.pdf").read_bytes()
    laid_out = []
    monkeypatch.setattr(edition, "_lay_out", lambda *a: laid_out.append(a))
    (other.out / "grid-brief.pdf").unlink()
    build_root(other.root, formats=("brief",))
    assert laid_out == [] and (other.out / "grid-brief.pdf").read_bytes() == made


def test_the_flagship_brief(flagship_editions: Built) -> None:
    """The repository's report names its timeline for the brief: three pages, PDF/UA."""
    built = flagship_editions
    assert built.warnings == []  # built strictly
    pages = texts(built)
    assert 2 <= len(pages) <= 4
    assert "Key takeaways".upper() in pages[0] and "Figure 1." in " ".join(pages)
    assert check((built.out / f"{built.slug}-brief.pdf").read_bytes()) == []


def test_release_workflow_ships_the_brief():
    workflow = (REPO / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    assert '"build/release/pdf/$stem-brief.pdf"' in workflow and "epub,brief" in workflow


def test_a_broken_brief_template_in_the_theme_is_a_located_error(tmp_path):
    from reportc.editions.theme import DEFAULT_THEME
    from reportc.errors import ReportError

    root = copy_root("editions", tmp_path)
    shutil.copytree(DEFAULT_THEME, root / "templates")
    (root / "templates" / "brief.html.j2").write_text("<p>{{ report.title }\n",
                                                     encoding="utf-8")
    with pytest.raises(ReportError, match=r"brief\.html\.j2:1: template error"):
        build_root(root, formats=("brief",))


def test_a_new_report_builds_its_epub_and_brief_and_its_workflow_ships_them(tmp_path):
    import subprocess
    import sys

    def reportc(*args):
        return subprocess.run([sys.executable, "-m", "reportc", *map(str, args)],
                              capture_output=True, text=True, timeout=600, check=False)

    target = tmp_path / "harbour-study"
    assert reportc("new", target, "--pin", "reportc==0.1.0").returncode == 0
    built = reportc(target, "--strict", "--format", "epub,brief")
    assert built.returncode == 0, built.stderr
    for name in ("harbour-study.epub", "harbour-study-brief.pdf", "harbour-study.pdf"):
        assert (target / "out" / name).is_file(), name
    workflow = (target / ".github" / "workflows" / "report.yml").read_text(encoding="utf-8")
    assert "--format pdf,epub,brief" in workflow
    assert '"$stem.epub" "$stem-brief.pdf"' in workflow  # in SHA256SUMS
