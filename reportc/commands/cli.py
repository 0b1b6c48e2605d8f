"""Command line: ``reportc [REPORT_DIR] [--out DIR] [--format html,pdf] [--strict]``.

Also ``reportc --watch`` (rebuild and serve on change), ``reportc diff REV_A [REV_B]``
(a redline of the report between two git revisions), ``reportc new DIR`` (start a report)
and ``reportc comments REVIEWED`` (a reviewer's DOCX comments or PDF annotations, each at
its source line).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from reportc.build import DEFAULT_FORMATS, FORMATS, BuildOptions, BuildResult, build
from reportc.commands.pandocargs import (
    add_pandoc_arguments,
    expand_defaults,
    given_option,
    named_files,
    output_format,
    pandoc_options,
)
from reportc.errors import BuildFailed, ReportError
from reportc.project.chapters import SOURCE_SUFFIXES
from reportc.project.config import STATUSES
from reportc.project.given import METADATA_SUFFIXES, TEXT_SUFFIXES
from reportc.project.versioning import check_label
from reportc.version import __version__

log = logging.getLogger("reportc")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="reportc", description=(
        "Build a report directory (report.yaml, chapters/, references.bib) into a PDF and an "
        "HTML edition."))
    parser.add_argument("report_dir", nargs="*", type=Path, metavar="report_dir",
                        help="the report directory (default: the current directory), or "
                             "Markdown documents (.md, .qmd, .Rmd) and metadata files in "
                             "reading order, as pandoc takes them (metadata.yaml ch1.md)")
    parser.add_argument("--out", type=Path, help="output directory (default: REPORT_DIR/out)")
    parser.add_argument("--format", default=None,
                        help="comma-separated formats to build: html, pdf, docx, epub, "
                             "brief, site, evidence (the table of citations and quotations; "
                             "default: html,pdf; html only with --watch)")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--sources", action="append", type=Path, default=[], metavar="DIR",
                        help="a folder of source texts (KEY.pdf, KEY.txt... or report.yaml's "
                             "sources: names) to check quotations against; repeatable")
    parser.add_argument("-j", "--jobs", type=int, default=None,
                        help="parallel pandoc and PDF layout processes (default: one per core)")
    parser.add_argument("--single-pass", action="store_true",
                        help="lay the PDF out in one WeasyPrint pass instead of part by part "
                             "(slower; the reference the part-by-part PDF is tested against)")
    parser.add_argument("--profile", default=None, metavar="NAMES",
                        help="a Quarto project's active profiles, comma-separated: their "
                             "_quarto-NAME.yml merged over _quarto.yml and their when-profile "
                             "content shown (default: QUARTO_PROFILE, else _quarto.yml's "
                             "profile: default:)")
    parser.add_argument("--no-cache", action="store_true",
                        help="build everything afresh, without reading or writing the build "
                             "cache (out/.reportc-cache)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="also print each pandoc command and stage timings")
    parser.add_argument("--version", action="version", version=f"reportc {__version__}")
    _add_release_arguments(parser)
    add_pandoc_arguments(parser)
    watch = parser.add_argument_group("watch mode")
    watch.add_argument("--watch", action="store_true",
                       help="rebuild on every change and serve the HTML on 127.0.0.1, "
                            "reloading the open page after each build")
    watch.add_argument("--port", type=int, default=8000,
                       help="port for --watch (default: 8000; 0 picks a free one)")
    args = parser.parse_intermixed_args(expand_defaults(argv or [], parser))
    default = output_format(args) or ("html" if args.watch else "html,pdf")  # (-o x.docx)
    args.formats = _formats(parser, args.format, default)
    _check_release_arguments(parser, args)
    for folder in args.sources:
        if not folder.is_dir():
            parser.error(f"--sources {folder}: not a folder")
    return args


def _add_release_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("versions and review states")
    group.add_argument("--version-label", default="", metavar="LABEL",
                       help="stamp LABEL (e.g. v1.2.0) on cover, metadata and footer and name "
                            "the outputs <slug>-LABEL.pdf/.html")
    group.add_argument("--draft", action="store_const", const="draft", dest="status",
                       help="same as --status draft: a DRAFT watermark on every page")
    group.add_argument("--status", choices=STATUSES, default="",
                       help="override report.yaml's status: draft and review add a watermark "
                            "and banner; final builds are strict")
    group.add_argument("--self-contained", action="store_true",
                       help="write the HTML as one file (CSS, fonts and images inlined)")
    group.add_argument("--no-git-stamp", action="store_true",
                       help="do not stamp `git describe` on the outputs")


def _check_release_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.version_label and (problem := check_label(args.version_label)):
        parser.error(problem)


def _formats(parser: argparse.ArgumentParser, value: str | None, default: str,
             allowed: tuple[str, ...] = FORMATS) -> tuple[str, ...]:
    formats = tuple(f.strip() for f in (value or default).split(",") if f.strip())
    unknown = [f for f in formats if f not in allowed]
    if unknown or not formats:
        parser.error(f"--format takes {', '.join(allowed)}, not {', '.join(unknown) or 'nothing'}")
    return formats


def parse_diff_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="reportc diff",
        description="Build a redline of the report: the text at REV_B (default: the working "
                    "tree) with insertions and deletions since REV_A marked word by word, "
                    "after a summary page of the changed chapters.")
    parser.add_argument("rev_a", metavar="REV_A", help="the earlier git revision (tag, commit)")
    parser.add_argument("rev_b", metavar="REV_B", nargs="?", default=None,
                        help="the later revision (default: the working tree)")
    parser.add_argument("--report-dir", type=Path, default=Path("."),
                        help="the report directory inside the repository (default: .)")
    parser.add_argument("--out", type=Path, help="output directory (default: REPORT_DIR/out)")
    parser.add_argument("--format", default=None,
                        help="comma-separated formats: html, pdf (default: both)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    parser.add_argument("-v", "--verbose", action="store_true", help="print more detail")
    args = parser.parse_args(argv)
    args.formats = _formats(parser, args.format, "html,pdf", DEFAULT_FORMATS)
    return args


def _setup_logging(args: argparse.Namespace) -> None:
    """reportc's own lines at the level asked for; other libraries' only from WARNING up (a
    library's INFO line, such as pikepdf's "logger bridge initialized", is not the user's
    business)."""
    level = logging.ERROR if args.quiet else logging.DEBUG if args.verbose else logging.INFO
    logging.basicConfig(level=max(level, logging.WARNING), format="%(message)s",
                        stream=sys.stderr)
    logging.getLogger("reportc").setLevel(level)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["diff"]:
        return diff_main(argv[1:])
    if argv[:1] == ["comments"]:
        from reportc.commands.comments import main as comments_main

        return comments_main(argv[1:])
    if argv[:1] == ["new"]:
        from reportc.commands.new import new_main

        return new_main(argv[1:])
    args = parse_args(argv)
    _setup_logging(args)
    root, documents = _report_and_documents(args.report_dir or [Path(".")], named_files(args),
                                            given_option(args))
    options = BuildOptions(root=root, documents=documents, out=args.out, formats=args.formats,
                           pandoc_options=pandoc_options(args, root) if documents else (),
                           strict=args.strict, version_label=args.version_label,
                           status=args.status or "", git_stamp=not args.no_git_stamp,
                           self_contained=args.self_contained, single_pass=args.single_pass,
                           use_cache=not args.no_cache, profile=args.profile,
                           source_dirs=tuple(folder.resolve() for folder in args.sources))
    if args.jobs:
        options.jobs = args.jobs
    if args.watch:
        from reportc.commands.watch import watch

        return watch(options, args.port)
    return _run(lambda: build(options))


def _report_and_documents(given: list[Path], named: list[Path], option: str
                          ) -> tuple[Path, tuple[str, ...]]:
    """The report folder, and the documents named if Markdown files were given instead
    (``reportc thesis.md``, ``reportc metadata.yaml ch1.md ch2.md``, as one runs pandoc):
    the folder that holds them all and the files pandoc's options name (``named``), and
    each document's path in it."""
    files = [path for path in given if path.suffix.lower() in (
        *SOURCE_SUFFIXES, *TEXT_SUFFIXES, *METADATA_SUFFIXES)]
    if len(given) == 1 and not (files and given[0].is_file()):
        if option:
            sys.exit(f"reportc: {option}: pandoc's options are for documents named on the "
                     "command line; a report directory names its files in report.yaml")
        return given[0], ()
    for path in [*given, *named]:
        if (path in given and path not in files) or not path.is_file():
            sys.exit(f"reportc: {path}: not a Markdown document or metadata file (.md, .qmd, "
                     ".Rmd, .yaml): give one report directory, or the documents to build"
                     if path.is_file() else f"reportc: {path}: no such file (or a folder)")
    root = Path(os.path.commonpath([path.resolve().parent for path in [*files, *named]]))
    if root == Path(root.anchor):  # (out/ would be written at the file system's root)
        sys.exit(f"reportc: {files[0]}: the files named share no folder but {root}: name "
                 "files of one project, whose folder holds out/")
    return root, tuple(path.resolve().relative_to(root).as_posix() for path in files)


def diff_main(argv: list[str]) -> int:
    """``reportc diff REV_A [REV_B]``: the redline PDF and HTML."""
    from reportc.redline.build import RedlineOptions, build_redline

    args = parse_diff_args(argv)
    _setup_logging(args)
    options = RedlineOptions(report_dir=args.report_dir, rev_a=args.rev_a, rev_b=args.rev_b,
                             out=args.out, formats=args.formats)
    return _run(lambda: build_redline(options))


def _run(run_build: Callable[[], BuildResult]) -> int:
    """Run a build and report the outcome: exit code 0 on success, 1 on failure."""
    started = time.perf_counter()
    try:
        result = run_build()
    except BuildFailed as failure:
        for problem in failure.problems:
            print(problem, file=sys.stderr)
        print(f"reportc: build failed with {len(failure.problems)} error(s); "
              "previous output left unchanged", file=sys.stderr)
        return 1
    except ReportError as exc:
        print(exc, file=sys.stderr)
        print("reportc: build failed; previous output left unchanged", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl-C: the staging folder was dropped, nothing moved
        print("reportc: interrupted; previous output left unchanged", file=sys.stderr)
        return 130
    if result.up_to_date:
        return 0
    shown = (".pdf", ".html", ".docx", ".epub")
    names = ", ".join(str(p) for p in result.outputs if p.suffix in shown
                      and (p.parent.name != "site" or p.name == "index.html"))  # a site: its door
    log.info("reportc: wrote %s in %.1f s (%d warning(s))", names,
             time.perf_counter() - started, len(result.diagnostics.warnings))
    return 0
