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
from reportc.paths import inside
from reportc.project.listing import Listed, listed_chapters
from reportc.project.publisher import PUBLISHER_KEYS, Publisher, read_publisher, valid_orcid
from reportc.project.quarto import node_lines, read_project

CONFIG_NAME = "report.yaml"
DEFAULT_CSL = "chicago-notes-bibliography"
PAPER_SIZES = {"a4": "A4", "letter": "letter"}
STATUSES = ("draft", "review", "final")  # absent: not final (warnings allowed, no watermark)
KNOWN_KEYS = {
    "title", "subtitle", "short_title", "slug", "authors", "date", "lang", "organisation",
    "organization", "version", "chapters", "bibliography", "csl", "paper", "keywords",
    "description", "status", "attachments", "sided", "silence", "sources", "appendices",
    "number-sections", "number_sections", "crossref", "reference-section-title", "charts",
    "brief",
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
    listed: list[Listed] | None = None  # chapters and appendices as listed (parts kept)
    bibliography: Path | None = None  # the first of ``bibliographies``
    bibliographies: list[Path] = field(default_factory=list)
    number_sections: bool = True
    crossref: dict[str, str] = field(default_factory=dict)  # prefix -> word (fig -> Fig.)
    files: dict[str, str] = field(default_factory=dict)  # key -> file it is written in
    project_files: list[str] = field(default_factory=list)  # _quarto.yml, index.Rmd, ...
    meta_document: str = ""  # a document whose front matter is the report's, not a chapter's
    references_title: str = ""  # the bibliography's heading (from the style and lang)
    csl: str = DEFAULT_CSL
    paper: str = "A4"
    keywords: list[str] = field(default_factory=list)
    description: str = ""
    attachments: list[str] = field(default_factory=list)  # files a PDF may attach (relative)
    status: str = ""  # "draft" | "review" | "final" | "" (absent)
    sided: str = "double"  # double: parts open on right-hand pages; single: no blank pages
    silence: list[str] = field(default_factory=list)  # warning codes dropped (errors.py)
    sources: dict[str, list[str]] = field(default_factory=dict)  # entry key -> source files
    charts: dict[str, Any] = field(default_factory=dict)  # Vega-Lite config over the theme's
    lines: dict[str, int] = field(default_factory=dict)
    publisher: Publisher = field(default_factory=Publisher)  # logo, licence, lists... (#17)
    brief_figure: str = ""  # brief: {figure: fig-x}: the figure or table the brief shows

    @property
    def path(self) -> Path:
        return self.root / CONFIG_NAME

    def line_of(self, key: str) -> int | None:
        return self.lines.get(key)

    def file_of(self, key: str) -> str:
        """The file a setting is written in: report.yaml, or _quarto.yml where it
        comes from the project."""
        return self.files.get(key.split("[")[0], CONFIG_NAME)

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
    """Parse ``root/report.yaml`` over the settings of a Quarto or Bookdown project in
    ``root``; raise :class:`ConfigError` when they cannot be used."""
    project = read_project(root)
    path = root / CONFIG_NAME
    if not path.is_file() and project is None:
        raise ConfigError(f"{CONFIG_NAME}: not found in {root} (is this a report directory? "
                          "a Quarto project has _quarto.yml)")
    data, lines = _read_yaml(path) if path.is_file() else ({}, {})
    manubot = {k: v for k, v in manubot_metadata(root).items() if k not in data}
    files = {str(key): CONFIG_NAME for key in data}
    if project is not None:
        own = set(data)
        files = {**{k: project.sources.get(k, project.file) for k in project.data}, **files}
        if "chapters" in own:  # report.yaml's list replaces the book's
            project.data.pop("appendices", None)
        lines = {**{k: v for k, v in project.lines.items()
                    if k.split("[")[0] not in own}, **lines}
        data = {**project.data, **data}
        if not path.is_file():
            files.setdefault("title", project.file)
    config = _validate(root, {**manubot, **data}, lines, diagnostics, files)
    if project is not None:
        config.project_files = project.files
        config.meta_document = project.meta_document
    return config


def _read_yaml(path: Path) -> tuple[dict, dict[str, int]]:
    """report.yaml's settings and the line of each."""
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
    return data, lines


MANUBOT_METADATA = ("content/metadata.yaml", "metadata.yaml")
# a template's placeholders (XXXX-XXXX-XXXX-XXXX) are not taken
_METADATA_PATTERNS = {"orcid": r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]", "email": r"[^@\s]+@[^@\s]+\.\w+"}


def manubot_metadata(root: Path) -> dict[str, Any]:
    """What a Manubot paper's (or a pandoc project's) ``metadata.yaml`` says of title,
    authors, keywords and lang, in report.yaml's terms; report.yaml's own settings win.
    Manubot authors list ``affiliations``; reportc prints one affiliation line."""
    path = next((root / name for name in MANUBOT_METADATA if (root / name).is_file()), None)
    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8")) if path else None
    except (yaml.YAMLError, UnicodeDecodeError):
        return {}  # not read: report.yaml says what is needed, or its own error does
    if not isinstance(meta, dict):
        return {}
    found = {key: meta[key] for key in ("title", "subtitle", "keywords", "lang")
             if isinstance(meta.get(key), (str, list))}
    authors = [{"name": str(author["name"]), "affiliation": _affiliation(author),
                **{key: str(author[key]) for key in ("orcid", "email")
                   if re.fullmatch(_METADATA_PATTERNS[key], str(author.get(key) or ""))}}
               for author in meta.get("authors") or [] if isinstance(author, dict)
               and author.get("name")]
    return {**found, "authors": authors} if authors else found


def _affiliation(author: dict) -> str:
    given = author.get("affiliations") or author.get("affiliation") or []
    return "; ".join(map(str, given)) if isinstance(given, list) else str(given)


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
    """Map each key (``chapters[1].chapters[0]``, ``authors[0].orcid``) to its 1-based line."""
    lines: dict[str, int] = {}
    node_lines(node, "", lines)
    return lines


def _validate(root: Path, data: dict, lines: dict[str, int], diag: Diagnostics,
              files: dict[str, str]) -> ReportConfig:
    where = str(CONFIG_NAME)

    def err(key: str, message: str) -> None:
        top = key.split("[")[0].split(".")[0]
        diag.error(message, files.get(top, where),
                   lines.get(key) or lines.get(key.split(".")[0]) or lines.get(top, 1))

    silence = _silence(data, lines, diag)
    for key in data:
        if key not in KNOWN_KEYS and files.get(str(key)) == CONFIG_NAME:
            diag.warning(f"unknown setting '{key}' (ignored)", where, lines.get(str(key)),
                         code="config.unknown")

    title = _text(data, "title", err, required=True)
    slug = _text(data, "slug", err) or _slugify(title)
    if slug and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", slug):
        err("slug", f"slug '{slug}' must use only letters, digits, '.', '_' and '-'")

    config = ReportConfig(root=root, title=title, slug=slug, lines=lines, silence=silence,
                          files=files)
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
    _contents(config, data, lines, files, err)
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
    config.bibliographies = _bibliographies(root, data, err)
    config.bibliography = config.bibliographies[0] if config.bibliographies else None
    config.publisher = read_publisher(root, data, config.organisation, err)
    config.sources = _sources(data.get("sources"), err)
    config.charts = data.get("charts") or {}
    if not isinstance(config.charts, dict):
        err("charts", "'charts' must be a mapping of Vega-Lite config settings "
                      "(font: ..., axis: {...})")
        config.charts = {}
    config.brief_figure = _brief(data.get("brief"), err)
    return config


def _sources(value: Any, err) -> dict[str, list[str]]:
    """``sources: {KEY: file}`` (or a list of files): where an entry's source text is, a
    path inside the report or in a folder given with ``--sources`` (reportc.evidence)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        err("sources", "'sources' must map entry keys to files, e.g. {lee2022: lee.pdf}")
        return {}
    sources = {}
    for key, files in value.items():
        names = [files] if isinstance(files, str) else files
        if not isinstance(names, list) or not names or \
                not all(isinstance(name, str) and name.strip() for name in names):
            err(f"sources.{key}", f"sources: '{key}' must name a file or a list of files")
            continue
        sources[str(key)] = [name.strip() for name in names]
    return sources


def _contents(config: ReportConfig, data: dict, lines: dict[str, int], files: dict[str, str],
              err) -> None:
    """What the report holds and how it is labelled: chapters, appendices and parts,
    their numbering, the cross-reference words and the list of references' heading."""
    config.listed = listed_chapters(data, lines, files, config.root, err)
    config.chapters = None if config.listed is None else [c.name for c in config.listed]
    config.chapter_lines = {c.name: c.line for c in config.listed or []}
    config.number_sections = _flag(data, "number_sections", err) and \
        _flag(data, "number-sections", err)
    config.crossref = _crossref(data.get("crossref"), err)
    config.references_title = _text(data, "reference-section-title", err)


def _bibliographies(root: Path, data: dict, err) -> list[Path]:
    """One file or a list of them (BibTeX, biblatex, CSL JSON, CSL YAML); without the
    setting, references.bib if there is one."""
    if "bibliography" not in data:
        default = root / "references.bib"
        return [default.resolve()] if default.is_file() else []
    value = data["bibliography"]
    names = value if isinstance(value, list) else [value]
    if not names or not all(isinstance(name, str) and name.strip() for name in names):
        err("bibliography", "'bibliography' must be a file name or a list of file names")
        return []
    paths: list[Path] = []
    for index, name in enumerate(names):
        key = f"bibliography[{index}]" if isinstance(value, list) else "bibliography"
        path = _inside(root, name.strip(), key, err)
        if path is None:
            continue
        if not path.is_file():
            err(key, f"bibliography file '{name}' not found")
        elif path in paths:
            err(key, f"bibliography file '{name}' is listed twice")
        else:
            paths.append(path)
    return paths


def _flag(data: dict, key: str, err) -> bool:
    """A true/false setting that is true unless it says false."""
    value = data.get(key, True)
    if not isinstance(value, bool):
        err(key, f"'{key}' must be true or false")
        return True
    return value


def _crossref(value: Any, err) -> dict[str, str]:
    """Quarto's ``crossref: fig-prefix: Fig.`` as the word each kind's label takes."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        err("crossref", "'crossref' must be a mapping such as fig-prefix: Fig.")
        return {}
    return {str(k).removesuffix("-prefix"): str(v) for k, v in value.items()
            if str(k).endswith("-prefix") and isinstance(v, (str, int))}


def _brief(value: Any, err) -> str:
    """``brief: {figure: fig-x}``: the id of the figure or table the policy brief shows."""
    if value is None:
        return ""
    figure = value.get("figure") if isinstance(value, dict) else None
    unknown = sorted(set(value) - {"figure"}) if isinstance(value, dict) else []
    if not isinstance(value, dict) or unknown or not isinstance(figure, str | None):
        err("brief", "brief takes one setting, figure: the id of a figure or table "
                     "(brief: {figure: fig-x})")
        return ""
    return (figure or "").lstrip("#")


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
