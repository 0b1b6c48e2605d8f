"""Read a Manubot paper as it is: its layout and its Jinja2 templates.

A Manubot repository keeps its text in ``content/``: the files whose names start with a
digit, in name order, are the manuscript; ``content/metadata.yaml`` gives the title and
authors; ``content/manual-references*.*`` are its bibliographies, and
``build/assets/style.csl`` its citation style. Manubot renders the text with Jinja2 before
pandoc reads it (``{{manubot.date_long}}``, ``{% for author in manubot.authors %}``, and
``{## … ##}`` comments); reportc does the same, with the variables Manubot gives that do not
depend on the machine (no CI links, no software versions), in a sandbox with no files to
include, so a template never prints as text and never reads anything.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

from reportc.errors import Diagnostics
from reportc.paths import inside

CONTENT = "content"
METADATA = f"{CONTENT}/metadata.yaml"
STYLE = "build/assets/style.csl"
BUILD_SCRIPT = "build/build.sh"  # where a paper names its own template variables
_VARIABLES_OPTION = re.compile(r"--template-variables-path[= ]+[\"']?([^\s\"'\\]+)")
_NAMESPACE = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*)=(.+)")
# what a Manubot bibliography may be (its manual references); other files are not read
REFERENCE_SUFFIXES = (".bib", ".json", ".yaml", ".yml")
_TEMPLATE = re.compile(r"\{\{|\{%|\{##")
Origin = tuple[str, int]


def is_manubot(root: Path) -> bool:
    """A Manubot paper: ``content/metadata.yaml`` beside numbered ``content/*.md`` files."""
    return (root / METADATA).is_file() and any((root / CONTENT).glob("[0-9]*.md"))


def manubot_settings(root: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """report.yaml's chapters, bibliography, csl and silenced warnings as Manubot would
    have them (title and authors come from metadata.yaml as for any project that has one)."""
    content = root / CONTENT
    data: dict[str, Any] = {"chapters": [p.relative_to(root).as_posix()
                                         for p in sorted(content.glob("[0-9]*.md"))]}
    references = [p.relative_to(root).as_posix() for p in sorted(
        content.rglob("manual-references*.*")) if p.suffix.lower() in REFERENCE_SUFFIXES]
    if references:
        data["bibliography"] = references
    if (root / STYLE).is_file():
        data["csl"] = STYLE
    # Manubot numbers with pandoc-fignos, where "Figure @fig:x" is how one writes "Figure 1"
    # (reportc prints that too): the warning that the word is repeated would be wrong here
    data["silence"] = ["xref.word"]
    return data, {key: 1 for key in data}


def manubot_files(root: Path) -> list[str]:
    """The paper's files a build reads besides its text (for the no-change check): the
    build script and the variables files it names."""
    names = [BUILD_SCRIPT] if (root / BUILD_SCRIPT).is_file() else []
    return names + [name for _, _, name in variable_files(root) if "://" not in name
                    and inside((root / name).resolve(), root) and (root / name).is_file()]


def has_template(text: str) -> bool:
    return _TEMPLATE.search(text) is not None


def render_templates(root: Path, rel: str, text: str, origins: list[Origin], day: dt.date,
                     diag: Diagnostics) -> tuple[str, list[Origin]]:
    """``text`` (whose lines come from ``origins``) with its Jinja2 templates rendered as
    Manubot renders them, and where each resulting line comes from; a template Jinja2
    cannot read is an error at its line (the text is then left as it was)."""
    from jinja2 import TemplateSyntaxError

    unknown: list[str] = []
    try:
        rendered = _environment(unknown).from_string(text).render(
            **manubot_variables(root, day, diag))
    except TemplateSyntaxError as exc:
        where = origins[min(max(exc.lineno, 1), len(origins)) - 1] if origins else (rel, 1)
        diag.error(f"Manubot template: {exc.message}", *where)
        return text, origins
    except Exception as exc:  # a template runs code: any failure is the author's to mend
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        diag.error(f"Manubot template: {message} (reportc renders templates with metadata.yaml's "
                   "variables and the build's date)", *_failed_at(exc, text, origins, rel))
        return text, origins
    for name in dict.fromkeys(unknown):
        diag.warning(f"Manubot template variable '{name}' is not defined: it prints nothing "
                     "(reportc gives templates metadata.yaml's variables and the build's date, "
                     "not a CI service's)", *_first_template(text, origins, rel, name),
                     code="template.undefined")
    return rendered, moved_origins(text.split("\n"), origins, rendered.split("\n"))


def _environment(unknown: list[str]) -> Any:
    """Manubot's Jinja2 settings (``{## … ##}`` comments, the ``do`` and loop-control
    extensions), sandboxed: a template cannot reach Python's internals, and with no loader
    ``{% include %}`` finds nothing. An undefined variable printed is noted in ``unknown``
    (Manubot logs it; it prints nothing)."""
    from jinja2 import DictLoader, Undefined
    from jinja2.sandbox import SandboxedEnvironment

    class Noted(Undefined):
        def __str__(self) -> str:
            unknown.append(str(self._undefined_name))
            return ""

    return SandboxedEnvironment(loader=DictLoader({}), autoescape=False,
                                comment_start_string="{##",
                                comment_end_string="##}", keep_trailing_newline=True,
                                undefined=Noted,
                                extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"])


def manubot_variables(root: Path, day: dt.date, diag: Diagnostics | None = None
                      ) -> dict[str, Any]:
    """The variables Manubot's templates see, from metadata.yaml: ``pandoc`` (title,
    keywords, lang), ``manubot`` (date, date_long, generated_date_long: the build's date;
    authors with numbered affiliations, the manuscript's word count) and every other
    field of metadata.yaml as it is; then the files the paper's build script names with
    ``--template-variables-path`` (:func:`template_variables`)."""
    return {**_metadata_variables(root, day), **template_variables(root, diag)}


def _metadata_variables(root: Path, day: dt.date) -> dict[str, Any]:
    try:
        meta = yaml.safe_load((root / METADATA).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        meta = {}
    meta = dict(meta) if isinstance(meta, dict) else {}
    pandoc = {key: meta.pop(key) for key in ("title", "keywords", "lang") if key in meta}
    written = meta.pop("date", None)
    date = _date(written) or day
    manubot: dict[str, Any] = {
        "date": date.isoformat(), "date_long": _long(date), "generated": day.isoformat(),
        "generated_date_long": _long(day), "authors": _authors(meta.pop("authors", None)),
        "manuscript_stats": {"word_count": _word_count(root)}}
    _number_affiliations(manubot)
    for key, into in (("pandoc", pandoc), ("manubot", manubot)):
        extra = meta.pop(key, None)
        into.update(extra if isinstance(extra, dict) else {})
    return {**meta, "pandoc": pandoc, "manubot": manubot}


def variable_files(root: Path) -> list[tuple[str, int, str]]:
    """(namespace or "", line of build/build.sh, path or URL) of each
    ``--template-variables-path`` the paper's build script gives ``manubot process``."""
    try:
        lines = (root / BUILD_SCRIPT).read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return []
    found = []
    for number, line in enumerate(lines, start=1):
        for value in _VARIABLES_OPTION.findall(line.split("#")[0]):
            named = _NAMESPACE.fullmatch(value)
            found.append((named.group(1), number, named.group(2)) if named and "://" not in
                         value.split("=")[0] else ("", number, value))
    return found


def template_variables(root: Path, diag: Diagnostics | None) -> dict[str, Any]:
    """What the files named by :func:`variable_files` hold (JSON, YAML or TOML), each under
    its namespace or at the top level, as Manubot reads them; one that is a URL (a build
    fetches nothing), outside the report or unreadable is skipped with a warning at its
    line of build/build.sh, as Manubot skips one it cannot read."""
    variables: dict[str, Any] = {}
    for namespace, line, name in variable_files(root):
        data, problem = _variables_file(root, name)
        if problem and diag is not None:
            diag.warning(f"template variables '{name}' are not read: {problem}; the templates "
                         "that use them print nothing", BUILD_SCRIPT, line,
                         code="template.undefined")
        if namespace and data is not None:
            variables[namespace] = data
        elif isinstance(data, dict):
            variables.update(data)
    return variables


def _variables_file(root: Path, name: str) -> tuple[Any, str]:
    """A variables file's data, or why it is not read."""
    if "://" in name:
        return None, "a build fetches nothing (save the file in the report directory)"
    path = (root / name).resolve()
    if not inside(path, root):
        return None, "it is outside the report directory"
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() == ".toml":
            return tomllib.loads(text), ""
        return (json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)), ""
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        return None, f"{type(exc).__name__}: {exc}".split("\n")[0]


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _long(date: dt.date) -> str:
    return f"{date:%B} {date.day}, {date.year}"


def _authors(value: object) -> list[dict[str, Any]]:
    """Each author, with ``affiliations`` and ``funders`` as lists (Manubot splits a
    string of affiliations at ``; ``)."""
    authors = [dict(a) for a in value if isinstance(a, dict)] if isinstance(value, list) else []
    for author in authors:
        for key in ("affiliations", "funders"):
            given = author.get(key)
            if isinstance(given, str):
                author[key] = given.split("; ") if key == "affiliations" else [given]
    return authors


def _number_affiliations(manubot: dict[str, Any]) -> None:
    """Manubot's ``affiliations`` (each once, numbered) and each author's
    ``affiliation_numbers``."""
    listed = list(dict.fromkeys(a for author in manubot["authors"]
                                for a in author.get("affiliations") or []))
    if not listed:
        return
    numbers = {name: index for index, name in enumerate(listed, start=1)}
    for author in manubot["authors"]:
        author["affiliation_numbers"] = [numbers[a] for a in author.get("affiliations") or []]
    manubot["affiliations"] = [{"affiliation": a, "affiliation_number": n}
                               for a, n in numbers.items()]


def _word_count(root: Path) -> int:
    """Words in the manuscript's files, as Manubot counts them (before templating)."""
    return sum(len(path.read_text(encoding="utf-8-sig", errors="replace").split())
               for path in sorted((root / CONTENT).glob("[0-9]*.md")))


def _failed_at(exc: BaseException, text: str, origins: list[Origin], rel: str) -> Origin:
    """Where a template failed while rendering: the last line of the template in the
    traceback (Jinja2 rewrites it to the template's own lines), else its first tag."""
    line, trace = 0, exc.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == "<template>":
            line = trace.tb_lineno
        trace = trace.tb_next
    if 0 < line <= len(origins):
        return origins[line - 1]
    return _first_template(text, origins, rel)


def _first_template(text: str, origins: list[Origin], rel: str, name: str = "") -> Origin:
    """The origin of the first line holding a template tag (and ``name``): where a problem
    the template engine gives no line for is reported."""
    for number, line in enumerate(text.split("\n")):
        if has_template(line) and name in line and number < len(origins):
            return origins[number]
    return origins[0] if origins else (rel, 1)


def moved_origins(before: list[str], origins: list[Origin], after: list[str]
                  ) -> list[Origin]:
    """Where each line of ``after`` comes from, given ``before``'s origins: a line kept is
    its line; in a stretch a template changed, the first lines are taken as the first
    lines written and the last as the last (a loop repeats its middle), so a line printed
    after a loop is still the line written after it."""
    moved: list[Origin] = []  # blank lines anchor nothing: a template leaves many
    matcher = difflib.SequenceMatcher(lambda line: not line.strip(), before, after,
                                      autojunk=False)
    for tag, first, last, start, end in matcher.get_opcodes():
        if tag == "equal":
            moved += origins[first:last]
        elif first == last:  # lines added (none written there)
            moved += [origins[min(first, len(origins) - 1)]] * (end - start)
        else:
            moved += [origins[_nearer_end(index - start, end - 1 - index, first, last)]
                      for index in range(start, end)]
    return moved


def _nearer_end(from_start: int, from_end: int, first: int, last: int) -> int:
    """The written line of a changed line ``from_start`` lines into its stretch and
    ``from_end`` before its end, the stretch written at lines ``first`` to ``last``."""
    if from_end < from_start:
        return max(first, last - 1 - from_end)
    return min(last - 1, first + from_start)
