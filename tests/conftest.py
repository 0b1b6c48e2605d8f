"""Shared fixtures: build a fixture project from tests/roots/ once and read its outputs."""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from reportc.build import BuildOptions, build

TESTS = Path(__file__).resolve().parent
ROOTS = TESTS / "roots"
GOLDENS = TESTS / "goldens"
REPO = TESTS.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true",
                     help="rewrite tests/goldens/ from this build; review the diff")


# Seconds each of the slowest test files took (wall, one file after another on one of two
# workers, summed per file from `make test ARGS=--durations=0`, the mean of two runs on a
# shared machine, so only their order counts), heaviest first. `make test` deals the files
# out to its workers (pytest-xdist, --dist loadfile) in this order, then the rest in
# collection order: the longest go first and the short ones fill in at the end. xdist's
# own order (most tests first) left one-test files such as the 200-page site's to the end,
# on one worker while the other had finished.
FILE_SECONDS = {
    "test_accessibility.py": 156, "test_paginate.py": 138, "test_site_axe_200.py": 105,
    "test_exact_cache.py": 94, "test_recite.py": 86, "test_publisher.py": 85, "test_epub.py": 76,
    "test_release.py": 63, "test_trust.py": 56, "test_bad_inputs.py": 50, "test_site.py": 44,
    "test_fuzz.py": 42, "test_friction.py": 38, "test_projects.py": 33,
    "test_weasyprint_patches.py": 32, "test_package.py": 32, "test_head_start.py": 31,
    "test_compat.py": 29, "test_editions_cache.py": 29, "test_cache.py": 25,
    "test_bibliography.py": 24, "test_errors.py": 24, "test_docs.py": 24, "test_raw.py": 22,
    "test_epub_cited.py": 22, "test_charts_early.py": 20, "test_print_robustness.py": 19,
    "test_redline.py": 19, "test_typesetting.py": 19, "test_pdf_only.py": 18,
    "test_language.py": 45, "test_quarto_outside.py": 25, "test_untitled.py": 30,
    "test_conditional_formats.py": 25, "test_heading_links.py": 20,
    "test_jupyter_book.py": 15,  # the last two sessions', estimated from their CPU-s
}


def pytest_configure(config: pytest.Config) -> None:
    """Keep the file order :func:`pytest_collection_modifyitems` gives (xdist would sort
    the files by their number of tests)."""
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slowest files first (:data:`FILE_SECONDS`); a file's tests keep their order."""
    items.sort(key=lambda item: -FILE_SECONDS.get(item.path.name, 0))


@pytest.fixture(scope="session")
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@dataclasses.dataclass
class Built:
    root: Path
    out: Path
    slug: str
    warnings: list[str]

    @property
    def pdf_path(self) -> Path:
        return self.out / f"{self.slug}.pdf"

    @property
    def html_path(self) -> Path:
        return self.out / f"{self.slug}.html"

    @property
    def pdf(self) -> pypdf.PdfReader:
        return pypdf.PdfReader(self.pdf_path)

    def page_texts(self) -> list[str]:
        """The PDF's text page by page; read once per file version in a test process, since
        many tests read the same shared build's text and pypdf takes seconds on a long PDF."""
        status = self.pdf_path.stat()
        key = (str(self.pdf_path), status.st_ino, status.st_mtime_ns, status.st_size)
        if key not in _PAGE_TEXTS:
            _PAGE_TEXTS[key] = tuple(page.extract_text() for page in self.pdf.pages)
        return list(_PAGE_TEXTS[key])


_PAGE_TEXTS: dict[tuple[str, int, int, int], tuple[str, ...]] = {}


def copy_root(name: str, destination: Path) -> Path:
    """A private copy of a fixture project, so a test may edit it."""
    target = destination / name
    shutil.copytree(ROOTS / name, target, ignore=shutil.ignore_patterns("out"))
    return target


def copy_flagship(folder: Path) -> Path:
    """A copy of the repository's report (its text, bibliography, chart specs and data)."""
    root = folder / "report"
    root.mkdir()
    for name in ("report.yaml", "references.bib"):
        shutil.copy(REPO / name, root / name)
    for sub in ("chapters", "charts", "data"):
        shutil.copytree(REPO / sub, root / sub)
    return root


def build_root(root: Path, **options) -> Built:
    result = build(BuildOptions(root=root, **options))
    out = options.get("out") or root / "out"
    warnings = [str(w) for w in result.diagnostics.warnings]
    return Built(root, out, result.config.slug, warnings)


def run_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python build.py ARGS`` as a user would; returns the finished process."""
    return subprocess.run([sys.executable, str(REPO / "build.py"), *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=300, check=False)


def run_command(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """:func:`run_cli` for a command that reads and prints, such as ``comments``, run in
    this process: a new Python that imports reportc costs 0.3-0.5 CPU-s a run. What it
    writes to standard output and error (as Python's streams and as file descriptors 1
    and 2: a library's own messages too), and its exit status, are what the command line
    gives: an uncaught exception prints its traceback and gives 1, as Python does."""
    from reportc.commands.cli import main

    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryFile() as fd_out, tempfile.TemporaryFile() as fd_err:
        with _descriptors(fd_out.fileno(), fd_err.fileno()), \
                contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(arg) for arg in args])
            except SystemExit as stop:  # argparse's, or sys.exit(message)
                code = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
                if isinstance(stop.code, str):
                    print(stop.code, file=sys.stderr)
            except Exception:
                traceback.print_exc()
                code = 1
        fd_out.seek(0)
        fd_err.seek(0)
        stdout = out.getvalue() + fd_out.read().decode()
        stderr = err.getvalue() + fd_err.read().decode()
    return subprocess.CompletedProcess(["build.py", *map(str, args)], code, stdout, stderr)


@contextlib.contextmanager
def _descriptors(stdout: int, stderr: int) -> Iterator[None]:
    """File descriptors 1 and 2 pointed at ``stdout`` and ``stderr`` for the block."""
    saved = os.dup(1), os.dup(2)
    try:
        os.dup2(stdout, 1)
        os.dup2(stderr, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])


FLAGSHIP = "flagship"  # SharedBuilds' name for the repository's own report
_DEFAULTS: dict[str, object] = {f.name: f.default for f in dataclasses.fields(BuildOptions)
                                if f.default is not dataclasses.MISSING}


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` held by this process (flock: released if it dies)."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def _environment(environ: dict[str, str]) -> Iterator[None]:
    """``os.environ`` set to ``environ`` for the block, then put back."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


class SharedBuilds:
    """Fixture projects built once per test session and read by every test that needs the
    same build, whichever pytest-xdist worker runs it: the first worker to ask builds
    under a file lock, the others wait for it and read the record it leaves. Tests must not
    change a shared build; one that edits the project takes :meth:`copy`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        # A build asked for inside a test runs in the session's environment, not in one a
        # test changed (SOURCE_DATE_EPOCH...): it must be the same whoever asks first.
        self.environ = dict(os.environ)

    def build(self, name: str, **options) -> Built:
        """``name`` (a folder of tests/roots/, or FLAGSHIP) built with ``options``; an
        option given at its default value names the same build as one left out."""
        options = {k: v for k, v in options.items() if _DEFAULTS.get(k, _DEFAULTS) != v}
        key = f"{name}-{hashlib.sha256(repr(sorted(options.items())).encode()).hexdigest()[:12]}"
        folder, record = self.folder / key, self.folder / key / "built.json"
        with _locked(self.folder / f"{key}.lock"):
            if not record.is_file():
                shutil.rmtree(folder, ignore_errors=True)  # left half-built by a failure
                folder.mkdir()
                root = copy_flagship(folder) if name == FLAGSHIP else copy_root(name, folder)
                with _environment(self.environ):
                    built = build_root(root, **options)
                record.write_text(json.dumps(dataclasses.asdict(built), default=str),
                                  encoding="utf-8")
        data = json.loads(record.read_text(encoding="utf-8"))
        return Built(Path(data["root"]), Path(data["out"]), data["slug"], data["warnings"])

    def copy(self, name: str, destination: Path, **options) -> Built:
        """A private copy of a shared build, its out/ and cache included: a test that edits
        the project and builds again starts where a writer's second build starts."""
        built = self.build(name, **options)
        root = destination / built.root.name
        shutil.copytree(built.root, root, symlinks=True)
        out = root / built.out.relative_to(built.root)
        return Built(root, out, built.slug, list(built.warnings))


@pytest.fixture(scope="session")
def shared(tmp_path_factory: pytest.TempPathFactory) -> SharedBuilds:
    """The session's shared builds. Under pytest-xdist each worker's base temporary folder
    is a sibling in one folder per test run (the pytest-xdist documentation's recipe)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    folder = base / "shared-builds"
    folder.mkdir(exist_ok=True)
    return SharedBuilds(folder)


# Every edition a test reads of the repository's own report, built strictly once per session:
# the flagship is the longest build, and tests of the PDF, the EPUB, the brief and the site
# read the same files a writer's one `--format html,pdf,epub,brief,site` run gives.
FLAGSHIP_FORMATS = ("html", "pdf", "epub", "brief", "site")


@pytest.fixture(scope="session")
def flagship_editions(shared: SharedBuilds) -> Built:
    """The flagship built strictly with :data:`FLAGSHIP_FORMATS`; read only."""
    return shared.build(FLAGSHIP, strict=True, formats=FLAGSHIP_FORMATS)


@pytest.fixture(scope="session")
def basic(shared: SharedBuilds) -> Built:
    """The 'basic' fixture project, built once for all read-only tests."""
    return shared.build("basic")


def git(cwd: Path, *args: str) -> str:
    """Run git in a test repository with a fixed identity and no signing; return stdout."""
    done = subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org",
                           "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false",
                           "-c", "init.defaultBranch=main", *args],
                          cwd=cwd, capture_output=True, text=True, check=True, timeout=60)
    return done.stdout.strip()


@pytest.fixture(scope="session")
def _browser() -> Iterator[object]:
    """One headless Chromium per test process (about a CPU-second to start), shared by the
    browser tests of every file; tests that need it skip where it is not installed."""
    from tests.a11y import browser as web

    if web.missing() is not None:
        pytest.skip(web.missing() or "")
    session = web.Browser()
    yield session
    session.close()


@pytest.fixture
def chromium(_browser):
    """The shared browser at its starting state for each test: 1280 x 900, light colours
    (a test that set another size or scheme leaves it to the next)."""
    _browser.size(1280, 900)
    _browser.color_scheme("light")
    return _browser

