"""The read stage: chapters read in batches, each exactly as pandoc reads it on its own."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from conftest import copy_root

from reportc.cache import BuildCache
from reportc.document.read import read_chapters
from reportc.errors import Diagnostics
from reportc.pandoc.runner import CHAPTER_READER, run_pandoc
from reportc.project.chapters import load_chapters
from reportc.project.config import load_config

DUPLICATE_LINK = "\n\nSee [the site].\n\n[the site]: https://example.org/a\n" \
                 "[the site]: https://example.org/b\n"


def _chapters(tmp_path):
    root = copy_root("basic", tmp_path)
    diag = Diagnostics()
    config = load_config(root, diag)
    return root, config, diag


def _read(config, diag, jobs=1):
    cache = BuildCache(config.root / "cache", diag, enabled=False)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return read_chapters(load_chapters(config, diag), diag, cache, pool, jobs)


def test_a_batch_reads_each_chapter_as_pandoc_reads_it_alone(tmp_path):
    """Same AST as ``pandoc -f CHAPTER_READER -t json`` on the chapter, abbreviations included
    ("n. 5" keeps its no-break space: pandoc's Lua reader does not, unless told)."""
    root, config, diag = _chapters(tmp_path)
    intro = root / "chapters/01-intro.md"
    intro.write_text(intro.read_text() + "\n\nAs TRENDS notes [@trends2022, n. 5].\n")
    docs = _read(config, diag)  # one batch of three
    assert not diag.problems
    for doc in docs:
        alone = run_pandoc(["-f", CHAPTER_READER, "-t", "json"], doc.chapter.text, what=doc.rel)
        assert doc.ast == json.loads(alone.output), doc.rel
    assert "n.\u00a05" in json.dumps(docs[1].ast, ensure_ascii=False)


def test_a_warning_in_a_batch_is_reported_against_its_own_chapter(tmp_path):
    root, config, diag = _chapters(tmp_path)
    defence = root / "chapters/02-defence.md"
    defence.write_text(defence.read_text() + DUPLICATE_LINK)
    docs = _read(config, diag)
    assert all(docs)
    assert [(w.path, "Duplicate link reference" in w.message) for w in diag.warnings] == [
        ("chapters/02-defence.md", True)]


def test_the_cached_chapters_are_made_ready_while_pandoc_reads_an_edited_one(tmp_path,
                                                                            monkeypatch):
    """An edit reads one chapter with pandoc; the others, from the cache, are parsed and
    cleaned meanwhile (they waited for pandoc, and the edit for them); every chapter
    comes out as a build without the cache reads it."""
    import threading

    import reportc.document.read as read

    root, config, diag = _chapters(tmp_path)
    cache = BuildCache(root / "cache", diag)
    with ThreadPoolExecutor(max_workers=2) as pool:  # every chapter read into the cache
        read_chapters(load_chapters(config, diag), diag, cache, pool, 2)
    intro = root / "chapters/01-intro.md"
    intro.write_text(intro.read_text().replace("describe the ties", "describe these ties"))
    ready, seen = threading.Event(), []
    real_read, real_doc = read._read_batch, read._chapter_doc

    def reading(*args):
        seen.append(ready.wait(timeout=10))  # a cached chapter made ready meanwhile?
        return real_read(*args)

    def making(chapter, *args):
        doc = real_doc(chapter, *args)
        if chapter.rel != "chapters/01-intro.md":
            ready.set()
        return doc

    monkeypatch.setattr(read, "_read_batch", reading)
    monkeypatch.setattr(read, "_chapter_doc", making)
    with ThreadPoolExecutor(max_workers=2) as pool:
        docs = read_chapters(load_chapters(config, diag), diag, cache, pool, 2)
    assert seen == [True], "a cached chapter was made ready while pandoc read the edited one"
    monkeypatch.undo()
    clean = _read(config, diag, jobs=2)
    assert [json.dumps(doc.ast) for doc in docs] == [json.dumps(doc.ast) for doc in clean]
    assert '"these"' in json.dumps(docs[1].ast)
