"""``out/`` holds exactly the current build's artifacts, all or nothing; ``--out`` at a file
is a clear error."""

from __future__ import annotations

import errno
import os

import pytest
from conftest import build_root, copy_root, run_cli

import reportc.output
from reportc.errors import BuildFailed


@pytest.fixture
def project(tmp_path):
    return copy_root("basic", tmp_path)


def test_artifacts_of_an_earlier_build_with_other_names_are_removed(project):
    first = build_root(project, status="draft", version_label="v0.9.0")
    draft_pdf = first.out / "fixture-v0.9.0.pdf"
    assert draft_pdf.is_file()
    (first.out / "notes.txt").write_text("mine")  # never written by reportc: kept
    build_root(project, version_label="v1.0.0")
    names = sorted(p.relative_to(first.out).as_posix() for p in first.out.rglob("*")
                   if p.is_file() and not p.name.startswith(".")
                   and ".reportc-cache" not in p.parts)
    assert "fixture-v0.9.0.pdf" not in names and "fixture-v0.9.0.html" not in names
    assert {"fixture-v1.0.0.pdf", "fixture-v1.0.0.html", "notes.txt"} <= set(names)
    assert not [n for n in names if "v0.9.0" in n]


def test_a_figure_no_longer_used_leaves_out(project):
    build_root(project, formats=("html",))
    assert (project / "out/figures/bars.svg").is_file()
    chapter = project / "chapters/01-intro.md"
    text = chapter.read_text()
    text = text.replace("![Depth of cooperation by field.](figures/bars.svg){#fig-bars}", "")
    chapter.write_text(text.replace("@fig-bars summarises", "a figure once summarised"))
    build_root(project, formats=("html",))
    assert not (project / "out/figures/bars.svg").exists()
    assert not (project / "out/figures").exists()  # the emptied folder goes too


def test_stale_removal_is_undone_when_the_commit_fails(project, monkeypatch):
    first = build_root(project, formats=("html",), version_label="v0.9.0")
    old = first.out / "fixture-v0.9.0.html"
    before = old.read_bytes()
    manifest = (first.out / reportc.output.MANIFEST).read_text()
    real = os.replace

    def failing(source, target):
        if ".stale" in str(target):
            raise OSError(errno.ENOSPC, "No space left on device", str(target))
        return real(source, target)

    monkeypatch.setattr(reportc.output.os, "replace", failing)
    with pytest.raises(BuildFailed):
        build_root(project, formats=("html",), version_label="v1.0.0")
    assert old.read_bytes() == before
    assert not (first.out / "fixture-v1.0.0.html").exists()
    assert (first.out / reportc.output.MANIFEST).read_text() == manifest


def test_out_at_a_file_is_a_clear_error(project, tmp_path):
    target = tmp_path / "a-file"
    target.write_text("not a folder")
    for out in (target, target / "below"):
        done = run_cli(project, "--out", out)
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        assert "the output folder" in done.stderr and "not a folder" in done.stderr
    assert target.read_text() == "not a folder"
