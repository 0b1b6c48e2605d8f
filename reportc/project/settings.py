"""What the configuration stage makes and checks with: the settings of a report
(:class:`ReportConfig`, :class:`Author`), one key of the schema (:class:`Key`) and what a
key's check is given (:class:`Context`). They live apart from the checks, the schema and
the loader so that those three can import them without importing each other."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportc.errors import Diagnostics
from reportc.project.language import Words
from reportc.project.listing import Listed
from reportc.project.markdown import Definition
from reportc.project.publisher import Publisher

CONFIG_NAME = "report.yaml"
PAPER_SIZES = {"a4": "A4", "letter": "letter"}


DEFAULT_CSL = "chicago-notes-bibliography"
STATUSES = ("draft", "review", "final")  # absent: not final (warnings allowed, no watermark)
SIDED = ("double", "single")
GIVEN_FILES = "given-files"  # a project kind: the files named on the command line


@dataclass(frozen=True)
class Key:
    """One setting of report.yaml (or a field of one, in ``keys``)."""

    name: str
    type: str  # as the manual names it
    help: str  # one line: the manual's table and reportc new's comment
    check: Check | None = None  # None: read by another key's check (or a field)
    default: Any = ""  # a value, or a function of the Context (the slug from the title)
    shown_default: str = ""  # how the manual writes a default that is not a plain value
    field: str = ""  # the ReportConfig attribute it fills (default: its name, - as _)
    aliases: tuple[str, ...] = ()  # other spellings (organization, license)
    required: bool = False
    pattern: str = ""  # a text's form; ``message`` says what is wrong ({value})
    choices: tuple[str, ...] = ()
    message: str = ""
    quarto: tuple[str, ...] = ()  # the _quarto.yml keys (top level or under book:) it takes
    keys: tuple[Key, ...] = ()  # the fields of a mapping (authors' name, logo's file)
    names_files: bool = False  # its value names files: a name no file system takes is an
    # error before anything else (config._check_names)

    @property
    def target(self) -> str:
        return self.field or self.name.replace("-", "_")

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


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
class Context:
    """What every check needs: the settings, where each is written, and the report so
    far (a key's default may come from one checked before it: the slug from the title)."""

    root: Path
    data: dict
    lines: dict[str, int]
    files: dict[str, str]
    diag: Diagnostics
    config: ReportConfig

    def err(self, key: str, message: str) -> None:
        """An error at the line of ``key`` (``authors[0].orcid``), or of the nearest
        key above it, in the file that sets it."""
        top = key.split("[")[0].split(".")[0]
        line = self.lines.get(key) or self.lines.get(key.split(".")[0]) or \
            self.lines.get(top, 1)
        item = key.split(".")[0]  # a list's item a Quarto profile's file adds is there
        self.diag.error(message, self.files.get(item, self.files.get(top, CONFIG_NAME)), line)


Check = Callable[[Context, "Key"], Any]



# Quarto's code-annotations styles: a static page shows each list below its block, so
# hover and select print as below does; none takes the markers out, the lists stay lists
ANNOTATION_STYLES = ("below", "hover", "select", "none")


def format_option(data: dict, key: str) -> tuple[Any, str] | None:
    """A Quarto option written at the top level or under a format (``format: html:
    code-annotations: none``; the HTML format's first, the editions share one text), with
    where it is written (``format.html.code-annotations``); None if nowhere."""
    if key in data:
        return data[key], key
    formats = data.get("format")
    formats = formats if isinstance(formats, dict) else {}
    for name in sorted(formats, key=lambda name: name != "html"):
        if isinstance(formats[name], dict) and key in formats[name]:
            return formats[name][key], f"format.{name}.{key}"
    return None


def annotation_style(value: Any) -> str:
    """Quarto's ``code-annotations`` value as one of :data:`ANNOTATION_STYLES` (``false``,
    which Quarto's schema allows, hides them: "none"); "" for a value it does not take."""
    if value is False:
        return "none"
    if value is True:
        return "below"
    text = str(value).strip().lower()
    return text if text in ANNOTATION_STYLES else ""


LANG_PATTERN = r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*"  # a BCP 47 tag, as far as lang: needs


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
    date_month_only: bool = False  # the date names a month ("January 2024"): no day printed
    lang: str = "en"
    organisation: str = ""
    version: str = ""
    chapters: list[str] | None = None
    chapter_lines: dict[str, int] = field(default_factory=dict)
    listed: list[Listed] | None = None  # chapters and appendices as listed (parts kept)
    bibliography: Path | None = None  # the first of ``bibliographies``
    bibliographies: list[Path] = field(default_factory=list)
    number_sections: bool = True
    code_annotations: str = "below"  # Quarto's code-annotations (below, hover, select, none)
    crossref: dict[str, str] = field(default_factory=dict)  # prefix -> word (fig -> Fig.)
    files: dict[str, str] = field(default_factory=dict)  # key -> file it is written in
    project_files: list[str] = field(default_factory=list)  # _quarto.yml, index.Rmd, ...
    setting_files: list[str] = field(default_factory=list)  # read by a setting (language:)
    header_macros: list[Definition] = field(default_factory=list)  # include-in-header's
    project_kind: str = ""  # "jupyter-book": the chapters are MyST Markdown; GIVEN_FILES
    profiles: list[str] = field(default_factory=list)  # Quarto's active profiles, in order
    quarto_meta: dict[str, Any] | None = None  # _quarto.yml, the profiles' files merged in
    meta_document: str = ""  # a document whose front matter is the report's, not a chapter's
    references_title: str = ""  # the bibliography's heading (from the style and lang)
    abstract: str = ""  # Markdown printed first, as a summary under Abstract
    nocite: list[str] = field(default_factory=list)  # entries listed uncited ("*": all)
    words: Words = field(default_factory=Words)  # reportc's own words, in lang (language:)
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
        if self.date_month_only:
            return self.words.month_year(self.date)
        return self.words.date(self.date, us=self.lang.lower() in ("en-us", "en_us"))


def code_annotations(ctx: Context, key: Key) -> str:
    """``code-annotations``: below, hover, select, none (or true, false)."""
    for name in key.names:
        if name in ctx.data:
            style = annotation_style(ctx.data[name])
            if not style:
                ctx.err(key.name, key.message.format(value=ctx.data[name]))
            return style or key.default
    return key.default
