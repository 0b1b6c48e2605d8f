"""Read references.bib into records: only input that cannot be read is an error.

bibtexparser 2 never raises: broken blocks land in ``library.failed_blocks`` and
undefined ``@string`` macros pass silently, so this module turns each of those into a
``references.bib:LINE: ...`` error before pandoc ever sees the file. Everything a
BibTeX or biber run would accept with a warning (a repeated field, a missing field)
is kept on the record for :mod:`.checks` to judge, and only if the report cites it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from reportc.errors import Diagnostics
from reportc.paths import relative
from reportc.project.bibliography.csljson import read_csl_file
from reportc.project.bibliography.inherit import resolve_inheritance
from reportc.project.bibliography.record import Bibliography, Record

if TYPE_CHECKING:  # loaded when a .bib is read: a rebuild with nothing to do needs neither
    import bibtexparser
    from bibtexparser import model

MONTH_MACROS = {m: str(i) for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
# Fields citeproc turns into links in the bibliography.
URL_FIELDS = {"url"}
_MACRO_NAME = re.compile(r"[^\s\d\"#%'(),={}][^\s\"#%'(),={}]*")


def load_bibliography(paths: list[Path] | Path | None, root: Path, diag: Diagnostics
                      ) -> Bibliography:
    """Parse every file (BibTeX or biblatex; CSL JSON, CSL YAML by their suffix) and report
    every fault that makes one unreadable; no file is an empty bibliography. A key defined
    in two files is an error at its second definition; a file that holds no entry is an
    error (it was read as the wrong format). Inheritance is resolved here, judging waits
    for the citations."""
    files = [paths] if isinstance(paths, Path) else list(paths or [])
    if not files:
        return Bibliography(None)
    bib = Bibliography(files[0], relative(files[0], root, outside=files[0].name), paths=files)
    for path in files:
        rel = relative(path, root, outside=path.name)
        errors = len(diag.errors)
        if path.suffix.lower() in (".json", ".yaml", ".yml"):
            found = read_csl_file(path, rel, diag)
        else:
            found = _read_bibtex(path, rel, diag)
        if not found and len(diag.errors) == errors:
            diag.error("holds no bibliography entries (BibTeX or biblatex files end .bib, CSL "
                       "JSON .json, CSL YAML .yaml)", rel, 1)
        _merge(bib, found, rel, diag)
    resolve_inheritance(bib.records)
    return bib


def _merge(bib: Bibliography, found: list[Record], rel: str, diag: Diagnostics) -> None:
    """Add one file's records; a key another file defines is an error where it repeats,
    except between a Manubot paper's manual references, where the later file's entry
    replaces the earlier one (Manubot's rule: the files are read in name order)."""
    folded = {key.lower(): record for key, record in bib.records.items()}
    for record in found:
        first = folded.get(record.key.lower())
        if first is not None and _manual_references(bib.rel_of(first)) and \
                _manual_references(rel):
            del bib.records[first.key]
        elif first is not None:
            diag.error(f"duplicate entry key '{record.key}' (first defined in "
                       f"{bib.rel_of(first)}:{first.line})", rel, record.line)
            continue
        if rel != bib.rel:
            record.rel = rel
        bib.records[record.key] = record
        folded[record.key.lower()] = record


def _manual_references(rel: str) -> bool:
    return Path(rel).name.startswith("manual-references")


def _read_bibtex(path: Path, rel: str, diag: Diagnostics) -> list[Record]:
    """The records of one BibTeX or biblatex file (unreadable blocks reported)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8").replace("\r\n", "\n").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        diag.error("file is not valid UTF-8 (save it as UTF-8; BibTeX escapes such as "
                   "{\\\"a} also work)", rel, raw[: exc.start].count(b"\n") + 1)
        return []
    try:
        with _quiet_parser():
            import bibtexparser

            library = bibtexparser.parse_string(text, parse_stack=[])
    except Exception as exc:  # bibtexparser raises only on its own internal errors
        diag.error(f"cannot be read: {type(exc).__name__}: {exc}", rel)
        return []
    entries = _report_failed_blocks(library, rel, diag)
    macros = _read_strings(library, rel, diag)
    for block in library.failed_blocks:  # reported once; its uses are not errors again
        named = re.match(r"\s*@string\s*[{(]\s*([^\s=,{}]+)", block.raw or "", re.I)
        if named:
            macros.setdefault(named.group(1).lower(), "")
    seen: dict[str, str] = {}
    records = []
    for entry in sorted([*library.entries, *entries], key=lambda e: e.start_line or 0):
        record = _read_entry(entry, rel, macros, seen, diag)
        if record is not None:
            records.append(record)
    return records


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


def _report_failed_blocks(library: bibtexparser.Library, rel: str, diag: Diagnostics
                          ) -> list[model.Entry]:
    """Report the blocks bibtexparser could not take; return the entries that are fine
    except for a repeated field (BibTeX and biber keep the first value and warn)."""
    from bibtexparser import model

    recovered = []
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, model.DuplicateFieldKeyBlock):
            if isinstance(block.ignore_error_block, model.Entry):
                recovered.append(block.ignore_error_block)
            else:
                diag.error(f"'{getattr(block.ignore_error_block, 'key', '')}' repeats a field", rel,
                           line)
        elif isinstance(block, model.DuplicateBlockKeyBlock):
            first = (block.previous_block.start_line or 0) + 1
            what = "@string" if isinstance(block.ignore_error_block, model.String) \
                else "entry key"
            diag.error(f"duplicate {what} '{block.key}' (first defined at line {first})",
                       rel, line)
        else:
            diag.error(_parse_failure(block), rel, line)
    return recovered


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


def _read_strings(library: bibtexparser.Library, rel: str, diag: Diagnostics
                  ) -> dict[str, str]:
    """The ``@string`` macros, expanded; a malformed one is an error (pandoc refuses the
    whole file over it, BibTeX skips it). One ``@string`` defining several macros, as
    some public bibliographies have it, is read macro by macro, with a warning."""
    macros = dict(MONTH_MACROS)
    for string in sorted(library.strings, key=lambda s: s.start_line or 0):
        line = (string.start_line or 0) + 1
        defined = _macros_of(string)
        if len(defined) > 1:
            names = ", ".join(name for name, _ in defined)
            diag.warning(f"@string '{defined[0][0]}' defines {len(defined)} macros in one "
                         f"command ({names}): BibTeX ('Missing }} in string command') and "
                         "pandoc refuse it; reportc reads each, but write each as "
                         "@string{name = {value}} for other tools", rel, line, code="bib.string")
        for name, raw in defined:
            value, undefined, bad = expand_value(raw, macros)
            if bad is not None:
                diag.error(f"@string '{name}' is malformed: unexpected text '{_quoted(bad)}' "
                           "after the value", rel, line)
                macros[name.lower()] = ""  # reported once here, not again at each use
                continue
            for macro in undefined:
                diag.error(f"@string '{name}' uses undefined macro '{macro}'", rel, line)
            macros[name.lower()] = value
    return macros


def _quoted(text: str) -> str:
    """The start of a value as a one-line message quotes it."""
    return " ".join(text[:40].split())


def _macros_of(string: model.String) -> list[tuple[str, str]]:
    """(name, value as written) of each macro an ``@string`` defines: one, or several
    separated by commas (``@string{a = {x}, b = "y"}``) when every part after the first
    is ``name = value``."""
    first, *rest = _split_concatenation(string.value, ",")
    defined = [(string.key.strip(), first)]
    for part in rest:
        name, equals, value = part.partition("=")
        if not part.strip():
            continue  # a trailing comma
        if not equals or not _MACRO_NAME.fullmatch(name.strip()):
            return [(string.key.strip(), string.value)]  # one value, malformed
        defined.append((name.strip(), value))
    return defined


def expand_value(raw: str, macros: dict[str, str]) -> tuple[str, list[str], str | None]:
    """``a # {b} # "c"`` as text: macros replaced, delimiters removed. Returns the text,
    the undefined macros and, if a part is not a value, that part."""
    text: list[str] = []
    undefined: list[str] = []
    for part in _split_concatenation(raw):
        part = part.strip()
        if not part:
            continue
        if part[0] in "{\"":
            inner = _delimited(part)
            if inner is None or not _balanced(inner):
                return "", undefined, part
            text.append(inner)
        elif part.isdigit():
            text.append(part)
        elif _MACRO_NAME.fullmatch(part):
            if part.lower() in macros:
                text.append(macros[part.lower()])
            else:
                undefined.append(part)
        else:
            return "", undefined, part
    return "".join(text), undefined, None


def _delimited(part: str) -> str | None:
    """The inside of ``{...}`` or ``"..."`` if the opening delimiter closes at the end."""
    if part[0] == '"':
        return part[1:-1] if len(part) > 1 and part.endswith('"') else None
    depth = 0
    for index, char in enumerate(part):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return part[1:-1] if index == len(part) - 1 else None
    return None


def _balanced(text: str) -> bool:
    """Braces in a value pair up (BibTeX refuses the file otherwise; so does pandoc)."""
    depth = 0
    for char in re.sub(r"\\[{}]", "", text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _split_concatenation(raw: str, sign: str = "#") -> list[str]:
    """Split ``a # {b} # "c"`` on the ``#`` signs (or ``sign``) outside braces and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for index, char in enumerate(raw):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == sign and depth == 0 and not quoted:
            parts.append(raw[start:index])
            start = index + 1
    parts.append(raw[start:])
    return parts


def _read_entry(entry: model.Entry, rel: str, macros: dict[str, str], seen: dict[str, str],
                diag: Diagnostics) -> Record | None:
    """One entry as a record; ``None`` (with an error) if its key or type is unusable."""
    line = (entry.start_line or 0) + 1
    key = _entry_key(entry, rel, line, seen, diag)
    if key is None:
        return None
    record = Record(key, entry.entry_type.strip().lower(), line)
    for item in entry.fields:
        _read_field(record, item, macros, rel, diag)
    for name in URL_FIELDS & record.fields.keys():
        value = record.fields[name].strip()
        if value and not re.match(r"https?://", value, re.I):
            diag.error(f"entry '{key}': {name} '{value[:60]}' must start with http:// or "
                       "https://", rel, line)
    return record


def _entry_key(entry: model.Entry, rel: str, line: int, seen: dict[str, str],
               diag: Diagnostics) -> str | None:
    """The entry's key, if it can be cited: well-formed, unique (even ignoring case, as
    citeproc and BibTeX do) and on an entry with a type; ``None`` after an error."""
    key = entry.key.strip()
    if not key or not re.fullmatch(r"[^\s,{}\"#%'()=\\]+", key):
        diag.error(f"entry key '{entry.key}' is empty or contains spaces or reserved "
                   "characters", rel, line)
        return None
    folded = key.lower()
    if folded in seen:
        diag.error(f"duplicate entry key '{key}' (same as '{seen[folded]}' except for case)",
                   rel, line)
        return None
    seen[folded] = key
    if not entry.entry_type.strip():
        diag.error(f"entry '{key}' has no type (write @article{{...}}, @book{{...}}, ...)",
                   rel, line)
        return None
    return key


def _read_field(record: Record, item: model.Field, macros: dict[str, str], rel: str,
                diag: Diagnostics) -> None:
    """One field into ``record``: macros expanded; a repeated field kept aside (the first
    one counts); a field without a name or with a value that does not parse, left out."""
    key, line = record.key, record.line
    name = item.key.strip().lower()
    if not name:
        diag.error(f"entry '{key}' has a field without a name ('= value')", rel, line)
        return
    value, undefined, bad = expand_value(item.value, macros)
    for macro in undefined:
        diag.error(f"entry '{key}': field '{name}' uses undefined macro '{macro}' "
                   "(put text in braces or define it with @string)", rel, line)
    if bad is not None:
        problem = "has unbalanced braces" if bad[:1] in "{\"" and bad.count("{") != \
            bad.count("}") else \
            f"has unexpected text '{_quoted(bad)}' (put the value in braces)"
        diag.error(f"entry '{key}': field '{name}' {problem}", rel, item.start_line + 1)
        return
    if name in record.fields:
        record.repeated.append((name, item.start_line + 1, record.fields[name]))
        return
    record.fields[name] = value
