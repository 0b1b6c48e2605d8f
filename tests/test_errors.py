"""Bad input: one clear `path:line: message` per problem, all reported, nothing lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build_root, copy_root, run_cli

from reportc.build import BuildOptions, build
from reportc.errors import BuildFailed, ReportError


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_root("basic", tmp_path)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _errors(root: Path, **options) -> list[str]:
    with pytest.raises(BuildFailed) as failure:
        build(BuildOptions(root=root, **options))
    return [str(problem) for problem in failure.value.problems]


def test_unknown_citation_key_names_file_and_line(project):
    _edit(project / "chapters/01-intro.md", "[@lee2022, 4]", "[@smith2020, 4]")
    assert "chapters/01-intro.md:3: unknown citation key 'smith2020'" in _errors(project)


def test_citation_key_differing_by_case_gets_a_hint(project):
    _edit(project / "chapters/02-defence.md", "first [@trends2022]", "first [@Trends2022]")
    assert ("chapters/02-defence.md:5: unknown citation key 'Trends2022' "
            "(did you mean 'trends2022'?)") in _errors(project)


def test_unknown_cross_reference(project):
    _edit(project / "chapters/02-defence.md", "@sec-intro", "@sec-nowhere")
    assert "chapters/02-defence.md:11: unknown cross-reference '@sec-nowhere'" in _errors(project)


def test_reference_shown_as_code_above_does_not_take_the_line(project):
    """A manual shows `@sec-nowhere` in inline code and in a code block before the real
    reference: the message names the line of the reference, not of the code."""
    _edit(project / "chapters/02-defence.md", "Arms sales came first",
          "Write `@sec-nowhere` to refer.\n\n```\nSee @sec-nowhere.\n```\n\nArms sales came first")
    _edit(project / "chapters/02-defence.md", "@sec-intro", "@sec-nowhere")
    assert "chapters/02-defence.md:17: unknown cross-reference '@sec-nowhere'" in _errors(project)


def test_missing_image(project):
    _edit(project / "chapters/01-intro.md", "figures/bars.svg", "figures/none.png")
    assert ("chapters/01-intro.md:16: missing image 'figures/none.png' "
            "(paths are relative to the report directory)") in _errors(project)


def test_image_outside_the_report_is_refused(project):
    _edit(project / "chapters/01-intro.md", "figures/bars.svg", "../../etc/hostname")
    assert any("is outside the report directory" in e for e in _errors(project))


def test_invalid_yaml_in_report_yaml(project):
    _edit(project / "report.yaml", 'subtitle: "A small', 'subtitle: [A small')
    with pytest.raises(Exception) as failure:
        build(BuildOptions(root=project))
    assert str(failure.value).startswith("report.yaml:3: invalid YAML: expected ',' or ']'")


def test_invalid_settings_in_report_yaml_are_all_reported(project):
    _edit(project / "report.yaml", "lang: en-GB", "lang: english please\npaper: A3")
    _edit(project / "report.yaml", "date: 2026-05-04", "date: May 4th")
    errors = _errors(project)
    assert "report.yaml:11: date 'May 4th' must be written as YYYY-MM-DD" in errors
    assert any(e.startswith("report.yaml:13: lang 'english please'") for e in errors)
    assert "report.yaml:14: paper 'A3' must be A4 or letter" in errors


def test_missing_chapter_listed_in_report_yaml(project):
    (project / "report.yaml").write_text(
        (project / "report.yaml").read_text() + "chapters:\n  - 00-summary.md\n  - 09-gone.md\n")
    errors = _errors(project)
    assert "report.yaml:17: chapter '09-gone.md' not found (looked for 09-gone.md and " \
           "chapters/09-gone.md)" in errors


def test_every_problem_is_reported_before_failing(project):
    _edit(project / "chapters/01-intro.md", "[@lee2022, 4]", "[@nobody]")
    _edit(project / "chapters/01-intro.md", "figures/bars.svg", "figures/none.png")
    _edit(project / "chapters/02-defence.md", "@sec-intro", "@sec-nowhere")
    errors = _errors(project)
    assert len(errors) == 3, errors


def test_unclosed_div_is_reported_where_it_opens(project):
    _edit(project / "chapters/02-defence.md", ":::\n\nBack", "\nBack")
    assert "chapters/02-defence.md:7: '::: ' block opened here is never closed" in _errors(project)


def test_bibliography_problems_carry_bib_lines(project):
    """Unreadable input fails with its line; an uncited entry's repeated or missing
    fields are not judged at all (a library is not a report's mistake)."""
    bib = project / "references.bib"
    bib.write_text(bib.read_text() + "\n@article{Lee2022,\n  title = {Again},\n"
                   "  title = {Twice}\n}\n\n@book{nofields,\n  title = undefinedmacro\n}\n")
    errors = _errors(project)
    assert errors == [
        "references.bib:23: duplicate entry key 'Lee2022' (same as 'lee2022' except for case)",
        "references.bib:28: entry 'nofields': field 'title' uses undefined macro "
        "'undefinedmacro' (put text in braces or define it with @string)"]


def test_an_unused_entry_is_mentioned_but_never_fails_strict(project):
    bib = project / "references.bib"
    bib.write_text(bib.read_text() + "\n@online{unused,\n  title = {Never cited},\n"
                   "  url = {https://example.org/}\n}\n")
    for strict in (False, True):  # the bibliography's warning: the web edition is enough
        result = build(BuildOptions(root=project, formats=("html",), strict=strict,
                                    use_cache=False))
        assert [str(w) for w in result.diagnostics.warnings] == [
            "references.bib:23: warning: entry 'unused' is never cited [bib.unused]"]


def test_silence_drops_warnings_by_code_also_under_strict(project):
    bib = project / "references.bib"
    bib.write_text(bib.read_text() + "\n@online{unused,\n  title = {Never cited},\n"
                   "  url = {https://example.org/}\n}\n")
    config = project / "report.yaml"
    config.write_text(config.read_text() + "colour: blue\nsilence: [bib.unused, config.unknown]\n")
    result = build(BuildOptions(root=project, formats=("html",), strict=True))
    assert result.diagnostics.warnings == [] and result.diagnostics.errors == []
    config.write_text(config.read_text().replace("silence: [bib.unused, config.unknown]",
                                                 "silence:\n  - bib.unused\n  - bib.unusd"))
    errors = _errors(project)
    line = config.read_text().splitlines().index("  - bib.unusd") + 1
    assert errors[0].startswith(f"report.yaml:{line}: unknown warning code 'bib.unusd' in "
                                "'silence' (known: bib.dropped, bib.empty, bib.fields,"), errors


def test_missing_glyph_is_an_error_not_a_silent_box(project):
    _edit(project / "chapters/02-defence.md", "Arms sales came first",
          "Arms sales \U0010fffd came first")
    errors = _errors(project, formats=("pdf",))
    line = next(number for number, text in enumerate(
        (project / "chapters/02-defence.md").read_text().splitlines(), start=1)
        if "\U0010fffd" in text)
    assert errors == [f"chapters/02-defence.md:{line}: no font has '\U0010fffd' (U+10FFFD): the "
                      "PDF would print an empty box; install a font that has it (emoji: "
                      "Debian's fonts-noto-color-emoji) or write it another way"], \
        "names the chapter and line lacking the glyph, before layout"


def test_the_theme_fonts_characters_are_their_best_unicode_maps(tmp_path):
    """The glyph check reads the theme fonts' characters with HarfBuzz: the characters of
    each font's best Unicode map, as fontTools reads them; a damaged or missing file has
    none (WeasyPrint reports it)."""
    from fontTools.ttLib import TTFont

    from reportc.editions.theme import DEFAULT_THEME, Theme
    from reportc.pdf.glyphs import theme_coverage

    fonts = Theme(DEFAULT_THEME).fonts
    damaged = tmp_path / "Damaged.ttf"
    damaged.write_bytes(b"not a font")
    expected = set().union(*(TTFont(font).getBestCmap() for font in fonts))
    assert theme_coverage((*fonts, damaged, tmp_path / "Missing.ttf")) == expected
    assert 0x2014 in expected and 0x4E2D not in expected  # the dash; no Chinese


def test_cli_exit_code_and_previous_outputs_left_intact(shared, tmp_path):
    project = shared.copy("basic", tmp_path).root  # built: this run finds it up to date
    good = run_cli(project)
    assert good.returncode == 0, good.stderr
    before = {p.name: p.read_bytes() for p in (project / "out").glob("fixture.*")}
    assert set(before) == {"fixture.pdf", "fixture.html", "fixture.bib", "fixture.ris"}
    _edit(project / "chapters/01-intro.md", "[@lee2022, 4]", "[@smith2020, 4]")
    bad = run_cli(project)
    assert bad.returncode == 1
    assert "chapters/01-intro.md:3: unknown citation key 'smith2020'" in bad.stderr.splitlines()
    after = {p.name: p.read_bytes() for p in (project / "out").glob("fixture.*")}
    assert after == before
    assert not list((project / "out").glob(".reportc-stage-*")), "no staging debris left"


def test_cli_rejects_an_unknown_format(project):
    result = run_cli(project, "--format", "odt")
    assert result.returncode == 2
    assert "--format takes html, pdf, docx, epub, brief, evidence, site, not odt" in result.stderr


def test_cli_builds_only_the_requested_format_into_out(project, tmp_path):
    result = run_cli(project, "--format", "html", "--out", tmp_path / "elsewhere", "-q")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert (tmp_path / "elsewhere" / "fixture.html").is_file()
    assert not (tmp_path / "elsewhere" / "fixture.pdf").exists()


def test_deterministic_output(project, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = build_root(project)
    pdf, html = first.pdf_path.read_bytes(), first.html_path.read_bytes()
    second = build_root(project)
    assert second.pdf_path.read_bytes() == pdf
    assert second.html_path.read_bytes() == html


def test_the_public_api_is_what_all_lists():
    import logging

    import reportc
    import reportc.build  # the module's import must not hide the function
    assert sorted(reportc.__all__) == ["BuildOptions", "BuildResult", "ReportError",
                                       "__version__", "build"]
    assert callable(reportc.build) and reportc.build is build
    assert reportc.ReportError is ReportError and issubclass(BuildFailed, reportc.ReportError)
    handlers = logging.getLogger("reportc").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)


def test_cli_rejects_a_sources_folder_that_is_not_there(project):
    result = run_cli(project, "--sources", project / "no-such-folder")
    assert result.returncode == 2
    assert f"--sources {project / 'no-such-folder'}: not a folder" in result.stderr


def test_ctrl_c_stops_the_build_with_a_line_not_a_traceback(capsys, tmp_path):
    """Ctrl-C during a build: one line, exit code 130, the previous out/ left as it was
    (the staging folder is dropped)."""
    from reportc.commands import cli

    project = copy_root("basic", tmp_path)
    kept = build_root(project, formats=["html"]).html_path.read_bytes()
    intro = project / "chapters" / "01-intro.md"
    intro.write_text(intro.read_text() + "\nOne more sentence.\n")

    def interrupted():
        import reportc.pipeline

        real = reportc.pipeline._write_outputs

        def stop(*args, **kwargs):
            raise KeyboardInterrupt

        reportc.pipeline._write_outputs = stop
        try:
            return build(BuildOptions(root=project, formats=["html"]))
        finally:
            reportc.pipeline._write_outputs = real

    try:
        code = cli._run(interrupted)
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C escaped the build command (a traceback for the user)")
    assert code == 130
    err = capsys.readouterr().err
    assert "reportc: interrupted; previous output left unchanged" in err
    assert "Traceback" not in err
    assert (project / "out" / "fixture.html").read_bytes() == kept
