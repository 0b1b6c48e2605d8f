"""The per-chapter cache (#25): after an edit, a chapter whose text and inputs from the other
chapters are unchanged is taken whole from the last build (reportc.document.reuse); one
whose numbers, the targets it refers to or its images changed is made anew. Either way the
build writes, warns and fails as a build without the cache does."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Built, build_root, copy_root

import reportc.document.read
import reportc.document.reuse
import reportc.pipeline
from reportc.document.model import Unparsed
from reportc.document.numbering import Numbering
from reportc.errors import ReportError

HTML = ["html"]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The basic fixture with a section of the introduction given an identifier the
    defence chapter refers to, an image of its own and one without alt text; built once
    (HTML) with the cache."""
    root = copy_root("basic", tmp_path_factory.mktemp("reuse"))
    _replace(root / "chapters/01-intro.md", "## Method\n", "## Method {#sec-method}\n")
    shutil.copy(root / "figures/bars.svg", root / "figures/other.svg")
    defence = root / "chapters/02-defence.md"
    defence.write_text(defence.read_text() + "\nThe method is in @sec-method.\n\n"
                       "![Other bars.](figures/other.svg)\n\n![](figures/bars.svg)\n")
    build_root(root, formats=HTML)
    return root


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _copy(base: Path, tmp_path: Path) -> Path:
    """A private copy of the base build, its out/ and cache included."""
    return Path(shutil.copytree(base, tmp_path / "basic", symlinks=True))


def _calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The chapters read into a tree, numbered, whose tree is checked, and taken whole,
    from now on."""
    calls: dict[str, list[str]] = {"made": [], "numbered": [], "taken": [], "checked": []}

    def spy(name: str, real: Callable[..., object], rel: Callable[..., str]
            ) -> Callable[..., object]:
        def recorded(*args: object, **kwargs: object) -> object:
            calls[name].append(rel(*args))
            return real(*args, **kwargs)
        return recorded

    monkeypatch.setattr(reportc.document.read, "_chapter_doc", spy(
        "made", reportc.document.read._chapter_doc, lambda chapter, *_: chapter.rel))
    monkeypatch.setattr(reportc.document.reuse, "_chapter_doc", spy(
        "made", reportc.document.reuse._chapter_doc, lambda chapter, *_: chapter.rel))
    monkeypatch.setattr(Numbering, "number", spy(
        "numbered", Numbering.number, lambda self, doc, diag: doc.rel))
    monkeypatch.setattr(reportc.pipeline, "check_chapter", spy(
        "checked", reportc.pipeline.check_chapter, lambda doc, *_: doc.rel))
    monkeypatch.setattr(reportc.document.reuse.Reuse, "load", spy(
        "taken", reportc.document.reuse.Reuse.load, lambda self, chapter, trace: chapter.rel))
    return calls


def _as_without_cache(built: Built, tmp_path: Path) -> None:
    """The build wrote and warned what a build without the cache does."""
    clean = build_root(built.root, out=tmp_path / "clean", use_cache=False, formats=HTML)
    assert built.html_path.read_bytes() == clean.html_path.read_bytes()
    assert sorted(built.warnings) == sorted(clean.warnings)


def _fails_as_without_cache(root: Path, tmp_path: Path) -> str:
    """The build fails with the messages of a build without the cache; they are returned."""
    with pytest.raises(ReportError) as cached:
        build_root(root, formats=HTML)
    with pytest.raises(ReportError) as clean:
        build_root(root, out=tmp_path / "clean", use_cache=False, formats=HTML)
    assert str(cached.value) == str(clean.value)
    return str(cached.value)


def test_an_edit_takes_the_other_chapters_whole(base: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy(base, tmp_path)
    _replace(root / "chapters/01-intro.md", "describe the ties", "describe these ties")
    calls = _calls(monkeypatch)
    built = build_root(root, formats=HTML)
    assert calls["made"] == ["chapters/01-intro.md"]
    assert calls["numbered"] == ["chapters/01-intro.md"]
    assert sorted(calls["taken"]) == ["chapters/00-summary.md", "chapters/02-defence.md"]
    assert calls["checked"] == ["chapters/01-intro.md"]
    assert any("image 'figures/bars.svg' has no alt text" in w for w in built.warnings)
    monkeypatch.undo()
    _as_without_cache(built, tmp_path)


def test_an_edit_parses_no_other_chapters_tree(base: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A chapter taken whole keeps its blocks as their JSON until something reads them:
    in an edit's build (HTML and PDF, after one of both) only the summary's are, for
    the first sentence that describes the report in its metadata."""
    root = _copy(base, tmp_path)
    build_root(root, formats=["html", "pdf"])  # (the base has no PDF: its checks not cached)
    _replace(root / "chapters/01-intro.md", "describe the ties", "describe these ties")
    parsed: list[str] = []
    real = Unparsed.parsed
    monkeypatch.setattr(Unparsed, "parsed", lambda self: parsed.append(self.blocks) or real(self))
    calls = _calls(monkeypatch)
    built = build_root(root, formats=["html", "pdf"])
    assert sorted(calls["taken"]) == ["chapters/00-summary.md", "chapters/02-defence.md"]
    assert len(parsed) == 1 and '"ch-00-summary"' in parsed[0]
    monkeypatch.undo()
    clean = build_root(root, out=tmp_path / "clean", use_cache=False, formats=["html", "pdf"])
    for name in (f"{built.slug}.html", f"{built.slug}.pdf"):
        assert (built.out / name).read_bytes() == (clean.out / name).read_bytes()


def test_a_taken_chapters_tree_read_later_is_its_tree(base: Path, tmp_path: Path) -> None:
    """The Word edition reads every chapter's tree: a taken chapter's, parsed when read,
    writes what a build without the cache writes."""
    root = _copy(base, tmp_path)
    _replace(root / "chapters/01-intro.md", "describe the ties", "describe these ties")
    built = build_root(root, formats=["html", "docx"])
    clean = build_root(root, out=tmp_path / "clean", use_cache=False, formats=["html", "docx"])
    docx = f"{built.slug}.docx"
    assert (built.out / docx).read_bytes() == (clean.out / docx).read_bytes()


def test_a_chapter_whose_reference_moved_is_resolved_anew(base: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """A section added before the one the defence chapter refers to renumbers it (1.2, no
    count of the report changes): the defence chapter is numbered as recorded, then made
    and resolved anew."""
    root = _copy(base, tmp_path)
    _replace(root / "chapters/01-intro.md", "## Method", "## Aims\n\nA new section.\n\n## Method")
    calls = _calls(monkeypatch)
    built = build_root(root, formats=HTML)
    assert calls["numbered"] == ["chapters/01-intro.md", "chapters/02-defence.md"]
    assert sorted(calls["made"]) == ["chapters/01-intro.md", "chapters/02-defence.md"]
    monkeypatch.undo()
    assert "Section\u00a01.3" in built.html_path.read_text() or \
        "Section 1.3" in built.html_path.read_text()
    _as_without_cache(built, tmp_path)


def test_a_chapter_whose_counts_moved_is_numbered_anew(base: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A table added to the introduction: the defence chapter starts from other counters,
    and its reference to the fields' table reads Table 2."""
    root = _copy(base, tmp_path)
    _replace(root / "chapters/01-intro.md", "## Scope", "## Scope\n\n| C | D |\n|---|---|\n"
             "| 3 | 4 |\n\n: A new first table.\n")
    calls = _calls(monkeypatch)
    built = build_root(root, formats=HTML)
    assert calls["numbered"] == ["chapters/01-intro.md", "chapters/02-defence.md"]
    monkeypatch.undo()
    _as_without_cache(built, tmp_path)


def test_an_identifier_claimed_first_by_the_edited_chapter_is_an_error_where_repeated(
        base: Path, tmp_path: Path) -> None:
    root = _copy(base, tmp_path)
    _replace(root / "chapters/01-intro.md", "## Scope", "## Scope {#sec-defence}")
    message = _fails_as_without_cache(root, tmp_path)
    assert "chapters/02-defence.md:3: duplicate identifier '#sec-defence'" in message


def test_an_image_gone_from_an_unchanged_chapter_is_an_error(base: Path,
                                                             tmp_path: Path) -> None:
    root = _copy(base, tmp_path)
    (root / "figures/other.svg").unlink()
    _replace(root / "chapters/01-intro.md", "describe the ties", "describe these ties")
    message = _fails_as_without_cache(root, tmp_path)
    assert "missing image 'figures/other.svg'" in message


def test_the_images_of_an_unchanged_chapter_are_checked_again(base: Path,
                                                              tmp_path: Path) -> None:
    """Its tree passed the sandbox's check before; its image files may not now."""
    root = _copy(base, tmp_path)
    (root / "figures/other.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    _replace(root / "chapters/01-intro.md", "describe the ties", "describe these ties")
    message = _fails_as_without_cache(root, tmp_path)
    assert "image 'figures/other.svg' contains script" in message


def test_pandoc_reads_the_edited_chapter_from_the_head_start(base: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    """With the PDF's processes forked (its head start), pandoc begins reading what the
    cache lacks before the stages are imported; without them (an HTML build) it does not:
    a fork while another thread starts pandoc would hang the build."""
    root = _copy(base, tmp_path)
    _replace(root / "chapters/01-intro.md", "describe the ties", "describe these ties")
    begun: list[list[int]] = []
    real = reportc.document.read.start_reading

    def recorded(*args: object, **kwargs: object) -> reportc.document.read.Reading:
        reading = real(*args, **kwargs)  # type: ignore[arg-type]
        begun.append(list(reading.todo))
        return reading

    monkeypatch.setattr(reportc.document.read, "start_reading", recorded)
    build_root(root, formats=HTML)
    assert begun == []
    _replace(root / "chapters/01-intro.md", "describe these ties", "describe those ties")
    built = build_root(root)
    assert begun == [[1]]
    assert b"describe those ties" in built.html_path.read_bytes()


@pytest.mark.parametrize("cut", [10, -100])
def test_a_damaged_record_makes_its_chapter_anew(base: Path, tmp_path: Path, cut: int) -> None:
    """A record cut short (in its description, or in its tree) is no record."""
    root = _copy(base, tmp_path)
    records = list((root / "out/.reportc-cache").glob("chapter-*.blob"))
    assert len(records) == 3
    for blob in records:
        blob.write_bytes(blob.read_bytes()[:cut])
    _replace(root / "chapters/01-intro.md", "describe the ties", "describe these ties")
    _as_without_cache(build_root(root, formats=HTML), tmp_path)
