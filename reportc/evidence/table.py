"""The evidence table a fact-checker works through: ``<stem>-evidence.csv`` and a readable
``<stem>-evidence.html``, one row per citation and per quotation, in reading order."""

from __future__ import annotations

import csv
import io
from collections import Counter
from html import escape
from pathlib import Path

from reportc.evidence.check import COLUMNS, Row

_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5rem; color: #111; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: .3rem .45rem; vertical-align: top; text-align: left; }
th { background: #eee; position: sticky; top: 0; }
td.line { white-space: nowrap; }
tr.mismatch td { background: #fde2e1; }
tr.unsourced td { background: #fff5d6; }
tr.verified td.status { color: #135e20; font-weight: 600; }
tr.mismatch td.status { color: #8a1010; font-weight: 600; }
"""


def write_evidence(folder: Path, stem: str, title: str, lang: str, rows: list[Row]
                   ) -> list[Path]:
    """Write the CSV and the HTML table into ``folder``; return their paths."""
    csv_path, html_path = folder / f"{stem}-evidence.csv", folder / f"{stem}-evidence.html"
    csv_path.write_text(evidence_csv(rows), encoding="utf-8", newline="")
    html_path.write_text(evidence_html(title, lang, rows), encoding="utf-8")
    return [csv_path, html_path]


def evidence_csv(rows: list[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(row.values() for row in rows)
    return buffer.getvalue()


def evidence_html(title: str, lang: str, rows: list[Row]) -> str:
    counts = Counter(row.status for row in rows)
    summary = ", ".join(f"{counts[s]} {s}" for s in ("verified", "mismatch", "unsourced",
                                                       "cited") if counts[s])
    head = "".join(f'<th scope="col">{escape(name)}</th>' for name in COLUMNS)
    body = "\n".join(_row(row) for row in rows)
    return (f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>Evidence: {escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
            f"<body>\n<main>\n<h1>Evidence: {escape(title)}</h1>\n"
            f"<p>Every citation and every cited quotation, in reading order: {summary or 'none'}."
            f"</p>\n<table>\n<caption>Citations and quotations</caption>\n<thead><tr>{head}"
            f"</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n</main>\n</body>\n</html>\n")


def _row(row: Row) -> str:
    cells = "".join(f'<td class="{name}">{escape(value)}</td>'
                    for name, value in zip(COLUMNS, row.values(), strict=True))
    return f'<tr class="{row.status}">{cells}</tr>'
