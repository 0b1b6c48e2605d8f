"""Where an entry's source text is: ``sources/KEY.EXT`` in the report, the entry's ``file``
field (as Zotero, Better BibTeX and JabRef write it), report.yaml's ``sources:`` mapping,
and ``KEY.EXT`` in the folders given with ``--sources``.

The sandbox rule holds: a file is read only when it is inside the report or inside a folder
the user named on the command line; a ``file`` field or a mapping that points anywhere else
is refused with a warning, never read."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reportc.errors import Diagnostics
from reportc.project.config import CONFIG_NAME, ReportConfig
from reportc.sandbox.policy import file_refusal

if TYPE_CHECKING:  # the no-change check imports this module (source_folders) and no more
    from reportc.project.bibliography import Bibliography

SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")
SOURCES_DIR = "sources"


@dataclass
class SourceFiles:
    """The readable source files of each entry, and what the search looked at."""

    files: dict[str, list[Path]] = field(default_factory=dict)
    considered: list[Path] = field(default_factory=list)  # hashed into the build fingerprint
    # (besides the listings of sources/ and the --sources folders: see source_folders)
    unplaced: list[str] = field(default_factory=list)  # mapped, but no --sources folder given
    # file fields that point outside the report (a reference manager's library folder):
    # (key, path as written, (file, line)); reported once, see _report_outside
    outside: list[tuple[str, str, tuple[str, int]]] = field(default_factory=list)

    def add(self, key: str, path: Path) -> None:
        found = self.files.setdefault(key, [])
        if path not in found:
            found.append(path)


def source_folders(root: Path, folders: tuple[Path, ...]) -> list[Path]:
    """The folders searched for ``KEY.EXT``."""
    return [root / SOURCES_DIR, *folders]


def find_sources(keys: list[str], bibliography: Bibliography, config: ReportConfig,
                 folders: tuple[Path, ...], diag: Diagnostics) -> SourceFiles:
    """The source files of the entries ``keys``; refusals and missing files are warnings."""
    allowed = [config.root, *folders]
    found = SourceFiles()
    # KEY.EXT is looked for only in the folders that exist (sources/ is often absent): a
    # stat for every key and suffix cost 0.03 s on a 750-key bibliography's every build
    searched = [folder for folder in source_folders(config.root, folders) if folder.is_dir()]
    for key in keys:
        for name in config.sources.get(key, []):
            _mapped(key, name, config, folders, allowed, found, diag)
        record = bibliography.records.get(key)
        if record is not None and record.fields.get("file"):
            base = bibliography.path.parent if bibliography.path else config.root
            for name in file_field_paths(record.fields["file"]):
                _from_field(key, base, name, (bibliography.rel, record.line), allowed, found,
                            diag)
        for folder in searched:
            for suffix in SUFFIXES:
                _conventional(key, folder / (key + suffix), allowed, found)
    _report_outside(found.outside, diag)
    return found


def _report_outside(outside: list[tuple[str, str, tuple[str, int]]], diag: Diagnostics) -> None:
    """One warning, at the first such field, for every ``file`` field that points outside
    the report: Zotero and JabRef exports name the user's library folder in every entry,
    so a warning per entry would bury the rest, and the export is not wrong (it never fails
    ``--strict``; giving the folder with ``--sources`` reads them)."""
    if not outside:
        return
    key, name, where = outside[0]
    rest = len(outside) - 1
    more = f" (and {rest} more file field{'s' if rest > 1 else ''})" if rest else ""
    diag.warning(f"entry '{key}': file '{name}' is outside the report directory{more}: not "
                 "read (give its folder with --sources DIR)", *where, code="source.outside",
                 fails_strict=False)


def _mapped(key: str, name: str, config: ReportConfig, folders: tuple[Path, ...],
            allowed: list[Path], found: SourceFiles, diag: Diagnostics) -> None:
    """``sources: {KEY: name}``: looked up in each --sources folder, then in the report."""
    line = config.line_of(f"sources.{key}") or config.line_of("sources")
    for candidate in [folder / name for folder in folders] + [config.root / name]:
        path, refusal = file_refusal(candidate.absolute().as_uri(), allowed)
        if path is not None:
            found.considered.append(path)
            found.add(key, path)
            return
        if refusal and "inside the report" in refusal and candidate.exists():
            diag.warning(f"sources: '{name}' for '{key}' is outside the report directory: "
                         "not read (give its folder with --sources DIR)", CONFIG_NAME, line,
                         code="source.refused")
            return
        if not refusal or "inside the report" not in refusal:
            found.considered.append(candidate)
    if folders:
        diag.warning(f"sources: '{name}' for '{key}' not found in the report or in "
                     f"{', '.join(str(f) for f in folders)}", CONFIG_NAME, line,
                     code="source.missing")
    else:
        found.unplaced.append(key)


def _from_field(key: str, base: Path, name: str, where: tuple[str, int], allowed: list[Path],
                found: SourceFiles, diag: Diagnostics) -> None:
    """A path of a ``file`` field, relative to the bibliography's folder (as JabRef reads
    it) unless absolute."""
    candidate = base / name
    if candidate.suffix.lower() not in SUFFIXES:
        return  # an attachment of another kind (an EPUB, a picture): not a source text
    path, refusal = file_refusal(candidate.absolute().as_uri(), allowed)
    if path is not None:
        found.considered.append(path)
        found.add(key, path)
    elif refusal and "inside the report" in refusal:
        found.outside.append((key, name, where))
    else:
        found.considered.append(candidate)
        diag.warning(f"entry '{key}': file '{name}' cannot be read: {refusal}", *where,
                     code="source.missing")


def _conventional(key: str, candidate: Path, allowed: list[Path], found: SourceFiles) -> None:
    """``KEY.EXT``: absent is normal, so only a readable file counts (a file that appears
    changes the folder's listing, which the build fingerprint holds)."""
    if not os.path.lexists(candidate):
        return
    path, _ = file_refusal(candidate.absolute().as_uri(), allowed)
    if path is not None:
        found.considered.append(path)
        found.add(key, path)


def file_field_paths(value: str) -> list[str]:
    """The paths a ``file`` field holds: ``Description:path:type`` items (JabRef, Zotero;
    ``\\:`` and ``\\;`` escaped) or plain paths, several separated by ``;``."""
    paths = []
    for item in re.split(r"(?<!\\);", value):
        parts = re.split(r"(?<!\\):", item.strip())
        path = ":".join(parts[1:-1]) if len(parts) >= 3 else item.strip()
        path = re.sub(r"\\([:;\\])", r"\1", path).strip()
        if path:
            paths.append(path)
    return paths
