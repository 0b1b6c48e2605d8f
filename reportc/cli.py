"""Command line: ``reportc [REPORT_DIR] [--out DIR] [--format html,pdf] [--strict]``."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from . import __version__
from .build import FORMATS, BuildOptions, build
from .errors import BuildFailed, ReportError

log = logging.getLogger("reportc")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="reportc",
        description="Build a report directory (report.yaml, chapters/, references.bib) "
                    "into a PDF and an HTML edition.")
    parser.add_argument("report_dir", nargs="?", default=".", type=Path,
                        help="the report directory (default: the current directory)")
    parser.add_argument("--out", type=Path, help="output directory (default: REPORT_DIR/out)")
    parser.add_argument("--format", default="html,pdf",
                        help="comma-separated formats to build: html, pdf (default: both)")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("-j", "--jobs", type=int, default=None,
                        help="parallel pandoc processes (default: one per core)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="also print each pandoc command and stage timings")
    parser.add_argument("--version", action="version", version=f"reportc {__version__}")
    args = parser.parse_args(argv)
    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        parser.error(f"--format takes html and/or pdf, not {', '.join(unknown) or 'nothing'}")
    args.formats = formats
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    level = logging.ERROR if args.quiet else logging.DEBUG if args.verbose else logging.INFO
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    options = BuildOptions(root=args.report_dir, out=args.out, formats=args.formats,
                           strict=args.strict)
    if args.jobs:
        options.jobs = args.jobs
    started = time.perf_counter()
    try:
        result = build(options)
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
    if result.up_to_date:
        return 0
    names = ", ".join(str(p) for p in result.outputs if p.suffix in (".pdf", ".html"))
    log.info("reportc: wrote %s in %.1f s (%d warning(s))", names,
             time.perf_counter() - started, len(result.diagnostics.warnings))
    return 0
