"""Layers that point down and one policy for the diagnostics (#22 items 2 and 3).

The layers are import-linter's contracts in pyproject.toml (``make lint`` runs
``lint-imports``): these tests show that the contracts hold, that an upward import or a
circle breaks them, and that no import inside a function hides a circle from them."""

from __future__ import annotations

import ast
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest
from conftest import REPO

from reportc.errors import Diagnostics

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(package_parent: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports with the repository's contracts over the ``reportc`` in
    ``package_parent`` (its working folder comes first on the import path)."""
    return subprocess.run([str(LINT_IMPORTS), "--config", str(REPO / "pyproject.toml"),
                           "--no-cache"], cwd=package_parent, capture_output=True, text=True,
                          timeout=120, check=False)


def _copy_package(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "reportc", tmp_path / "reportc",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "reportc"


def test_the_package_keeps_its_layers_and_has_no_circle():
    done = _lint_imports(REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 2 kept, 0 broken." in done.stdout


def test_an_upward_import_breaks_the_layers(tmp_path):
    """The pandoc runner (a tool) reading the report's configuration (a layer above)."""
    runner = _copy_package(tmp_path) / "pandoc" / "runner.py"
    runner.write_text(runner.read_text() + "\nfrom reportc.project.config import CONFIG_NAME\n")
    done = _lint_imports(tmp_path)
    assert done.returncode == 1, done.stdout
    assert "reportc.pandoc is not allowed to import reportc.project" in done.stdout
    assert "reportc.pandoc.runner -> reportc.project.config" in done.stdout


def test_two_modules_that_import_each_other_break_the_contracts(tmp_path):
    """The citation setup importing the renderer, which imports it: a circle inside one
    layer, which the layers contract alone would allow."""
    setup = _copy_package(tmp_path) / "citing" / "setup.py"
    setup.write_text(setup.read_text() + "\nfrom reportc.citing import render\n")
    done = _lint_imports(tmp_path)
    assert done.returncode == 1, done.stdout
    assert "reportc's layers point down KEPT" in done.stdout
    assert "No cycles are allowed in reportc.citing" in done.stdout


def _deferred_imports(path: Path) -> list[tuple[str, int]]:
    """reportc modules ``path`` imports inside a function or under ``TYPE_CHECKING``."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, deferred: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = deferred or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) or (
                isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test))
            if deferred and isinstance(child, ast.ImportFrom) and child.level == 0 and \
                    (child.module or "").startswith("reportc"):
                found.append((str(child.module), child.lineno))
            elif deferred and isinstance(child, ast.Import):
                found.extend((a.name, child.lineno) for a in child.names
                             if a.name.startswith("reportc"))
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def test_no_deferred_import_hides_a_circle():
    """An import inside a function (or for type checking only) is there for speed, never
    to dodge a circle: the module it names does not import the importer back, even
    through others."""
    graph = grimp.build_graph("reportc")
    package = REPO / "reportc"
    deferred = 0
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for target, line in _deferred_imports(path):
            deferred += 1
            if target in graph.modules and target != module:
                chain = graph.find_shortest_chain(importer=target, imported=module)
                assert chain is None, f"{path.name}:{line}: {target} imports back: {chain}"
    assert deferred > 5  # WeasyPrint, pikepdf and lxml are loaded only when needed


def test_the_policy_is_applied_to_the_warnings_held_back(caplog):
    """report.yaml's own warnings are found before its silence: list and status are read:
    held back, then silenced, kept or made errors by the policy, in the order found."""
    diag = Diagnostics.until_policy()
    with caplog.at_level(logging.WARNING, logger="reportc"):
        diag.warning("unknown setting 'colour'", "report.yaml", 3, code="config.unknown")
        diag.error("'title' is missing", "report.yaml", 1)
        diag.warning("never cited", "references.bib", 9, code="bib.unused", fails_strict=False)
        diag.warning("empty chapter", "chapters/02.md", 1, code="chapter.empty")
        assert caplog.records == []  # nothing printed before the policy is known
        diag.set_policy(strict=True, silenced=frozenset({"chapter.empty"}))
    assert [(p.message, p.severity) for p in diag.problems] == [
        ("unknown setting 'colour'", "error"), ("'title' is missing", "error"),
        ("never cited", "warning")]
    assert [r.getMessage() for r in caplog.records] == [
        "references.bib:9: warning: never cited [bib.unused]"]
    diag.warning("empty chapter", "chapters/03.md", 1, code="chapter.empty")
    diag.warning("a link to nowhere", "chapters/03.md", 4, code="image.alt")
    assert [p.severity for p in diag.problems][-1:] == ["error"]  # the policy holds after
    assert len(diag.problems) == 4


@pytest.mark.parametrize("strict", [False, True])
def test_diagnostics_made_without_holding_apply_their_policy_at_once(strict, caplog):
    diag = Diagnostics(strict=strict, silenced=frozenset({"bib.unused"}))
    with caplog.at_level(logging.WARNING, logger="reportc"):
        diag.warning("never cited", "references.bib", 9, code="bib.unused")
        diag.warning("unknown setting 'colour'", "report.yaml", 3, code="config.unknown")
    assert [p.severity for p in diag.problems] == ["error" if strict else "warning"]
    assert len(caplog.records) == (0 if strict else 1)
