"""The manual's table of report.yaml's keys, made from :data:`reportc.project.schema.KEYS`.

The table sits between ``<!-- reportc:keys -->`` and ``<!-- /reportc:keys -->`` in the
manual; ``python -m reportc.project.keytable --write-table FILE`` rewrites it there after a
change to the schema (``make goldens`` does the same for README.md and docs/), and a test
fails while the table in the repository differs from the schema.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from reportc.project.schema import KEYS, Key

BEGIN, END = "<!-- reportc:keys -->", "<!-- /reportc:keys -->"
BLOCK = re.compile(re.escape(BEGIN) + r"\n.*?" + re.escape(END), re.S)


def rows() -> Iterator[tuple[str, Key]]:
    """Every key as the manual lists it: ``authors[].orcid`` after ``authors``."""
    for key in KEYS:
        yield key.name, key
        inner = "[]." if key.type.startswith("list") else "."
        for sub in key.keys:
            yield f"{key.name}{inner}{sub.name}", sub


def table() -> str:
    """The manual's table of report.yaml's keys (Markdown)."""
    lines = ["| Key | Type | Default | From `_quarto.yml` | What it sets |",
             "|---|---|---|---|---|"]
    for name, key in rows():
        shown = f"`{name}`" + "".join(f" (or `{alias}`)" for alias in key.aliases)
        quarto = " or ".join(f"`{name}`" for name in key.quarto)
        lines.append(f"| {shown} | {key.type} | {_shown_default(key)} | {quarto} | "
                     f"{key.help} |")
    return "\n".join(lines) + "\n"


def _shown_default(key: Key) -> str:
    if key.shown_default:
        return key.shown_default
    if isinstance(key.default, bool):
        return str(key.default).lower()
    return f"`{key.default}`" if isinstance(key.default, str) and key.default else ""


def with_table(text: str, path: str = "") -> str:
    """``text`` with the table between its markers replaced by :func:`table`."""
    if not BLOCK.search(text):
        raise ValueError(f"{path or 'the text'} has no {BEGIN} ... {END} block")
    return BLOCK.sub(lambda _: f"{BEGIN}\n{table()}{END}", text, count=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reportc.project.keytable",
                                     description="Print or write the table of report.yaml's "
                                                 "keys.")
    parser.add_argument("--write-table", metavar="FILE", type=Path,
                        help="replace the table between the reportc:keys markers in FILE")
    args = parser.parse_args(argv)
    if args.write_table is None:
        print(table(), end="")
        return 0
    text = args.write_table.read_text(encoding="utf-8")
    try:
        text = with_table(text, str(args.write_table))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    args.write_table.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
