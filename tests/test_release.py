"""Release and review: the CI workflow, version labels, self-contained HTML, draft states."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import REPO, build_root, copy_root, run_cli
from conftest import git as _git
from htmlparse import parse_html

from reportc.build import BuildOptions, build
from reportc.errors import BuildFailed
from reportc.project.versioning import check_label, git_stamp

WORKFLOW = REPO / ".github" / "workflows" / "release.yml"
INSTALL_SYSTEM = "sudo scripts/system-packages"  # the list: reportc/system-packages.txt
EPOCH_2026_01_01 = "1767225600"


def _texts(pdf: Path) -> list[str]:
    import pypdf

    return [page.extract_text() for page in pypdf.PdfReader(pdf).pages]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_root("basic", tmp_path)


# --- the workflow ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _runs(job: dict) -> list[str]:
    return [step.get("run", "") for step in job["steps"]]


def _index(job: dict, predicate) -> int:
    matches = [i for i, step in enumerate(job["steps"]) if predicate(step)]
    assert matches, f"no such step in {[s.get('name') for s in job['steps']]}"
    return matches[0]


def test_workflow_runs_on_every_push_pull_request_and_version_tag(workflow):
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "pull_request" in triggers
    assert triggers["push"]["branches"] == ["**"]
    assert triggers["push"]["tags"] == ["v*.*.*"]
    assert workflow["permissions"] == {"contents": "read"}


def test_build_job_installs_as_the_readme_says_tests_builds_and_uploads(workflow):
    job = workflow["jobs"]["build"]
    apt = _index(job, lambda s: INSTALL_SYSTEM in s.get("run", ""))
    test = _index(job, lambda s: s.get("run", "").startswith("make test"))
    report = _index(job, lambda s: s.get("run", "").strip()
                    == 'make report ARGS="--format html,pdf,docx,epub,brief,evidence"')
    upload = _index(job, lambda s: s.get("uses", "").startswith("actions/upload-artifact@"))
    assert apt < test < report < upload
    checkout = job["steps"][_index(job, lambda s: s.get("uses", "").startswith(
        "actions/checkout@"))]
    assert checkout["with"]["fetch-depth"] == 0, "git describe needs the tags"
    paths = job["steps"][upload]["with"]["path"].split()
    assert "out/" in paths and "!out/.reportc-cache/" in paths
    epoch = _index(job, lambda s: "SOURCE_DATE_EPOCH" in s.get("run", ""))
    assert test < epoch < report, "tests pin their own dates; the build uses the commit's"


def test_release_job_publishes_the_assets_only_for_version_tags(workflow):
    job = workflow["jobs"]["release"]
    assert job["needs"] == "build"
    assert "startsWith(github.ref, 'refs/tags/v')" in job["if"]
    assert job["permissions"] == {"contents": "write"}
    assert job["env"]["VERSION"] == "${{ github.ref_name }}"
    runs = "\n".join(_runs(job))
    assert INSTALL_SYSTEM in runs
    assert "^v[0-9]+\\.[0-9]+\\.[0-9]+$" in runs, "the tag is checked to be vX.Y.Z"
    editions = job["steps"][_index(job, lambda s: s.get("id") == "editions")]["run"]
    assert editions.count("--version-label $VERSION") == 3
    assert "--self-contained" in editions
    package = _index(job, lambda s: s.get("id") == "package")
    publish = _index(job, lambda s: "gh release create" in s.get("run", ""))
    assert package < publish
    assert job["steps"][publish]["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert 'dist/*' in job["steps"][publish]["run"]


def test_release_steps_run_as_written_produce_the_named_assets(tmp_path, workflow):
    """Run the workflow's own build and package scripts on the fixture report
    (``make report`` stands in for the real Makefile) and check what they publish."""
    project = copy_root("basic", tmp_path / "src")
    job = workflow["jobs"]["release"]
    scripts = [job["steps"][_index(job, lambda s, i=i: s.get("id") == i)]["run"]
               for i in ("editions", "package")]
    make = (f'make() {{ [ "$1" = report ] || return 1; local args="${{2#ARGS=}}"; '
            f'"{sys.executable}" "{REPO / "build.py"}" "{project}" -q $args; }}\n')
    work = tmp_path / "runner"
    work.mkdir()
    env = {**os.environ, "VERSION": "v1.2.3", "SOURCE_DATE_EPOCH": EPOCH_2026_01_01}
    for script in scripts:
        done = subprocess.run(["bash", "-c", make + script], cwd=work, env=env,
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
    dist = work / "dist"
    cover = ["fixture-v1.2.3-cover.png"] if shutil.which("pdftoppm") else []
    assert sorted(p.name for p in dist.iterdir()) == sorted([
        "SHA256SUMS", "fixture-v1.2.3-html.zip", "fixture-v1.2.3-site.zip",
        "fixture-v1.2.3.html", "fixture-v1.2.3.pdf", "fixture-v1.2.3-brief.pdf",
        "fixture-v1.2.3.epub", "fixture-v1.2.3.docx", "fixture-v1.2.3-evidence.csv",
        "fixture-v1.2.3-evidence.html",
        "fixture-v1.2.3.bib", "fixture-v1.2.3.ris", *cover])
    sums = dict(reversed(line.split("  ")) for line in
                (dist / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == {p.name for p in dist.iterdir()} - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256((dist / name).read_bytes()).hexdigest() == digest, name
    assert (dist / "fixture-v1.2.3-evidence.csv").read_bytes().startswith(
        b"file,line,keys,locator,quote,status,sentence,closest\r\n")
    with zipfile.ZipFile(dist / "fixture-v1.2.3-html.zip") as archive:
        names = set(archive.namelist())
    assert {"fixture-v1.2.3.html", "assets/css/screen.css", "figures/bars.svg"} <= names
    assert not any(name.startswith(".") or ".reportc-cache" in name for name in names)
    page = (dist / "fixture-v1.2.3.html").read_text(encoding="utf-8")
    assert 'href="assets/' not in page and "data:font/woff2;base64," in page
    with zipfile.ZipFile(dist / "fixture-v1.2.3-site.zip") as archive:
        names = set(archive.namelist())
        landing = archive.read("site/index.html").decode("utf-8")
    assert {"site/index.html", "site/bibliography.html", "site/assets/search-index.js",
            "fixture-v1.2.3.pdf", "fixture-v1.2.3.ris"} <= names
    for href in ("../fixture-v1.2.3.pdf", "../fixture-v1.2.3.docx", "../fixture-v1.2.3.bib"):
        assert f'href="{href}"' in landing and href[3:] in names  # its downloads are in it


def test_release_job_builds_the_redline_since_the_previous_version(workflow):
    job = workflow["jobs"]["release"]
    editions = _index(job, lambda s: s.get("id") == "editions")
    redline = _index(job, lambda s: s.get("id") == "redline")
    package = _index(job, lambda s: s.get("id") == "package")
    assert editions < redline < package, "the redline uses the venv the editions made"
    script = job["steps"][redline]["run"]
    assert "build.py diff" in script and '"$VERSION" --format pdf' in script
    assert "--first-parent" in script and "-G'^version:'" in script
    assert "build/release/redline/*-redline-*.pdf" in job["steps"][package]["run"]


def _edition_repo(root: Path, merge: bool) -> tuple[Path, str]:
    """A repository of the fixture: version 1.2 (two commits), then 1.3 on a branch
    (the version bump first, then a new sentence), merged (after one more 1.2 commit on
    main) or fast-forwarded, and tagged v1.3.0. Returns it and the last 1.2 commit."""
    project = copy_root("basic", root)
    _git(project, "init", "-q")
    _git(project, "add", ".")
    _git(project, "commit", "-qm", "version 1.2")
    chapter = project / "chapters" / "01-intro.md"
    chapter.write_text(chapter.read_text() + "\nA sentence of version 1.2.\n")
    _git(project, "commit", "-qam", "still 1.2")
    last = _git(project, "rev-parse", "HEAD")
    _git(project, "checkout", "-qb", "edition")
    config = project / "report.yaml"
    config.write_text(config.read_text().replace('version: "1.2"', 'version: "1.3"'))
    _git(project, "commit", "-qam", "version 1.3")
    chapter.write_text(chapter.read_text() + "\nA sentence new in version 1.3.\n")
    _git(project, "commit", "-qam", "new text")
    _git(project, "checkout", "-q", "main")
    if merge:  # main moved on while the edition was written: its last 1.2 commit is the base
        (project / "chapters" / "02-defence.md").write_text(
            (project / "chapters" / "02-defence.md").read_text() + "\nLater on main.\n")
        _git(project, "commit", "-qam", "main, still 1.2")
        last = _git(project, "rev-parse", "HEAD")
    _git(project, "merge", "-q", "--no-ff" if merge else "--ff-only", "-m", "merge", "edition")
    _git(project, "tag", "v1.3.0")
    return project, last


def _run_redline_step(workflow: dict, project: Path, python: str) -> subprocess.CompletedProcess:
    job = workflow["jobs"]["release"]
    script = job["steps"][_index(job, lambda s: s.get("id") == "redline")]["run"]
    script = script.replace(".venv/bin/python build.py", python)
    env = {**os.environ, "VERSION": "v1.3.0", "SOURCE_DATE_EPOCH": EPOCH_2026_01_01}
    return subprocess.run(["bash", "-c", script], cwd=project, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_redline_step_run_as_written_diffs_a_merged_edition_from_its_predecessor(
        tmp_path, workflow):
    project, last = _edition_repo(tmp_path, merge=True)
    done = _run_redline_step(workflow, project, f'"{sys.executable}" "{REPO / "build.py"}"')
    assert done.returncode == 0, done.stderr
    pdf = project / "build" / "release" / "redline" / f"fixture-redline-{last[:12]}-v1.3.0.pdf"
    assert [p.name for p in pdf.parent.glob("*.pdf")] == [pdf.name]
    text = "\n".join(_texts(pdf))
    assert "A sentence new in version 1.3." in text
    assert "A sentence of version 1.2." in text  # unchanged text, not struck through
    assert "REVIEW" in text


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize("merge", [False, True])
def test_redline_base_is_the_last_commit_before_the_version_changed(tmp_path, workflow, merge):
    """A fast-forwarded edition and a merged one give the same base; the build is
    replaced by a command that prints its arguments."""
    project, last = _edition_repo(tmp_path, merge=merge)
    done = _run_redline_step(workflow, project, "echo ARGS")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ARGS", "diff", last[:12], "v1.3.0", "--format", "pdf",
                                   "--out", "build/release/redline"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_first_version_has_no_redline(tmp_path, workflow):
    project = copy_root("basic", tmp_path)
    _git(project, "init", "-q")
    _git(project, "add", ".")
    _git(project, "commit", "-qm", "version 1.2")
    done = _run_redline_step(workflow, project, "echo ARGS")
    assert done.returncode == 0, done.stderr
    assert "ARGS" not in done.stdout and "no earlier version" in done.stdout


# --- version labels ----------------------------------------------------------------------

def test_version_label_names_outputs_and_is_stamped_with_the_build_date(project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_01_01)
    result = build(BuildOptions(root=project, version_label="v1.2.3"))
    names = sorted(p.name for p in result.outputs if p.suffix in (".pdf", ".html"))
    assert names == ["fixture-v1.2.3.html", "fixture-v1.2.3.pdf"]
    out = project / "out"
    cover = _texts(out / "fixture-v1.2.3.pdf")[0]
    assert "Version 1.2 · Build v1.2.3 (2026-01-01)" in cover
    import pypdf

    info = pypdf.PdfReader(out / "fixture-v1.2.3.pdf").metadata
    assert info["/Creator"] == "reportc · v1.2.3"
    assert info["/CreationDate"].startswith("D:20260101")
    page = parse_html((out / "fixture-v1.2.3.html").read_text(encoding="utf-8"))
    footer = page.find_all("footer")[0]
    assert footer.find_all("p", "build-stamp")[0].text() == "Build v1.2.3, 2026-01-01"


def test_without_a_label_outputs_keep_the_slug_name_and_carry_no_stamp(basic):
    assert basic.pdf_path.name == "fixture.pdf" and basic.html_path.name == "fixture.html"
    assert "Build" not in basic.page_texts()[0]
    assert "build-stamp" not in basic.html_path.read_text(encoding="utf-8")
    assert basic.pdf.metadata["/Creator"] == "reportc"


@pytest.mark.parametrize("label", ["../evil", "v1 2", "", "-v1", "x" * 65])
def test_labels_that_cannot_be_file_names_are_refused(label):
    assert check_label(label) is not None


def test_cli_refuses_a_bad_label(project):
    result = run_cli(project, "--version-label", "v1/../2", "--format", "html")
    assert result.returncode == 2
    assert "version label 'v1/../2' must start with a letter or digit" in result.stderr


def test_cli_version_label_names_the_outputs(project, tmp_path):
    result = run_cli(project, "--version-label", "v2.0.0", "--format", "html",
                     "--out", tmp_path / "o", "-q")
    assert result.returncode == 0, result.stderr
    assert [p.name for p in (tmp_path / "o").glob("*.html")] == ["fixture-v2.0.0.html"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_describe_is_stamped_but_does_not_rename(project):
    _git(project, "init", "-q")
    _git(project, "add", ".")
    _git(project, "commit", "-qm", "first")
    _git(project, "tag", "v0.9.0")
    built = build_root(project, formats=("pdf",))
    assert built.pdf_path.name == "fixture.pdf", "only an explicit label renames outputs"
    assert "Build v0.9.0 (2026-05-04)" in built.page_texts()[0]
    chapter = project / "chapters" / "01-intro.md"
    chapter.write_text(chapter.read_text() + "\nOne more sentence.\n")
    commit = _git(project, "rev-parse", "--short", "HEAD")
    stamp = git_stamp(project)
    assert stamp is not None and stamp.describe == "v0.9.0-dirty" and stamp.dirty
    built = build_root(project, formats=("pdf",), status="draft")
    texts = built.page_texts()
    assert "Build v0.9.0-dirty" in texts[0]
    assert all(f"commit {commit} + local changes" in text for text in texts)


def test_no_git_stamp_without_a_repository_or_without_git(tmp_path, monkeypatch):
    assert git_stamp(tmp_path) is None
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert git_stamp(REPO) is None


# --- self-contained HTML -----------------------------------------------------------------

def test_self_contained_html_is_one_file_with_css_fonts_and_images_inlined(project, tmp_path):
    out = tmp_path / "single"
    build_root(project, out=out, formats=("html",), self_contained=True)
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == \
        ["fixture.html"]
    text = (out / "fixture.html").read_text(encoding="utf-8")
    page = parse_html(text)
    assert not page.find_all("link")
    assert len(page.find_all("style")) == 2
    assert text.count('src: url("data:font/woff2;base64,') == 8  # subsets (test_web_fonts)
    assert not re.search(r"url\(\s*['\"]?\.\./fonts", text)
    images = page.find_all("img")
    assert images and all(i.attrs["src"].startswith("data:image/svg+xml;base64,")
                          for i in images)


# --- draft, review and final -------------------------------------------------------------

def _red_pixels(pdf: Path, page: int, tmp_path: Path) -> int:
    from PIL import Image

    stem = tmp_path / f"page{page}"
    subprocess.run(["pdftoppm", "-r", "30", "-png", "-singlefile", "-f", str(page), "-l",
                    str(page), str(pdf), str(stem)], check=True)
    data = Image.open(f"{stem}.png").convert("RGB").tobytes()
    return sum(1 for i in range(0, len(data), 3)
               if data[i] > data[i + 1] + 15 and data[i] > data[i + 2] + 15)


def test_draft_watermarks_every_pdf_page_and_bans_the_html(project, tmp_path, basic):
    result = run_cli(project, "--draft", "-q")
    assert result.returncode == 0, result.stderr
    texts = _texts(project / "out" / "fixture.pdf")
    assert len(texts) == len(basic.page_texts())
    for text in texts:
        assert "DRAFT" in text and "2026-05-04" in text, "blank pages are marked too"
    if shutil.which("pdftoppm"):
        assert _red_pixels(project / "out" / "fixture.pdf", 5, tmp_path) > 500, \
            "the watermark is drawn, not just present in the text layer"
        assert _red_pixels(project / "out" / "fixture.pdf", 6, tmp_path) > 500, "blank page"
        assert _red_pixels(project / "out" / "fixture.pdf", len(texts), tmp_path) > 500
        assert _red_pixels(basic.pdf_path, 5, tmp_path) < 50, "no watermark without a status"
    page = parse_html((project / "out" / "fixture.html").read_text(encoding="utf-8"))
    banner = page.find_all("div", "status-banner")[0]
    assert banner.attrs["role"] == "note"
    assert banner.text().startswith("DRAFT · not the final text · 2026-05-04")


def test_review_status_comes_from_report_yaml(project):
    config = project / "report.yaml"
    config.write_text(config.read_text() + "status: review\n")
    built = build_root(project)
    assert all("REVIEW" in text for text in built.page_texts())
    assert "status-banner status-review" in built.html_path.read_text(encoding="utf-8")


def test_final_builds_have_no_watermark_and_are_strict(project):
    config = project / "report.yaml"
    config.write_text(config.read_text() + "status: final\n")
    bib = project / "references.bib"
    chapter = project / "chapters" / "01-intro.md"
    original, text = bib.read_text(), chapter.read_text()
    bib.write_text(original + "\n@online{thin,\n  title = {Cited without a link}\n}\n")
    chapter.write_text(text + "\nA page [@thin].\n")
    with pytest.raises(BuildFailed) as failure:
        build(BuildOptions(root=project))
    assert [str(p) for p in failure.value.problems] == [
        "references.bib:23: entry 'thin' (@online) has no 'url', 'doi' or 'eprint': its "
        "printed reference will lack a link (url, doi or eprint) [bib.fields]"]
    chapter.write_text(text)  # the entry is no longer cited: a library may hold it
    built = build_root(project)
    assert built.warnings == [
        "references.bib:23: warning: entry 'thin' is never cited [bib.unused]"]
    assert not any("DRAFT" in t or "REVIEW" in t for t in built.page_texts())
    assert "status-banner" not in built.html_path.read_text(encoding="utf-8")


def test_a_final_build_promotes_warnings_found_before_the_status_was_known(project):
    config = project / "report.yaml"
    config.write_text(config.read_text() + "colour: blue\n")
    assert build_root(project, formats=("html",)).warnings == [
        "report.yaml:15: warning: unknown setting 'colour' (ignored) [config.unknown]"]
    with pytest.raises(BuildFailed) as failure:
        build(BuildOptions(root=project, formats=("html",), status="final"))
    assert [str(p) for p in failure.value.problems] == [
        "report.yaml:15: unknown setting 'colour' (ignored) [config.unknown]"]


def test_absent_status_is_not_final_warnings_stay_warnings(project):
    bib = project / "references.bib"
    bib.write_text(bib.read_text() + "\n@online{unused,\n  title = {Never cited},\n"
                   "  url = {https://example.org/}\n}\n")
    built = build_root(project, formats=("html",))
    assert built.warnings == [
        "references.bib:23: warning: entry 'unused' is never cited [bib.unused]"]
    assert "status-banner" not in built.html_path.read_text(encoding="utf-8")


def test_unknown_status_is_a_config_error_with_its_line(project):
    config = project / "report.yaml"
    config.write_text(config.read_text() + "status: nearly\n")
    with pytest.raises(BuildFailed) as failure:
        build(BuildOptions(root=project))
    assert "report.yaml:15: status 'nearly' must be one of draft, review, final" in \
        [str(p) for p in failure.value.problems]
