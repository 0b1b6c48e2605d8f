"""How to cite the report: the citation in its own CSL style, and ``.bib``/``.ris`` files.

The report is described once, as a CSL item of type ``report`` whose publisher (CSL's
name for BibTeX's ``institution``) is the organisation; citeproc (through pandoc, the
one way reportc runs it) formats it in the report's style, and the BibTeX and RIS
writers below say the same things in the formats reference managers import.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from pathlib import Path

from reportc.cache import BuildCache, digest, file_digest, tool_versions
from reportc.errors import Diagnostics, ToolError
from reportc.pandoc.runner import READER, run_pandoc
from reportc.project.config import Author, ReportConfig
from reportc.sandbox.rendered import check_html

_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "del", "dos", "ten"}
_ENTRY = re.compile(r'<div id="ref-[^"]*" class="csl-entry"[^>]*>(.*?)</div>', re.S)


def person(author: Author) -> dict[str, str]:
    """CSL name of an author: ``Family, Given`` as written, a personal name split before
    its family name, or (a team, an office: any lower-case word) the name as one literal."""
    name = author.name
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return {"family": family, "given": given}
    words = name.split()
    if len(words) < 2 or any(w[0].islower() and w not in _PARTICLES for w in words):
        return {"literal": name}
    start = len(words) - 1
    while start > 1 and words[start - 1] in _PARTICLES:
        start -= 1
    return {"family": " ".join(words[start:]), "given": " ".join(words[:start])}


def csl_item(config: ReportConfig, year_date: dt.date) -> dict:
    """The report as a CSL-JSON item (``year_date``: the report's date or the build's)."""
    pub = config.publisher
    item: dict = {"id": config.slug, "type": "report", "title": config.title,
                  "author": [person(a) for a in config.authors],
                  "issued": {"date-parts": [[year_date.year, year_date.month, year_date.day]]}}
    if config.subtitle:
        item["title"] = f"{config.title}: {config.subtitle}"
    optional = {"publisher": config.organisation, "version": config.version,
                "DOI": pub.doi, "ISBN": pub.isbn, "ISSN": pub.issn, "language": config.lang}
    item.update({k: v for k, v in optional.items() if v})
    return item


def how_to_cite(config: ReportConfig, csl: Path | None, when: dt.date, diag: Diagnostics,
                cache: BuildCache) -> str:
    """The report's own reference, as HTML, in the report's CSL style, for the imprint
    ('' if the report has no imprint)."""
    if csl is None or not config.publisher.has_imprint:
        return ""
    item = json.dumps([csl_item(config, when)], sort_keys=True, ensure_ascii=False)
    key = digest(item, file_digest(csl), config.lang, tool_versions())
    cached = cache.get("how-to-cite", key)
    if cached is not None:
        return cached
    with tempfile.TemporaryDirectory(prefix="reportc-cite-") as folder:
        references = Path(folder) / "report.json"
        references.write_text(item, encoding="utf-8")
        args = ["-f", "markdown", "-t", "html5", "--wrap=none", "--citeproc", "--sandbox",
                f"--csl={csl}", f"--bibliography={references}", "-M", f"lang={config.lang}"]
        try:
            result = run_pandoc(args, '---\nnocite: "[@*]"\n---\n', what="how to cite")
        except ToolError as exc:
            diag.error(str(exc))
            return ""
    match = _ENTRY.search(result.output)
    html = match.group(1).strip() if match else ""
    if not html or not check_html(html, "report.yaml", diag):
        return ""
    cache.put("how-to-cite", key, html)
    return html


# --- BibTeX ------------------------------------------------------------------------------

_BIB_SPECIAL = re.compile(r"([&%$#_{}])")


def _bib_text(text: str) -> str:
    text = text.replace("\\", r"\textbackslash{}").replace("~", r"\textasciitilde{}")
    return _BIB_SPECIAL.sub(r"\\\1", text).replace("^", r"\^{}")


def _bib_name(name: dict[str, str]) -> str:
    if "literal" in name:
        return "{" + _bib_text(name["literal"]) + "}"  # braces: a team is not "Family, Given"
    return f"{_bib_text(name['family'])}, {_bib_text(name['given'])}"


def bibtex(config: ReportConfig, when: dt.date, url: str = "") -> str:
    """A biblatex ``@report`` entry (``institution``: the organisation)."""
    item = csl_item(config, when)
    fields = [("title", config.title), ("subtitle", config.subtitle),
              ("author", " and ".join(_bib_name(n) for n in item["author"])),
              ("institution", config.organisation), ("type", "Report"),
              ("date", when.isoformat()), ("year", str(when.year)),
              ("version", config.version), ("doi", config.publisher.doi),
              ("isbn", config.publisher.isbn), ("issn", config.publisher.issn),
              ("url", url), ("langid", config.lang)]
    raw = {"author", "date", "year", "doi", "url"}  # already safe, or must stay verbatim
    lines = [f"  {name} = {{{value if name in raw else _bib_text(value)}}}"
             for name, value in fields if value]
    return f"@report{{{config.slug},\n" + ",\n".join(lines) + "\n}\n"


# --- RIS ---------------------------------------------------------------------------------

def ris(config: ReportConfig, when: dt.date, url: str = "") -> str:
    """An RIS record of type ``RPRT`` (report)."""
    item = csl_item(config, when)
    tags: list[tuple[str, str]] = [("TY", "RPRT"), ("TI", config.title)]
    if config.subtitle:
        tags.append(("T2", config.subtitle))
    for name in item["author"]:
        tags.append(("AU", name.get("literal") or f"{name['family']}, {name['given']}"))
    tags += [("PY", str(when.year)), ("DA", when.strftime("%Y/%m/%d")),
             ("PB", config.organisation), ("DO", config.publisher.doi),
             ("SN", config.publisher.isbn or config.publisher.issn), ("UR", url),
             ("LA", config.lang), ("ET", config.version and f"Version {config.version}")]
    tags += [("KW", keyword) for keyword in config.keywords]
    lines = [f"{tag}  - {' '.join(value.split())}" for tag, value in tags if value]
    return "\r\n".join([*lines, "ER  - ", ""])


# --- imprint texts -----------------------------------------------------------------------

def render_markdown_file(path: Path | None, root: Path, diag: Diagnostics,
                         cache: BuildCache) -> str:
    """A short Markdown file of the imprint (acknowledgements) as HTML, read with the
    chapters' restricted reader (no raw HTML, no metadata) and checked like them."""
    if path is None:
        return ""
    text = path.read_text(encoding="utf-8")
    rel = path.relative_to(root.resolve()).as_posix()
    key = digest(text, READER, tool_versions())
    cached = cache.get("imprint", key)
    if cached is not None:
        return cached
    try:
        result = run_pandoc(["-f", READER, "-t", "html5", "--wrap=none", "--sandbox"], text,
                            what=rel)
    except ToolError as exc:
        diag.error(str(exc).removeprefix(f"{rel}: "), rel)
        return ""
    if not check_html(result.output, rel, diag):
        return ""
    cache.put("imprint", key, result.output)
    return result.output
