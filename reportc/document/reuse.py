"""The per-chapter cache: an unchanged chapter taken whole from the last build.

An edit changes one chapter, yet every chapter was read into a tree, cleaned, numbered and
resolved again: on the 200-page bench that was most of the build's own work before the
edited part could be laid out. Each chapter's record (one cache entry) holds its tree as
resolved, its fields, and what making it took from the rest of the report and gave to it
(:class:`reportc.document.model.Trace`). A chapter whose text and front matter are the same
is taken from its record when, in this build, the counters it starts from are the same (so
are its numbers, identifiers and targets then), and so are the targets it looked up, the
bibliography's keys and the image files it found. Anything else makes it anew from its read
AST, as a build without the cache does: the record decides only whether work is skipped,
never what comes out. Its warnings are said again where they were found.

A chapter's charts (made figures between reading and numbering) are in its record as
their sources and drawings' keys: a taken chapter's are recalled when their specs and data
give the same keys (:meth:`reportc.charts.figures.Drawings.recall`), else the chapter is
made anew and drawn. Not taken: any chapter of one whose chapters reach into each other
while read (:func:`reportc.document.read._settle`), nor a chapter with a PDF figure drawn
as SVG.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from reportc.cache import BuildCache, digest
from reportc.document.hidden import conditional
from reportc.document.images import find_image
from reportc.document.math import recall_formulas
from reportc.document.model import (
    ChapterDoc,
    Float,
    Heading,
    Recording,
    Target,
    Trace,
    Unparsed,
    ast_digest,
    replay,
)
from reportc.document.numbering import Numbering
from reportc.document.read import _chapter_doc
from reportc.errors import WARNING_CODES, Diagnostics, reported
from reportc.project.chapters import Chapter

KIND = "chapter"
FORMAT = "6"  # the record's layout: a change makes every record another key
FIELDS = ("anchor", "title", "untitled", "number", "label_word", "cite_keys", "images", "drawn",
          "inputs", "charted", "has_refs", "appendix", "labels", "heading_ids")
RECORDED = {"entry", "after", "claimed", "targets", "looked", "images", "formulas",
            "charts", "warnings", "fields", "shape", "attached"}  # a record's description's keys
Resolver = Callable[[ChapterDoc, dict[str, Target], Diagnostics], None]


class Looking(dict[str, Target]):
    """The report's targets, noting each one a chapter looks up (and what it found)."""

    def __init__(self, targets: dict[str, Target], looked: dict[str, list[str] | None]):
        super().__init__(targets)
        self.looked = looked

    def get(self, key: str, default: Any = None) -> Any:
        found = super().get(key)
        self.looked[key] = None if found is None else [found.id, found.label, found.number]
        return found if found is not None else default


class Reuse:
    """The per-chapter cache of one build (see the module): ``prefixes``, the labels'
    words; ``bib_keys``, the bibliography's keys; ``root``, the report's folder;
    ``charted``: the build draws charts (a record's charts are drawn figures)."""

    def __init__(self, cache: BuildCache, prefixes: dict[str, str] | None,
                 bib_keys: set[str], root: Path, attachments: list[str],
                 aliases: dict[str, str] | None = None, charted: bool = False):
        self.cache, self.root = cache, root
        # (not the report's folder: what resolving found in it, its images, is checked;
        # ``aliases``: Manubot's citation aliases, written in any chapter, used in all)
        self.context = digest(FORMAT, json.dumps(prefixes or {}, sort_keys=True),
                              json.dumps(sorted(attachments)),
                              json.dumps(aliases or {}, sort_keys=True), str(charted),
                              *sorted(bib_keys))
        self.numbering: Numbering | None = None  # the report's, once numbering began
        # draws a chapter's charts (its warnings were said): set once the charts are drawn
        self.redraw: Callable[[ChapterDoc, Diagnostics], None] | None = None

    def trace(self, chapter: Chapter, key: str) -> Trace:
        """The chapter's trace, with the last build's record when there is one and its read
        AST is kept too (``key``: the read AST's)."""
        trace = Trace(digest(KIND, key, self.context, chapter.rel, chapter.kind,
                             str(chapter.numbered), chapter.short_title, chapter.anchor,
                             chapter.code_annotations, *_editions(chapter),
                             json.dumps(chapter.boxes)), key)
        name = self.cache.entries.get(f"ast:{key}")
        if name and (self.cache.folder / name).is_file() and \
                (blob := self.cache.get(KIND, trace.key)) is not None:
            trace.record = _record(blob)
        return trace

    def load(self, chapter: Chapter, trace: Trace) -> ChapterDoc | None:
        """The chapter as resolved in the last build, from its record."""
        record = trace.record
        if record is None:
            return None
        # its blocks are parsed if read (an edit reads no other chapter's), so a damaged
        # record is told by its tree's digest: the chapter is made anew
        if digest(chapter.rel, record["rest"], record["blocks"]) != record["meta"]["shape"]:
            return None
        try:
            rest = json.loads(record["rest"])
        except (ValueError, TypeError):
            return None
        doc = ChapterDoc(chapter, Unparsed(rest, record["blocks"]), trace=trace,
                         blocks_json=record["blocks"])
        fields = record["meta"]["fields"]
        for name in FIELDS:
            setattr(doc, name, fields[name])
        doc.headings = [Heading(**heading) for heading in fields["headings"]]
        doc.floats = [Float(**found) for found in fields["floats"]]
        trace.shape = record["meta"]["shape"]
        return doc

    def number(self, doc: ChapterDoc, numbering: Numbering, diag: Diagnostics) -> None:
        """Number the chapter, the next in reading order: replayed from its record when it
        starts from the counters it started from then, else numbered and traced."""
        self.numbering = numbering
        trace = doc.trace
        if trace is None:
            numbering.number(doc, diag)
            return
        if trace.record is not None:
            meta = trace.record["meta"]
            if meta["entry"] == numbering.counters:
                self._replay_numbers(doc, meta, numbering, diag)
                return
            self._read_again(doc, trace)
        trace.entry = dict(numbering.counters)
        had, used = set(numbering.targets), set(numbering.used)
        numbering.number(doc, Recording(diag, trace.warnings["number"]))
        trace.after = dict(numbering.counters)
        trace.claimed = sorted(numbering.used - used)
        trace.targets = [[name, target.id, target.label, target.number]
                         for name, target in numbering.targets.items() if name not in had]

    def _replay_numbers(self, doc: ChapterDoc, meta: dict[str, Any], numbering: Numbering,
                        diag: Diagnostics) -> None:
        """What numbering the chapter gave the report, given again: its identifiers
        (another chapter's first claim is still an error), targets and counters."""
        for identifier in meta["claimed"]:
            numbering.claim(doc, identifier, diag)
        for name, identifier, label, number in meta["targets"]:  # (its key: an element's
            numbering.targets[name] = Target(identifier, label, number)  # is "#" + its id)
        numbering.counters.clear()
        numbering.counters.update(meta["after"])
        for key in meta["formulas"]:  # the print page draws its formulas from these
            recall_formulas(self.cache, key)
        replay(diag, meta["warnings"]["number"])
        assert doc.trace is not None
        doc.trace.replayed = True

    def resolve(self, doc: ChapterDoc, targets: dict[str, Target], resolver: Resolver,
                diag: Diagnostics) -> None:
        """Resolve the chapter's references: taken as recorded when what it looked up is
        unchanged, else resolved (the tree made anew first) and traced."""
        trace = doc.trace
        if trace is None:
            resolver(doc, targets, diag)
            return
        if trace.record is not None:
            meta = trace.record["meta"]
            if trace.replayed and self._unchanged(doc, meta, targets):
                replay(diag, meta["warnings"]["resolve"])
                self.cache.used.add(f"ast:{trace.ast_key}")  # kept for the next build
                return
            self._read_again(doc, trace)
            self._number_again(doc, trace, meta)
        resolver(doc, Looking(targets, trace.looked),
                 Recording(diag, trace.warnings["resolve"]))
        trace.fields = {name: _copy(getattr(doc, name)) for name in FIELDS}
        trace.fields["headings"] = [asdict(heading) for heading in doc.headings]
        trace.fields["floats"] = [asdict(found) for found in doc.floats]

    def _unchanged(self, doc: ChapterDoc, meta: dict[str, Any],
                   targets: dict[str, Target]) -> bool:
        """Are the targets the chapter looked up and the image files it found the same?"""
        for identifier, seen in meta["looked"].items():
            target = targets.get(identifier)
            if (None if target is None else [target.id, target.label, target.number]) != seen:
                return False
        return all(_found(self.root, doc.chapter, source) == name
                   for source, name in meta["images"])

    def read_again(self, doc: ChapterDoc) -> None:
        """A taken chapter's tree made anew from its read AST, not yet drawn (its charts
        changed: :func:`reportc.charts.figures.draw_charts` draws it)."""
        assert doc.trace is not None
        self._read_again(doc, doc.trace, drawn=False)

    def _read_again(self, doc: ChapterDoc, trace: Trace, drawn: bool = True) -> None:
        """The chapter's tree made anew from its read AST, in place of the record's (its
        reading's warnings were said already: they are noted, not said again), its charts
        drawn again if they were (``drawn``), silently: their warnings were said too."""
        record = reported(trace.record)
        fresh = reported(_chapter_doc(doc.chapter, self.cache.get("ast", trace.ast_key),
                                      _silent(), True))
        vars(doc).update(vars(fresh))
        doc.trace, doc.blocks_json = trace, None
        trace.record, trace.shape = None, None
        trace.warnings["read"] = record["meta"]["warnings"]["read"]
        if drawn and self.redraw is not None:
            self.redraw(doc, _silent())

    def _number_again(self, doc: ChapterDoc, trace: Trace, meta: dict[str, Any]) -> None:
        """Number a chapter made anew after its numbering was replayed: alone, from the
        counters it started from (what it gave the report is the record's, and was given)."""
        numbering = reported(self.numbering)
        alone = Numbering({}, dict(meta["entry"]), set(), numbering.words, numbering.cache)
        alone.number(doc, _silent())
        trace.entry, trace.after = meta["entry"], meta["after"]
        trace.claimed, trace.targets = meta["claimed"], meta["targets"]
        trace.formulas, trace.warnings["number"] = meta["formulas"], meta["warnings"]["number"]

    def checked(self, doc: ChapterDoc) -> bool:
        """Did the sandbox's check of the chapter's tree pass in the last build, on the tree
        it has now (taken whole), without reading files besides its images (no ``data:``
        image, whose SVG may name files; no attachment)? Then only its images are to be
        checked again (:func:`reportc.sandbox.checks.check_images`)."""
        trace = doc.trace
        return trace is not None and trace.record is not None and \
            not trace.record["meta"]["attached"] and "data:" not in doc.chapter.text

    def shape(self, doc: ChapterDoc) -> str:
        """The chapter's :func:`reportc.document.model.ast_digest`; a chapter made anew
        (numbered and resolved with a trace, no PDF figure drawn) is recorded with it."""
        trace = doc.trace
        taken = trace is not None and trace.shape is not None
        shape = ast_digest(doc)
        if trace is not None and not taken and trace.fields and not doc.drawn \
                and doc.blocks_json is not None:
            rest = {name: value for name, value in doc.ast.items() if name != "blocks"}
            meta = {"entry": trace.entry, "after": trace.after, "claimed": trace.claimed,
                    "targets": trace.targets, "looked": trace.looked, "images": trace.images,
                    "formulas": trace.formulas, "charts": trace.charts,
                    "warnings": trace.warnings,
                    "fields": trace.fields, "shape": shape,
                    "attached": doc.images != trace.fields["images"]}  # the check added
            self.cache.put(KIND, trace.key, "\n".join([
                json.dumps(meta, ensure_ascii=False),
                json.dumps(rest, ensure_ascii=False, check_circular=False), doc.blocks_json]))
        return shape


def _editions(chapter: Chapter) -> tuple[str, ...]:
    """The build's kinds of edition, the chapter's metadata flags and the active profiles
    its conditions name (when it names one), for a chapter whose
    content may be for some only (:mod:`reportc.document.hidden`); another chapter's record
    holds in every build (and keeps the key it had before conditional content was decided
    per edition)."""
    if not conditional(chapter.text):
        return ()
    kinds = " ".join(sorted(chapter.editions)), json.dumps(chapter.flags, sort_keys=True)
    return (*kinds, ",".join(chapter.profiles)) if chapter.profiles else kinds


def _record(blob: str) -> dict[str, Any] | None:
    """A record's parts (its description parsed); None if it is damaged."""
    try:
        meta, rest, blocks = blob.split("\n", 2)
        parsed = json.loads(meta)
    except ValueError:
        return None
    return {"meta": parsed, "rest": rest, "blocks": blocks} \
        if isinstance(parsed, dict) and parsed.keys() >= RECORDED else None


def _found(root: Path, chapter: Chapter, source: str) -> str:
    """The report's file an image's path names now, as resolving finds it ("": none)."""
    found = find_image(root, chapter.path, source.split("#")[0].split("?")[0])
    return found.relative_to(root.resolve()).as_posix() if found is not None else ""


def _copy(value: Any) -> Any:
    """A field's value as it is now (lists and dicts copied: later stages add to some)."""
    return list(value) if isinstance(value, list) else \
        dict(value) if isinstance(value, dict) else value


def _silent() -> Diagnostics:
    """Diagnostics for work done again whose warnings were said already: none printed."""
    return Diagnostics(silenced=frozenset(WARNING_CODES))
