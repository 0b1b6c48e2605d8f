"""Stage 3: parse and validate the bibliography with bibtexparser 2.

bibtexparser never raises: broken blocks land in ``library.failed_blocks`` and
undefined ``@string`` macros pass silently, so this stage turns each of those
into a ``references.bib:LINE: ...`` message before pandoc ever sees the file.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import bibtexparser
from bibtexparser import model

from reportc.errors import Diagnostics
from reportc.project.paths import relative

MONTH_MACROS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
# Fields an entry of a type needs before a citation of it can be rendered honestly;
# "a|b" means either field will do.
REQUIRED_FIELDS = {
    "article": ["author", "title", "journaltitle|journal", "date|year"],
    "book": ["author|editor", "title", "date|year"],
    "report": ["author|institution", "title", "date|year"],
    "techreport": ["author|institution", "title", "date|year"],
    "online": ["title", "url|doi"],
    "inproceedings": ["author", "title", "booktitle", "date|year"],
    "incollection": ["author", "title", "booktitle", "date|year"],
    "thesis": ["author", "title", "institution|school", "date|year"],
}


# Fields citeproc turns into links in the bibliography.
URL_FIELDS = {"url"}


@dataclass
class Bibliography:
    """What the rest of the build needs: the file, its keys and where each is defined."""

    path: Path | None
    rel: str = "references.bib"
    lines: dict[str, int] = field(default_factory=dict)  # key -> 1-based line

    @property
    def keys(self) -> set[str]:
        return set(self.lines)


def load_bibliography(path: Path | None, root: Path, diag: Diagnostics) -> Bibliography:
    """Parse ``path`` and report every problem; a missing file is an empty bibliography."""
    if path is None:
        return Bibliography(None)
    rel = relative(path, root, outside=path.name)
    bib = Bibliography(path, rel)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8").replace("\r\n", "\n").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        diag.error("file is not valid UTF-8", rel, raw[: exc.start].count(b"\n") + 1)
        return bib
    try:
        with _quiet_parser():
            library = bibtexparser.parse_string(text, parse_stack=[])
    except Exception as exc:  # bibtexparser raises only on its own internal errors
        diag.error(f"cannot be read: {type(exc).__name__}: {exc}", rel)
        return bib
    _report_failed_blocks(library, rel, diag)
    macros = {s.key.lower() for s in library.strings} | set(MONTH_MACROS)
    seen: dict[str, str] = {}
    for entry in library.entries:
        _check_entry(entry, rel, macros, seen, bib, diag)
    return bib


@contextmanager
def _quiet_parser() -> Iterator[None]:
    """bibtexparser logs each broken block; every one is reported from failed_blocks."""
    logger = logging.getLogger("bibtexparser")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)  # its modules' loggers inherit the level
    try:
        yield
    finally:
        logger.setLevel(previous)


def _report_failed_blocks(library: bibtexparser.Library, rel: str, diag: Diagnostics) -> None:
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, model.DuplicateFieldKeyBlock):
            fields = ", ".join(sorted(block.duplicate_keys))
            key = getattr(block.ignore_error_block, "key", "")
            diag.error(f"entry '{key}' has duplicate field(s): {fields}", rel, line)
        elif isinstance(block, model.DuplicateBlockKeyBlock):
            first = (block.previous_block.start_line or 0) + 1
            what = "@string" if isinstance(block.ignore_error_block, model.String) \
                else "entry key"
            diag.error(f"duplicate {what} '{block.key}' (first defined at line {first})",
                       rel, line)
        else:
            diag.error(_parse_failure(block), rel, line)


def _parse_failure(block: model.ParsingFailedBlock) -> str:
    """What went wrong in a block bibtexparser gave up on, in the writer's terms."""
    error = getattr(block, "error", None)
    reason = getattr(error, "abort_reason", "") or str(error or "").split("\n")[0]
    raw = block.raw or ""
    opening = raw.split("\n", 1)[0].strip()[:60]
    stop = (block.start_line or 0) + 1 + raw.count("\n")  # the line where parsing stopped
    where = f" (gave up at line {stop})" if raw.count("\n") and "block start" not in reason \
        else ""
    reason = reason.strip().rstrip(".") or "syntax error"
    return (f"cannot parse the block '{opening}': {reason}{where}; check for a missing "
            "comma, brace or quote")


def _check_entry(entry: model.Entry, rel: str, macros: set[str], seen: dict[str, str],
                 bib: Bibliography, diag: Diagnostics) -> None:
    line = (entry.start_line or 0) + 1
    key = entry.key.strip()
    if not key or not re.fullmatch(r"[^\s,{}\"#%'()=\\]+", key):
        diag.error(f"entry key '{entry.key}' is empty or contains spaces or reserved "
                   "characters", rel, line)
        return
    folded = key.lower()
    if folded in seen:
        diag.error(f"duplicate entry key '{key}' (same as '{seen[folded]}' except for case)",
                   rel, line)
        return
    seen[folded] = key
    bib.lines[key] = line
    if not entry.entry_type.strip():
        diag.error(f"entry '{key}' has no type (write @article{{...}}, @book{{...}}, ...)",
                   rel, line)
    fields = {name.lower(): f.value for name, f in entry.fields_dict.items()}
    if "" in fields:
        diag.error(f"entry '{key}' has a field without a name ('= value')", rel, line)
    for name in URL_FIELDS & fields.keys():
        value = fields[name].strip().strip('{}"').strip()
        if value and not re.match(r"https?://", value, re.I):
            diag.error(f"entry '{key}': {name} '{value[:60]}' must start with http:// or "
                       "https://", rel, line)
    for name, value in fields.items():
        for macro in _undefined_macros(value, macros):
            diag.error(f"entry '{key}': field '{name}' uses undefined macro '{macro}' "
                       "(put text in braces or define it with @string)", rel, line)
    for need in REQUIRED_FIELDS.get(entry.entry_type.lower(), ["title"]):
        if not any(_has_text(fields.get(option)) for option in need.split("|")):
            wanted = " or ".join(f"'{option}'" for option in need.split("|"))
            diag.error(f"entry '{key}' (@{entry.entry_type}) is missing {wanted}", rel, line)


def _undefined_macros(raw: str, macros: set[str]) -> list[str]:
    """Bare words in a raw field value that no ``@string`` defines."""
    undefined = []
    for part in _split_concatenation(raw):
        part = part.strip()
        if not part or part[0] in "{\"" or part.isdigit():
            continue
        if part.lower() not in macros:
            undefined.append(part)
    return undefined


def _split_concatenation(raw: str) -> list[str]:
    """Split ``a # {b} # "c"`` on the ``#`` signs that are outside braces and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for index, char in enumerate(raw):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            parts.append(raw[start:index])
            start = index + 1
    parts.append(raw[start:])
    return parts


def _has_text(value: str | None) -> bool:
    return bool(value and value.strip().strip('{}"').strip())
