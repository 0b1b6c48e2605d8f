"""Where citeproc reads from, shared by the citing stage, the reference list and the
editions that cite again (Word): a module of its own so that :mod:`.reflist` and
:mod:`.render` need not import each other."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from reportc.cache import digest, file_digest, tool_versions


@dataclass(frozen=True)
class CitationSetup:
    """Where citeproc reads from: only the files report.yaml names (the bibliography as
    the CSL JSON reportc made of it, or a .bib file); ``sets``: each @set's members;
    ``notes_list``: the chapters' HTML ends with the web edition's list of notes (not
    written for a build of paged editions only: the print page leaves it out)."""

    bibliography: Path | None
    csl: Path
    lang: str
    sets: tuple[tuple[str, tuple[str, ...]], ...] = ()
    notes_list: bool = True
    words: tuple[tuple[str, str], ...] = ()  # the notes' words not in English (render.lua)
    listed: tuple[str, ...] = ()  # entries listed though not cited (nocite), sorted

    def writing(self) -> list[str]:
        """The render filter's arguments (its key part: the same HTML either way)."""
        args = [] if self.notes_list else ["-M", "reportc-notes-list=false"]
        for key, word in self.words:
            args += ["-M", f"reportc-word-{key}={word}"]
        return args

    def fingerprint(self) -> str:
        """What citeproc's output depends on besides the chapters themselves."""
        files = [p for p in (self.bibliography, self.csl) if p]
        return digest(self.lang, tool_versions(), json.dumps(self.sets),
                      *(file_digest(p) for p in files))

    def settings(self) -> list[str]:
        args = ["--sandbox", f"--csl={self.csl}", "-M", "link-citations=true",
                "-M", f"lang={self.lang}"]
        if self.bibliography:
            args.append(f"--bibliography={self.bibliography}")
        return args
