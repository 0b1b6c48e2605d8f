"""Shared fixtures: build a fixture project from tests/roots/ once and read its outputs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
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


@pytest.fixture(scope="session")
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@dataclass
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
        return [page.extract_text() for page in self.pdf.pages]


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


@pytest.fixture(scope="session")
def basic(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The 'basic' fixture project, built once for all read-only tests."""
    return build_root(copy_root("basic", tmp_path_factory.mktemp("basic")))


def git(cwd: Path, *args: str) -> str:
    """Run git in a test repository with a fixed identity and no signing; return stdout."""
    done = subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org",
                           "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false",
                           "-c", "init.defaultBranch=main", *args],
                          cwd=cwd, capture_output=True, text=True, check=True, timeout=60)
    return done.stdout.strip()
