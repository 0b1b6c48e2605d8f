"""The evidence check: each cited quotation looked up in the sources of the entries it
cites, each sentence of the author's own compared with the source sentences, and one row
per citation and per quotation for the evidence table."""

from __future__ import annotations

import dataclasses
import difflib
import json
import logging
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path

from reportc.cache import BuildCache, digest, tool_versions
from reportc.document.model import ChapterDoc
from reportc.errors import Diagnostics
from reportc.evidence.copies import MIN_RUN, CopyFinder
from reportc.evidence.extract import source_text
from reportc.evidence.lines import Locator
from reportc.evidence.locate import find_sources
from reportc.evidence.match import (
    Segment,
    SourceIndex,
    closest,
    found_in,
    index_source,
    quote_pattern,
)
from reportc.evidence.passages import Block, Sentence, chapter_blocks
from reportc.paths import relative
from reportc.project.bibliography import Bibliography
from reportc.project.config import CONFIG_NAME, ReportConfig
from reportc.run import Run

log = logging.getLogger("reportc")
COLUMNS = ("file", "line", "keys", "locator", "quote", "status", "sentence", "closest")
QUOTED = 200  # characters of a quotation a warning repeats
LARGEST = 200 << 20  # bytes of a source file read at most


@dataclass
class Row:
    """One line of the evidence table (see :data:`COLUMNS`)."""

    file: str
    line: int | None
    keys: str
    locator: str
    quote: str
    status: str  # verified | mismatch | unsourced | cited
    sentence: str
    closest: str = ""

    def values(self) -> list[str]:
        return [self.file, str(self.line or ""), self.keys, self.locator, self.quote,
                self.status, self.sentence, self.closest]


@dataclass
class Evidence:
    rows: list[Row] = field(default_factory=list)
    considered: list[Path] = field(default_factory=list)  # source paths the check looked at
    sourced: bool = False  # some cited entry has a source: the table is written


@dataclass
class Library:
    """The sources at hand: each entry's indexed texts and their sentences."""

    bibliography: Bibliography
    sources: dict[str, list[SourceIndex]]
    copies: CopyFinder | None

    @cached_property
    def known(self) -> set[str]:
        """The keys a chapter may cite, taken once: the bibliography makes the set anew
        each time it is asked, and a 770-entry one asked per sentence cost 0.1 s an edit."""
        return self.bibliography.keys

    def with_source(self, keys: list[str]) -> list[str]:
        """``keys`` (each @set as its members) that have a source."""
        members = [m for key in keys for m in self.bibliography.members(key)]
        return [key for key in dict.fromkeys(members) if key in self.sources]


def check_evidence(run: Run, docs: list[ChapterDoc], bibliography: Bibliography,
                   config: ReportConfig, shapes: list[str] | None = None) -> Evidence:
    """Check every chapter against the sources found (in the report and the run's
    ``--sources`` folders); warnings go to the run's diagnostics. ``shapes``: each
    chapter's :func:`reportc.document.model.ast_digest`, to take the rows and warnings of a
    chapter checked before against the same sources from the cache."""
    folders, diag, cache = run.options.source_dirs, run.diag, run.cache
    cited = bibliography.expand({k for doc in docs for k in doc.cite_keys} & bibliography.keys)
    found = find_sources(cited, bibliography, config, folders, diag)
    for key in config.sources.keys() - bibliography.records.keys():
        diag.warning(f"sources: '{key}' is not an entry of the bibliography", CONFIG_NAME,
                     config.line_of(f"sources.{key}"), code="source.missing")
    texts = _read_sources(found.files, config.root, diag, cache)
    library = Library(bibliography, {k: [index_source(t) for t in v] for k, v in texts.items()},
                      CopyFinder(texts) if texts else None)
    evidence = Evidence(considered=found.considered, sourced=bool(texts))
    against = _library_digest(bibliography, texts)
    for doc, shape in zip(docs, shapes or [""] * len(docs), strict=True):
        key = digest(tool_versions(), shape, doc.rel, doc.chapter.text, against) if shape else ""
        evidence.rows += _chapter_rows(doc, library, diag, cache, key)
    _summary(evidence.rows, found.unplaced, bool(folders))
    return evidence


def _read_sources(files: dict[str, list[Path]], root: Path, diag: Diagnostics,
                  cache: BuildCache) -> dict[str, list[str]]:
    """Each entry's source texts; a file that cannot be read is a warning, never a stop."""
    texts: dict[str, list[str]] = {}
    for key, paths in sorted(files.items()):
        for path in paths:
            try:
                if path.stat().st_size > LARGEST:
                    diag.warning(f"source of '{key}' is larger than {LARGEST >> 20} MB: not "
                                 "read", relative(path, root), code="source.missing")
                    continue
                texts.setdefault(key, []).append(source_text(path, cache))
            except Exception as exc:  # pypdfium2 raises its own errors on a broken PDF
                diag.warning(f"source of '{key}' cannot be read ({type(exc).__name__})",
                             relative(path, root), code="source.missing")
    return {key: found for key, found in texts.items() if found}


def _library_digest(bibliography: Bibliography, texts: dict[str, list[str]]) -> str:
    """What a chapter's check reads besides the chapter: the keys one may cite, the
    entries each @set stands for, and the source texts."""
    return digest(*sorted(bibliography.keys), repr(bibliography.sets()),
                  *(part for key, found in sorted(texts.items()) for part in [key, *found]))


def _chapter_rows(doc: ChapterDoc, library: Library, diag: Diagnostics, cache: BuildCache,
                  key: str) -> list[Row]:
    """The chapter's rows, its warnings reported: checked, or (``key``: the chapter's AST,
    text and the library, hashed) as the last check of the same chapter and sources found
    them, without walking its sentences again (a third of an edit's checks at 200 pages)."""
    stored = cache.get("evidence", key) if key else None
    if stored is not None:
        done = json.loads(stored)
        for message, path, line, code in done["warnings"]:
            diag.warning(message, path, line, code=code)
        return [Row(**row) for row in done["rows"]]
    found = Diagnostics.until_policy()  # holds the warnings, unprinted, to report below
    rows = _check_chapter(doc, library, found)
    for problem in found.problems:
        diag.warning(problem.message, problem.path, problem.line, code=problem.code)
    if key:
        cache.put("evidence", key, json.dumps({
            "rows": [dataclasses.asdict(row) for row in rows],
            "warnings": [[p.message, p.path, p.line, p.code] for p in found.problems]}))
    return rows


def _check_chapter(doc: ChapterDoc, library: Library, diag: Diagnostics) -> list[Row]:
    """The evidence rows of one chapter, sentence by sentence."""
    locator = Locator(doc.chapter)
    known = library.known
    rows: list[Row] = []
    introduced: list[str] = []  # what the sentence before a block quote cites
    for block in chapter_blocks(doc.ast):
        for sentence in block.sentences:
            rows += _check_sentence(doc, block, sentence, introduced, locator, library, diag)
        if block.sentences:
            introduced = [k for k in _keys(block.sentences[-1]) if k in known]
    return rows


def _check_sentence(doc: ChapterDoc, block: Block, sentence: Sentence, introduced: list[str],
                    locator: Locator, library: Library, diag: Diagnostics) -> list[Row]:
    """A sentence's quotations, checked against the sources of what it cites (else what
    its block cites, or for a block quote what the sentence introducing it cites); its
    citations if it quotes nothing; and whether it nearly copies a source unquoted."""
    known = library.known
    line = locator.find(sentence.text)
    own = [k for k in _keys(sentence) if k in known]
    wider = introduced if block.kind == "quote" else [k for k in block.keys if k in known]
    checked = [_quotation(doc, quote, own or wider, block, sentence, locator, library, diag)
               for quote in sentence.quotes]
    rows = [row for row in checked if row is not None]
    if not any(checked):
        rows += _citations(doc, sentence, line, locator, known)
    if block.kind not in ("quote", "cell") and library.copies:
        _near_copy(doc, sentence, line, library.copies, diag)
    return rows


def _keys(sentence: Sentence) -> list[str]:
    return list(dict.fromkeys([k for c in sentence.citations for k in c.keys]
                              + sentence.note_keys))


def _quotation(doc: ChapterDoc, quote: str, keys: list[str], block: Block,
               sentence: Sentence, locator: Locator, library: Library,
               diag: Diagnostics) -> Row | None:
    """The row of one quotation, checked if its entries have a source."""
    pattern = quote_pattern(quote)
    if pattern is None or not keys:
        return None  # nothing to look up, or a quotation nobody is cited for
    line = locator.find(quote)
    citations = sentence.citations if set(_keys(sentence)) & set(keys) else \
        [c for s in block.sentences for c in s.citations]
    where = "; ".join(c.locator for c in citations if c.locator and set(c.keys) & set(keys))
    row = Row(doc.rel, line, "; ".join(keys), where, quote, "unsourced", sentence.text)
    sourced = library.with_source(keys)
    if not sourced:
        return row
    if any(found_in(pattern, text) for key in sourced for text in library.sources[key]):
        row.status = "verified"
        return row
    row.status = "mismatch"
    row.closest = max((closest(quote, text) for key in sourced
                       for text in library.sources[key]), key=partial(_likeness, quote))
    diag.warning(_mismatch_message(quote, sourced, row.closest, library, pattern),
                 doc.rel, line, code="quote.mismatch")
    return row


def _likeness(quote: str, passage: str) -> float:
    return difflib.SequenceMatcher(None, quote.lower(), passage.lower()).ratio()


def _mismatch_message(quote: str, sourced: list[str], passage: str, library: Library,
                      pattern: list[Segment]) -> str:
    """``quotation not found in KEY's source: "…" (closest: "…")``, and where it is if
    another entry's source has it (a quotation cited to the wrong work)."""
    names = " or ".join(f"{key}'s" for key in sourced)
    shown = quote if len(quote) <= QUOTED else quote[:QUOTED].rsplit(" ", 1)[0] + " …"
    message = f'quotation not found in {names} source: "{shown}" (closest: "{passage}")'
    elsewhere = [key for key, texts in sorted(library.sources.items()) if key not in sourced
                 and any(found_in(pattern, text) for text in texts)]
    if elsewhere:
        message += f"; it is in {' and '.join(k + chr(39) + 's' for k in elsewhere)} source"
    return message


def _citations(doc: ChapterDoc, sentence: Sentence, line: int | None, locator: Locator,
               known: set[str]) -> list[Row]:
    """A ``cited`` row for each citation of a sentence that quotes nothing."""
    rows = []
    for citation in sentence.citations:
        keys = [k for k in citation.keys if k in known]
        if keys:
            rows.append(Row(doc.rel, locator.find_key(keys[0], line), "; ".join(keys),
                            citation.locator, "", "cited", sentence.text))
    return rows


def _near_copy(doc: ChapterDoc, sentence: Sentence, line: int | None, copies: CopyFinder,
               diag: Diagnostics) -> None:
    copy = copies.find(sentence.own)
    if copy is None:
        return
    passage = copy.passage if len(copy.passage) <= QUOTED else \
        copy.passage[:QUOTED].rsplit(" ", 1)[0] + " …"
    how = f"{copy.run} words in a row from" if copy.run >= MIN_RUN else \
        f"{copy.shared} of its words in the order of"
    diag.warning(f"sentence follows {copy.key}'s source too closely ({how} \"{passage}\"); "
                 "quote it or reword it", doc.rel, line, code="source.copy")


def _summary(rows: list[Row], unplaced: list[str], folders: bool) -> None:
    """One line on the quotations not checked, so a build without sources says so."""
    unsourced = [row for row in rows if row.status == "unsourced"]
    if unplaced and not folders:
        log.info("reportc: evidence: %d quotation(s) not checked: report.yaml's sources: names "
                 "files for %s, but no --sources folder was given", len(unsourced),
                 ", ".join(unplaced))
    elif unsourced:
        keys = sorted({k for row in unsourced for k in row.keys.split("; ")})
        shown = ", ".join(keys[:5]) + (", …" if len(keys) > 5 else "")
        log.info("reportc: evidence: %d quotation(s) not checked: their entries have no "
                 "source (%s)", len(unsourced), shown)
