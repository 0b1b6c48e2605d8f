"""The cited entries as CSL JSON: read by pandoc once per build, clean of LaTeX.

pandoc's biblatex reader runs once, on the cited entries only, as reportc has resolved
them (inheritance applied, macros expanded, the first value of a repeated field), so a
fault in an uncited entry never reaches it and a fault it finds is reported at the
entry's line in references.bib. Its output is cleaned of the LaTeX it leaves raw (the
``type`` field, commands it does not know, stray braces) and written as CSL JSON, which
citeproc reads far faster than BibTeX: every chapter's citeproc run and the one run that
makes the reference list read that file, so the .bib file is parsed once per build.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from reportc.cache import BuildCache, digest, tool_versions
from reportc.errors import Diagnostics, ToolError
from reportc.pandoc.runner import run_pandoc
from reportc.project.bibliography.record import Bibliography, Record

if TYPE_CHECKING:  # loaded when an entry is converted, not on a rebuild with nothing to do
    from pylatexenc.latex2text import LatexNodes2Text

REFERENCES_NAME = "references.json"
PREFETCH_LIMIT = 2000  # entries converted in the background before the citations are known
PART_MIN = 200  # fewer entries than this per pandoc process are not worth splitting
NOT_PASSED = {"crossref", "xdata", "xref", "entryset", "file", "abstract", "keywords",
              "annote", "annotation", "groups", "owner", "timestamp"}
KEEP_RAW = {"id", "URL", "DOI", "ISBN", "ISSN", "PMID", "PMCID"}
# biblatex punctuation commands: what they print in running text.
BIBLATEX_MACROS = {"isdot": "", "nopunct": "", "adddot": ".", "addcomma": ",",
                   "addcolon": ":", "addsemicolon": ";", "addspace": " ", "addnbspace": "\xa0",
                   "addperiod": ".", "addabbrvspace": " ", "textendash": "\u2013",
                   "textemdash": "\u2014", "bibstring": "", "mkbibbrackets": ""}
_MATH = re.compile(r"\$[^$\s][^$]*\$")
_PANDOC_POSITION = re.compile(r"\(line (\d+), column \d+\):?\s*(.*)", re.S)


class References:
    """The CSL JSON of the bibliography's entries, made by pandoc's biblatex reader.

    Created as soon as the .bib file is read, it converts every entry in a background
    thread while the chapters are read (when the file has at most :data:`PREFETCH_LIMIT`
    entries), so the citing stage does not wait for it; :meth:`write` then keeps the
    cited entries. If that conversion failed or warned (pandoc's messages do not name
    the entry, and an uncited entry is never judged), the cited entries are converted on
    their own, and whatever pandoc says then is reported."""

    def __init__(self, bib: Bibliography, cache: BuildCache, jobs: int = 1):
        self.bib, self.cache, self.jobs = bib, cache, max(1, jobs)
        self._all: dict[str, dict] | None = None
        records = [r for r in bib.records.values()
                   if r.type not in ("xdata", "set") and r.csl is None]
        self._thread: threading.Thread | None = None
        if bib.path is not None and records and len(records) <= PREFETCH_LIMIT:
            self._thread = threading.Thread(target=self._prefetch, args=(records,),
                                            name="reportc-references", daemon=True)
            self._thread.start()

    def _prefetch(self, records: list[Record]) -> None:
        """Convert ``records`` in ``jobs`` parts at once (pandoc converts each entry on
        its own, so the parts give the same items as one run, in half the time)."""
        quiet = Diagnostics()
        parts = max(1, min(self.jobs, len(records) // PART_MIN))
        size = -(-len(records) // parts)
        with ThreadPoolExecutor(max_workers=parts) as pool:
            converted = list(pool.map(lambda i: self._convert(records[i:i + size], quiet),
                                      range(0, len(records), size)))
        if quiet.problems or any(items is None for items in converted):
            return
        self._all = {key: item for items in converted if items for key, item in items.items()}

    def finish(self) -> None:
        """Wait for the background conversion (it writes to the cache)."""
        if self._thread is not None:
            self._thread.join()

    @contextmanager
    def finishing(self) -> Iterator[None]:
        """If the block raises, the background conversion ends before the error goes on:
        a build stopped by an error must not leave a thread writing into ``out/`` (its
        cache) after it has returned."""
        try:
            yield
        except BaseException:
            self.finish()
            raise

    def write(self, cited: list[str], folder: Path, diag: Diagnostics) -> Path | None:
        """Write ``folder/references.json`` for the ``cited`` keys (sets expanded);
        ``None`` if nothing is cited or pandoc could not read an entry (reported)."""
        records = [self.bib.records[key] for key in cited if key in self.bib.records]
        if self.bib.path is None or not records:
            return None
        self.finish()
        items = self._items(records, diag)
        if items is None:
            return None
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / REFERENCES_NAME
        path.write_text(json.dumps([items[r.key] for r in records], ensure_ascii=False,
                                   sort_keys=True), encoding="utf-8")
        return path

    def _items(self, records: list[Record], diag: Diagnostics) -> dict[str, dict] | None:
        """The CSL items of ``records`` by key: a CSL-JSON entry's own, a BibTeX entry's as
        pandoc made it (from the whole file's conversion if that has it, else converted
        now); ``None`` if pandoc could not read an entry (reported)."""
        bibtex = [record for record in records if record.csl is None]
        items = self._all
        if bibtex and (items is None or any(record.key not in items for record in bibtex)):
            items = self._convert(bibtex, diag)
            if items is None:
                return None
        for record in bibtex:
            _warn_dropped(record, items.get(record.key) if items else None, self.bib, diag)
        return {**(items or {}), **{r.key: r.csl for r in records if r.csl is not None}}

    def _convert(self, records: list[Record], diag: Diagnostics) -> dict[str, dict] | None:
        """pandoc's CSL JSON of ``records``, cleaned, by key (from the cache if it has it)."""
        text, starts = flat_biblatex(records)
        key = digest("references", text, tool_versions())
        converted = self.cache.get("references", key)
        what = self.bib.rel_of(records[0]) if records else self.bib.rel
        if converted is None:
            try:
                result = run_pandoc(["-f", "biblatex", "-t", "csljson"], text, what=what)
            except ToolError as error:
                diag.error(*_locate(str(error), starts, self.bib))
                return None
            for warning in result.warnings:
                path, line = _warning_place(warning, starts, records, self.bib) or (what, None)
                diag.warning(f"pandoc: {warning}", path, line, code="pandoc")
            converted = json.dumps(clean_items(json.loads(result.output)),
                                   ensure_ascii=False, sort_keys=True)
            if not result.warnings:
                self.cache.put("references", key, converted)
        return {item["id"]: item for item in json.loads(converted)}


_COMMAND = re.compile(r"\\([A-Za-z]+)\s*\{([^{}]*)\}")


def _warn_dropped(record: Record, item: dict | None, bib: Bibliography,
                  diag: Diagnostics) -> None:
    """A warning for each ``\\command{text}`` of a cited entry whose text is not in what
    pandoc made of the entry: its biblatex reader drops a command it does not know together
    with its argument (``\\mycmd{That}`` -> nothing), which would lose words silently."""
    if item is None:
        return
    converted = " ".join(re.sub(r"<[^>]+>", "", " ".join(_strings(item))).split()).casefold()
    for name, value in record.resolved.items():
        if name in NOT_PASSED:
            continue
        for match in _COMMAND.finditer(value):
            text = " ".join(match.group(2).split())
            plain = re.search(r"[^\W\d_]{2}", text) and not re.search(r"[\\$^_~%&#]", text)
            if plain and text.casefold() not in converted:  # titles come in sentence case
                diag.warning(f"entry '{record.key}': field '{name}' holds "
                             f"'{match.group(0)}', which pandoc leaves out with its text; "
                             "write the text without the command", bib.rel_of(record),
                             record.line, code="bib.dropped")


def _strings(value: object) -> Iterator[str]:
    """Every text in a CSL JSON item (names and dates included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def flat_biblatex(records: list[Record]) -> tuple[str, list[tuple[int, str]]]:
    """The records as plain biblatex entries (no macros, no inheritance left) and the
    first line of each, to point pandoc's messages back at references.bib."""
    lines: list[str] = []
    starts: list[tuple[int, str]] = []
    for record in records:
        starts.append((len(lines) + 1, record.key))
        lines.append(f"@{record.type}{{{record.key},")
        for name, value in record.resolved.items():
            if name not in NOT_PASSED:
                lines.extend(f"  {name} = {{{value}}},".split("\n"))
        lines.append("}")
    return "\n".join(lines) + "\n", starts


def _locate(message: str, starts: list[tuple[int, str]], bib: Bibliography
            ) -> tuple[str, str, int | None]:
    """pandoc's error about the flat text as (message, file, line in references.bib)."""
    match = _PANDOC_POSITION.search(message)
    if not match:
        detail = message.removeprefix(f"{bib.rel}: ")
        return f"pandoc cannot read the cited entries: {detail}", bib.rel, None
    line = int(match.group(1))
    key = next((k for start, k in reversed(starts) if start <= line), starts[0][1])
    reason = " ".join(match.group(2).split("\n")[0].split()) or "syntax error"
    return (f"pandoc cannot read entry '{key}': {reason}", bib.rel_of(bib.records[key]),
            bib.records[key].line)


def _warning_place(warning: str, starts: list[tuple[int, str]], records: list[Record],
                   bib: Bibliography) -> tuple[str, int] | None:
    """The entry a pandoc warning about the flat text is about (by its position there, or
    by the field text it quotes), as its file and line."""
    key = None
    if position := re.search(r"\bline (\d+)", warning):
        key = next((k for start, k in reversed(starts) if start <= int(position.group(1))), None)
    for quoted in re.findall(r"'([^'\n]{3,})'|\"([^\"\n]{3,})\"", warning):
        key = key or next((record.key for record in records
                           if any((quoted[0] or quoted[1]) in str(value)
                                  for value in record.fields.values())), None)
    record = bib.records.get(key) if key else None
    return (bib.rel_of(record), record.line) if record else None


def entry_place(warning: str, bib: Bibliography | None) -> tuple[str, int] | None:
    """The entry a warning names by its key (citeproc's about an entry), as file and line."""
    if bib is None:
        return None
    for word in re.findall(r"[\w:./@+-]+", warning):
        if (record := bib.records.get(word.strip(".:"))) is not None:
            return bib.rel_of(record), record.line
    return None


def clean_items(items: list[dict]) -> list[dict]:
    """Every text value of pandoc's CSL JSON without LaTeX markup."""
    return [{name: value if name in KEEP_RAW else _clean(value)
             for name, value in item.items()} for item in items]


def _clean(value: object) -> object:
    if isinstance(value, str):
        return clean_latex(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def clean_latex(text: str) -> str:
    """``text`` with LaTeX commands, accents, ``--`` and grouping braces turned into
    the characters they print (pandoc leaves some fields, such as ``type``, raw)."""
    if not any(mark in text for mark in "\\{}") and not _MATH.search(text):
        return text
    escaped = re.sub(r"(?<!\\)([%&#])", r"\\\1", text)  # literal in pandoc's output
    if not _MATH.search(escaped):
        escaped = re.sub(r"(?<!\\)\$", r"\\$", escaped)
    plain = _converter().latex_to_text(escaped)
    return re.sub(r"[ \t]{2,}", " ", plain.replace("{", "").replace("}", "")).strip()


@cache
def _converter() -> LatexNodes2Text:
    from pylatexenc.latex2text import (
        LatexNodes2Text,
        MacroTextSpec,
        get_default_latex_context_db,
    )

    context = get_default_latex_context_db()
    context.add_context_category("biblatex", prepend=True, macros=[
        MacroTextSpec(name, replacement) for name, replacement in BIBLATEX_MACROS.items()])
    return LatexNodes2Text(latex_context=context, math_mode="text", strict_latex_spaces=True)
