"""The checks of report.yaml's keys, one function per kind of value.

:mod:`reportc.project.schema` names a check for every key; each takes the run's
:class:`Context` and the key, reports a problem at the line the key is written on (in
report.yaml, or in _quarto.yml when the setting comes from the project) and returns the
value the report uses, or the key's default when the written one cannot be used.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from reportc.errors import WARNING_CODES
from reportc.paths import inside
from reportc.project import publisher as pub
from reportc.project.language import Words, words_for
from reportc.project.listing import Err, Listed, listed_chapters
from reportc.project.macros import definitions, without_comments
from reportc.project.markdown import Definition, nocite_keys
from reportc.project.settings import CONFIG_NAME, LANG_PATTERN, PAPER_SIZES, Author, Context, Key
from reportc.project.words import ALIASES, ENGLISH


def _default(ctx: Context, key: Key) -> Any:
    return key.default(ctx) if callable(key.default) else key.default


def text(ctx: Context, key: Key) -> str:
    """Text, under the key's name or else an alias (``organization``); it must match the
    key's pattern when it has one (a slug, a language tag)."""
    value = ""
    for name in (key.name, *key.aliases):
        value = _text(ctx.data, name, ctx.err, key.required)
        if value:
            break
    value = value or _default(ctx, key)
    if key.pattern and value and not re.fullmatch(key.pattern, value):
        ctx.err(key.name, key.message.format(value=value))
    return value


def choice(ctx: Context, key: Key) -> str:
    """One of the key's choices (any case); another word is an error and the default."""
    value = (_text(ctx.data, key.name, ctx.err) or _default(ctx, key)).lower()
    if value and value not in key.choices:
        ctx.err(key.name, key.message.format(value=value))
        return _default(ctx, key)
    return value


def text_list(ctx: Context, key: Key) -> list[str]:
    return _string_list(ctx.data, key.name, ctx.err)


def mapping(ctx: Context, key: Key) -> dict[str, Any]:
    """A mapping passed on as it is (Vega-Lite's config for ``charts``)."""
    value = ctx.data.get(key.name) or {}
    if not isinstance(value, dict):
        ctx.err(key.name, key.message)
        return {}
    return value


def flags(ctx: Context, key: Key) -> bool:
    """A true/false setting under two spellings: false if either says false (the one
    after a false is not read)."""
    return all(_flag(ctx.data, name, ctx.err) for name in (key.name, *key.aliases))


def paper(ctx: Context, key: Key) -> str:
    value = ctx.data.get(key.name, key.default)
    size = PAPER_SIZES.get(str(value).lower())
    if size is None:
        ctx.err(key.name, key.message.format(value=value))
        return key.default
    return size


def date(ctx: Context, key: Key) -> dt.date | None:
    value = ctx.data.get(key.name)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    found = read_date(str(value))
    month = _MONTH_YEAR.fullmatch(str(value).strip().lower()) if found is None else None
    if month and (number := _MONTHS.get(month.group(1))):
        ctx.config.date_month_only = True  # "January 2024": printed without a day
        return dt.date(int(month.group(2)), number, 1)
    if found is None:
        ctx.err(key.name, f"date '{value}' must be written as YYYY-MM-DD")
    return found


# month names (and their short forms) of the languages reports are written in most
_MONTH_NAMES = (
    "january jan janvier janv januar jän enero ene gennaio gen janeiro januari",
    "february feb février févr februar febrero febbraio fev fevereiro februari",
    "march mar mars märz marzo março maart",
    "april apr avril abril aprile abr",
    "may mai mayo maggio mag maio mei",
    "june jun juin juni junio giugno giu junho",
    "july jul juillet juil juli julio luglio lug julho",
    "august aug août agosto ago augustus",
    "september sep sept septembre septiembre settembre set setembro",
    "october oct octobre oktober octubre ottobre ott outubro out",
    "november nov novembre noviembre novembro",
    "december dec décembre déc dezember dez diciembre dic dicembre dezembro")
_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, start=1)
           for name in names.split()}
_MONTH_YEAR = re.compile(r"([^\W\d_]+)\.?\s+(\d{4})")  # a thesis's "January 2024"
_NUMERIC = re.compile(r"(\d{1,4})([/.-])(\d{1,2})\2(\d{1,4})")
_WORDS = re.compile(r"(?:(\d{1,2})(?:\.|er)?\s+(?:de\s+)?([^\W\d_]+)\.?(?:\s+de)?|"
                    r"([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?)\s+(\d{4})")


def read_date(text: str) -> dt.date | None:
    """A date as Quarto and Bookdown projects write it: ``2026-01-15``, ``2026/01/15``,
    ``1/15/2026`` (month first, as Quarto reads it, unless the first number is over 12),
    ``15.01.2026`` (day first), ``January 15, 2026``, ``15 Jan 2026``, ``20. Juli 2025``,
    ``3 de marzo de 2026`` (month names in English, French, German, Spanish, Italian,
    Portuguese and Dutch); ``None`` if none."""
    text = text.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    numeric, words = _NUMERIC.fullmatch(text), _WORDS.fullmatch(text.lower())
    try:
        if numeric:
            first, separator, middle, last = numeric.groups()
            if len(first) == 4:
                return dt.date(int(first), int(middle), int(last))
            day_first = separator == "." or int(first) > 12
            month, day = (middle, first) if day_first else (first, middle)
            return dt.date(int(last), int(month), int(day)) if len(last) == 4 else None
        if words and (month := _MONTHS.get(words.group(2) or words.group(3) or "")):
            return dt.date(int(words.group(5)), month, int(words.group(1) or words.group(4)))
    except ValueError:
        return None
    return None


def authors(ctx: Context, key: Key) -> list[Author]:
    value = ctx.data.get(key.name)
    if value is None:
        return []
    if not isinstance(value, list):
        ctx.err(key.name, "'authors' must be a list of {name, affiliation}")
        return []
    found = []
    for index, item in enumerate(value):
        if isinstance(item, str):
            found.append(Author(item))
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            found.append(_author(item, f"authors[{index}]", ctx.err,
                                 tuple(field.name for field in key.keys)))
        else:
            ctx.err(f"authors[{index}]",
                    "each author needs a 'name' (and optionally 'affiliation')")
    return found


def _author(item: dict, where: str, err: Err, known: tuple[str, ...]
            ) -> Author:
    """One author with the publisher's fields (``known``, the schema's order); bad values
    are located on their own line."""
    fields = {}
    for key, value in item.items():
        if key not in known:
            err(f"{where}.{key}", f"unknown author field '{key}' ({', '.join(known)})")
        elif isinstance(value, (dict, list)):
            err(f"{where}.{key}", f"author '{key}' must be text")
        elif value is not None:
            fields[key] = " ".join(str(value).split())
    orcid = re.sub(r"^https?://orcid\.org/", "", fields.get("orcid", ""))
    if orcid and not pub.valid_orcid(orcid):
        err(f"{where}.orcid", f"orcid '{orcid}' is not an ORCID iD (0000-0002-1825-0097; "
                              "the last character is a check digit)")
        orcid = ""
    email = fields.get("email", "")
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        err(f"{where}.email", f"email '{email}' is not an e-mail address")
        email = ""
    return Author(fields["name"], fields.get("affiliation", ""), fields.get("bio", ""), orcid,
                  email, fields.get("role", ""))


def chapters(ctx: Context, key: Key) -> list[Listed] | None:
    """The chapters and appendices as listed, parts kept (``None``: none listed)."""
    return listed_chapters(ctx.data, ctx.lines, ctx.files, ctx.root, ctx.err)


def crossref(ctx: Context, key: Key) -> dict[str, str]:
    """Quarto's ``crossref: fig-prefix: Fig.`` as the word each kind's label takes."""
    value = ctx.data.get(key.name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        ctx.err(key.name, "'crossref' must be a mapping such as fig-prefix: Fig.")
        return {}
    return {str(k).removesuffix("-prefix"): str(v) for k, v in value.items()
            if str(k).endswith("-prefix") and isinstance(v, (str, int))}


def attachments(ctx: Context, key: Key) -> list[str]:
    """The files chapters may attach to the PDF (``[x](file){rel=attachment}``)."""
    names = []
    for name in _string_list(ctx.data, key.name, ctx.err):
        path = _inside(ctx, name, key.name)
        if path is None:
            continue
        relative = path.relative_to(ctx.root.resolve())
        if any(part.startswith(".") for part in relative.parts):
            ctx.err(key.name, f"attachment '{name}' is a hidden file; those are never attached")
        elif not path.is_file():
            ctx.err(key.name, f"attachment '{name}' not found")
        else:
            names.append(relative.as_posix())
    return names


def bibliographies(ctx: Context, key: Key) -> list[Path]:
    """One file or a list of them (BibTeX, biblatex, CSL JSON, CSL YAML); without the
    setting, references.bib if there is one."""
    if key.name not in ctx.data:
        default = ctx.root / key.default
        return [default.resolve()] if default.is_file() else []
    value = ctx.data[key.name]
    names = value if isinstance(value, list) else [value]
    if not names or not all(isinstance(name, str) and name.strip() for name in names):
        ctx.err(key.name, "'bibliography' must be a file name or a list of file names")
        return []
    paths: list[Path] = []
    for index, name in enumerate(names):
        where = f"bibliography[{index}]" if isinstance(value, list) else "bibliography"
        path = _inside(ctx, name.strip(), where)
        if path is None:
            continue
        if not path.is_file():
            ctx.err(where, f"bibliography file '{name}' not found")
        elif path in paths:
            ctx.err(where, f"bibliography file '{name}' is listed twice")
        else:
            paths.append(path)
    return paths


def sources(ctx: Context, key: Key) -> dict[str, list[str]]:
    """``sources: {KEY: file}`` (or a list of files): where an entry's source text is, a
    path inside the report or in a folder given with ``--sources`` (reportc.evidence)."""
    value = ctx.data.get(key.name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        ctx.err(key.name, "'sources' must map entry keys to files, e.g. {lee2022: lee.pdf}")
        return {}
    found = {}
    for entry, files in value.items():
        names = [files] if isinstance(files, str) else files
        if not isinstance(names, list) or not names or \
                not all(isinstance(name, str) and name.strip() for name in names):
            ctx.err(f"sources.{entry}", f"sources: '{entry}' must name a file or a list of files")
            continue
        found[str(entry)] = [name.strip() for name in names]
    return found


def brief(ctx: Context, key: Key) -> str:
    """``brief: {figure: fig-x}``: the id of the figure or table the policy brief shows."""
    value = ctx.data.get(key.name)
    if value is None:
        return ""
    figure = value.get("figure") if isinstance(value, dict) else None
    unknown = sorted(set(value) - {field.name for field in key.keys}) \
        if isinstance(value, dict) else []
    if not isinstance(value, dict) or unknown or not isinstance(figure, str | None):
        ctx.err(key.name, "brief takes one setting, figure: the id of a figure or table "
                          "(brief: {figure: fig-x})")
        return ""
    return (figure or "").lstrip("#")


def silence(ctx: Context, key: Key) -> list[str]:
    """The warning codes to drop; an unknown code is an error at its line (always in
    report.yaml: a project's file has no such setting)."""
    value = ctx.data.get(key.name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        ctx.diag.error("'silence' must be a list of warning codes, e.g. [bib.unused]",
                       CONFIG_NAME, ctx.lines.get("silence", 1))
        return []
    for index, code in enumerate(value):
        if code not in WARNING_CODES:
            ctx.diag.error(f"unknown warning code '{code}' in 'silence' (known: "
                           f"{', '.join(sorted(WARNING_CODES))})", CONFIG_NAME,
                           ctx.lines.get(f"silence[{index}]") or ctx.lines.get("silence", 1))
    return [code for code in value if code in WARNING_CODES]


def logo(ctx: Context, key: Key) -> pub.Logo | None:
    """The logo's alt text defaults to the organisation's name (checked before it)."""
    return pub.check_logo(ctx.root, ctx.data.get(key.name), ctx.config.organisation, ctx.err)


def publisher_key(ctx: Context, key: Key) -> Any:
    """A publisher's key (``doi``, ``licence``, ...) checked by publisher.py's check of
    that name, under the key's name or else its alias (``license``)."""
    name = next((n for n in (key.name, *key.aliases) if n in ctx.data), key.name)
    found = pub.CHECKS[key.name](ctx.root, ctx.data.get(name), name, ctx.err)
    return found if found is not None else key.default


def _text(data: dict, key: str, err: Err, required: bool = False
          ) -> str:
    value = data.get(key)
    if value is None:
        if required:
            err(key, f"'{key}' is required")
        return ""
    if isinstance(value, (dict, list)):
        err(key, f"'{key}' must be text, not a {type(value).__name__}")
        return ""
    return str(value).strip()


def _string_list(data: dict, key: str, err: Err) -> list[str]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        err(key, f"'{key}' must be a list of text items")
        return []
    return [str(v) for v in value]


def _flag(data: dict, key: str, err: Err) -> bool:
    """A true/false setting that is true unless it says false."""
    value = data.get(key, True)
    if not isinstance(value, bool):
        err(key, f"'{key}' must be true or false")
        return True
    return value


def _inside(ctx: Context, name: str, key: str) -> Path | None:
    """Resolve ``name`` against the report directory and refuse anything outside it."""
    candidate = (ctx.root / name).resolve()
    if not inside(candidate, ctx.root):
        ctx.err(key, f"'{name}' is outside the report directory")
        return None
    return candidate


def language(ctx: Context, key: Key) -> Words:
    """``language:``: reportc's own words over ``lang``'s (a mapping, or a YAML file in
    the report holding one); an unknown key is a warning, a word the language has no
    translation for another (it prints in English)."""
    value = ctx.data.get(key.name)
    if isinstance(value, str):
        value = _language_file(ctx, key, value)
    if value is not None and not isinstance(value, dict):
        ctx.err(key.name, "'language' must be a mapping such as toc-title-document: Inhalt, "
                          "or a YAML file holding one")
        value = None
    own = {str(k): str(v) for k, v in (value or {}).items() if isinstance(v, (str, int, float))}
    for name in own:
        if ALIASES.get(name, name) not in ENGLISH:
            ctx.diag.warning(f"language: unknown word '{name}' (ignored); the words are listed "
                             "in the manual's Languages section", ctx.files.get(key.name,
                             CONFIG_NAME), ctx.lines.get(key.name), code="config.unknown")
    if "section-title-references" in own and not ctx.config.references_title:
        ctx.config.references_title = own["section-title-references"]
    found = words_for(ctx.config.lang, own, ctx.config.crossref)
    if found.missing and re.fullmatch(LANG_PATTERN, ctx.config.lang):
        ctx.diag.warning(
            f"lang '{ctx.config.lang}': {len(found.missing)} of reportc's own words have no "
            f"translation and print in English ({', '.join(found.missing[:3])}, ...): set "
            "them under 'language:'", ctx.files.get("lang", CONFIG_NAME),
            ctx.lines.get("lang"), code="language.missing")
    return found


def _language_file(ctx: Context, key: Key, name: str) -> Any:
    """The mapping a ``language: words.yml`` file holds (``None`` after an error)."""
    import yaml  # only for a report that keeps its words in a file

    path = _inside(ctx, name, key.name)
    if path is None:
        return None
    ctx.config.setting_files.append(name)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        ctx.err(key.name, f"language file '{name}' not found")
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        ctx.err(key.name, f"language file '{name}' cannot be read: "
                          f"{str(exc).splitlines()[0]}")
    return None


def header_files(ctx: Context, key: Key) -> list[Definition]:
    """The macro definitions of ``include-in-header`` files and ``header-includes`` text:
    a pandoc thesis keeps its ``\\DeclareMathOperator`` lines in the LaTeX preamble it
    passes with ``-H``. Only definitions are read (reportc runs no LaTeX), comments left out."""
    texts = _one_or_list(ctx, "header-includes")
    for name in _one_or_list(ctx, key.name):
        path = _inside(ctx, name, key.name)
        if path is None:
            continue
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            ctx.err(key.name, f"'{name}' not found")
        except (OSError, UnicodeDecodeError):
            ctx.err(key.name, f"'{name}' cannot be read as UTF-8 text")
        else:
            ctx.config.setting_files.append(name)
    return [found for text in texts
            for found in definitions(without_comments(text))]


def _one_or_list(ctx: Context, key: str) -> list[str]:
    """A setting written as one text or as a list of texts."""
    value = ctx.data.get(key)
    return [value] if isinstance(value, str) else _string_list(ctx.data, key, ctx.err)


def nocite(ctx: Context, key: Key) -> list[str]:
    """``nocite: "@*"`` (or ``"@a, @b"``, a list): entries listed though not cited."""
    value = ctx.data.get(key.name)
    keys = nocite_keys(value)
    if value is not None and not keys:
        ctx.err(key.name, "'nocite' must name entries as pandoc writes them: \"@key1, @key2\" "
                          "or \"@*\" for every entry")
    return keys
