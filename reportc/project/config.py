"""Stage 1: read and validate ``report.yaml``.

Every problem is reported with the line of ``report.yaml`` it comes from, so
that a writer can fix the file without guessing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reportc.errors import WARNING_CODES, ConfigError, Diagnostics
from reportc.project.paths import inside
from reportc.project.publisher import PUBLISHER_KEYS, Publisher, read_publisher, valid_orcid

CONFIG_NAME = "report.yaml"
DEFAULT_CSL = "chicago-notes-bibliography"
PAPER_SIZES = {"a4": "A4", "letter": "letter"}
STATUSES = ("draft", "review", "final")  # absent: not final (warnings allowed, no watermark)
KNOWN_KEYS = {
    "title", "subtitle", "short_title", "slug", "authors", "date", "lang", "organisation",
    "organization", "version", "chapters", "bibliography", "csl", "paper", "keywords",
    "description", "status", "attachments", "sided", "silence",
} | PUBLISHER_KEYS
SIDED = ("double", "single")


@dataclass(frozen=True)
class Author:
    name: str
    affiliation: str = ""
    # publisher's matter (#17): "About the authors", ORCID links, scholarly metadata
    bio: str = ""
    orcid: str = ""
    email: str = ""
    role: str = ""

    @property
    def orcid_url(self) -> str:
        return f"https://orcid.org/{self.orcid}" if self.orcid else ""


@dataclass
class ReportConfig:
    """The validated contents of ``report.yaml``; paths are absolute."""

    root: Path
    title: str
    slug: str
    subtitle: str = ""
    short_title: str = ""
    authors: list[Author] = field(default_factory=list)
    date: dt.date | None = None
    lang: str = "en"
    organisation: str = ""
    version: str = ""
    chapters: list[str] | None = None
    chapter_lines: dict[str, int] = field(default_factory=dict)
    bibliography: Path | None = None
    csl: str = DEFAULT_CSL
    paper: str = "A4"
    keywords: list[str] = field(default_factory=list)
    description: str = ""
    attachments: list[str] = field(default_factory=list)  # files a PDF may attach (relative)
    status: str = ""  # "draft" | "review" | "final" | "" (absent)
    sided: str = "double"  # double: parts open on right-hand pages; single: no blank pages
    silence: list[str] = field(default_factory=list)  # warning codes dropped (errors.py)
    lines: dict[str, int] = field(default_factory=dict)
    publisher: Publisher = field(default_factory=Publisher)  # logo, licence, lists... (#17)

    @property
    def path(self) -> Path:
        return self.root / CONFIG_NAME

    def line_of(self, key: str) -> int | None:
        return self.lines.get(key)

    @property
    def running_title(self) -> str:
        return self.short_title or self.title

    @property
    def display_date(self) -> str:
        """The date as a reader of ``lang`` writes it (US English puts the month first)."""
        if self.date is None:
            return ""
        month = self.date.strftime("%B")
        if self.lang.lower() in ("en-us", "en_us"):
            return f"{month} {self.date.day}, {self.date.year}"
        return f"{self.date.day} {month} {self.date.year}"


def load_config(root: Path, diagnostics: Diagnostics) -> ReportConfig:
    """Parse ``root/report.yaml``; raise :class:`ConfigError` when it cannot be used."""
    path = root / CONFIG_NAME
    if not path.is_file():
        raise ConfigError(f"{CONFIG_NAME}: not found in {root} (is this a report directory?)")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:  # yaml would read it, but not as the writer meant
        at = path.read_bytes()[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{CONFIG_NAME}:{at}: file is not valid UTF-8") from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        position = getattr(exc, "position", None)  # a character YAML does not read
        line = mark.line + 1 if mark else \
            text[:position].count("\n") + 1 if isinstance(position, int) else None
        problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
        raise ConfigError(f"{CONFIG_NAME}:{line or 1}: invalid YAML: {problem}") from exc
    except (ValueError, OverflowError) as exc:  # a date YAML reads but Python cannot hold
        line, value = unreadable_date(node)
        raise ConfigError(f"{CONFIG_NAME}:{line}: invalid date '{value}' ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{CONFIG_NAME}:1: expected a mapping of settings (title: ..., ...)")
    lines = _key_lines(node)
    _check_names(data, lines)
    return _validate(root, data, lines, diagnostics)


PATH_KEYS = ("bibliography", "csl", "chapters", "attachments", "logo", "acknowledgements",
             "slug")
NAME_LIMIT = 255  # bytes in one file or folder name (ext4, APFS, NTFS alike)


def _check_names(data: dict, lines: dict[str, int]) -> None:
    """A setting holding a NUL character, or a file name no file system takes, is an
    error at its line (the path calls of every later stage would raise)."""
    for key, value in data.items():
        texts = [str(key), *_strings(value)]
        line = lines.get(str(key), 1)
        if any("\x00" in text for text in texts):
            raise ConfigError(f"{CONFIG_NAME}:{line}: '{key}' holds a NUL character")
        if key in PATH_KEYS and any(len(part.encode()) > NAME_LIMIT
                                    for text in texts for part in text.split("/")):
            raise ConfigError(f"{CONFIG_NAME}:{line}: '{key}' names a file or folder longer "
                              f"than {NAME_LIMIT} bytes, which no file system takes")


def _strings(value: Any) -> list[str]:
    """Every string in a setting's value (lists and mappings walked)."""
    if isinstance(value, dict):
        return [text for k, v in value.items() for text in (str(k), *_strings(v))]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return [value] if isinstance(value, str) else []


def unreadable_date(node: Any) -> tuple[int, str]:
    """Line and text of the first timestamp (``date: 2026-13-45``) that is no date."""
    stack = [node]
    while stack:
        current = stack.pop(0)
        if isinstance(current, yaml.ScalarNode) and current.tag.endswith(":timestamp"):
            try:
                yaml.SafeLoader("").construct_yaml_timestamp(current)
            except (ValueError, OverflowError):
                return current.start_mark.line + 1, current.value
        elif isinstance(current, yaml.MappingNode):
            stack += [item for pair in current.value for item in pair]
        elif isinstance(current, yaml.SequenceNode):
            stack += current.value
    return 1, ""


def _key_lines(node: Any) -> dict[str, int]:
    """Map each top-level key (and ``chapters[i]``) to its 1-based line."""
    lines: dict[str, int] = {}
    if not isinstance(node, yaml.MappingNode):
        return lines
    for key_node, value_node in node.value:
        key = str(key_node.value)
        lines[key] = key_node.start_mark.line + 1
        if isinstance(value_node, yaml.SequenceNode):
            for index, item in enumerate(value_node.value):
                lines[f"{key}[{index}]"] = item.start_mark.line + 1
                if isinstance(item, yaml.MappingNode):  # authors[0].orcid
                    for sub_key, _ in item.value:
                        lines[f"{key}[{index}].{sub_key.value}"] = sub_key.start_mark.line + 1
    return lines


def _validate(root: Path, data: dict, lines: dict[str, int], diag: Diagnostics) -> ReportConfig:
    where = str(CONFIG_NAME)

    def err(key: str, message: str) -> None:
        diag.error(message, where, lines.get(key) or lines.get(key.split(".")[0], 1))

    silence = _silence(data, lines, diag)
    diag.silenced = frozenset(silence)  # before any warning, this file's own included
    for key in data:
        if key not in KNOWN_KEYS:
            diag.warning(f"unknown setting '{key}' (ignored)", where, lines.get(str(key)),
                         code="config.unknown")

    title = _text(data, "title", err, required=True)
    slug = _text(data, "slug", err) or _slugify(title)
    if slug and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", slug):
        err("slug", f"slug '{slug}' must use only letters, digits, '.', '_' and '-'")

    config = ReportConfig(root=root, title=title, slug=slug, lines=lines, silence=silence)
    config.subtitle = _text(data, "subtitle", err)
    config.short_title = _text(data, "short_title", err)
    config.organisation = _text(data, "organisation", err) or _text(data, "organization", err)
    config.version = _text(data, "version", err)
    config.description = _text(data, "description", err)
    config.lang = _text(data, "lang", err) or "en"
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", config.lang):
        err("lang", f"lang '{config.lang}' is not a BCP 47 language tag (e.g. en-GB)")
    config.authors = _authors(data.get("authors"), lines, err)
    config.date = _date(data.get("date"), err)
    config.keywords = _string_list(data, "keywords", err)
    config.attachments = _attachments(root, data, err)
    config.chapters = _string_list(data, "chapters", err) if "chapters" in data else None
    config.chapter_lines = {
        name: lines.get(f"chapters[{i}]", lines.get("chapters", 1))
        for i, name in enumerate(config.chapters or [])
    }
    config.paper = _paper(data.get("paper", "A4"), err)
    config.csl = _text(data, "csl", err) or DEFAULT_CSL
    config.sided = (_text(data, "sided", err) or "double").lower()
    if config.sided not in SIDED:
        err("sided", f"sided '{config.sided}' must be single or double")
        config.sided = "double"
    config.status = _text(data, "status", err).lower()
    if config.status and config.status not in STATUSES:
        err("status", f"status '{config.status}' must be one of {', '.join(STATUSES)}")
        config.status = ""
    bib_name = _text(data, "bibliography", err) or "references.bib"
    config.bibliography = _inside(root, bib_name, "bibliography", err)
    if config.bibliography and not config.bibliography.is_file():
        if "bibliography" in data:
            err("bibliography", f"bibliography file '{bib_name}' not found")
        else:
            config.bibliography = None
    config.publisher = read_publisher(root, data, config.organisation, err)
    return config


def _text(data: dict, key: str, err, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        if required:
            err(key, f"'{key}' is required")
        return ""
    if isinstance(value, (dict, list)):
        err(key, f"'{key}' must be text, not a {type(value).__name__}")
        return ""
    return str(value).strip()


def _string_list(data: dict, key: str, err) -> list[str]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        err(key, f"'{key}' must be a list of text items")
        return []
    return [str(v) for v in value]


def _authors(value: Any, lines: dict[str, int], err) -> list[Author]:
    if value is None:
        return []
    if not isinstance(value, list):
        err("authors", "'authors' must be a list of {name, affiliation}")
        return []
    authors = []
    for index, item in enumerate(value):
        if isinstance(item, str):
            authors.append(Author(item))
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            authors.append(_author(item, f"authors[{index}]", err))
        else:
            err(f"authors[{index}]", "each author needs a 'name' (and optionally 'affiliation')")
    return authors


AUTHOR_KEYS = ("name", "affiliation", "bio", "orcid", "email", "role")


def _author(item: dict, where: str, err) -> Author:
    """One author with the publisher's fields; bad values are located on their own line."""
    fields = {}
    for key, value in item.items():
        if key not in AUTHOR_KEYS:
            err(f"{where}.{key}", f"unknown author field '{key}' ({', '.join(AUTHOR_KEYS)})")
        elif isinstance(value, (dict, list)):
            err(f"{where}.{key}", f"author '{key}' must be text")
        elif value is not None:
            fields[key] = " ".join(str(value).split())
    orcid = re.sub(r"^https?://orcid\.org/", "", fields.get("orcid", ""))
    if orcid and not valid_orcid(orcid):
        err(f"{where}.orcid", f"orcid '{orcid}' is not an ORCID iD (0000-0002-1825-0097; "
                              "the last character is a check digit)")
        orcid = ""
    email = fields.get("email", "")
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        err(f"{where}.email", f"email '{email}' is not an e-mail address")
        email = ""
    return Author(fields["name"], fields.get("affiliation", ""), fields.get("bio", ""), orcid,
                  email, fields.get("role", ""))


def _silence(data: dict, lines: dict[str, int], diag: Diagnostics) -> list[str]:
    """The warning codes to drop; an unknown code is an error at its line."""
    value = data.get("silence")
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        diag.error("'silence' must be a list of warning codes, e.g. [bib.unused]", CONFIG_NAME,
                   lines.get("silence", 1))
        return []
    for index, code in enumerate(value):
        if code not in WARNING_CODES:
            diag.error(f"unknown warning code '{code}' in 'silence' (known: "
                       f"{', '.join(sorted(WARNING_CODES))})", CONFIG_NAME,
                       lines.get(f"silence[{index}]") or lines.get("silence", 1))
    return [code for code in value if code in WARNING_CODES]


def _date(value: Any, err) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        err("date", f"date '{value}' must be written as YYYY-MM-DD")
        return None


def _paper(value: Any, err) -> str:
    paper = PAPER_SIZES.get(str(value).lower())
    if paper is None:
        err("paper", f"paper '{value}' must be A4 or letter")
        return "A4"
    return paper


def _attachments(root: Path, data: dict, err) -> list[str]:
    """The files chapters may attach to the PDF (``[x](file){rel=attachment}``)."""
    names = []
    for name in _string_list(data, "attachments", err):
        path = _inside(root, name, "attachments", err)
        if path is None:
            continue
        relative = path.relative_to(root.resolve())
        if any(part.startswith(".") for part in relative.parts):
            err("attachments", f"attachment '{name}' is a hidden file; those are never attached")
        elif not path.is_file():
            err("attachments", f"attachment '{name}' not found")
        else:
            names.append(relative.as_posix())
    return names


def _inside(root: Path, name: str, key: str, err) -> Path | None:
    """Resolve ``name`` against the report directory and refuse anything outside it."""
    candidate = (root / name).resolve()
    if not inside(candidate, root):
        err(key, f"'{name}' is outside the report directory")
        return None
    return candidate


def _slugify(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60].strip("-") or "report"
