"""The bad-input corpus: every malformed or hostile input gets a message a writer can act on.

Each folder of ``tests/bad/`` (see its README) is one case: ``_base/`` plus the
case's files, built with the command line in this process. Besides the exit
code and message of each case, every case checks that the trap HTTP server got
no connection and that the canary's secret is in no output byte.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import REPO, TESTS
from trustkit import TrapServer, files_containing, make_canary

from reportc.commands.cli import main

BAD = TESTS / "bad"
CASES = sorted(p.name for p in BAD.iterdir() if (p / "case.yaml").is_file())
CASE_SECONDS = 30
KNOWN_KEYS = {"about", "exit", "message", "formats", "args", "env", "theme", "append", "prepend",
              "symlinks", "generate", "remove", "present", "absent"}


@pytest.fixture(scope="session")
def trap():
    server = TrapServer()
    yield server
    server.close()


@pytest.fixture
def quiet_loggers():
    """``main()`` configures logging for a terminal; put the levels back afterwards."""
    names = ["", "reportc", "weasyprint", "fontTools", "bibtexparser"]
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def materialise(case: Path, destination: Path, subs: dict[str, str]) -> tuple[Path, dict]:
    """Lay the case over a copy of ``_base/``; return the report folder and the spec."""
    spec = yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))
    unknown = set(spec) - KNOWN_KEYS
    assert not unknown, f"{case.name}/case.yaml: unknown keys {unknown}"
    root = destination / "report"
    shutil.copytree(BAD / "_base", root)
    if spec.get("theme") == "copy":
        shutil.copytree(REPO / "templates", root / "templates")
    for rel in spec.get("remove", []):
        (root / rel).unlink()
    for source in sorted(p for p in case.rglob("*") if p.is_file() and p.name != "case.yaml"):
        target = root / source.relative_to(case)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_substitute(source.read_bytes(), subs))
    for rel, text in spec.get("prepend", {}).items():
        path = root / rel
        path.write_bytes(_substitute(text.encode("utf-8"), subs) + path.read_bytes())
    for rel, text in spec.get("append", {}).items():
        with (root / rel).open("ab") as handle:
            handle.write(_substitute(text.encode("utf-8"), subs))
    for rel, target in spec.get("symlinks", {}).items():
        link = root / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        link.unlink(missing_ok=True)
        link.symlink_to(_substitute(target.encode(), subs).decode())
    for rel, recipe in spec.get("generate", {}).items():
        text = recipe.get("head", "") + recipe["line"] * recipe["times"]
        (root / rel).write_text(text, encoding="utf-8")
    return root, spec


def _substitute(data: bytes, subs: dict[str, str]) -> bytes:
    for placeholder, value in subs.items():
        data = data.replace(placeholder.encode(), value.encode())
    return data


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 40


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A folder with a short path for the canary, so the messages that name it are not
    shortened with an ellipsis however deep the test runner's temporary folders are."""
    folder = Path(tempfile.mkdtemp(prefix="rc-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("name", CASES)
def test_bad_input(name, tmp_path, short_dir, trap, monkeypatch, capsys, caplog,
                   quiet_loggers):
    canary, secret = make_canary(short_dir)
    subs = {"@CANARY_URI@": canary.as_uri(), "@CANARY@": str(canary), "@TRAP@": trap.url}
    root, spec = materialise(BAD / name, short_dir, subs)
    for key, value in (spec.get("env") or {}).items():
        monkeypatch.setenv(key, str(value))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1768435200")
    args = [str(root), "--format", spec.get("formats", "html"), *spec.get("args", [])]
    trap.connections.clear()

    started = time.monotonic()
    try:
        code = main(args)
    except SystemExit as exit_:
        code = exit_.code
    elapsed = time.monotonic() - started
    output = capsys.readouterr().err + "\n" + caplog.text

    assert code == spec["exit"], output
    if spec.get("message"):
        expected = _substitute(spec["message"].encode(), subs).decode()
        assert expected in output, f"expected {expected!r} in:\n{output}"
    assert elapsed < CASE_SECONDS, f"{name} took {elapsed:.1f} s"
    assert trap.connections == [], "the build reached the network"
    assert files_containing(root / "out", secret) == [], "a file outside the report leaked"
    assert not list((root / "out").glob(".reportc-stage-*")), "staging debris left behind"
    html = root / "out" / "bad.html"
    if spec["exit"] == 0:
        assert html.is_file(), output
        page = html.read_text(encoding="utf-8")
        for fragment in spec.get("present", []):
            assert fragment in page, f"{fragment!r} missing from the HTML"
        for fragment in spec.get("absent", []):
            assert fragment not in page, f"{fragment!r} in the HTML"
    else:
        assert not html.exists(), "a failed build wrote output"


def test_every_case_documents_itself():
    for name in CASES:
        spec = yaml.safe_load((BAD / name / "case.yaml").read_text(encoding="utf-8"))
        assert spec.get("about") and "exit" in spec, name
        assert spec["exit"] == 0 or spec.get("message"), f"{name}: a failure needs a message"

