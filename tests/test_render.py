"""The render stage: chapters cited and written in batches, each exactly as on its own."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import copy_root

import reportc.pandoc.runner
from reportc.cache import BuildCache
from reportc.citing.render import render_chapters
from reportc.citing.setup import CitationSetup
from reportc.document.model import ChapterDoc
from reportc.document.numbering import number_report
from reportc.document.read import read_chapters
from reportc.document.xrefs import resolve_references
from reportc.editions.typography import keep_notes_with_words
from reportc.errors import Diagnostics, ToolError
from reportc.pandoc.runner import batches
from reportc.project.bibliography import load_bibliography
from reportc.project.chapters import load_chapters
from reportc.project.config import load_config
from reportc.project.csl import resolve_csl


@pytest.fixture
def stage(tmp_path):
    """The basic report's chapters, read and numbered: what the render stage receives."""
    root = copy_root("basic", tmp_path)
    diag = Diagnostics()
    config = load_config(root, diag)
    bibliography = load_bibliography(config.bibliography, root, diag)
    cache = BuildCache(root / "cache", diag, enabled=False)
    with ThreadPoolExecutor(max_workers=1) as pool:
        docs = read_chapters(load_chapters(config, diag), diag, cache, pool, 1)
    targets = number_report(docs, diag)
    for doc in docs:
        resolve_references(doc, targets, bibliography.keys, root, diag)
    setup = CitationSetup(bibliography.path, resolve_csl(config, diag), config.lang)
    assert not diag.problems
    return docs, setup, diag, cache


def _render(docs: list[ChapterDoc], setup, diag, cache, jobs: int) -> list[str | None]:
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return render_chapters(docs, setup, diag, cache, pool, jobs)


def test_a_batch_renders_each_chapter_exactly_as_on_its_own(stage):
    docs, setup, diag, cache = stage
    together = _render(docs, setup, diag, cache, jobs=1)  # one batch of three
    alone = [_render([doc], setup, diag, cache, jobs=1)[0] for doc in docs]
    assert together == alone
    assert not diag.problems
    assert all(body and 'class="fn"' in body for body in together)  # cited, notes shaped
    for doc, body in zip(docs, together, strict=True):
        assert f'id="{doc.anchor}-fnref1"' in body  # each chapter numbers its own notes
        assert 'id="refs"' not in body  # citeproc's list: the report has one, at its end
        assert 'role="doc-biblioref"' in body  # citations still link into it


def test_a_failing_batch_is_run_again_chapter_by_chapter(stage, monkeypatch):
    """The failure is reported against the one chapter that fails; the others render."""
    docs, setup, diag, cache = stage
    real = reportc.pandoc.runner.run_pandoc
    calls: list[str] = []

    def failing_on_defence(args, stdin, *, what, **kwargs):
        calls.append(what)
        if "chapters/02-defence.md" in what:
            raise ToolError(f"{what}: pandoc failed: boom")
        return real(args, stdin, what=what, **kwargs)

    monkeypatch.setattr(reportc.pandoc.runner, "run_pandoc", failing_on_defence)
    bodies = _render(docs, setup, diag, cache, jobs=1)
    assert calls[0] == ", ".join(doc.rel for doc in docs)  # first all three in one process
    assert sorted(calls[1:]) == sorted(doc.rel for doc in docs)  # then one by one
    assert [body is None for body in bodies] == [doc.rel == "chapters/02-defence.md"
                                                for doc in docs]
    assert [str(e) for e in diag.errors] == ["chapters/02-defence.md: pandoc failed: boom"]


def test_batches_share_chapters_out_evenly_between_jobs(stage):
    docs, *_ = stage
    many = [doc for doc in docs for _ in range(12)]  # 36 chapters, some much larger
    for doc_index, doc in enumerate(many):
        many[doc_index] = ChapterDoc(doc.chapter, doc.ast, anchor=f"{doc.anchor}-{doc_index}")
    size = {doc.anchor: 1000 * (1 + i % 5) for i, doc in enumerate(many)}
    shares = batches(many, lambda doc: size[doc.anchor], jobs=2)
    assert len(shares) % 2 == 0
    assert sorted(d.anchor for b in shares for d in b) == sorted(d.anchor for d in many)
    assert all(b == sorted(b, key=many.index) for b in shares), "each batch in order"
    loads = [sum(size[d.anchor] for d in batch) for batch in shares]
    assert max(loads) - min(loads) <= max(size.values())
    assert batches(many[:1], lambda doc: size[doc.anchor], jobs=2) == [many[:1]]
    assert batches([], lambda doc: size[doc.anchor], jobs=2) == []


CALL = ('<span class="fn"><a href="#n1" class="fn-ref"><sup>1</sup></a>'
        '<span class="fn-body">A <span>note</span>.</span></span>')


@pytest.mark.parametrize(("html", "kept"), [
    (f"the agreement.{CALL} Next", f'the <span class="fn-keep">agreement.{CALL}</span> Next'),
    (f'held.<span class="citation" data-cites="k">{CALL}</span> Next',
     f'<span class="fn-keep">held.<span class="citation" data-cites="k">{CALL}</span></span>'
     " Next"),
    (f'as <span class="citation" data-cites="k">Lee{CALL}</span> argues',
     f'as <span class="citation" data-cites="k"><span class="fn-keep">Lee{CALL}</span></span>'
     " argues"),
    (f"an <em>emphasis</em>{CALL}", f"an <em>emphasis</em>{CALL}"),  # no word: left alone
    (f"one.{CALL}{CALL}", f'<span class="fn-keep">one.{CALL}</span>{CALL}'),
])
def test_a_note_call_is_kept_with_the_word_before_it(html, kept):
    assert keep_notes_with_words(html) == kept


def test_an_image_is_looked_for_in_the_text_only_for_a_message(tmp_path, monkeypatch):
    """Finding an image's line reads the whole chapter (for every image, a fifth of
    resolving a 200-page edit's chapters): it is found only when there is something to
    say, and then at the image's line."""
    from reportc.project.chapters import Chapter

    root = copy_root("basic", tmp_path)
    intro = root / "chapters/01-intro.md"
    intro.write_text(intro.read_text() + "\n![A missing map.](figures/map.svg)\n")
    diag = Diagnostics()
    config = load_config(root, diag)
    cache = BuildCache(root / "cache", diag, enabled=False)
    with ThreadPoolExecutor(max_workers=1) as pool:
        docs = read_chapters(load_chapters(config, diag), diag, cache, pool, 1)
    targets = number_report(docs, diag)
    looked_for: list[str] = []
    real = Chapter.line_of
    monkeypatch.setattr(Chapter, "line_of", lambda chapter, needle: looked_for.append(
        str(needle)) or real(chapter, needle))
    for doc in docs:
        resolve_references(doc, targets, load_bibliography(config.bibliography, root,
                                                           diag).keys, root, diag)
    assert looked_for == ["figures/map.svg"], "not figures/bars.svg, which is there"
    missing = [p for p in diag.problems if "missing image 'figures/map.svg'" in p.message]
    lines = intro.read_text().splitlines()
    assert missing and lines[missing[0].line - 1] == "![A missing map.](figures/map.svg)"
