"""``reportc new DIR`` starts a report that builds with ``--strict`` at once."""

from __future__ import annotations

import re
import subprocess
import sys

import pypdf
import yaml
from conftest import REPO

from reportc.commands.new import system_packages


def reportc(*args, cwd=None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reportc", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300, check=False)


def test_a_new_report_builds_strictly_with_no_warning(tmp_path):
    target = tmp_path / "harbour-study"
    made = reportc("new", target, "--pin", "reportc @ git+https://example.org/reportc@v0.1.0")
    assert made.returncode == 0, made.stderr
    for name in ("report.yaml", "references.bib", "chapters/00-summary.md",
                 "chapters/01-introduction.md", "figures/overview.svg", ".gitignore",
                 ".github/workflows/report.yml"):
        assert (target / name).is_file(), name
    built = reportc(target, "--strict")
    assert built.returncode == 0, built.stderr
    assert "(0 warning(s))" in built.stderr and "warning:" not in built.stderr
    pages = [p.extract_text() for p in pypdf.PdfReader(target / "out/harbour-study.pdf").pages]
    text = "\n".join(pages)
    assert "Harbour study" in pages[0]  # the title, from the folder name
    for expected in ("Executive summary", "KEY TAKEAWAYS", "Bibliography",
                     "Writing Reports That Get Read"):
        assert expected in text, expected
    for label in ("Table 1", "Figure 1", "Section 1.2"):  # a page unless it is the same one
        assert re.search(re.escape(label) + r"(?: on p\. \d+| on the (?:next|previous) page)?",
                         text), label
    assert (target / "out/harbour-study.html").is_file()


def test_the_workflow_pins_reportc_and_installs_the_system_packages(tmp_path):
    target = tmp_path / "r"
    pin = "reportc @ git+https://example.org/reportc@v0.1.0"
    assert reportc("new", target, "--pin", pin).returncode == 0
    workflow = yaml.safe_load((target / ".github/workflows/report.yml").read_text())
    assert workflow["env"]["REPORTC"] == pin
    assert workflow["env"]["SYSTEM_PACKAGES"] == system_packages()
    assert "fonts-noto-cjk" in system_packages()
    build_steps = [step.get("run", "") for step in workflow["jobs"]["build"]["steps"]]
    assert any('pip install "$REPORTC"' in run for run in build_steps)
    assert any("reportc --strict" in run for run in build_steps)
    release = " ".join(step.get("run", "") for step in workflow["jobs"]["release"]["steps"])
    assert "--version-label" in release and "gh release create" in release
    assert "/out/" in (target / ".gitignore").read_text()


def test_new_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    done = reportc("new", tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "not an empty folder" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_the_scaffold_ships_as_package_data():
    import tomllib

    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    patterns = data["tool"]["setuptools"]["package-data"]["reportc.commands"]
    scaffold = REPO / "reportc/commands/scaffold"
    for path in scaffold.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            relative = path.relative_to(scaffold.parent)
            assert any(relative.match(p) for p in patterns), relative
