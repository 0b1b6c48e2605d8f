"""A chart's Vega-Lite spec: read, checked and made self-contained before it is drawn.

The spec comes from a ``{.chart}`` code block of a chapter or from a ``*.vl.yaml`` /
``*.vl.json`` file of the report; either is YAML or JSON. Before anything is drawn:

* no address: a ``url`` must name a CSV, TSV or JSON file inside the report (resolved
  from the report directory, symbolic links followed, no hidden files); any other string
  that is an address (``http://``, ``file:``, ``data:``...) and the marks and channels that
  load or link (``image`` marks, ``href``) are errors at their line;
* the data file is read here and inlined (``values`` with the file's text and its
  format), so the renderer never opens a file and the cache key holds the data's bytes;
* every ``field`` an encoding names must be a column of the data (or made by a
  transform): Vega-Lite would silently draw nothing.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reportc.project.paths import inside

DATA_FORMATS = {".csv": "csv", ".tsv": "tsv", ".json": "json"}
MARKS = {"arc", "area", "bar", "boxplot", "circle", "errorband", "errorbar", "line", "point",
         "rect", "rule", "square", "text", "tick", "trail"}
TYPES = {"quantitative", "temporal", "ordinal", "nominal"}
# an address anywhere in a string: scheme://, //host, file:, script:, data:type/, url(...)
_ADDRESS = re.compile(r"[a-z][a-z0-9+.-]*://|^\s*//|\b(?:file|javascript|vbscript):|"
                      r"\bdata:[a-z]+/[\w.+-]+[;,]|\burl\s*\(", re.I)
MAX_ROWS_SHOWN = 500
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ten times faster


class SpecError(Exception):
    """A problem with a spec: ``line`` is 1-based within the spec text (or None)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass
class ChartData:
    """The spec's data: the table the web edition shows and the bytes the key hashes."""

    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # report-relative paths read
    raw: list[bytes] = field(default_factory=list)


def parse_spec(text: str) -> dict[str, Any]:
    """A spec from YAML or JSON text (JSON's own parser first: its messages are better)."""
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(f"invalid JSON: {exc.msg}", exc.lineno) from exc
    else:
        try:
            data = yaml.load(text, Loader=_LOADER)
        except yaml.YAMLError:
            data = _pure_yaml(text)  # raises with the pure parser's words and line
    if not isinstance(data, dict):
        raise SpecError("a chart spec is a mapping (mark:, encoding:, data: ...)", 1)
    return data


def _pure_yaml(text: str) -> Any:
    """PyYAML's own parser: slower than libyaml, but its message names the line where the
    problem starts ("expected ',' or '}'" on the unclosed line, not at the end)."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(f"invalid YAML: {problem}", mark.line + 1 if mark else None) from exc


def line_in(text: str, *needles: str) -> int | None:
    """The first line of ``text`` holding the first needle found (as a whole word)."""
    for needle in needles:
        pattern = re.compile(r"(?<![\w-])" + re.escape(needle) + r"(?![\w-])")
        for number, line in enumerate(text.splitlines(), start=1):
            if pattern.search(line):
                return number
    return None


def check_addresses(spec: dict[str, Any], text: str) -> None:
    """Refuse any address but a ``url`` naming a file (checked with the data), and the
    marks and channels that load or link."""
    spec.pop("$schema", None)  # names the grammar's version; never fetched, not used
    for key, value in _walk(spec):
        if key == "href":
            raise SpecError("'href' is not supported: a chart carries no links",
                            line_in(text, key))
        if key in ("mark", "type") and value == "image":
            raise SpecError("'image' marks are not supported: they load pictures from "
                            "addresses; draw with the other marks", line_in(text, "image"))
        if isinstance(value, str) and _ADDRESS.search(value):
            raise SpecError(f"'{_short(value)}' is an address: a chart may use only files "
                            "inside the report (nothing is fetched)", line_in(text, value))


def _walk(node: Any, key: str = "") -> list[tuple[str, Any]]:
    """Every (key, value) pair of a spec, depth first (list items keep their list's key)."""
    found: list[tuple[str, Any]] = []
    stack: list[tuple[str, Any]] = [(key, node)]
    while stack:
        name, value = stack.pop()
        found.append((name, value))
        if isinstance(value, dict):
            stack.extend(reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((name, item) for item in reversed(value))
    return found


def check_marks(spec: dict[str, Any], text: str) -> None:
    """Mark and field types Vega-Lite knows; its own messages for these are a stack trace
    or a word ("undefined") that does not say where."""
    for key, value in _walk(spec):
        if key == "mark":
            name = value.get("type") if isinstance(value, dict) else value
            if isinstance(name, str) and name not in MARKS:
                raise SpecError(f"unknown mark '{name}' (known: {', '.join(sorted(MARKS))})",
                                line_in(text, name))
        if key == "encoding" and isinstance(value, dict):
            for channel, definition in value.items():
                kind = definition.get("type") if isinstance(definition, dict) else None
                if isinstance(kind, str) and kind not in TYPES:
                    raise SpecError(f"encoding '{channel}' has unknown type '{kind}' (known: "
                                    f"{', '.join(sorted(TYPES))})", line_in(text, kind))


def inline_data(spec: dict[str, Any], text: str, root: Path) -> ChartData:
    """Replace every ``data: {url: ...}`` by the file's text; return the first data as a
    table (the web edition's), every file read and its bytes."""
    out = ChartData()
    for _key, node in _walk(spec):
        if isinstance(node, dict) and isinstance(node.get("data"), dict):
            _inline(node["data"], text, root, out)
    return out


def _inline(data: dict[str, Any], text: str, root: Path, out: ChartData) -> None:
    if "values" in data and not out.columns:
        _table_from_values(data["values"], data.get("format", {}), out)
    if "url" not in data:
        return
    name = data.pop("url")
    line = line_in(text, str(name))
    path = _data_path(str(name), root, line)
    kind = DATA_FORMATS[path.suffix.lower()]
    raw = path.read_bytes()
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(f"data file '{name}' is not UTF-8 text", line) from exc
    data["values"] = content
    data["format"] = {**(data.get("format") or {}), "type": kind}
    out.files.append(path.relative_to(root.resolve()).as_posix())
    out.raw.append(raw)
    if not out.columns:
        _table_from_values(content, data["format"], out, str(name), line)


def _data_path(name: str, root: Path, line: int | None) -> Path:
    path = (root / name).resolve()
    if not inside(path, root.resolve()):
        raise SpecError(f"data file '{name}' is outside the report directory", line)
    if any(part.startswith(".") for part in path.relative_to(root.resolve()).parts):
        raise SpecError(f"data file '{name}' is hidden; hidden files are never used", line)
    if path.suffix.lower() not in DATA_FORMATS:
        raise SpecError(f"data file '{name}' is not CSV, TSV or JSON (.csv, .tsv, .json)",
                        line)
    if not path.is_file():
        raise SpecError(f"missing data file '{name}' (paths are relative to the report "
                        "directory)", line)
    return path


def _table_from_values(values: Any, fmt: dict[str, Any], out: ChartData, name: str = "",
                       line: int | None = None) -> None:
    """The data as columns and rows of text (what the reader's table shows)."""
    kind = fmt.get("type", "json") if isinstance(fmt, dict) else "json"
    if isinstance(values, str) and kind in ("csv", "tsv"):
        _delimited_table(values, "\t" if kind == "tsv" else ",", out, name, line)
        return
    if isinstance(values, str):
        try:
            values = json.loads(values)
        except json.JSONDecodeError as exc:
            raise SpecError(f"data file '{name}' is not valid JSON: {exc.msg} (its line "
                            f"{exc.lineno})", line) from exc
    records = [v if isinstance(v, dict) else {"data": v} for v in values] \
        if isinstance(values, list) else []
    out.columns = list(dict.fromkeys(key for record in records for key in record))
    out.rows = [[_cell(record.get(column)) for column in out.columns] for record in records]


def _delimited_table(values: str, delimiter: str, out: ChartData, name: str,
                     line: int | None) -> None:
    """A CSV or TSV file: its header row names the columns; blank rows are left out."""
    rows = list(csv.reader(io.StringIO(values), delimiter=delimiter))
    if not rows:
        raise SpecError(f"data file '{name}' is empty", line)
    out.columns = [column.strip() for column in rows[0]]
    out.rows = [row for row in rows[1:] if any(cell.strip() for cell in row)]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return json.dumps(value) if isinstance(value, (dict, list)) else str(value)


def check_fields(spec: dict[str, Any], text: str, data: ChartData) -> None:
    """Every encoding's ``field`` must be a column of the data or made by a transform."""
    if not data.columns:
        return
    made = _made_fields(spec, data.columns)
    for channel, name in _encoded_fields(spec):
        if name.split(".")[0] not in made:
            where = f"data file '{data.files[0]}'" if data.files else "the data"
            raise SpecError(f"encoding '{channel}' names field '{name}', which "
                            f"{where} does not have (columns: "
                            f"{', '.join(data.columns)})", line_in(text, name))


def _made_fields(spec: dict[str, Any], columns: list[str]) -> set[str]:
    """The fields an encoding may name: the data's columns and what transforms make
    (``as``, and ``fold``'s ``key`` and ``value``)."""
    made = set(columns)
    for key, value in _walk(spec):
        if key == "as":
            made.update(value if isinstance(value, list) else [value])
        elif key == "fold" and isinstance(value, list):
            made.update(("key", "value"))
    return made


def _encoded_fields(spec: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(channel, field name) of every field the spec's encodings name, in spec order."""
    for key, value in _walk(spec):
        if key != "encoding" or not isinstance(value, dict):
            continue
        for channel, definition in value.items():
            for part in definition if isinstance(definition, list) else [definition]:
                name = part.get("field") if isinstance(part, dict) else None
                if isinstance(name, str):
                    yield channel, name


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"
