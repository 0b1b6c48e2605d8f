"""The redline's first chapter: what changed, chapter by chapter, in words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reportc.redline.diff import Counts


@dataclass
class ChapterChange:
    name: str  # file name in chapters/
    title: str
    anchor: str
    change: str  # "changed" | "unchanged" | "added" | "removed"
    counts: Counts



def _escape(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>@$~^\"'&:;])", r"\\\1", text)


def summary_chapter(changes: list[ChapterChange], names: tuple[str, str], bib_note: str) -> str:
    old, new = (_escape(n) for n in names)
    lines = ["---", "kind: summary", "numbered: false", "---",
             f"# Changes since {old}", "",
             f"This review copy shows the report as of {new} with every change since {old} "
             "marked word by word: [inserted text is underlined in green]{.ins}; "
             "[deleted text is struck through in red]{.del}. Removed figures and tables keep "
             "their content but not their numbers; numbering follows the new version. "
             "Counts are words (a citation counts as one).", "",
             "| Chapter | Change | Inserted | Deleted |",
             # dashes set the relative column widths when a row is long
             "|:" + "-" * 44 + "|:" + "-" * 12 + "|" + "-" * 9 + ":|" + "-" * 9 + ":|"]
    for change in changes:
        title = f"[{_escape(change.title)}](#{change.anchor})"
        lines.append(f"| {title} | {change.change} | {change.counts.ins} | "
                     f"{change.counts.dele} |")
    total_ins = sum(c.counts.ins for c in changes)
    total_del = sum(c.counts.dele for c in changes)
    lines.append(f"| **Total** | {sum(c.change != 'unchanged' for c in changes)} of "
                 f"{len(changes)} changed | {total_ins} | {total_del} |")
    lines += ["", f"Bibliography entries: {_escape(bib_note)}.", ""]
    return "\n".join(lines)
