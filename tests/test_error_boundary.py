"""The library's error boundary: what a program embedding reportc catches.

Every failure of a build is a :class:`ReportError` whose ``str()`` says what and where:
a theme's template that names an undefined field or whose filter fails is located at
the template's file and line; a failed build's exception lists its problems; every
warning printed carries a code report.yaml's ``silence:`` accepts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO, TESTS, run_cli

from reportc import errors
from reportc.build import BuildOptions, build
from reportc.errors import BuildFailed, ConfigError, Problem, ReportError
from reportc.pdf import compat
from reportc.pdf.compat import internals


def _report(tmp_path: Path, theme: bool = True) -> Path:
    root = tmp_path / "report"
    shutil.copytree(TESTS / "bad" / "_base", root)
    if theme:
        shutil.copytree(REPO / "templates", root / "templates")
    return root


def _edit(path: Path, old: str, new: str) -> int:
    """Replace ``old`` (once) and return the line it is on."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[:text.index(old)].count("\n") + 1


def _build(root: Path, formats: tuple[str, ...] = ("html",)):
    return build(BuildOptions(root=root, formats=formats, git_stamp=False, use_cache=False))


def test_an_undefined_field_in_a_theme_template_is_located(tmp_path):
    root = _report(tmp_path)
    line = _edit(root / "templates/report.html.j2", "<title>{{ report.title }}",
                 "<title>{{ report.titel }}")
    with pytest.raises(ConfigError) as caught:
        _build(root)
    assert str(caught.value) == (
        f"templates/report.html.j2:{line}: template error: "
        "'reportc.project.settings.ReportConfig object' has no attribute 'titel'")


def test_a_failing_filter_in_an_included_template_is_located_there(tmp_path):
    root = _report(tmp_path)
    toc = root / "templates/toc.html.j2"
    toc.write_text('{{ "%d" | format("x") }}\n' + toc.read_text(encoding="utf-8"),
                   encoding="utf-8")
    with pytest.raises(ReportError) as caught:
        _build(root)
    assert str(caught.value) == ("templates/toc.html.j2:1: template error: TypeError: %d "
                                 "format: a real number is required, not str")


def test_an_unknown_filter_is_a_located_syntax_error(tmp_path):
    root = _report(tmp_path)
    line = _edit(root / "templates/report.html.j2", "<title>{{ report.title }}",
                 "<title>{{ report.title | shout }}")
    with pytest.raises(ConfigError) as caught:
        _build(root)
    assert str(caught.value) == (f"templates/report.html.j2:{line}: template error: "
                                 "No filter named 'shout'.")


def test_the_command_line_prints_the_template_error_and_keeps_the_output(tmp_path):
    root = _report(tmp_path)
    assert run_cli(root, "--format", "html", "--no-git-stamp").returncode == 0
    before = (root / "out/bad.html").read_bytes()
    line = _edit(root / "templates/report.html.j2", "<title>{{ report.title }}",
                 "<title>{{ report.titel }}")
    done = run_cli(root, "--format", "html", "--no-git-stamp", "--quiet")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"templates/report.html.j2:{line}: template error: "
        "'reportc.project.settings.ReportConfig object' has no attribute 'titel'",
        "reportc: build failed; previous output left unchanged"]
    assert (root / "out/bad.html").read_bytes() == before


def test_str_of_a_failed_build_lists_its_messages(tmp_path):
    root = _report(tmp_path, theme=False)
    (root / "chapters/01-intro.md").write_text(
        "# Introduction\n\nSee @fig-nowhere and [@nobody2020].\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as caught:
        _build(root)
    assert str(caught.value) == (
        "chapters/01-intro.md:3: unknown cross-reference '@fig-nowhere'\n"
        "chapters/01-intro.md:3: unknown citation key 'nobody2020'")
    assert str(BuildFailed([Problem("a", "x.md", 2), Problem("b")])) == "x.md:2: a\nb"


def test_the_compat_warning_has_a_code_silence_accepts(tmp_path, monkeypatch):
    """A WeasyPrint other than the pinned one: the warning is the build's, and can go."""
    reason = "WeasyPrint 99.0 is installed, reportc's layout is pinned to 70.0"
    compat.disengage()
    monkeypatch.setattr(internals, "resolve", lambda: (None, reason))
    try:
        root = _report(tmp_path, theme=False)
        result = _build(root, ("pdf",))
        assert [str(w) for w in result.diagnostics.warnings] == [
            f"warning: {reason}: the PDF is laid out in one WeasyPrint pass (correct, "
            "slower) [compat]"]
        strict = build(BuildOptions(root=root, formats=("pdf",), git_stamp=False,
                                    use_cache=False, strict=True))  # about the machine
        assert [w.code for w in strict.diagnostics.warnings] == ["compat"]
        with (root / "report.yaml").open("a", encoding="utf-8") as config:
            config.write("silence: [compat]\n")
        assert _build(root, ("pdf",)).diagnostics.warnings == []
    finally:
        monkeypatch.undo()
        compat.disengage()


def test_every_exception_type_is_raised_somewhere():
    """A type nobody raises misleads whoever catches it (SourceError was one)."""
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "reportc").rglob("*.py"))
    types = [name for name, value in vars(errors).items()
             if isinstance(value, type) and issubclass(value, ReportError)]
    assert "SourceError" not in types
    for name in types:
        if name != "ReportError":
            assert f"raise {name}(" in sources, name
