"""The Edition interface: --format chooses from the registry, build() writes any registered
edition without knowing it, and an edition with a cache key is restored from the cache."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from conftest import build_root, copy_root, run_cli

from reportc import registry
from reportc.build import FORMATS, BuildOptions, build
from reportc.editions.base import Edition, Made
from reportc.editions.theme import Theme
from reportc.project.config import ReportConfig


class WordCount(Edition):
    """A made-up edition: the number of words per chapter, in <stem>-words.txt."""

    name = "words"
    written = 0

    def outputs(self, made: Made) -> list[str]:
        return [made.stem + "-words.txt"]

    def write(self, made: Made, folder: Path) -> None:
        WordCount.written += 1
        lines = [f"{doc.anchor} {len(str(part.html).split())}"
                 for doc, part in zip(made.docs, made.context.parts, strict=True)]
        (folder / self.outputs(made)[0]).write_text("\n".join(lines) + "\n", encoding="utf-8")

    def inputs(self, config: ReportConfig, theme: Theme) -> list[Path]:
        return [config.root / "words.cfg"]  # may not exist: hashed as missing

    def key(self, made: Made) -> str | None:
        return "-".join(str(len(str(part.html))) for part in made.context.parts)


def test_formats_are_the_registered_editions():
    assert FORMATS[:3] == ("html", "pdf", "docx")
    assert set(FORMATS) == set(registry.EDITIONS)
    assert [e.name for e in registry.chosen(("docx", "html"))] == ["html", "docx"]


def test_a_registered_edition_is_built_and_cached(tmp_path, monkeypatch):
    monkeypatch.setitem(registry.EDITIONS, "words", WordCount())
    root = copy_root("basic", tmp_path)
    WordCount.written = 0
    built = build_root(root, formats=("words",))
    target = built.out / "fixture-words.txt"
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and all(int(line.split()[1]) > 20 for line in lines)
    assert not (built.out / "fixture.html").exists()  # only what was asked for
    assert WordCount.written == 1
    first = target.read_bytes()
    target.unlink()  # outputs no longer intact: the build runs, the edition comes from cache
    build_root(root, formats=("words",))
    assert WordCount.written == 1
    assert target.read_bytes() == first


def test_an_edition_input_is_in_the_fingerprint(tmp_path, monkeypatch):
    """A file an edition names as its input rebuilds the report when it changes."""
    monkeypatch.setitem(registry.EDITIONS, "words", WordCount())
    root = copy_root("basic", tmp_path)
    options = BuildOptions(root=root, formats=("words",))
    build(options)
    assert build(options).up_to_date
    (root / "words.cfg").write_text("count: all\n", encoding="utf-8")
    assert not build(options).up_to_date


def test_the_command_line_refuses_an_unknown_format(tmp_path):
    done = run_cli(copy_root("basic", tmp_path), "--format", "html,odt")
    assert done.returncode != 0
    assert "--format takes html, pdf, docx" in done.stderr and "not odt" in done.stderr


@pytest.mark.parametrize("edition", list(registry.EDITIONS.values()), ids=lambda e: e.name)
def test_every_edition_names_its_outputs(edition):
    assert edition.name in FORMATS
    assert type(edition).outputs is not Edition.outputs


class Later:
    """An edition's files left pending (as the web page's fonts are): what was done."""

    def __init__(self, folder: Path, name: str, done: list[str]) -> None:
        self.folder, self.name, self.done = folder, name, done

    def finish(self) -> None:
        self.done.append("finish")
        (self.folder / self.name).write_text("finished\n", encoding="utf-8")

    def close(self) -> None:
        self.done.append("close")


class Pending(WordCount):
    """WordCount whose file is written by the pending part after every edition."""

    name = "pending"
    done: ClassVar[list[str]] = []

    def outputs(self, made: Made) -> list[str]:
        return [made.stem + "-pending.txt"]

    def write(self, made: Made, folder: Path) -> Later:
        Pending.done.append("write")
        return Later(folder, self.outputs(made)[0], Pending.done)


class Failing(WordCount):
    name = "failing"

    def write(self, made: Made, folder: Path) -> None:
        raise RuntimeError("the edition after failed")


def test_pending_files_are_finished_after_every_edition_then_cached(tmp_path, monkeypatch):
    """An edition may leave files to finish once the others are written: they are written
    into the output (and stored under its cache key, complete: the next build restores
    them), and what it keeps running is closed."""
    monkeypatch.setitem(registry.EDITIONS, "pending", Pending())
    root = copy_root("basic", tmp_path)
    Pending.done = []
    built = build_root(root, formats=("pending", "words"))
    assert Pending.done == ["write", "finish", "close"]
    assert (built.out / f"{built.slug}-pending.txt").read_text() == "finished\n"
    (built.out / f"{built.slug}-pending.txt").unlink()
    (root / "words.cfg").write_text("changed\n")  # a rebuild, the editions from the cache
    Pending.done = []
    again = build_root(root, formats=("pending", "words"))
    assert Pending.done == []
    assert (again.out / f"{again.slug}-pending.txt").read_text() == "finished\n"


def test_pending_files_are_closed_unfinished_when_a_later_edition_fails(tmp_path, monkeypatch):
    monkeypatch.setitem(registry.EDITIONS, "pending", Pending())
    monkeypatch.setitem(registry.EDITIONS, "failing", Failing())
    Pending.done = []
    with pytest.raises(RuntimeError, match="the edition after failed"):
        build_root(copy_root("basic", tmp_path), formats=("pending", "failing"))
    assert Pending.done == ["write", "close"]


def test_the_page_templates_are_compiled_once_for_the_web_and_the_print_page(
        tmp_path, monkeypatch):
    """The web page and the print page come from the same templates: each is read and
    compiled once per build (0.05 s of CPU each time on the default theme), and the next
    build (a watch session's) reads them again."""
    import jinja2

    loaded: list[str] = []
    real = jinja2.FileSystemLoader.get_source

    def counting(self, environment, template):
        loaded.append(template)
        return real(self, environment, template)

    monkeypatch.setattr(jinja2.FileSystemLoader, "get_source", counting)
    root = copy_root("basic", tmp_path)
    build_root(root, formats=("html", "pdf"), use_cache=False)
    assert "report.html.j2" in loaded
    assert sorted(loaded) == sorted(set(loaded))
    first = sorted(loaded)
    loaded.clear()
    build_root(root, formats=("html", "pdf"), use_cache=False)
    assert sorted(loaded) == first
