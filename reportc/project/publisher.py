"""Publisher's matter in ``report.yaml``: logo, identifiers, licence, imprint texts, lists.

Everything here is validated with the line it comes from (``report.yaml:LINE: ...``): a DOI,
ISBN, ISSN or ORCID iD with a typo would otherwise be printed on the imprint and carried in
the metadata that reference managers copy.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from reportc.project.listing import Err

LIST_KINDS = ("figures", "tables", "takeaways")
LOGO_TYPES = (".svg", ".png")


@dataclass(frozen=True)
class Licence:
    """An SPDX licence as a reader needs it: its id, full name and where to read it."""

    spdx: str
    name: str
    url: str


_CC = "https://creativecommons.org/licenses/"
LICENCES = {lic.spdx: lic for lic in [
    Licence("CC-BY-4.0", "Creative Commons Attribution 4.0 International", _CC + "by/4.0/"),
    Licence("CC-BY-SA-4.0", "Creative Commons Attribution-ShareAlike 4.0 International",
            _CC + "by-sa/4.0/"),
    Licence("CC-BY-NC-4.0", "Creative Commons Attribution-NonCommercial 4.0 International",
            _CC + "by-nc/4.0/"),
    Licence("CC-BY-NC-SA-4.0",
            "Creative Commons Attribution-NonCommercial-ShareAlike 4.0 International",
            _CC + "by-nc-sa/4.0/"),
    Licence("CC-BY-ND-4.0", "Creative Commons Attribution-NoDerivatives 4.0 International",
            _CC + "by-nd/4.0/"),
    Licence("CC-BY-NC-ND-4.0",
            "Creative Commons Attribution-NonCommercial-NoDerivatives 4.0 International",
            _CC + "by-nc-nd/4.0/"),
    Licence("CC-BY-3.0", "Creative Commons Attribution 3.0 Unported", _CC + "by/3.0/"),
    Licence("CC-BY-SA-3.0", "Creative Commons Attribution-ShareAlike 3.0 Unported",
            _CC + "by-sa/3.0/"),
    Licence("CC0-1.0", "Creative Commons Zero v1.0 Universal",
            "https://creativecommons.org/publicdomain/zero/1.0/"),
    Licence("OGL-UK-3.0", "Open Government Licence v3.0",
            "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"),
    Licence("MIT", "MIT License", "https://opensource.org/licenses/MIT"),
    Licence("Apache-2.0", "Apache License 2.0", "https://www.apache.org/licenses/LICENSE-2.0"),
    Licence("GFDL-1.3-or-later", "GNU Free Documentation License v1.3 or later",
            "https://www.gnu.org/licenses/fdl-1.3.html"),
]}


@dataclass(frozen=True)
class Logo:
    path: str  # relative to the report directory, POSIX
    alt: str
    file: Path  # absolute


@dataclass
class Publisher:
    """The validated publisher's matter; empty strings where ``report.yaml`` says nothing."""

    logo: Logo | None = None
    doi: str = ""
    isbn: str = ""
    issn: str = ""
    licence: Licence | None = None
    copyright: str = ""
    disclaimer: str = ""
    funding: str = ""
    acknowledgements: Path | None = None
    lists: list[str] = field(default_factory=list)
    url: str = ""  # where the web edition is published: metadata URLs are made absolute

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def has_imprint(self) -> bool:
        """Whether the report sets anything for an imprint page (then it also says how
        to cite the report); a report that sets none keeps the back of its cover blank."""
        return bool(self.copyright or self.licence or self.doi or self.isbn or self.issn
                    or self.disclaimer or self.funding or self.acknowledgements)

    def files(self) -> list[Path]:
        """Files the outputs depend on besides the chapters (for the build's fingerprint)."""
        return [p for p in (self.acknowledgements, self.logo and self.logo.file) if p]


def _web_address(value: Any, err: Err) -> str:
    """``url:``: the address of the published web edition (an absolute http(s) URL)."""
    if value is None:
        return ""
    url = str(value).strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
        err("url", f"url '{value}' is not an absolute http(s) address of the web edition")
        return ""
    return url


def _plain(value: Any, key: str, err: Err) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        err(key, f"'{key}' must be text, not a {type(value).__name__}")
        return ""
    return " ".join(str(value).split())


def _inside_file(root: Path, name: str, key: str, err: Err) -> Path | None:
    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()):
        err(key, f"'{name}' is outside the report directory")
    elif any(part.startswith(".") for part in path.relative_to(root.resolve()).parts):
        err(key, f"'{name}' is a hidden file")
    elif not path.is_file():
        err(key, f"{key} file '{name}' not found")
    else:
        return path
    return None


def check_logo(root: Path, value: Any, org: str, err: Err) -> Logo | None:
    """``logo: file.svg`` or ``logo: {file: ..., alt: ...}``; alt text defaults to the
    organisation's name, since the logo stands for it."""
    if value is None:
        return None
    if isinstance(value, dict):
        name, alt = value.get("file"), value.get("alt")
    else:
        name, alt = value, None
    if not isinstance(name, str) or (alt is not None and not isinstance(alt, str)):
        err("logo", "'logo' must be a file name or {file: logo.svg, alt: text}")
        return None
    if Path(name).suffix.lower() not in LOGO_TYPES:
        err("logo", f"logo '{name}' must be an SVG or PNG file")
        return None
    path = _inside_file(root, name, "logo", err)
    if path is None:
        return None
    alt = " ".join((alt or (f"{org} logo" if org else "")).split())
    if not alt:
        err("logo", "the logo needs alt text: logo: {file: ..., alt: ...} (or set organisation)")
    return Logo(path.relative_to(root.resolve()).as_posix(), alt, path)


def _doi(value: Any, err: Err) -> str:
    if value is None:
        return ""
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", str(value).strip(), flags=re.I)
    if not re.fullmatch(r"10\.\d{4,9}/\S+", doi):
        err("doi", f"doi '{value}' is not a DOI (10.NNNN/suffix)")
        return ""
    return doi


def _checked(value: Any, key: str, valid: Callable[[str], bool], what: str,
             err: Err) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    if not valid(text):
        err(key, f"{key} '{text}' is not {what} with a correct check digit")
        return ""
    return text


def _valid_isbn(text: str) -> bool:
    digits = re.sub(r"[\s-]", "", text).upper()
    if re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits))
        return total % 11 == 0
    if re.fullmatch(r"97[89]\d{10}", digits):
        return sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(digits)) % 10 == 0
    return False


def _valid_issn(text: str) -> bool:
    match = re.fullmatch(r"(\d{4})-?(\d{3}[\dXx])", text)
    if not match:
        return False
    digits = (match.group(1) + match.group(2)).upper()
    total = sum((8 - i) * int(c) for i, c in enumerate(digits[:7]))
    check = (11 - total % 11) % 11
    return digits[7] == ("X" if check == 10 else str(check))


def valid_orcid(text: str) -> bool:
    """ISO 7064 MOD 11-2, as ORCID computes its check character."""
    if not re.fullmatch(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]", text):
        return False
    total = 0
    for char in text.replace("-", "")[:15]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    return text[-1] == ("X" if check == 10 else str(check))


def _licence(value: Any, key: str, err: Err) -> Licence | None:
    if value is None:
        return None
    spdx = str(value).strip()
    found = {k.lower(): lic for k, lic in LICENCES.items()}.get(spdx.lower())
    if found is None:
        near = difflib.get_close_matches(spdx, list(LICENCES), n=1)
        hint = f" (did you mean {near[0]}?)" if near else ""
        err(key, f"{key} '{spdx}' is not a known SPDX licence id{hint}; "
                 f"known: {', '.join(LICENCES)}")
    return found


def _markdown_file(root: Path, value: Any, key: str, err: Err) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.lower().endswith((".md", ".markdown")):
        err(key, f"'{key}' must name a Markdown file (e.g. acknowledgements.md)")
        return None
    return _inside_file(root, value, key, err)


def _lists(value: Any, err: Err) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        err("lists", f"'lists' must be a list of {', '.join(LIST_KINDS)}")
        return []
    for kind in value:
        if kind not in LIST_KINDS:
            err("lists", f"unknown list '{kind}' (lists: {', '.join(LIST_KINDS)})")
    return [kind for kind in LIST_KINDS if kind in value]



# The check of each publisher's key of report.yaml (reportc.project.schema names them):
# (report directory, value, the key as written, err) -> the value the report uses.
CHECKS: dict[str, Callable[[Path, Any, str, Err], Any]] = {
    "doi": lambda root, value, key, err: _doi(value, err),
    "isbn": lambda root, value, key, err: _checked(value, key, _valid_isbn,
                                                   "an ISBN-10 or ISBN-13", err),
    "issn": lambda root, value, key, err: _checked(value, key, _valid_issn,
                                                   "an ISSN (1234-567X)", err),
    "licence": lambda root, value, key, err: _licence(value, key, err),
    "copyright": lambda root, value, key, err: _plain(value, key, err),
    "disclaimer": lambda root, value, key, err: _plain(value, key, err),
    "funding": lambda root, value, key, err: _plain(value, key, err),
    "acknowledgements": _markdown_file,
    "lists": lambda root, value, key, err: _lists(value, err),
    "url": lambda root, value, key, err: _web_address(value, err),
}
