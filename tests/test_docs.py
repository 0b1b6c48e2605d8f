"""The manual (docs/, itself a reportc report) builds with --strict, and its examples run.

A fenced block of a chapter with the class ``example`` is run, so the manual cannot rot:
``{.console .example}`` blocks as a user would type them (in a scratch folder, in order),
``{.python .example}`` blocks in that folder, and ``{.markdown .example}`` blocks as
chapters added to the report the console session started; each Markdown example must
build with exactly the warning codes its ``warns="..."`` attribute names (none if absent).
The full PDF of the manual is built by ``make docs`` in CI; here its HTML edition only.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO, build_root

DOCS = REPO / "docs"
CHAPTERS = DOCS / "chapters"
KEY_MARKERS = ("<!-- reportc:keys -->", "<!-- /reportc:keys -->")
_FENCE = re.compile(r"^(`{3,}|~{3,})\s*(\{[^}]*\}|[\w+-]*)\s*$")


@dataclass
class Example:
    """One runnable block of the manual: where it is, its classes and attributes, its text."""

    where: str
    classes: list[str]
    attributes: dict[str, str]
    text: str


def _attributes(info: str) -> tuple[list[str], dict[str, str]]:
    """A fence's ``{.a .b key="v"}`` (or bare ``lang``) as classes and key-value pairs."""
    if not info.startswith("{"):
        return ([info] if info else []), {}
    pairs = r'([\w-]+)="([^"]*)"'
    bare = re.sub(pairs, "", info)
    return re.findall(r"(?:^|[\s{])\.([\w-]+)", bare), dict(re.findall(pairs, info))


def examples(folder: Path = CHAPTERS) -> list[Example]:
    """Every fenced block with the class ``example``, in reading order.

    Fences are tracked as pandoc does (a block closes at a fence of the same character at
    least as long), so an example shown inside a longer fence is not run on its own."""
    found: list[Example] = []
    for path in sorted(folder.glob("*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        open_fence, start, info = "", 0, ""
        for number, line in enumerate(lines, 1):
            match = _FENCE.match(line)
            if not open_fence and match:
                open_fence, start, info = match.group(1), number, match.group(2)
            elif open_fence and line.strip().startswith(open_fence) \
                    and set(line.strip()) == {open_fence[0]}:
                classes, attributes = _attributes(info)
                if "example" in classes:
                    body = "\n".join(lines[start:number - 1]) + "\n"
                    found.append(Example(f"{path.name}:{start}", classes,
                                         attributes, body))
                open_fence = ""
    return found


def _of_kind(kind: str) -> list[Example]:
    return [example for example in examples() if kind in example.classes]


def test_the_manual_has_runnable_examples_of_each_kind():
    kinds = {kind: len(_of_kind(kind)) for kind in ("console", "markdown", "python")}
    assert kinds["console"] >= 1 and kinds["python"] >= 1 and kinds["markdown"] >= 5, kinds
    assert any(example.attributes.get("warns") for example in _of_kind("markdown"))


def test_the_example_finder_skips_blocks_shown_inside_a_longer_fence(tmp_path):
    (tmp_path / "01-a.md").write_text(
        "# A\n\n````markdown\n```{.console .example}\nreportc --bogus\n```\n````\n\n"
        "```{.markdown .example warns=\"image.alt\"}\n# B\n```\n", encoding="utf-8")
    found = examples(tmp_path)
    assert [(e.classes, e.attributes, e.text) for e in found] == \
        [(["markdown", "example"], {"warns": "image.alt"}, "# B\n")]


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch folder where the manual's console examples ran, in order, as typed."""
    folder = tmp_path_factory.mktemp("manual-session")
    for example in _of_kind("console"):
        for line in example.text.splitlines():
            words = shlex.split(line, comments=True)
            if not words:
                continue
            assert words[0] == "reportc", f"{example.where}: not a reportc command: {line}"
            done = subprocess.run([sys.executable, "-m", "reportc", *words[1:]], cwd=folder,
                                  capture_output=True, text=True, timeout=300, check=False)
            assert done.returncode == 0, f"{example.where}: {line}\n{done.stderr}"
            assert "Traceback" not in done.stderr
    return folder


def test_the_console_examples_start_and_build_a_report(session):
    report = session / "my-report"
    assert (report / "report.yaml").is_file()
    assert (report / "out/my-report.pdf").is_file() and (report / "out/my-report.html").is_file()


def test_the_python_examples_run_in_that_folder(session):
    for example in _of_kind("python"):
        code = example.text + "\nprint('outputs', len(result.outputs))\n"
        done = subprocess.run([sys.executable, "-c", code], cwd=session, capture_output=True,
                              text=True, timeout=300, check=False)
        assert done.returncode == 0, f"{example.where}\n{done.stdout}\n{done.stderr}"
        assert re.search(r"^outputs [1-9]", done.stdout, re.M), f"{example.where}: {done.stdout}"


def test_the_markdown_examples_build_with_the_warnings_the_manual_names(session, tmp_path):
    report = tmp_path / "my-report"
    shutil.copytree(session / "my-report", report)
    for folder in ("data", "charts"):  # the manual's own chart data, for its chart examples
        shutil.copytree(DOCS / folder, report / folder, dirs_exist_ok=True)
    chosen = {}
    for number, example in enumerate(_of_kind("markdown"), 50):
        name = f"{number:02d}-example.md"
        (report / "chapters" / name).write_text(example.text, encoding="utf-8")
        chosen[name] = example
    result = build_root(report, formats=("html",))
    assert result.html_path.is_file()
    for name, example in chosen.items():
        codes = {line.rsplit("[", 1)[-1].rstrip("]") for line in result.warnings
                 if line.startswith(f"chapters/{name}:")}
        expected = set(example.attributes.get("warns", "").split())
        assert codes == expected, f"{example.where}: warned {codes or 'nothing'}"
    assert not [line for line in result.warnings if not line.startswith("chapters/5")]


def test_the_manual_builds_with_strict_and_no_warning(tmp_path):
    root = tmp_path / "docs"
    shutil.copytree(DOCS, root, ignore=shutil.ignore_patterns("out"))
    built = build_root(root, formats=("html",), strict=True)
    assert built.warnings == []
    html = built.html_path.read_text(encoding="utf-8")
    for expected in ("Executive summary", "Configuration reference", "Satyanarayan",
                     "PDF/UA-1", 'id="fig-bench"', 'id="tbl-editions"'):
        assert expected in html, expected
    prose = re.sub(r"<(pre|code)\b.*?</\1>", "", html, flags=re.S)
    for shown_only in ("{{&lt;", "@sec-", "@fig-", "@tbl-", "\\newpage", "```"):
        assert shown_only not in prose, f"{shown_only!r} printed outside code"


def test_the_key_table_sits_between_its_markers_once():
    holders = [path for path in [REPO / "README.md", *DOCS.rglob("*.md")]
               if "out" not in path.relative_to(REPO).parts
               and KEY_MARKERS[0] in path.read_text(encoding="utf-8")]
    assert [path.relative_to(REPO) for path in holders] == \
        [Path("docs/chapters/14-configuration.md")]
    text = holders[0].read_text(encoding="utf-8")
    table = text.split(KEY_MARKERS[0], 1)[1].split(KEY_MARKERS[1], 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("|")]
    assert len(rows) > 20 and all(re.search(rf"\b{key}\b", table) for key in ("title", "sided"))


def test_the_readme_is_short_and_links_into_the_manual():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 120
    assert "make report" in readme.split("```", 2)[1] and "make test" in readme.split("```", 2)[1]
    links = re.findall(r"\]\(((?:docs|bench)/[^)#]+)\)", readme)
    assert len(links) >= len(list(CHAPTERS.glob("[0-9][0-9]-*.md"))) - 1
    for link in links:
        assert (REPO / link).exists(), link
