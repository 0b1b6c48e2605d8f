"""The files named on the command line as one report (``reportc metadata.yaml ch1.md
ch2.md``), read as pandoc reads the files it is given: the Markdown documents are the
chapters, in that order; a YAML file is a metadata block; pandoc's options
(:mod:`reportc.commands.pandocargs`) give settings over the documents' own
(``--bibliography``, ``--csl``, ``-M``, ``-N``) or under them (``--metadata-file``)."""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path
from typing import Any

import yaml

from reportc.errors import ConfigError
from reportc.project.frontmatter import block_line, front_matter, only_front_matter
from reportc.project.quarto import QUARTO_KEYS, ProjectSettings, document_meta, load_yaml, take
from reportc.project.settings import GIVEN_FILES, LANG_PATTERN
from reportc.project.website import from_root

METADATA_SUFFIXES = (".yaml", ".yml")  # a metadata file given with the documents
# what else pandoc reads as Markdown when it is named (``pandoc title.txt ch1.txt``)
TEXT_SUFFIXES = (".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".mdtxt", ".txt", ".text")


def documents_project(root: Path, names: tuple[str, ...],
                      options: tuple[tuple[str, str], ...] = ()) -> ProjectSettings:
    """The settings of several files given in reading order, as ``pandoc metadata.yaml
    ch1.md ch2.md`` reads them: the Markdown documents are the chapters; a YAML file (or a
    document that is only a metadata block) is metadata, a later block's setting over an
    earlier's; where none gives a title, the first document's front matter is the title
    page. pandoc's ``options`` apply as :func:`_take_options` and :func:`_metadata_file` say."""
    metadata = [name for name in names if Path(name).suffix.lower() in METADATA_SUFFIXES
                or only_front_matter(root, name)]
    chapters = [name for name in names if name not in metadata]
    if not chapters:
        raise ConfigError(f"{names[0]}:1: no Markdown document among the files given "
                          "(give the chapters after the metadata files)")
    settings = ProjectSettings(metadata[0] if metadata else chapters[0], files=metadata,
                               kind=GIVEN_FILES)
    _take_options(settings, options)
    _take_metadata(root, metadata, settings)
    if "title" not in settings.data:
        document_meta(root, chapters[0], settings)
        settings.file = chapters[0]
    for option, name in options:
        if option == "--metadata-file":
            _metadata_file(root, name, settings)
    _language_tag(root, settings)
    if "title" not in settings.data:
        raise ConfigError(f"{chapters[0]}:1: no title: give 'title:' in a metadata file's "
                          "block or in the first document's front matter")
    settings.data["chapters"] = chapters
    settings.lines["chapters"] = 1
    settings.data.setdefault("number_sections", ("--number-sections", "") in options or any(
        asks_numbers(root / name) for name in metadata + chapters[:1]))
    return settings


def given_suffixes(kind: str) -> tuple[str, ...]:
    """What else is a chapter in a project of ``kind``: any name pandoc reads as Markdown,
    for files named on the command line."""
    return TEXT_SUFFIXES if kind == GIVEN_FILES else ()


def _take_metadata(root: Path, metadata: list[str], settings: ProjectSettings) -> None:
    """The metadata files' blocks, the last first (each takes only what a later one did not
    give), and the ``references:`` they list."""
    for name in reversed(metadata):
        if not front_matter(root, name)[0]:
            raise ConfigError(_no_metadata(root, name))
        document_meta(root, name, settings)
        _layout_metadata(root, name, settings)
    _inline_references(root, metadata, settings)


def _layout_metadata(root: Path, name: str, settings: ProjectSettings) -> None:
    """A metadata block's ``papersize`` and ``classoption`` (pandoc's LaTeX variables,
    often set there) where nothing gave reportc's settings for them."""
    meta, block = front_matter(root, name)
    for key in ("papersize", "classoption"):
        if key in meta:
            line = block_line(block, key)
            value = meta[key]
            value = ",".join(map(str, value)) if isinstance(value, list) else value
            _layout_variable(settings, f"{key}={value}", name, line, over=False)


def _language_tag(root: Path, settings: ProjectSettings) -> None:
    """``language: en-US`` (pandoc's manual's older spelling of ``lang``, in a title.txt) is
    the language, not a file of reportc's words, where no such file is there."""
    tag = settings.data.get("language")
    if isinstance(tag, str) and re.fullmatch(LANG_PATTERN, tag) and not (root / tag).is_file():
        del settings.data["language"]
        line, file = settings.lines.pop("language", 1), settings.sources.pop("language", "")
        if "lang" not in settings.data:
            take(settings, "lang", tag, line, file)


def _inline_references(root: Path, metadata: list[str], settings: ProjectSettings) -> None:
    """A metadata file that lists ``references:`` (CSL YAML, as pandoc cites from them) is
    a bibliography too, after the files ``bibliography:`` names."""
    files = settings.data.get("bibliography", [])
    files = [files] if isinstance(files, str) else list(files)
    for name in metadata:
        if isinstance(front_matter(root, name)[0].get("references"), list):
            files.append(name)
            settings.sources.setdefault("bibliography", name)
    if files:
        settings.data["bibliography"] = files


def _no_metadata(root: Path, name: str) -> str:
    """Why the metadata file ``name`` gives no settings: no ``---`` block, or YAML that
    cannot be read (where)."""
    text = (root / name).read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
    lines = text.split("\n")
    end = next((n for n in range(1, len(lines)) if lines[n].strip() in ("---", "...")), 0)
    if lines[0].strip() != "---" or not end:
        return (f"{name}:1: no metadata block: write its settings between two '---' lines, "
                "as pandoc reads a metadata file given with the documents")
    try:
        yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return (f"{name}:{mark.line + 2 if mark else 1}: invalid YAML in the metadata block: "
                f"{getattr(exc, 'problem', None) or exc}")
    return f"{name}:2: the metadata block is not a mapping of settings (title: ...)"


def asks_numbers(path: Path) -> bool:
    """Does the document's front matter say ``numbersections: true`` (pandoc's LaTeX
    variable; ``number-sections`` is read as report.yaml's key)?"""
    return front_matter(path.parent, path.name)[0].get("numbersections") is True


COMMAND_LINE = "command line"  # where a setting pandoc's options gave is said to be written
_CITEPROC = (("--filter", "pandoc-citeproc"), ("--filter", "citeproc"))  # (reportc cites)
_TAKEN = ("--bibliography", "--csl", "--include-in-header", "--metadata", "--metadata-file",
          "--number-sections")


def _unused(option: str, value: str) -> str:
    """What reportc says of one of pandoc's options it has no use for."""
    given = f"{option} {value}".strip()
    if option == "--defaults":  # a defaults file's key with no option of reportc's
        return f"the defaults file's {value} is not used: reportc lays out its editions itself"
    if option == "--output":
        return (f"{given} is not used as a path: reportc writes its editions into out/ in "
                "the documents' folder (--out DIR chooses another); its suffix chooses the "
                "edition unless --format does")
    if option in ("--filter", "--lua-filter"):
        return f"{given} is not used: reportc runs no pandoc filter (its own do their work)"
    if option in ("--from", "--read"):
        return f"{given} is not used: reportc reads pandoc's Markdown with its own extensions"
    if option in ("--to", "--write"):
        return f"{given} is not used: reportc writes the editions --format names"
    return f"{given} is not used: reportc lays out its editions itself"


def _take_options(settings: ProjectSettings, options: tuple[tuple[str, str], ...]) -> None:
    """``--bibliography``, ``--csl`` and ``-M`` over everything else, as pandoc sets them:
    ``-M KEY=VALUE`` a string or, written true or false (or without a value), a boolean.
    A key reportc does not read is said, not dropped unseen."""
    bibliographies = [value for option, value in options if option == "--bibliography"]
    if bibliographies:
        take(settings, "bibliography", bibliographies, 0, COMMAND_LINE)
    headers = [value for option, value in options if option == "--include-in-header"]
    if headers:
        settings.data["include-in-header"] = headers
        settings.lines["include-in-header"] = 0
        settings.sources["include-in-header"] = COMMAND_LINE
    for option, value in options:
        if option == "--variable" and _layout_variable(settings, value, COMMAND_LINE, 0):
            continue
        if option not in _TAKEN and (option, value) not in _CITEPROC:
            settings.warnings.append((_unused(option, value), COMMAND_LINE, 0, "pandoc.option"))
        elif option == "--csl":
            take(settings, "csl", value, 0, COMMAND_LINE)
        elif option == "--metadata":
            _take_meta(settings, value)


def _take_meta(settings: ProjectSettings, value: str) -> None:
    """One ``-M KEY[=VALUE]``; a key reportc does not read is said."""
    key, _, text = value.partition("=")
    if key.strip() not in QUARTO_KEYS:
        settings.warnings.append((f"-M {key}: not a setting reportc reads (it is left out)",
                                  COMMAND_LINE, 0, "config.unknown"))
        return
    take(settings, key.strip(), _meta_value(text if "=" in value else "true"), 0, COMMAND_LINE)


def _meta_value(text: str) -> Any:
    """``-M``'s value as pandoc reads it: true or false a boolean, else a string; a list or
    mapping a defaults file's ``metadata:`` held (JSON, :mod:`reportc.commands.pandocargs`)."""
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if text[:1] in "[{":
        with contextlib.suppress(ValueError):
            return json.loads(text)
    return text


def _metadata_file(root: Path, name: str, settings: ProjectSettings) -> None:
    """``--metadata-file``'s settings (plain YAML) where nothing else gave them; a file it
    names is found from its folder, as a document's front matter's are."""
    data, block = front_matter(root, name)  # (a block between two --- lines, as pandoc
    if data:                                # reads a metadata file too)
        lines = {str(key): block_line(block, key) for key in data}
    else:
        data, lines = load_yaml(root, name)
    for key, value in data.items():
        if key in QUARTO_KEYS and QUARTO_KEYS[key] not in settings.data:
            take(settings, key, from_root(name, key, value), lines.get(str(key), 1), name)
    if data.get("numbersections") is True:  # pandoc's LaTeX variable
        settings.data.setdefault("number_sections", True)
    settings.files.append(name)


_PAPERS = {"a4": "A4", "letter": "letter", "us-letter": "letter"}


def _layout_variable(settings: ProjectSettings, text: str, file: str, line: int,
                    over: bool = True) -> bool:
    """pandoc's LaTeX variables that say what reportc's settings say, taken as those
    (``papersize=a4paper``: paper A4; ``classoption=twoside``/``oneside``: sided double or
    single); ``over``: over a setting already given (-V), else only where none is. Is
    ``text`` (``KEY=VALUE`` or ``KEY:VALUE``) one?"""
    found = re.fullmatch(r"\s*(papersize|classoption)\s*[=:]\s*(.*?)\s*", text)
    if not found:
        return False
    key, value = found.group(1), found.group(2).lower()
    options = [option.strip() for option in value.split(",")]
    taken = {"paper": _PAPERS.get(value.removesuffix("paper").strip("-"))} \
        if key == "papersize" else \
        {"sided": "double" if "twoside" in options else "single" if "oneside" in options
         else None}
    name, setting = next(iter(taken.items()))
    if setting is None:
        return False
    if over or name not in settings.data:
        settings.data[name], settings.lines[name] = setting, line
        settings.sources[name] = file
    return True
