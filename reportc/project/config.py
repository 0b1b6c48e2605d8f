"""Stage 1: read and validate ``report.yaml``.

Every problem is reported with the line of ``report.yaml`` it comes from, so
that a writer can fix the file without guessing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from reportc.errors import ConfigError, Diagnostics
from reportc.project.frontmatter import unreadable_date
from reportc.project.given import METADATA_SUFFIXES, asks_numbers, documents_project
from reportc.project.jupyterbook import is_jupyter_book, jupyter_book_settings
from reportc.project.profiles import active_profiles
from reportc.project.quarto import (
    SOURCE_SUFFIXES,
    ProjectSettings,
    front_matter,
    node_lines,
    one_document,
    read_project,
)
from reportc.project.schema import FILE_KEYS, KEYS, KNOWN_KEYS
from reportc.project.settings import (
    CONFIG_NAME,
    DEFAULT_CSL,
    PAPER_SIZES,
    SIDED,
    STATUSES,
    Author,
    Context,
    ReportConfig,
)

__all__ = ["CONFIG_NAME", "DEFAULT_CSL", "KNOWN_KEYS", "MANUBOT_METADATA", "PAPER_SIZES",
           "SIDED", "STATUSES", "Author", "ReportConfig", "load_config", "manubot_metadata",
           "unreadable_date"]


def load_config(root: Path, diagnostics: Diagnostics, document: str | tuple[str, ...] = "",
                profile: str | None = None,
                options: tuple[tuple[str, str], ...] = ()) -> ReportConfig:
    """Parse ``root/report.yaml`` over the settings of a Quarto or Bookdown project in
    ``root``; raise :class:`ConfigError` when they cannot be used. ``document``: the one
    Markdown file of ``root`` to build alone (``reportc thesis.md``), or the files of
    ``root`` given in reading order (``reportc metadata.yaml ch1.md ch2.md``); their front
    matter gives the title, and no report.yaml or project file is read. ``profile``: the Quarto
    profiles ``--profile`` names (None: not given; see :mod:`reportc.project.profiles`);
    ``options``: pandoc's options given with the documents (:mod:`reportc.project.given`)."""
    names = (document,) if isinstance(document, str) and document else tuple(document)
    if names:
        given = _document_project(root, names[0]) if len(names) == 1 and not options and \
            Path(names[0]).suffix.lower() not in METADATA_SUFFIXES else \
            documents_project(root, names, options)
        config = _config_of(root, {}, {}, diagnostics, given, alone=True)
        config.profiles = active_profiles(root, {}, profile)
        return config
    project = _project(root, profile)
    path = root / CONFIG_NAME
    if not path.is_file() and project is None:
        project = _lone_document(root)
    data, lines = _read_yaml(path) if path.is_file() else ({}, {})
    config = _config_of(root, data, lines, diagnostics, project or one_document(root, data))
    config.profiles = project.profiles if project is not None and \
        project.profiles is not None else active_profiles(root, {}, profile)
    return config


def _config_of(root: Path, data: dict, lines: dict[str, int], diagnostics: Diagnostics,
               project: ProjectSettings | None, alone: bool = False) -> ReportConfig:
    """report.yaml's settings (``data``, at ``lines``) over the project's (``alone``: a
    document given on the command line, with no settings file around it read)."""
    manubot = {} if alone else \
        {k: v for k, v in manubot_metadata(root).items() if k not in data}
    files = {str(key): CONFIG_NAME for key in data}
    if project is not None:
        own = set(data)
        files = {**{k: project.sources.get(k, project.file) for k in project.data},
                 **_item_sources(project, own), **files}
        if "chapters" in own:  # report.yaml's list replaces the book's
            project.data.pop("appendices", None)
        lines = {**{k: v for k, v in project.lines.items()
                    if k.split("[")[0] not in own}, **lines}
        data = {**project.data, **data}
        if alone or not (root / CONFIG_NAME).is_file():
            files.setdefault("title", project.file)
    config = _validate(root, {**manubot, **data}, lines, diagnostics, files)
    if project is not None:
        _take_project(config, project, diagnostics)
    return config


def _item_sources(project: ProjectSettings, own: set[str]) -> dict[str, str]:
    """The file of each list item a Quarto profile's file added (``chapters[3]``), where
    report.yaml does not give the list."""
    return {key: file for key, file in project.sources.items()
            if "[" in key and key.split("[")[0] not in own}


def _document_project(root: Path, name: str) -> ProjectSettings:
    """The settings of the one document ``name`` given on the command line."""
    settings = one_document(root, {"chapters": [name]})
    if settings is None:
        raise ConfigError(f"{name}:1: no title: a document built alone needs one in its "
                          "front matter (---\ntitle: ...\n---), or a report.yaml beside it "
                          "listing it under 'chapters:'")
    settings.data["chapters"] = [name]
    settings.lines["chapters"] = 1
    # as pandoc numbers it: only when asked (number-sections, or its LaTeX numbersections)
    settings.data.setdefault("number_sections", asks_numbers(root / name))
    return settings


def _lone_document(root: Path) -> ProjectSettings:
    """A folder with no report.yaml or project file: its one Markdown document with a
    title in its front matter is the report (a pandoc user's ``document.md`` beside its
    build script; a README without front matter is not a candidate)."""
    found = [path.name for path in sorted(root.iterdir()) if path.is_file()
             and path.suffix.lower() in SOURCE_SUFFIXES and _titled(path)] \
        if root.is_dir() else []
    if len(found) == 1:
        return _document_project(root, found[0])
    several = f" (it has {len(found)} titled documents: {', '.join(found)}; name one: " \
        f"reportc {found[0]})" if found else ""
    raise ConfigError(f"{CONFIG_NAME}: not found in {root}{several} (is this a report "
                      "directory? a Quarto project has _quarto.yml, a Bookdown book "
                      "_bookdown.yml, a Jupyter Book _toc.yml, a Manubot paper "
                      "content/metadata.yaml and numbered content/*.md files; one Markdown "
                      "document with a title in its front matter builds alone (reportc "
                      "FILE.md); for other Markdown, such as a "
                      "pandoc thesis in several files, name them as pandoc takes them "
                      "(reportc metadata.yaml ch1.md ch2.md) or write a report.yaml with "
                      "'title:' and 'chapters:' listing the files in reading order)")


def _titled(path: Path) -> bool:
    """Does the file open with a front matter that gives a ``title:``?"""
    return bool(front_matter(path.parent, path.name)[0].get("title"))


def _project(root: Path, profile: str | None) -> ProjectSettings | None:
    """The settings of the Quarto, Bookdown, Manubot or Jupyter Book project in ``root``."""
    project = read_project(root, profile)
    if project is None and is_jupyter_book(root):
        return jupyter_book_settings(root)
    return project


def _take_project(config: ReportConfig, project: ProjectSettings, diag: Diagnostics) -> None:
    """What a Quarto or Bookdown project (or the one document) adds besides settings: the
    files read, the document of the front matter, and what of it is not done."""
    for message, line in project.unused:
        diag.warning(message, project.file, line, code="quarto.filter")
    for message, file, line, code in project.warnings:
        diag.warning(message, file, line, code=code)
    config.project_kind = project.kind
    if project.untitled and config.file_of("title") == project.untitled:
        named = "file name" if config.title == Path(project.untitled).stem else "'pagetitle'"
        diag.warning(f"the document has no title: its {named} '{config.title}' is the "
                     "report's title, as Quarto titles its page (give it 'title:' in its "
                     "front matter or in _quarto.yml)", project.untitled, 1,
                     code="config.title")
    config.project_files = project.files
    config.quarto_meta = project.meta
    config.meta_document = project.meta_document


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
    authors = [_manubot_author(author) for author in meta.get("authors") or []
               if isinstance(author, dict) and author.get("name")]
    return {**found, "authors": authors} if authors else found


def _manubot_author(author: dict) -> dict[str, str]:
    """One Manubot author as report.yaml writes it (a placeholder ORCID iD left out)."""
    return {"name": str(author["name"]), "affiliation": _affiliation(author),
            **{key: str(author[key]) for key in ("orcid", "email")
               if re.fullmatch(_METADATA_PATTERNS[key], str(author.get(key) or ""))}}


def _affiliation(author: dict) -> str:
    given = author.get("affiliations") or author.get("affiliation") or []
    return "; ".join(map(str, given)) if isinstance(given, list) else str(given)


NAME_LIMIT = 255  # bytes in one file or folder name (ext4, APFS, NTFS alike)


def _check_names(data: dict, lines: dict[str, int]) -> None:
    """A setting holding a NUL character, or a file name no file system takes, is an
    error at its line (the path calls of every later stage would raise)."""
    for key, value in data.items():
        texts = [str(key), *_strings(value)]
        line = lines.get(str(key), 1)
        if any("\x00" in text for text in texts):
            raise ConfigError(f"{CONFIG_NAME}:{line}: '{key}' holds a NUL character")
        if key in FILE_KEYS and any(len(part.encode()) > NAME_LIMIT
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



def _key_lines(node: Any) -> dict[str, int]:
    """Map each key (``chapters[1].chapters[0]``, ``authors[0].orcid``) to its 1-based line."""
    lines: dict[str, int] = {}
    node_lines(node, "", lines)
    return lines


def _validate(root: Path, data: dict, lines: dict[str, int], diag: Diagnostics,
              files: dict[str, str]) -> ReportConfig:
    """Check every key of the schema in its order, filling the report's settings."""
    config = ReportConfig(root=root, title="", slug="", lines=lines, files=files)
    ctx = Context(root, data, lines, files, diag, config)
    for key in KEYS:
        if key.check is None:
            continue
        *path, name = key.target.split(".")
        target = config
        for part in path:
            target = getattr(target, part)
        setattr(target, name, key.check(ctx, key))
        if key.name == "silence":
            _unknown(data, lines, files, diag)
    config.chapters = None if config.listed is None else [c.name for c in config.listed]
    config.chapter_lines = {c.name: c.line for c in config.listed or []}
    config.bibliography = config.bibliographies[0] if config.bibliographies else None
    return config


def _unknown(data: dict, lines: dict[str, int], files: dict[str, str],
             diag: Diagnostics) -> None:
    """A key of report.yaml that the schema does not know is a warning (a project file's
    other keys are Quarto's own, not ours to judge)."""
    for key in data:
        if key not in KNOWN_KEYS and files.get(str(key)) == CONFIG_NAME:
            import difflib  # only for a key to correct (the no-change check reads this file)

            close = difflib.get_close_matches(str(key), sorted(KNOWN_KEYS), n=1, cutoff=0.8)
            hint = f": did you mean '{close[0]}'?" if close else ""
            diag.warning(f"unknown setting '{key}' (ignored){hint}", CONFIG_NAME,
                         lines.get(str(key)), code="config.unknown")

