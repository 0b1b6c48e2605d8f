"""Friction a new user meets, each fixed: clear one-line errors instead of tracebacks,
warnings about chapter files that are skipped, warnings and progress lines printed once,
and a watermark that is drawn above the page and read as one word."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal

import pikepdf
import pytest
from conftest import REPO, build_root, copy_root, run_cli

import reportc.pdf.layout
import reportc.pdf.schedule
from reportc.commands.cli import main
from reportc.editions.theme import DEFAULT_THEME


@pytest.fixture
def project(tmp_path):
    return copy_root("basic", tmp_path)


def test_build_py_without_the_dependencies_gives_a_one_line_hint(project):
    # -S: no site-packages, as with a system Python that never had `make` run
    done = subprocess.run([sys.executable, "-S", str(REPO / "build.py"), str(project)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0
    assert "make report" in done.stderr and ".venv/bin/python build.py" in done.stderr


def _crash(*args, **kwargs):
    os._exit(3)  # a layout worker dies (out of memory, a segfault in a library)


@pytest.mark.parametrize("failure", ["worker crash", "no convergence"])
def test_a_failed_pdf_layout_is_a_clear_error_with_advice(project, monkeypatch, capsys,
                                                          failure):
    build_root(project, formats=("html",))
    before = (project / "out/fixture.html").read_bytes()
    if failure == "worker crash":
        monkeypatch.setattr(reportc.pdf.layout, "draft_part", _crash)
    else:
        monkeypatch.setattr(reportc.pdf.schedule, "MAX_ROUNDS", 0)
    assert main([str(project), "-j", "2"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "PDF layout failed:" in err and "--single-pass" in err
    assert "did not settle" in err if failure == "no convergence" else "died" in err
    assert (project / "out/fixture.html").read_bytes() == before
    assert not (project / "out/fixture.pdf").exists()


def test_a_theme_without_the_page_template_is_reported(project):
    shutil.copytree(DEFAULT_THEME, project / "templates")
    (project / "templates/report.html.j2").rename(project / "templates/report.j2")
    done = run_cli(project)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "templates/report.html.j2: not found" in done.stderr


def test_a_template_missing_from_the_theme_is_reported_as_such(project):
    shutil.copytree(DEFAULT_THEME, project / "templates")
    (project / "templates/byline.html.j2").unlink()
    done = run_cli(project)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert re.search(r"templates/byline\.html\.j2: template not found", done.stderr)
    assert "could not write the output" not in done.stderr


def test_chapter_files_that_are_skipped_or_unnumbered_are_named(project):
    chapters = project / "chapters"
    shutil.copy(chapters / "02-defence.md", chapters / "03-outlook.markdown")
    (chapters / "02-defence.md").rename(chapters / "defence.md")
    built = build_root(project, formats=("html",))  # found before any edition: no PDF needed
    assert any(w.startswith("chapters/03-outlook.markdown: warning: is skipped") and
               "03-outlook.md" in w for w in built.warnings)
    assert any(w.startswith("chapters/defence.md: warning: has no NN- number prefix")
               for w in built.warnings)
    assert not any("01-intro.md" in w for w in built.warnings)


def test_warnings_print_once_on_a_rebuild_with_no_change(project):
    config = project / "report.yaml"
    config.write_text(config.read_text() + "colour: blue\n")  # a warning read before the
    bib = project / "references.bib"  # up-to-date check, and one found after it
    bib.write_text(bib.read_text() + "\n@book{spare2020, author = {Spare, Ann}, "
                   "title = {Never Cited}, publisher = {X}, date = {2020}}\n")
    first = run_cli(project, "--format", "html")  # both warnings come before any edition
    again = run_cli(project, "--format", "html")
    assert "up to date" in again.stderr
    for done in (first, again):
        assert done.stderr.count("unknown setting 'colour'") == 1
        assert done.stderr.count("'spare2020' is never cited") == 1


def test_one_progress_line_per_part_however_often_it_is_laid_out(project, monkeypatch,
                                                                 caplog):
    # Every part's first layout is judged not to fit its numbers, so every part is laid
    # out again (an estimate with the wrong number of digits does this, but whether an
    # estimate is still in use when a part is sent depends on the workers' timing).
    real_fits, judged = reportc.pdf.schedule._Parts._fits, set()

    def fits_the_second_time(part, laid, padded, anchors):
        if part not in judged:
            judged.add(part)
            return False
        return real_fits(part, laid, padded, anchors)

    monkeypatch.setattr(reportc.pdf.schedule._Parts, "_fits", staticmethod(fits_the_second_time))
    caplog.set_level(logging.INFO, logger="reportc")
    build_root(project, jobs=2)
    lines = [r.getMessage() for r in caplog.records]
    summary = next(line for line in lines if "layout(s) of" in line)
    layouts, parts = map(int, re.search(r"(\d+) layout\(s\) of (\d+) part", summary).groups())
    assert layouts > parts  # some part was laid out more than once
    laid = [re.search(r"laid out (\S+)", line).group(1) for line in lines
            if re.search(r"^reportc:\s+laid out ", line)]
    assert sorted(laid) == sorted(set(laid)) and len(laid) == parts


WATERMARK_RED = ("0.705882", "0.137255", "0.094118")  # rgba(180, 35, 24, …)
FIGURE_BLUE = ("0.043137", "0.364706", "0.478431")  # the fixture's bars (#0b5d7a)


def test_the_watermark_is_drawn_above_the_content_as_one_word(project):
    built = build_root(project, status="review")
    texts = built.page_texts()
    figure_page = next(i for i, t in enumerate(texts) if "Figure 1." in t)
    assert "REVIEW" in texts[figure_page]
    with pikepdf.open(built.pdf_path) as pdf:
        ops = list(pikepdf.parse_content_stream(pdf.pages[figure_page]))
    colours = [(i, tuple(str(x) for x in operands)) for i, (operands, op) in enumerate(ops)
               if str(op) == "rg"]
    red = [i for i, c in colours if c == WATERMARK_RED]
    blue = [i for i, c in colours if c == FIGURE_BLUE]
    assert red and blue and min(red) > max(blue), "the figure is drawn over the watermark"
    word = next(operands for operands, op in ops[min(red):] if str(op) == "TJ")[0]
    gaps = [float(x) for x in word if isinstance(x, (int, float, Decimal))]
    assert all(abs(gap) < 50 for gap in gaps), f"letters spaced apart: {gaps}"
    text = "\n".join(texts)
    assert re.search(r"(?<![A-Za-z])REVIEW(?![A-Za-z])", text) and "R E V" not in text


def test_the_command_line_prints_only_reportc_lines(tmp_path):
    """Other libraries' INFO lines (pikepdf announces its logger bridge) never reach the
    user; reportc's own progress and warnings do."""
    done = run_cli(copy_root("basic", tmp_path), "--format", "pdf")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines and all(line.startswith("reportc:") or ": warning:" in line
                         for line in lines), done.stderr
