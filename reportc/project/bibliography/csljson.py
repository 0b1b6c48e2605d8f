"""CSL JSON and CSL YAML bibliographies (what Zotero, Manubot and pandoc's own
``--to csljson`` write): a list of items, each with an ``id``.

Such an item is already what citeproc reads, so it is passed on as it is; only its key
(Manubot's standard citation key when Manubot wrote it) and its line (for messages) are
taken here, and a file that is not such a list is an
error at its line, never 0 entries.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from reportc.errors import Diagnostics
from reportc.project.bibliography.record import Record


def read_csl_file(path: Path, rel: str, diag: Diagnostics) -> list[Record]:
    """The items of a CSL JSON (``.json``) or CSL YAML (``.yaml``) file as records."""
    try:
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        diag.error("file is not valid UTF-8", rel, path.read_bytes()[: exc.start].count(b"\n") + 1)
        return []
    items = _parse(text, path.suffix.lower() == ".json", rel, diag)
    if items is None:
        return []
    records: list[Record] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        line = _item_line(text, item, index)
        if not isinstance(item, dict) or not isinstance(item.get("id"), (str, int)):
            diag.error(f"item {index + 1} has no 'id' (each CSL item needs one: its "
                       "citation key)", rel, line)
            continue
        key = manubot_id(item) or str(item["id"])
        if key.lower() in seen:
            diag.error(f"duplicate entry key '{key}' (first defined at line "
                       f"{seen[key.lower()]})", rel, line)
            continue
        seen[key.lower()] = line
        url = item.get("URL")
        if url is not None and not re.match(r"https?://", str(url), re.I):
            diag.error(f"entry '{key}': URL '{str(url)[:60]}' must start with http:// or "
                       "https://", rel, line)
            continue
        item = {**item, **_old_dates(item), "id": key}
        record = Record(key, f"csl:{item.get('type', '')}", line, csl=item)
        record.fields = {"title": str(item.get("title", ""))}  # what the checks read
        records.append(record)
    return records


_DATE_FIELDS = ("issued", "accessed", "event-date", "original-date", "submitted",
                "available-date")
_PARTS = ("year", "month", "day")


def _old_dates(item: dict[str, Any]) -> dict[str, Any]:
    """Dates written as pandoc-citeproc wrote them (``issued: [{year: '2014', month:
    '09'}]``, a list of ``year``/``month``/``day`` maps) in CSL's form (``date-parts``),
    which is all citeproc reads now: pandoc stops at the list."""
    found: dict[str, Any] = {}
    for name in _DATE_FIELDS:
        value = item.get(name)
        dates = [value] if isinstance(value, dict) else value
        if not isinstance(dates, list) or not dates or not all(
                isinstance(date, dict) and str(date.get("year")).isdigit()
                and set(date) <= set(_PARTS)
                for date in dates):
            continue
        parts = [[int(date[part]) for part in _PARTS if str(date.get(part, "")).isdigit()]
                 for date in dates]
        found[name] = {"date-parts": parts}
    return found


_STANDARD_ID = re.compile(r"^standard_id:\s*(\S+)\s*$", re.M)


def manubot_id(item: dict[str, Any]) -> str | None:
    """The key Manubot cites an item it wrote by (``standard_citation``, or the
    ``standard_id:`` line of its note, such as ``doi:10.1/x``), where its ``id`` is a short
    hash no author writes: Manubot matches its manual references by this key."""
    given = item.get("standard_citation")
    if isinstance(given, str) and given.strip():
        return given.strip()
    found = _STANDARD_ID.search(str(item.get("note") or ""))
    return found.group(1) if found else None


def _parse(text: str, is_json: bool, rel: str, diag: Diagnostics) -> list[Any] | None:
    """The list of items (CSL YAML puts it under ``references:``); errors located."""
    try:
        data = json.loads(text) if is_json else _first_document(text)
    except json.JSONDecodeError as exc:
        diag.error(f"is not valid CSL JSON: {exc.msg}", rel, exc.lineno)
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        diag.error(f"is not valid CSL YAML: {getattr(exc, 'problem', None) or exc}", rel,
                   mark.line + 1 if mark else 1)
        return None
    if isinstance(data, dict) and isinstance(data.get("references"), list):
        data = data["references"]
    elif isinstance(data, dict) and "id" in data:
        data = [data]
    if not isinstance(data, list):
        kind = "JSON" if is_json else "YAML"
        diag.error(f"is not a CSL {kind} bibliography: expected a list of items, each with "
                   "an 'id'" + ("" if is_json else " (or 'references:' holding that list)"),
                   rel, 1)
        return None
    return data


def _first_document(text: str) -> Any:
    """The YAML's first document: a metadata file given to pandoc with the documents keeps
    its ``references:`` between two ``---`` lines, and YAML reads the second as the start
    of another (empty) document."""
    return next((data for data in yaml.safe_load_all(text) if data is not None), None)


def _item_line(text: str, item: Any, index: int) -> int:
    """The line an item's ``id`` is written on (its key, as a reader looks for it)."""
    if isinstance(item, dict) and "id" in item:
        key = re.escape(str(item["id"]))
        match = re.search(rf"""["']?id["']?\s*:\s*["']?{key}["']?\s*[,}}\n]""", text)
        if match:
            return text[: match.start()].count("\n") + 1
    return 1
