"""Chapter-by-chapter PDF layout gives exactly the PDF of a one-pass layout."""

from __future__ import annotations

import io
import re
import shutil

import pypdf
import pytest
from conftest import build_root, copy_root

import reportc.paginate
from reportc.build import BuildOptions, build

LONG_PARAGRAPH = (
    "\n\nA long paragraph that pushes the defence chapter onto a second page, so that every "
    "later part starts one page later and the contents, the cross-references and the "
    "running page numbers all have to move with it. " * 14 + "\n")


def _normalised_pages(reader: pypdf.PdfReader) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text().replace("\u00a0", " ")).strip()
            for page in reader.pages]


def _links(reader: pypdf.PdfReader) -> list[list[str]]:
    per_page = []
    for page in reader.pages:
        targets = []
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if "/Dest" in annotation:
                targets.append(str(annotation["/Dest"]))
            elif "/A" in annotation and "/URI" in annotation["/A"]:
                targets.append(str(annotation["/A"]["/URI"]))
        per_page.append(sorted(targets))
    return per_page


def _destinations(reader: pypdf.PdfReader) -> dict[str, int]:
    return {name: reader.get_destination_page_number(dest)
            for name, dest in reader.named_destinations.items()}


def _outline(reader: pypdf.PdfReader, items=None, depth=0) -> list[tuple[int, str, int]]:
    out = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            out.extend(_outline(reader, item, depth + 1))
        else:
            out.append((depth, item.title, reader.get_destination_page_number(item)))
    return out


def _same_pdf(chunked: pypdf.PdfReader, single: pypdf.PdfReader) -> None:
    assert len(chunked.pages) == len(single.pages)
    assert _normalised_pages(chunked) == _normalised_pages(single)
    assert _links(chunked) == _links(single)
    assert _destinations(chunked) == _destinations(single)
    assert _outline(chunked) == _outline(single)
    assert chunked.metadata.title == single.metadata.title
    assert chunked.trailer["/Root"]["/Lang"] == single.trailer["/Root"]["/Lang"]


@pytest.fixture
def chunk_jobs(monkeypatch):
    """Which chunks were laid out (by id), across all rounds."""
    laid_out: list[str] = []
    real = reportc.paginate.render_chunks

    def recording(jobs, workers, render):
        laid_out.extend(job.chunk for job in jobs)
        return real(jobs, workers, render)

    monkeypatch.setattr(reportc.paginate, "render_chunks", recording)
    return laid_out


def test_an_edit_that_moves_pages_matches_a_one_pass_build(tmp_path, chunk_jobs):
    project = copy_root("basic", tmp_path / "incremental")
    build_root(project, formats=("pdf",))  # one pass; remembers the page map
    assert chunk_jobs == []
    defence = project / "chapters/02-defence.md"
    defence.write_text(defence.read_text() + LONG_PARAGRAPH)
    chunked = build_root(project, formats=("pdf",))
    assert "ch-02-defence" in chunk_jobs
    assert "ch-00-summary" not in chunk_jobs and "sec-intro" not in chunk_jobs

    fresh = tmp_path / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("out"))
    single = build_root(fresh, formats=("pdf",))
    _same_pdf(chunked.pdf, single.pdf)
    texts = _normalised_pages(chunked.pdf)
    assert re.search(r"Bibliography \.+ 7", texts[1]), "contents follow the moved pages"


def test_an_edit_inside_one_chapter_lays_out_only_that_chapter(tmp_path, chunk_jobs):
    project = copy_root("basic", tmp_path)
    build_root(project, formats=("pdf",))
    intro = project / "chapters/01-intro.md"
    intro.write_text(intro.read_text().replace("describe the ties", "describe these ties"))
    rebuilt = build_root(project, formats=("pdf",))
    assert chunk_jobs == ["sec-intro"]
    assert "describe these ties" in " ".join(_normalised_pages(rebuilt.pdf))


def test_merged_output_is_deterministic(tmp_path):
    outputs = []
    for name in ("a", "b"):
        project = copy_root("basic", tmp_path / name)
        build_root(project, formats=("pdf",))
        intro = project / "chapters/01-intro.md"
        intro.write_text(intro.read_text().replace("describe the ties", "describe ties"))
        outputs.append(build_root(project, formats=("pdf",)).pdf_path.read_bytes())
    assert outputs[0] == outputs[1]


def test_jobs_one_still_merges_correctly(tmp_path):
    project = copy_root("basic", tmp_path)
    build(BuildOptions(root=project, formats=("pdf",), jobs=1))
    intro = project / "chapters/01-intro.md"
    intro.write_text(intro.read_text().replace("describe the ties", "describe ties"))
    build(BuildOptions(root=project, formats=("pdf",), jobs=1))
    reader = pypdf.PdfReader(io.BytesIO((project / "out/fixture.pdf").read_bytes()))
    assert len(reader.pages) == 6
