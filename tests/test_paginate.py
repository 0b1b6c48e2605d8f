"""Chapter-by-chapter PDF layout gives exactly the PDF of a one-pass layout.

The reference is ``--single-pass``: the whole report laid out by one WeasyPrint document,
its page numbers given and checked until they are the pages it lays out.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import re
import shutil
from pathlib import Path

import pypdf
import pytest
from conftest import REPO, Built, build_root, copy_root

import reportc.pdf.pagemap
import reportc.pdf.schedule
from reportc.build import BuildOptions, build
from reportc.pdf import split

LONG_PARAGRAPH = (
    "\n\nA long paragraph that pushes the defence chapter onto a second page, so that every "
    "later part starts one page later and the contents, the cross-references and the "
    "running page numbers all have to move with it. " * 14 + "\n")


def _normalised_pages(reader: pypdf.PdfReader) -> list[str]:
    """Page texts; a font subset's one glyph for space and NBSP (or for the two hyphens)
    maps back to whichever character it met first, so those are made equal."""
    return [re.sub(r"\s+", " ", page.extract_text().replace("\u00a0", " ")
                   .replace("\u2010", "-")).strip() for page in reader.pages]


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


def _same_pdf(by_parts: pypdf.PdfReader, single: pypdf.PdfReader) -> None:
    assert len(by_parts.pages) == len(single.pages)
    assert _normalised_pages(by_parts) == _normalised_pages(single)
    assert _links(by_parts) == _links(single)
    assert _destinations(by_parts) == _destinations(single)
    assert _outline(by_parts) == _outline(single)
    assert by_parts.metadata.title == single.metadata.title
    assert by_parts.trailer["/Root"]["/Lang"] == single.trailer["/Root"]["/Lang"]


@pytest.fixture
def part_jobs(monkeypatch):
    """Which parts were laid out (by id), in order, counting layouts done again."""
    laid_out: list[str] = []
    real = reportc.pdf.schedule._Parts._draft_task

    def recording(self, part):
        laid_out.append(part)
        return real(self, part)

    monkeypatch.setattr(reportc.pdf.schedule._Parts, "_draft_task", recording)
    return laid_out


def _single_pass(project, tmp_path, name="single"):
    fresh = tmp_path / name
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("out"))
    return build_root(fresh, formats=("pdf",), single_pass=True)


@dataclasses.dataclass(frozen=True)
class CleanBuild:
    """The basic fixture's clean PDF build with two workers, as this process saw it: which
    parts it laid out, the order of the zygote's start and the chapters' reading, and the
    processes that forked the layout workers. Read only: a test that edits copies it."""

    project: Path
    pdf: bytes
    laid_out: list[str]
    events: list[str]
    parents: set[int]


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> CleanBuild:
    """One clean build read by the tests of the clean path (a clean build of the basic
    fixture costs about 2.5 CPU-s; four tests each made their own)."""
    import reportc.pipeline
    from reportc.pdf.workers import Zygote

    laid_out: list[str] = []
    events: list[str] = []
    parents: set[int] = set()
    real_task, real_read = reportc.pdf.schedule._Parts._draft_task, reportc.pipeline.read_report
    real_start, real_fork = Zygote.__init__, Zygote.fork

    def recording(self, part):
        laid_out.append(part)
        return real_task(self, part)

    def read(*args):
        events.append("read")
        return real_read(*args)

    def start(self, *args):
        events.append("zygote")
        real_start(self, *args)

    def fork(self):
        pipe, pid = real_fork(self)
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            parents.add(int(stat.read().rsplit(")", 1)[1].split()[1]))
        return pipe, pid

    project = copy_root("basic", tmp_path_factory.mktemp("clean"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reportc.pdf.schedule._Parts, "_draft_task", recording)
        patch.setattr(reportc.pipeline, "read_report", read)
        patch.setattr(Zygote, "__init__", start)
        patch.setattr(Zygote, "fork", fork)
        build(BuildOptions(root=project, formats=("pdf",), jobs=2))
    return CleanBuild(project, (project / "out/fixture.pdf").read_bytes(), laid_out, events,
                      parents)


def test_a_clean_build_by_parts_matches_a_one_pass_build(clean, shared):
    assert {"front", "ch-00-summary", "sec-intro", "ch-02-defence", "bibliography"} \
        <= set(clean.laid_out)
    _same_pdf(pypdf.PdfReader(io.BytesIO(clean.pdf)),
              shared.build("basic", single_pass=True).pdf)


def test_contents_estimated_with_too_few_digits_are_not_laid_out_again(tmp_path, part_jobs,
                                                                        monkeypatch):
    """The contents are laid out first, from estimates; a number that turns out to have
    another number of digits ends its line after a leader, so it is restamped in place."""
    for module in (reportc.pdf.pagemap, reportc.pdf.schedule):
        monkeypatch.setattr(module, "BYTES_PER_PAGE", 10**7)  # every part: 2 pages
    project = copy_root("basic", tmp_path)
    by_parts = build_root(project, formats=("pdf",))
    texts = _normalised_pages(by_parts.pdf)
    assert len(texts) >= 10 and re.search(rf"Bibliography(?: \.)+ {len(texts)}", texts[2])
    assert part_jobs.count("front") == 1
    _same_pdf(by_parts.pdf, _single_pass(project, tmp_path).pdf)


def test_an_edit_that_moves_pages_matches_a_one_pass_build(tmp_path, part_jobs, shared):
    (tmp_path / "incremental").mkdir()
    first = shared.copy("basic", tmp_path / "incremental", formats=("pdf",))
    project = first.root
    bibliography_before = len(first.pdf.pages)
    part_jobs.clear()
    defence = project / "chapters/02-defence.md"
    defence.write_text(defence.read_text() + LONG_PARAGRAPH * 2)
    by_parts = build_root(project, formats=("pdf",))
    assert "ch-02-defence" in part_jobs
    assert "ch-00-summary" not in part_jobs and "sec-intro" not in part_jobs
    assert len(by_parts.pdf.pages) > bibliography_before, "the bibliography moved"

    _same_pdf(by_parts.pdf, _single_pass(project, tmp_path).pdf)
    texts = _normalised_pages(by_parts.pdf)
    assert re.search(rf"Bibliography(?: \.)+ {len(texts)}", texts[2]), "contents follow the move"


def test_an_edit_inside_one_chapter_lays_out_only_that_chapter(tmp_path, part_jobs, shared):
    project = shared.copy("basic", tmp_path, formats=("pdf",)).root
    part_jobs.clear()
    intro = project / "chapters/01-intro.md"
    intro.write_text(intro.read_text().replace("describe the ties", "describe these ties"))
    rebuilt = build_root(project, formats=("pdf",))
    assert part_jobs == ["sec-intro"]
    assert "describe these ties" in " ".join(_normalised_pages(rebuilt.pdf))



def test_a_renamed_heading_is_numbered_in_the_contents_as_a_clean_build_numbers_it(
        tmp_path, shared):
    """A renamed heading has a new anchor the last build's page map lacks: the contents,
    laid out before the chapter, printed the stand-in folio 90000 for it, which drawing
    did not replace (found by the links helper); the edit now gives the clean build's
    bytes."""
    project = shared.copy("basic", tmp_path, formats=("pdf",)).root
    intro = project / "chapters/01-intro.md"
    intro.write_text(intro.read_text().replace("## Scope", "## Range"))
    rebuilt = build_root(project, formats=("pdf",), git_stamp=False)
    clean = build_root(project, formats=("pdf",), git_stamp=False, use_cache=False,
                       out=tmp_path / "clean")
    contents = _normalised_pages(rebuilt.pdf)[2]
    assert re.search(r"Range(?: \.)+ \d", contents) and "90000" not in contents, contents
    assert rebuilt.pdf_path.read_bytes() == clean.pdf_path.read_bytes()


def test_an_undone_edit_is_a_cache_hit_and_the_next_edit_still_reuses_parts(
        tmp_path, part_jobs, shared):
    """Undoing an edit gives the PDF before it from the cache, page map and all, so that
    the edit made again lays out only its chapter, not the whole report (the map was
    dropped with a whole-PDF hit, and the next build laid out every part)."""
    project = shared.copy("basic", tmp_path, formats=("pdf",)).root
    intro = project / "chapters/01-intro.md"
    original = intro.read_text()
    edited = original.replace("describe the ties", "describe these ties")
    again = original.replace("describe the ties", "describe those ties")
    for text, laid_out in [(edited, ["sec-intro"]), (original, []), (edited, ["sec-intro"]),
                           (original, []), (again, ["sec-intro"])]:
        part_jobs.clear()
        intro.write_text(text)
        rebuilt = build_root(project, formats=("pdf",))
        assert part_jobs == laid_out
        printed = " ".join(_normalised_pages(rebuilt.pdf))
        assert re.search(r"describe \w+ ties", text).group() in printed

def _theme_variant(project, replacements: dict[str, str]) -> None:
    """A report-local copy of the default theme with some print rules changed."""
    shutil.copytree(REPO / "templates", project / "templates")
    print_css = project / "templates/css/print.css"
    text = print_css.read_text()
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    print_css.write_text(text)


# Parts that may open on left-hand pages, and page numbers in proportional figures.
LEFT_PAGES = {".part { break-before: right;": ".part { break-before: page;",
              ".toc { break-before: right;": ".toc { break-before: page;",
              "font-variant-numeric: lining-nums tabular-nums;": "font-variant-numeric: normal;"}


def _left_pages_project(folder: Path) -> Path:
    """The basic fixture with :data:`LEFT_PAGES`' theme and a longer defence chapter."""
    project = copy_root("basic", folder)
    _theme_variant(project, LEFT_PAGES)
    defence = project / "chapters/02-defence.md"
    defence.write_text(defence.read_text() + LONG_PARAGRAPH)
    return project


@pytest.fixture(scope="module")
def left_pages(tmp_path_factory) -> tuple[Built, list[str]]:
    """:func:`_left_pages_project` built by parts (read only), and the parts it laid out;
    two tests read it."""
    laid_out: list[str] = []
    real = reportc.pdf.schedule._Parts._draft_task

    def recording(self, part):
        laid_out.append(part)
        return real(self, part)

    project = _left_pages_project(tmp_path_factory.mktemp("left"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reportc.pdf.schedule._Parts, "_draft_task", recording)
        built = build_root(project, formats=("pdf",))
    return built, laid_out


def test_a_theme_whose_parts_may_open_on_left_pages_still_matches(tmp_path, left_pages):
    """Parts laid out as right-hand pages that turn out to start on a left-hand page are
    laid out again behind a blank page; numbers in proportional figures change width, so
    parts whose estimates were wrong are laid out again with the real numbers (the
    re-layout path itself is forced in test_friction's progress-line test)."""
    by_parts, part_jobs = left_pages
    single = _single_pass(by_parts.root, tmp_path)
    texts = _normalised_pages(single.pdf)
    assert any(text.startswith("CHAPTER") for text in texts[1::2]), "an opener on a left page"
    # Whether a part is laid out before or after the parts in front of it are known depends
    # on the workers' timing (on a loaded machine often after): the pages must match anyway.
    assert set(part_jobs) >= {"front", "bibliography"}
    _same_pdf(by_parts.pdf, single.pdf)


def test_merged_output_is_deterministic(tmp_path, shared, clean):
    """Two clean builds in two folders (this file's, and the session's), each copied,
    edited and built again: the same merged PDF."""
    outputs = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        if name == "a":
            project = tmp_path / name / "basic"
            shutil.copytree(clean.project, project, symlinks=True)  # its out/ and cache too
        else:
            project = shared.copy("basic", tmp_path / name, formats=("pdf",)).root
        intro = project / "chapters/01-intro.md"
        intro.write_text(intro.read_text().replace("describe the ties", "describe ties"))
        outputs.append(build_root(project, formats=("pdf",)).pdf_path.read_bytes())
    assert outputs[0] == outputs[1]


def test_a_merge_begun_while_parts_are_laid_out_gives_the_bytes_of_one_merge(shared,
                                                                             monkeypatch):
    """The merge process begins an edit's merge with the parts before the edited one
    (reportc.pdf.merge.prepare) while it is laid out; finished with the parts as sent
    later (other objects, the same bytes), it is the merge done at once. A merge begun
    with other first parts is dropped, and the merge is done at once."""
    from reportc.pdf import merge
    from reportc.pdf.merged import PartPages

    pdf = shared.build("basic", formats=("pdf",)).pdf_path.read_bytes()
    count = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    fields = {"dc:title": "Merged"}
    parts = [PartPages(pdf, 0, 3), PartPages(pdf, 3, 4), PartPages(pdf, 7, count - 7)]
    whole = merge.assemble(parts, fields)
    sent = bytes(bytearray(pdf))  # as the later call's unpickled parts hold the last PDF
    merge.prepare(parts[:2], pdf)
    added: list[int] = []
    real = merge._Assembly.add
    monkeypatch.setattr(merge._Assembly, "add", lambda self, part: added.append(part.first)
                        or real(self, part))
    assert merge.assemble([PartPages(sent, p.first, p.count) for p in parts], fields) == whole
    assert added == [7], "the begun merge went on with the last part"
    merge.prepare([PartPages(pdf, 0, 2)], pdf)
    assert merge.assemble(parts, fields) == whole
    assert not merge._AHEAD, "a begun merge serves one merge"
    assert not merge._KEPT, "the build's own process frees a merge's objects"
    assert merge.assemble(parts, fields, keep=True) == whole and merge._KEPT, \
        "the merge process keeps them past its reply: it ends without freeing them"
    merge._KEPT.clear()


def test_parts_opened_ahead_by_the_merge_process_give_the_bytes_of_one_merge(shared,
                                                                             monkeypatch):
    """The merge process opens each part's PDF as it is drawn (reportc.pdf.merge.open_ahead),
    while the other parts are laid out; the merge then finds them by their bytes, opens
    none itself, and writes the bytes of a merge that opened them all at the end. A part
    opened but not merged (drawn again since) is let go with the merge."""
    from reportc.pdf import merge
    from reportc.pdf.merged import PartPages

    pdf = shared.build("basic", formats=("pdf",)).pdf_path.read_bytes()
    count = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    fields = {"dc:title": "Merged"}
    others = bytes(bytearray(pdf))  # another part's PDF: unpickled bytes, equal or not
    parts = [PartPages(pdf, 0, 3), PartPages(others, 3, count - 3)]
    merge.prepare([], None)
    whole = merge.assemble(parts, fields)
    merge.prepare([], None)  # as each build begins
    merge.open_ahead(bytes(bytearray(pdf)))
    merge.open_ahead(pdf[:-1] + b"\n")  # a part drawn again later: not merged
    opened: list[int] = []
    real = merge._Source.__init__
    monkeypatch.setattr(merge._Source, "__init__", lambda self, data: opened.append(len(data))
                        or real(self, data))
    assert merge.assemble(parts, fields) == whole
    assert opened == [], "every part's PDF was opened ahead"
    assert not merge._OPENED, "what was opened ahead goes with the merge"
    merge.open_ahead(pdf)
    merge.prepare([], None)
    assert not merge._OPENED, "a new build starts with nothing opened"


def test_each_drawn_part_is_sent_to_the_merge_process_as_it_is_drawn(tmp_path, part_jobs,
                                                                     monkeypatch):
    """A clean build by parts posts every drawn part's PDF to the merge process before
    the merge is called (reportc.pdf.schedule._open_ahead), one post per part drawn."""
    from reportc.pdf.workers import Errand

    calls: list[str] = []
    real_post, real_call = Errand.post, Errand.call
    monkeypatch.setattr(Errand, "post", lambda self, function, *args: calls.append(
        function.__name__) or real_post(self, function, *args))
    monkeypatch.setattr(Errand, "call", lambda self, function, *args: calls.append(
        function.__name__) or real_call(self, function, *args))
    project = copy_root("basic", tmp_path)
    build(BuildOptions(root=project, formats=("pdf",), jobs=2))
    assert calls[0] == "_prepare" and calls[-1] == "_assemble"
    assert calls[1:-1] == ["_open_ahead"] * len(set(part_jobs)), calls


# A build in a fresh Python process, which says which of the heavy modules it imported.
_IMPORTED = ("import sys; from reportc.build import BuildOptions, build; "
             "build(BuildOptions(root=__import__('pathlib').Path(sys.argv[1]), "
             "formats=('html', 'pdf'), jobs=2)); "
             "print('pikepdf' in sys.modules, 'weasyprint' in sys.modules)")


def _imported(project: Path) -> dict[str, bool]:
    """Build ``project`` (html and pdf) in a new process: which heavy modules it imported."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _IMPORTED, str(project)], cwd=REPO,
                          capture_output=True, text=True, check=True)
    flags = done.stdout.split()[-2:]
    assert set(flags) <= {"True", "False"} and len(flags) == 2, done.stderr
    return dict(zip(("pikepdf", "weasyprint"), (flag == "True" for flag in flags),
                    strict=True))


@pytest.fixture(scope="module")
def clean_in_a_process(tmp_path_factory) -> tuple[Path, dict[str, bool]]:
    """The basic fixture's clean build in its own process (read only: copy to edit), and
    which heavy modules that process imported; two tests read it."""
    project = copy_root("basic", tmp_path_factory.mktemp("process"))
    return project, _imported(project)


def test_the_build_process_reads_the_merge_without_importing_pikepdf(tmp_path,
                                                                    clean_in_a_process):
    """The merge process merges the parts (pikepdf); the build's process only sends them
    and reads the merged PDF: importing pikepdf there cost an edit 0.1 s of CPU."""
    built, imported = clean_in_a_process
    assert imported["pikepdf"] is False  # a clean build
    project = tmp_path / "basic"
    shutil.copytree(built, project, symlinks=True)  # its out/ and cache too
    intro = project / "chapters/01-intro.md"
    intro.write_text(intro.read_text().replace("describe the ties", "describe ties"))
    assert _imported(project)["pikepdf"] is False  # an edit (parts from the last PDF)


def test_the_zygote_warms_up_without_pikepdf_which_only_the_merge_needs(tmp_path):
    """The zygote's warm-up imports WeasyPrint for its workers, not pikepdf (an edit's
    layout waited for it); the warm-up of a process that merges the parts itself does."""
    import subprocess
    import sys

    project = copy_root("basic", tmp_path)
    for merges in (False, True):
        script = ("import sys; from pathlib import Path; from reportc.errors import Diagnostics;"
                  " from reportc.project.config import load_config;"
                  " from reportc.editions.theme import find_theme;"
                  " from reportc.pdf.edition import _warm_up;"
                  f" root = Path({str(project)!r});"
                  f" _warm_up(load_config(root, Diagnostics()), find_theme(root), {merges});"
                  " print('pikepdf' in sys.modules)")
        done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                              text=True, check=True)
        assert done.stdout.split()[-1] == str(merges), done.stderr


@pytest.fixture(scope="module")
def jobs_one(tmp_path_factory) -> tuple[Path, bytes]:
    """The basic fixture's clean PDF build laid out in this process alone (jobs=1): its
    folder (read only: a test that edits copies it) and its PDF."""
    project = copy_root("basic", tmp_path_factory.mktemp("jobs1"))
    build(BuildOptions(root=project, formats=("pdf",), jobs=1))
    return project, (project / "out/fixture.pdf").read_bytes()


def test_clean_builds_are_deterministic_whatever_the_number_of_workers(tmp_path, jobs_one,
                                                                       clean):
    outputs = [jobs_one[1], clean.pdf]  # jobs=1, jobs=2
    project = copy_root("basic", tmp_path / "jobs3")
    build(BuildOptions(root=project, formats=("pdf",), jobs=3))
    outputs.append((project / "out/fixture.pdf").read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


def test_jobs_one_still_merges_correctly(tmp_path, jobs_one):
    project = tmp_path / "basic"
    shutil.copytree(jobs_one[0], project, symlinks=True)  # its out/ and cache too
    assert (project / "out/fixture.pdf").read_bytes() == jobs_one[1]
    intro = project / "chapters/01-intro.md"
    intro.write_text(intro.read_text().replace("describe the ties", "describe ties"))
    build(BuildOptions(root=project, formats=("pdf",), jobs=1))
    reader = pypdf.PdfReader(io.BytesIO((project / "out/fixture.pdf").read_bytes()))
    assert len(reader.pages) == 11
    assert "describe ties" in " ".join(_normalised_pages(reader))


@pytest.mark.parametrize(("renamed", "drafts"), [
    (['<section class="part'], ["front"]),  # no parts: everything is the front part
    (['<section class="part', '<section class="cover'], []),  # nothing to cut: one pass
])
def test_a_template_reportc_cannot_cut_into_parts_still_builds(tmp_path, part_jobs,
                                                               renamed, drafts):
    project = copy_root("basic", tmp_path)
    shutil.copytree(REPO / "templates", project / "templates")
    template = project / "templates/report.html.j2"
    text = template.read_text()
    for tag in renamed:
        text = text.replace(tag, tag.replace('class="', 'class="x-'))
    template.write_text(text)
    built = build_root(project, formats=("pdf",))
    assert part_jobs == drafts
    texts = _normalised_pages(built.pdf)
    contents = next(text for text in texts if text.startswith("Contents"))
    defence = next(number for number, text in enumerate(texts, start=1)
                   if "CHAPTER 2 Defence-oriented technologies" in text)
    assert re.search(rf"Defence-oriented technologies(?: \.)+ {defence}\b", contents)


def test_a_theme_with_the_old_chunks_css_still_lays_out_by_parts(tmp_path, part_jobs,
                                                                 left_pages):
    """A theme's css/chunks.css (the old name, with .chunk-pad and .chunk-next) is still
    used, with a deprecation warning: its parts open on left-hand pages behind the same
    blank pages as with css/parts.css (:func:`left_pages`' build)."""
    parts, parts_laid_out = left_pages
    project = _left_pages_project(tmp_path / "chunks")
    css = project / "templates/css/parts.css"
    css.rename(css.with_name("chunks.css"))
    text = css.with_name("chunks.css").read_text().replace(".part-", ".chunk-")
    css.with_name("chunks.css").write_text(text)
    chunks = build_root(project, formats=("pdf",))
    for built, laid_out in ((parts, parts_laid_out), (chunks, part_jobs)):
        assert laid_out, "laid out part by part"
        deprecated = [w for w in built.warnings if "chunks.css is deprecated" in w]
        assert len(deprecated) == (built is chunks), built.warnings
    texts = _normalised_pages(parts.pdf)
    assert any(text.startswith("CHAPTER") for text in texts[1::2]), "an opener on a left page"
    _same_pdf(chunks.pdf, parts.pdf)


def test_estimated_numbers_near_another_width_defer_a_part():
    from reportc.pdf.schedule import _near_other_width

    assert [p for p in range(1, 130) if _near_other_width(p)] == [
        *range(7, 13), *range(91, 111)]  # within 3 pages, or 10 %, of 9/10 and 99/100


def test_the_layout_workers_are_forked_by_a_process_started_before_the_chapters_are_read(
        clean):
    """Forked from the build's process by the PDF stage, a worker started as large as it
    had grown (the chapters' ASTs, the citing's output): 525 MB on the 500-page report."""
    import os

    assert clean.events == ["zygote", "read"]
    assert clean.parents and os.getpid() not in clean.parents, \
        "the workers are the zygote's children"
    assert (clean.project / "out/fixture.pdf").is_file()


def test_the_build_process_imports_no_weasyprint_when_workers_lay_the_pdf_out(
        clean_in_a_process):
    """The zygote warms WeasyPrint up for the workers; the build's process reads their
    replies (reportc.pdf.results) and would pay 0.5 s of CPU to import it as well."""
    project, imported = clean_in_a_process
    assert imported["weasyprint"] is False
    assert (project / "out/fixture.pdf").is_file()


def test_element_ids_are_found_as_the_white_space_pattern_finds_them():
    """split.ids finds what ``\\sid="..."`` found (with the offset of the white space),
    from the literal ``id="``: not data-id, nor an id at the very start, nor an empty one."""
    body = ('id="start"<h2 id="a" data-id="b">x</h2>\n<p\tid="c"><span aria-labelledby="d" '
            'id=""></span><a href="#e" xid="f"> id="g"</a><div\nid="h" id="i"></div>')
    old = [(m.group(1), m.start()) for m in re.finditer(r'\sid="([^"]+)"', body)]
    assert list(split.ids(body)) == old
    assert [name for name, _ in old] == ["a", "c", "g", "h", "i"]


def test_a_parts_key_changes_exactly_when_its_document_does():
    """A part's exact key hashes what its document is made of (schedule._Parts.exact_key),
    not the document: two page maps give it the same key only if they give it the same
    document (the numbers it prints, where it starts, whether it is padded)."""
    page = ('<html><head><title>t</title></head><body><main>'
            '<section class="cover" id="front"><a href="#a" class="x">A</a></section>'
            '<section class="part" id="a"><h1 id="a">A</h1><p id="a1">x</p>'
            '<a href="#b1" class="xref">see</a> <a href="#a1">here</a></section>'
            '<section class="part" id="b"><h1 id="b">B</h1><p id="b1">y</p><p id="b2">z</p>'
            '</section></main></body></html>')
    page_split = split.split_page(page)
    job = reportc.pdf.schedule.PdfJob(None, None, None, None, lambda: False, "env")
    parts = reportc.pdf.schedule._Parts(page_split, job, None, None)
    maps = []
    for counts, b1, b2 in [(2, 5, 6), (2, 5, 7), (2, 6, 6), (3, 6, 6), (1, 5, 6), (1, 4, 6)]:
        pages = reportc.pdf.pagemap.PageMap(["front", "a", "b"],
                                           {"front": 1, "a": counts, "b": 4})
        pages.anchors.update({"a": 2, "a1": 2, "b": b1 - 1, "b1": b1, "b2": b2})
        maps.append(pages)
    for part in ("front", "a", "b"):
        for one, other in itertools.combinations(maps, 2):
            same_document = [split.part_document(page_split, part, m.starts[part], m.anchors,
                                                 job.padded(m.starts[part])) for m in (one, other)]
            assert (parts.exact_key(part, one) == parts.exact_key(part, other)) == \
                (same_document[0] == same_document[1]), (part, one, other)
