"""Quarto's project profiles: which are active, and ``_quarto.yml`` with theirs merged in.

A Quarto project makes several versions of itself from one source (a basic and an
advanced book, a draft, one per audience) with profiles, and reportc reads them as
quarto-cli does (``src/project/project-profile.ts``):

- the active profiles are ``reportc --profile a,b``, else the ``QUARTO_PROFILE``
  environment variable, else the one the project's ``_environment.local`` or
  ``_environment`` file sets, else ``profile: default:`` of ``_quarto.yml.local``, else
  of ``_quarto.yml`` (names split at commas and spaces); then each ``profile: group:``
  (a list of names, or a list of such lists) none of whose names is active adds its first;
- ``_quarto-NAME.yml`` (or ``.yaml``) of each active profile is merged over
  ``_quarto.yml``, the last named first so that the first wins, then ``_quarto.yml.local``:
  mappings merge key by key, a value replaces a value, and a list is *extended* by the
  profile's list (an item already there is not repeated), as quarto-cli's merge does: a
  profile's ``book: chapters:`` adds chapters. A profile with no file is still active
  (its ``when-profile`` content shows), as in Quarto.

Each key and list item keeps the file and line it was written at (:class:`Layered`), so
that a problem in a profile's file is reported there.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportc.project.settings import ReportConfig

PROFILE_ENV = "QUARTO_PROFILE"
ENVIRONMENT_FILES = ("_environment.local", "_environment")  # dotenv files; the first wins
LOCAL_FILES = ("_quarto.yml.local", "_quarto.yaml.local")
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?QUARTO_PROFILE\s*=\s*(.*?)\s*$")
# reads a YAML file of the project: its data and the line of every key (quarto.load_yaml)
Loader = Callable[[Path, str], tuple[Any, dict[str, int]]]


@dataclass
class Layered:
    """``_quarto.yml``'s settings with the active profiles' merged in: the data, the line
    of every key and list item (``book.chapters[3]``) and, for those written in another
    file than ``_quarto.yml``, that file."""

    data: dict[str, Any]
    lines: dict[str, int]
    origins: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # the profile and local files read


def profile_names(text: str | None) -> list[str]:
    """The profile names of ``--profile``'s or ``QUARTO_PROFILE``'s value (``"a,b"``)."""
    return [name for name in re.split(r"[ ,]+", text or "") if name]


def active_profiles(root: Path, data: dict[str, Any], given: str | None,
                    local: dict[str, Any] | None = None) -> list[str]:
    """The active profiles of the project in ``root`` (``data``: its ``_quarto.yml``;
    ``given``: ``--profile``'s value, None if not given; ``local``: its
    ``_quarto.yml.local``), in order, each once."""
    chosen = given or os.environ.get(PROFILE_ENV) or _environment_profile(root) or \
        _default(local or {}) or _default(data)
    active = profile_names(chosen)
    for group in _groups(data):
        if not any(name in active for name in group):
            active.append(group[0])
    return list(dict.fromkeys(active))


def _default(data: dict[str, Any]) -> str:
    """``profile: default:`` (a name, a comma-separated list or a list of names)."""
    profile = data.get("profile")
    value = profile.get("default") if isinstance(profile, dict) else None
    if isinstance(value, list):
        return ",".join(str(name) for name in value)
    return value if isinstance(value, str) else ""


def _groups(data: dict[str, Any]) -> list[list[str]]:
    """``profile: group:``: one group (a list of names) or several (a list of lists)."""
    profile = data.get("profile")
    value = profile.get("group") if isinstance(profile, dict) else None
    if not isinstance(value, list) or not value:
        return []
    if all(isinstance(name, str) for name in value):
        return [value]
    if all(isinstance(group, list) and group for group in value):
        return [[str(name) for name in group] for group in value]
    return []


def _environment_profile(root: Path) -> str:
    """``QUARTO_PROFILE=`` in the project's dotenv files (``_environment.local`` first);
    no other line of them is read."""
    for name in ENVIRONMENT_FILES:
        path = root / name
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            found = _ENV_LINE.match(line)
            if found and (value := found.group(1).strip("'\"")):
                return value
    return ""


def local_file(root: Path) -> str:
    """The project's ``_quarto.yml.local`` (its name), "" if it has none."""
    return next((name for name in LOCAL_FILES if (root / name).is_file()), "")


def profile_file(root: Path, name: str) -> str:
    """The file of profile ``name`` (``_quarto-name.yml``), "" if it has none (or the
    name holds a path: no file outside the project's folder is read)."""
    if "/" in name or "\\" in name:
        return ""
    return next((file for file in (f"_quarto-{name}.yml", f"_quarto-{name}.yaml")
                 if (root / file).is_file()), "")


def layered(root: Path, base: Layered, profiles: list[str], load: Loader) -> Layered:
    """``base`` (``_quarto.yml`` read) with each active profile's file and the local file
    merged over it, each read by ``load`` (an invalid one is an error at its line)."""
    names = [file for file in (profile_file(root, name) for name in reversed(profiles)) if file]
    for name in [*names, *filter(None, [local_file(root)])]:
        data, lines = load(root, name)
        _merge(base, base.data, data, "", lines, name)
        base.files.append(name)
    return base


def _merge(into: Layered, target: dict[str, Any], source: dict[str, Any], path: str,
           lines: dict[str, int], file: str) -> None:
    """Merge ``source`` (written in ``file``, at ``lines``) into ``target`` (the mapping at
    ``path`` of ``into.data``), as lodash's mergeWith with quarto-cli's customiser does."""
    for key, value in source.items():
        at = f"{path}.{key}" if path else str(key)
        old = target.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            _merge(into, old, value, at, lines, file)
            continue
        if isinstance(old, list) or isinstance(value, list):
            if not old or not value:  # one of them empty or null: the other
                if value:
                    _replace(into, target, key, value, at, lines, file)
                continue
            _extend(into, target, key, value, at, lines, file)
            continue
        _replace(into, target, key, value, at, lines, file)


def _under(key: str, at: str) -> bool:
    return key == at or key.startswith((f"{at}.", f"{at}["))


def _replace(into: Layered, target: dict[str, Any], key: str, value: Any, at: str,
             lines: dict[str, int], file: str) -> None:
    """``value`` replaces what ``target`` held at ``key`` (lines and files with it)."""
    target[key] = value
    for name in [name for name in into.lines if _under(name, at)]:
        del into.lines[name]
        into.origins.pop(name, None)
    for name, line in lines.items():
        if _under(name, at):
            into.lines[name], into.origins[name] = line, file


def _extend(into: Layered, target: dict[str, Any], key: str, value: Any, at: str,
            lines: dict[str, int], file: str) -> None:
    """The list at ``key`` extended by ``value``'s items not in it already (a scalar on
    either side is a list of one); each new item keeps its file and line."""
    old = target[key] if isinstance(target[key], list) else [target[key]]
    new = value if isinstance(value, list) else [value]
    seen = {json.dumps(item, sort_keys=True, default=str) for item in old}
    merged = list(old)
    for index, item in enumerate(new):
        text = json.dumps(item, sort_keys=True, default=str)
        if text in seen:
            continue
        seen.add(text)
        own = f"{at}[{index}]"
        moved = f"{at}[{len(merged)}]"
        for name, line in lines.items():
            if _under(name, own):
                into.lines[moved + name[len(own):]] = line
                into.origins[moved + name[len(own):]] = file
        merged.append(item)
    target[key] = merged


def read_local(root: Path, load: Loader) -> dict[str, Any]:
    """``_quarto.yml.local``'s settings ({} if there is none)."""
    name = local_file(root)
    return load(root, name)[0] if name else {}



def chapter_profiles(text: str, config: ReportConfig | None) -> tuple[str, ...]:
    """The active profiles, for a chapter whose conditions may name one (``Chapter.profiles``;
    another chapter's cached record keeps its key whatever the profiles)."""
    return tuple(config.profiles) if config is not None and "-profile=" in text else ()


def project_meta(config: ReportConfig | None) -> dict[str, Any] | None:
    """A Quarto project's settings with its active profiles' merged in, for what
    ``{{< meta >}}`` and ``when-meta`` read under a chapter's front matter (None: read
    ``_quarto.yml``, if any, as it is)."""
    return config.quarto_meta if config is not None else None


def said(root: Path, profiles: list[str]) -> str:
    """The active profiles as the build names them: a profile with no file of its own is
    allowed, as in Quarto, but said (a name mistyped on the command line shows)."""
    return ", ".join(name if profile_file(root, name) else f"{name} (no _quarto-{name}.yml)"
                     for name in profiles)
