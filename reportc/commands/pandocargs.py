"""pandoc's own options for documents named on the command line, so that the command a
thesis's Makefile runs works with ``reportc`` in place of ``pandoc``: ``cd src && reportc
*.md --metadata-file=../settings.yml --bibliography=refs.bib --csl=../ieee.csl -N``.

Each becomes a setting as pandoc gives it: ``--bibliography``, ``--csl``, ``-M``, ``-H``
(``--include-in-header``: the macros of a LaTeX preamble) and ``--number-sections`` over
the documents' own metadata, ``--metadata-file`` under it
(:mod:`reportc.project.given`). The files they name are read as the documents are: they
must be inside the folder that holds everything named.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

# the options that name a file, and the pandoc option each is (the others: -M, -N)
FILE_OPTIONS = {"metadata_file": "--metadata-file", "bibliography": "--bibliography",
                "csl": "--csl", "include_in_header": "--include-in-header"}
# what reportc does anyway: taken without a word
DONE: tuple[tuple[str, ...], ...] = (
    ("-C", "--citeproc"), ("-s", "--standalone"), ("--toc", "--table-of-contents"))
# pandoc's options for its own writers, LaTeX and filters: taken, each said as not used
# (reportc.project.given), so that a Makefile's command runs with reportc in pandoc's place
UNUSED_VALUES: tuple[tuple[str, ...], ...] = (
    ("-o", "--output"), ("-V", "--variable"), ("--pdf-engine",), ("--pdf-engine-opt",),
    ("--latex-engine",), ("--template",), ("--highlight-style",), ("--top-level-division",),
    ("-f", "--from"), ("-r", "--read"), ("-t", "--to"), ("-w", "--write"), ("--columns",),
    ("--resource-path",), ("-F", "--filter"), ("-L", "--lua-filter"), ("--reference-doc",),
    ("-c", "--css"), ("--wrap",), ("--dpi",), ("--epub-cover-image",), ("--toc-depth",),
    ("--epub-metadata",), ("--epub-embed-font",), ("--split-level",),
    ("--epub-chapter-level",), ("--data-dir",), ("--id-prefix",), ("--number-offset",),
    ("--shift-heading-level-by",), ("--base-header-level",), ("--tab-stop",), ("--eol",),
    ("--log",), ("--default-image-extension",), ("--extract-media",),
    ("--reference-location",), ("--markdown-headings",), ("-T", "--title-prefix"),
    ("-B", "--include-before-body"), ("-A", "--include-after-body"), ("--slide-level",),
    ("--variable-json",), ("--cite-method",), ("--email-obfuscation",))
UNUSED_FLAGS: tuple[tuple[str, ...], ...] = (
    ("--reference-links",), ("--listings",), ("--chapters",), ("-S", "--smart"),
    ("--embed-resources",), ("--natbib",), ("--biblatex",), ("--mathml",), ("--gladtex",),
    ("--no-highlight",), ("--section-divs",), ("--strip-comments",), ("--html-q-tags",),
    ("--ascii",), ("--fail-if-warnings",), ("-i", "--incremental"), ("--trace",),
    ("--file-scope",), ("-p", "--preserve-tabs"), ("--sandbox",))
# flags that may take a value (--webtex[=URL]): how maths is written into HTML, reportc's
# own choice (MathML, and pictures of formulas in the PDF)
UNUSED_OPTIONAL: tuple[tuple[str, ...], ...] = (("--webtex",), ("--mathjax",), ("--katex",))


_OPTIONAL_VALUE = {names[-1] for names in UNUSED_OPTIONAL}
_VALUED = ("--metadata-file", "--bibliography", "--csl", "--include-in-header", "--metadata")
_KNOWN = {name for names in (*DONE, *UNUSED_VALUES, *UNUSED_FLAGS, *UNUSED_OPTIONAL)
          for name in names}


def add_pandoc_arguments(parser: argparse.ArgumentParser) -> None:
    """The options, in a group of their own."""
    group = parser.add_argument_group(
        "pandoc's options, for documents named on the command line (as a Makefile runs "
        "pandoc)", "its options for its own writers, LaTeX and filters (-o, -s, --toc, "
                   "--citeproc, -V, --pdf-engine, --template, --filter, ...) are taken too, "
                   "each said as not used")
    group.add_argument("--metadata-file", action="append", type=Path, default=[],
                       metavar="FILE", help="a YAML file of settings (title, author, ...); "
                                            "the documents' own metadata over it")
    group.add_argument("--bibliography", action="append", type=Path, default=[],
                       metavar="FILE", help="a bibliography to cite from; repeatable")
    group.add_argument("--csl", type=Path, metavar="FILE", help="the citation style")
    group.add_argument("-H", "--include-in-header", action="append", type=Path, default=[],
                       metavar="FILE", help="a LaTeX preamble whose macro definitions hold in "
                                            "every formula; repeatable")
    group.add_argument("-M", "--metadata", action="append", default=[], metavar="KEY[=VALUE]",
                       help="a setting (-M lang=de), over the documents' own; repeatable")
    group.add_argument("-N", "--number-sections", action="store_true",
                       help="number the chapters and sections")
    for names in DONE:
        group.add_argument(*names, action="store_true", dest=f"done{names[-1]}",
                           help=argparse.SUPPRESS)
    for names in UNUSED_VALUES:
        group.add_argument(*names, action="append", default=[], dest=f"unused{names[-1]}",
                           help=argparse.SUPPRESS)
    for names in (*UNUSED_FLAGS, *UNUSED_OPTIONAL):  # (--webtex=URL: cut by expand_defaults)
        group.add_argument(*names, action="store_true", dest=f"unused{names[-1]}",
                           help=argparse.SUPPRESS)
    group.add_argument("-d", "--defaults", metavar="FILE",
                       help="a pandoc defaults file (YAML): its options, before these")
    group.add_argument("--unused-default", action="append", default=[],
                       dest="unused--defaults", help=argparse.SUPPRESS)


# a defaults file's keys (pandoc --defaults) as the command line's options ("": the
# documents; None: what reportc does anyway); a key not here is --KEY
_DEFAULTS_KEYS: dict[str, str | None] = {
    "input-file": "", "input-files": "", "metadata-file": "--metadata-file",
    "metadata-files": "--metadata-file", "output-file": "--output", "reader": "--from",
    "writer": "--to", "filters": "--filter", "variables": "--variable",
    "citeproc": None, "standalone": None, "toc": None, "table-of-contents": None}


def expand_defaults(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """``argv`` with each ``-d FILE`` (``--defaults``: pandoc's options in a YAML file, a
    Makefile's ``pandoc -d thesis.yaml``) replaced by the options it holds, before the
    command line's own, as pandoc reads it. Its files are named from the working folder,
    ``${.}`` being the defaults file's own. ``--webtex=URL`` is ``--webtex``."""
    out: list[str] = []
    items = iter(argv)
    for item in items:
        name = item.split("=", 1)[1] if item.startswith("--defaults=") else \
            next(items, "") if item in ("-d", "--defaults") else None
        out += [item] if name is None else _defaults_options(Path(name), parser)
    return [item.split("=", 1)[0] if item.split("=", 1)[0] in _OPTIONAL_VALUE else item
            for item in out]


def _defaults_options(path: Path, parser: argparse.ArgumentParser) -> list[str]:
    """The options a defaults file holds, as command-line words."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        parser.error(f"--defaults {path}: {str(exc).splitlines()[0]}")
    if not isinstance(data, dict):
        parser.error(f"--defaults {path}: not a mapping of pandoc's options")
    words: list[str] = []
    for key, value in data.items():
        option = _DEFAULTS_KEYS.get(str(key), f"--{key}")
        if option is not None and value is not None and value is not False:
            words += _option_words(str(key), option, value, path.parent)
    return words


def _option_words(key: str, option: str, value: Any, folder: Path) -> list[str]:
    """One defaults-file key's value as command-line words (``option``: its option; "" for
    the documents): a mapping as ``KEY=VALUE`` each, a filter by its path."""
    if value is True:
        return [option] if option else []
    values = [v for v in _listed(value, folder)
              if not (option == "--filter" and v == "citeproc")]  # pandoc's own, as --citeproc
    if not option:
        return values
    if option in _KNOWN or option in _VALUED:
        return [word for v in values for word in (option, v)]
    return ["--unused-default", f"{key}: {', '.join(values)}"]


def _listed(value: Any, folder: Path) -> list[str]:
    """A defaults-file value as words: a mapping (``metadata:``, ``variables:``) as
    ``KEY=VALUE`` each (a list or mapping value as JSON), a filter by its path, ``${.}``
    replaced by the file's ``folder``."""
    if isinstance(value, dict):
        value = [f"{k}={json.dumps(v) if isinstance(v, (list, dict)) else v}"
                 for k, v in value.items()]
    return [str(v.get("path", v) if isinstance(v, dict) else v).replace("${.}", str(folder))
            for v in (value if isinstance(value, list) else [value])]


def named_files(args: argparse.Namespace) -> list[Path]:
    """The files the options name (with the documents, they fix the report's folder)."""
    files = [*args.metadata_file, *args.bibliography, *args.include_in_header]
    return files + ([args.csl] if args.csl else [])


def pandoc_options(args: argparse.Namespace, root: Path) -> tuple[tuple[str, str], ...]:
    """The options given, as (pandoc option, value) in the order pandoc applies them; a
    file as its path in ``root``."""
    options: list[tuple[str, str]] = []
    for name, option in FILE_OPTIONS.items():
        value = getattr(args, name)
        for path in value if isinstance(value, list) else [value] if value else []:
            options.append((option, path.resolve().relative_to(root).as_posix()))
    options += [("--metadata", item) for item in args.metadata]
    options += [("--number-sections", "")] if args.number_sections else []
    return tuple(options + unused_options(args))


def unused_options(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The pandoc options given that reportc has no use for (``-o``, ``--pdf-engine``...)."""
    found: list[tuple[str, str]] = []
    for names in (*UNUSED_VALUES, ("--defaults",)):
        found += [(names[-1], str(value)) for value in getattr(args, f"unused{names[-1]}")]
    return found + [(names[-1], "") for names in (*UNUSED_FLAGS, *UNUSED_OPTIONAL)
                    if getattr(args, f"unused{names[-1]}")]


# what pandoc writes for -o FILE's suffix, as reportc's editions
_OUTPUT_FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html", ".docx": "docx",
                   ".epub": "epub"}


def output_format(args: argparse.Namespace) -> str:
    """The edition pandoc's ``-o FILE`` asks for by its suffix (``-o thesis.docx``: docx),
    ``""`` if none or another (then the default editions are built): a Makefile's
    ``make docx`` gets its Word edition."""
    outputs = getattr(args, "unused--output")
    return _OUTPUT_FORMATS.get(Path(outputs[-1]).suffix.lower(), "") if outputs else ""


def given_option(args: argparse.Namespace) -> str:
    """The first of pandoc's options given (``""``: none): they need documents."""
    files = named_files(args)
    if files:
        return str(files[0])
    taken = [("--metadata", args.metadata), ("--number-sections", args.number_sections),
             *((names[-1], getattr(args, f"done{names[-1]}")) for names in DONE)]
    return next((name for name, value in taken if value), "") or next(
        (name for name, _ in unused_options(args)), "")
