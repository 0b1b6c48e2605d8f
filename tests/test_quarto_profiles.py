"""Quarto's project profiles (``tests/roots/quarto-profiles``: a book whose basic version is
the default and whose advanced version adds a chapter): the active profiles (``--profile``,
else ``QUARTO_PROFILE``, else ``profile: default:``, and ``profile: group:``) choose which
``_quarto-NAME.yml`` is merged over ``_quarto.yml`` (its lists extend the book's) and which
``when-profile``/``unless-profile`` content is in the editions. reportc ignored profiles:
every version printed every profile's content and none of the profiles' settings. Each
version is read as a reader meets it: the web page's text and the PDF's pages."""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOTS, Built, build_root, copy_root, run_command

from reportc.build import BuildOptions, build
from reportc.errors import BuildFailed, ConfigError

NAME = "quarto-profiles"


def _words(text: str) -> list[str]:
    """The fixture's marker words, in reading order, each once."""
    return list(dict.fromkeys(re.findall(r"[Kk]elp\w+", text)))


def _page(built: Built) -> str:
    return built.html_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Built]]:
    """The book built afresh (no cache) as each version: by default (basic), with
    ``--profile advanced`` on the command line, and with ``draft`` (no file of its own)."""
    root = copy_root(NAME, tmp_path_factory.mktemp("profiles"))
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("QUARTO_PROFILE", raising=False)
        built = {"basic": build_root(root, out=root / "basic", formats=("html",),
                                     git_stamp=False, use_cache=False),
                 "draft": build_root(root, out=root / "draft", formats=("html",),
                                     git_stamp=False, use_cache=False, profile="draft")}
        finished = run_command(root, "--profile", "advanced", "--format", "html", "--no-cache",
                               "--no-git-stamp", "--out", root / "advanced")
        assert finished.returncode == 0, finished.stderr
        built["advanced"] = Built(root, root / "advanced", built["basic"].slug, [])
        yield built


def test_the_default_profile_and_its_group_make_the_basic_version(versions):
    """No profile named: ``profile: default: basic``: its file's subtitle, its content."""
    page = _page(versions["basic"])
    assert _words(page) == ["Kelpcommon", "Kelpbasic", "kelpfinalspan", "Kelpbasics"]
    assert "Basic edition" in page and "Advanced edition" not in page
    assert "written for everyone." in page
    assert versions["basic"].warnings == []


def test_a_profile_named_on_the_command_line_adds_its_chapter_and_content(versions):
    """``--profile advanced``: its file's chapter list extends the book's (as Quarto merges
    lists), its subtitle replaces none of basic's (basic, in its group, is not added), its
    metadata is what ``{{< meta >}}`` prints and ``when-meta`` reads."""
    page = _page(versions["advanced"])
    assert _words(page) == ["Kelpcommon", "Kelpadvanced", "kelpfinalspan", "Kelpderivation",
                            "Kelpbasics", "Kelpsurge"]
    assert "Advanced edition" in page and "Basic edition" not in page
    assert "written for specialists." in page


def test_a_profile_without_a_file_decides_its_content_and_the_group_adds_the_default(versions):
    """``draft`` has no ``_quarto-draft.yml`` (allowed, as in Quarto); the group adds basic."""
    page = _page(versions["draft"])
    assert _words(page) == ["Kelpcommon", "Kelpbasic", "kelpdraftspan", "Kelpbasics"]
    assert "Basic edition" in page
    assert versions["draft"].warnings == []


def test_profile_and_format_conditions_hold_together_in_the_pdf(versions, tmp_path):
    """``unless-profile="draft" when-format="pdf"``: on the preface's page of the basic
    version's PDF (not in its web page); the other profiles' content on none."""
    built = build_root(versions["basic"].root, out=tmp_path, formats=("pdf",),
                       git_stamp=False, use_cache=False)
    pages = [_words(text) for text in built.page_texts()]
    assert ["Kelpcommon", "Kelpbasic", "kelpfinalspan", "Kelpprintfinal"] in pages
    assert [words for words in pages if words][-1] == ["Kelpbasics"]
    assert "Kelpprintfinal" not in _page(versions["basic"])


def test_quarto_profile_in_the_environment_chooses_and_the_command_line_wins(
        versions, tmp_path, monkeypatch, caplog):
    """``QUARTO_PROFILE=advanced,draft``: both active (the build says so, and that draft has
    no file); ``--profile`` over it; without it, the line of the project's ``_environment``
    file (Quarto's dotenv) that sets it."""
    root = versions["basic"].root
    monkeypatch.setenv("QUARTO_PROFILE", "advanced,draft")
    caplog.set_level(logging.INFO, logger="reportc")
    built = build_root(root, out=tmp_path / "env", formats=("html",), git_stamp=False,
                       use_cache=False)
    assert "reportc: profiles advanced, draft (no _quarto-draft.yml)" in caplog.messages
    assert _words(_page(built)) == ["Kelpcommon", "Kelpadvanced", "kelpdraftspan",
                                    "Kelpderivation", "Kelpbasics", "Kelpsurge"]
    chosen = build_root(root, out=tmp_path / "given", formats=("html",), git_stamp=False,
                        use_cache=False, profile="basic")
    assert _words(_page(chosen)) == _words(_page(versions["basic"]))
    monkeypatch.delenv("QUARTO_PROFILE")
    own = copy_root(NAME, tmp_path)
    (own / "_environment").write_text("# settings\nDATA_DIR=/srv/data\nQUARTO_PROFILE=draft\n",
                                      encoding="utf-8")
    dotenv = build_root(own, formats=("html",), git_stamp=False, use_cache=False)
    assert _page(dotenv) == _page(versions["draft"])


def test_switching_profile_through_the_cache_gives_the_clean_builds_bytes(versions, tmp_path):
    """One output folder, its cache kept, built as each version in turn (no file changes
    between draft and basic: only the profile does), then after an edit: each page is
    byte for byte the page of a build without the cache."""
    root = versions["basic"].root
    out = tmp_path / "cached"
    assert len({built.html_path.read_bytes() for built in versions.values()}) == 3
    for profile in (None, "draft", "advanced", None, "draft"):
        built = build_root(root, out=out, formats=("html",), git_stamp=False, profile=profile)
        clean = versions[profile or "basic"]
        assert built.html_path.read_bytes() == clean.html_path.read_bytes(), profile
    edited = copy_root(NAME, tmp_path / "edited")
    build_root(edited, out=tmp_path / "edit", formats=("html",), git_stamp=False)
    index = edited / "index.qmd"
    index.write_text(index.read_text(encoding="utf-8").replace(
        "Kelpcommon opening", "Kelpcommon first"), encoding="utf-8")
    cached = build_root(edited, out=tmp_path / "edit", formats=("html",), git_stamp=False,
                        profile="draft")
    fresh = build_root(edited, out=tmp_path / "fresh", formats=("html",), git_stamp=False,
                       profile="draft", use_cache=False)
    assert "kelpdraftspan" in _words(_page(cached))
    assert cached.html_path.read_bytes() == fresh.html_path.read_bytes()


def test_the_local_file_is_merged_last_and_may_name_the_default(tmp_path, monkeypatch):
    """``_quarto.yml.local`` (Quarto's name for a writer's own settings): its
    ``profile: default:`` over ``_quarto.yml``'s, its settings over the profiles'."""
    monkeypatch.delenv("QUARTO_PROFILE", raising=False)
    root = copy_root(NAME, tmp_path)
    (root / "_quarto.yml.local").write_text(
        "profile:\n  default: advanced\nbook:\n  subtitle: My own copy\n", encoding="utf-8")
    page = _page(build_root(root, formats=("html",), git_stamp=False, use_cache=False))
    assert "Kelpsurge" in _words(page) and "My own copy" in page
    assert "Advanced edition" not in page


def _problems(root: Path, profile: str) -> list[str]:
    with pytest.raises((BuildFailed, ConfigError)) as failure:
        build(BuildOptions(root=root, formats=("html",), profile=profile, use_cache=False))
    if isinstance(failure.value, BuildFailed):
        return [str(problem) for problem in failure.value.problems]
    return [str(failure.value)]


def test_a_profile_files_problems_are_located_in_it(tmp_path):
    """A chapter a profile lists that does not exist, and a profile file that is not YAML:
    each an error at its line of the profile's file, not of _quarto.yml."""
    root = copy_root(NAME, tmp_path)
    (root / "advanced.qmd").unlink()
    problems = _problems(root, "advanced")
    assert len(problems) == 1 and problems[0].startswith("_quarto-advanced.yml:7: ")
    shutil.copy(ROOTS / NAME / "advanced.qmd", root)
    (root / "_quarto-advanced.yml").write_text("book:\n  chapters: [a.qmd\n", encoding="utf-8")
    problems = _problems(root, "advanced")
    assert len(problems) == 1 and problems[0].startswith("_quarto-advanced.yml:3: invalid YAML")


def test_the_command_line_documents_the_option():
    assert "--profile NAMES" in run_command("--help").stdout
