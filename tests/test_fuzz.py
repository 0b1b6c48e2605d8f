"""The fuzzing harness: random and mutated inputs never end in a traceback or a silent drop.

Each case is made from ``(FUZZ_SEED, index)`` (tests/fuzzkit.py, tests/fuzzreview.py)
and judged by tests/fuzzcheck.py. ``make test`` runs a short run (under a minute: HTML
builds in this process, a few through the command line, ``comments`` runs on mutated
Word and PDF files); ``make fuzz`` runs thousands (``FUZZ_BUILDS``, ``FUZZ_CLI``,
``FUZZ_REVIEWS``, ``FUZZ_SEED``). A failure names its seed and index; the case it found
is kept in tests/bad/ or tests/test_fuzz_regressions.py once fixed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from fuzzcheck import (
    build_cli,
    build_in_process,
    comments_in_process,
    materialise,
    prepare,
    snapshot,
    violations,
)
from fuzzkit import BASE, make_case
from fuzzreal import real_seeds
from fuzzreview import make_reviewed, seed_docx, seed_pdf, write_reviewed

SEED = int(os.environ.get("FUZZ_SEED", "20261207"))
BUILDS = int(os.environ.get("FUZZ_BUILDS", "40"))
CLI = int(os.environ.get("FUZZ_CLI", "2"))
REVIEWS = int(os.environ.get("FUZZ_REVIEWS", "60"))


def _only(count: int) -> list[int]:
    """``FUZZ_ONLY=I`` re-runs the single case a failure named."""
    only = os.environ.get("FUZZ_ONLY")
    return [int(only)] if only else list(range(count))


@pytest.fixture(autouse=True)
def short_pandoc_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A construct that stalls pandoc's parser (the corpus has two) ends the run in 8 s,
    located, instead of the 30 s a real report is allowed."""
    monkeypatch.setenv("REPORTC_PANDOC_TIMEOUT", "8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1768435200")


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-templates")


@pytest.fixture(scope="session")
def review_seeds(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[bytes], list[bytes]]:
    """Files made here; with ``FUZZ_REAL=1`` (``make fuzz``) also a real build's Word file
    and PDF with remarks (a PDF build takes too long for ``make test``)."""
    docx_seeds, pdf_seeds = [seed_docx()], [seed_pdf()]
    if os.environ.get("FUZZ_REAL") == "1":
        real_docx, real_pdf = real_seeds(tmp_path_factory.mktemp("fuzz-real"))
        docx_seeds.append(real_docx)
        pdf_seeds.append(real_pdf)
    return docx_seeds, pdf_seeds


def _check_build(index: int, templates: Path, work: Path, run) -> None:
    case = make_case(SEED, index)
    root = materialise(case, templates, work)
    before = snapshot(root / "out")
    outcome = run(root)
    problems = violations(outcome, before, root / "out")
    assert not problems, f"{case.name}:\n" + "\n".join(problems)
    shutil.rmtree(work, ignore_errors=True)


@pytest.mark.parametrize("index", _only(BUILDS))
def test_a_mutated_report_builds_or_fails_cleanly(index, templates, tmp_path):
    _check_build(index, templates, tmp_path, build_in_process)


@pytest.mark.parametrize("index", _only(CLI))
def test_a_mutated_report_builds_or_fails_cleanly_on_the_command_line(index, templates,
                                                                       tmp_path):
    _check_build(100_000 + index, templates, tmp_path, build_cli)


@pytest.mark.parametrize("index", _only(REVIEWS))
def test_a_mutated_review_file_is_read_or_refused_cleanly(index, templates, review_seeds,
                                                          tmp_path):
    reviewed = make_reviewed(SEED, index, *review_seeds)
    path = write_reviewed(reviewed, tmp_path)
    outcome = comments_in_process(path, prepare(BASE, templates))
    problems = violations(outcome)
    assert not problems, f"seed {SEED} review {index} ({reviewed.about}):\n" + \
        "\n".join(problems)


def test_the_unmutated_seeds_are_read(templates, review_seeds, tmp_path):
    """The harness starts from files reportc reads: else every case would fail early."""
    root = prepare(BASE, templates)
    docx_seeds, pdf_seeds = review_seeds
    seeds = [(f"seed{n}.docx", d) for n, d in enumerate(docx_seeds)] + \
        [(f"seed{n}.pdf", d) for n, d in enumerate(pdf_seeds)]
    for name, data in seeds:
        (tmp_path / name).write_bytes(data)
        outcome = comments_in_process(tmp_path / name, root)
        assert outcome.code == 0 and not outcome.crash, outcome.output
        assert outcome.output == "", outcome.output  # remarks found (none "not found")
    assert build_in_process(root).code == 0
