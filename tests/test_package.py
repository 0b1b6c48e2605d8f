"""reportc is a real package: the wheel carries the theme and every resource, and its
``reportc`` command builds a report from a fresh venv (scripts/check_wheel.py, which CI
also runs by itself: .ci/run sets REPORTC_SKIP_WHEEL_CHECK for the test run)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from importlib import import_module

import pytest
from conftest import REPO

from reportc.editions.theme import DEFAULT_THEME, PAGE_TEMPLATE


@pytest.mark.skipif(bool(os.environ.get("REPORTC_SKIP_WHEEL_CHECK")),
                    reason=".ci/run runs scripts/check_wheel.py as a step of its own")
def test_the_wheel_installs_into_a_fresh_venv_and_builds_a_report():
    done = subprocess.run([sys.executable, str(REPO / "scripts/check_wheel.py")],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "builds a report made by `reportc new` strictly" in done.stdout


def test_the_reportc_script_names_a_function_that_exists():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    module, function = project["project"]["scripts"]["reportc"].split(":")
    assert callable(getattr(import_module(module), function))


def test_every_theme_file_is_package_data():
    """A new kind of theme file (say .woff2) must be added to the package-data patterns."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["reportc.theme"]
    theme = REPO / "templates"
    for path in theme.rglob("*"):
        if path.is_file():
            relative = path.relative_to(theme)
            assert any(relative.match(p) for p in patterns), f"{relative} would not ship"


def test_the_default_theme_is_found_from_the_source_tree_too():
    assert (DEFAULT_THEME / PAGE_TEMPLATE).is_file()
    assert (DEFAULT_THEME / "css/print.css").is_file()
