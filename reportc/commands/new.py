"""``reportc new DIR``: start a report that builds with ``--strict`` at once.

The files come from the ``scaffold/`` folder shipped beside this module (package data):
settings, a bibliography with entries of several types, a summary with takeaways, a chapter
with a figure, a table, a note and cross-references, a ``.gitignore`` and a GitHub Actions
workflow that installs a pinned reportc and checks, builds and releases the report.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from importlib import metadata, resources
from importlib.abc import Traversable
from pathlib import Path

from reportc.project.schema import commented
from reportc.project.slug import slugify
from reportc.version import __version__

SCAFFOLD = resources.files("reportc.commands") / "scaffold"
# Scaffold files stored under another name (package data skips dot files).
RENAMED = {"gitignore": ".gitignore", "report.yml": ".github/workflows/report.yml"}
PLACEHOLDER = re.compile(r"\{\{(title|title_yaml|slug|reportc_pin|system_packages)\}\}")


def parse_new_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="reportc new",
        description="Create a report directory that builds at once: report.yaml, "
                    "references.bib, chapters/, figures/, .gitignore and a CI workflow.")
    parser.add_argument("directory", type=Path, help="the new report's directory (created; "
                                                     "it must not exist or be empty)")
    parser.add_argument("--title", default="", help="the report's title (default: from the "
                                                    "directory name)")
    parser.add_argument("--pin", default="", metavar="REQUIREMENT",
                        help="the pip requirement CI installs reportc with, e.g. "
                             "'reportc @ git+https://github.com/YOUR-ORG/reportc@v1.2.0' "
                             "(default: where this reportc was installed from)")
    return parser.parse_args(argv)


def new_main(argv: list[str]) -> int:
    args = parse_new_args(argv)
    target: Path = args.directory
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        print(f"{target}: already exists and is not an empty folder; reportc new writes a "
              "new report into a new or empty folder", file=sys.stderr)
        return 1
    name = target.resolve().name
    title = args.title or name.replace("-", " ").replace("_", " ").strip().capitalize() \
        or "New report"
    values = {"title": title, "title_yaml": json.dumps(title, ensure_ascii=False),
              "slug": slugify(name),
              "reportc_pin": args.pin or default_pin(), "system_packages": system_packages()}
    written = scaffold(target, values)
    print(f"reportc: wrote {len(written)} files to {target}; build it with: "
          f"reportc {target} --strict")
    if not (args.pin or _installed_from_git()):
        print("reportc: set REPORTC in .github/workflows/report.yml to where your team "
              "installs reportc from (a git tag), e.g. with --pin", file=sys.stderr)
    return 0


def scaffold(target: Path, values: dict[str, str]) -> list[Path]:
    """Copy the scaffold into ``target`` with ``{{placeholders}}`` filled in; report.yaml's
    comments are the schema's help texts, so they say what the manual says."""
    written = []
    for source, relative in _files(SCAFFOLD, ""):
        path = target / RENAMED.get(relative, relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = PLACEHOLDER.sub(lambda m: values[m.group(1)], source.read_text(encoding="utf-8"))
        if relative == "report.yaml":
            text = commented(text)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _files(folder: Traversable, prefix: str) -> Iterator[tuple[Traversable, str]]:
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        relative = f"{prefix}{entry.name}"
        if entry.is_dir():
            if entry.name != "__pycache__":
                yield from _files(entry, relative + "/")
        else:
            yield entry, relative


def system_packages() -> str:
    """The Debian packages a build needs (reportc/system-packages.txt), on one line."""
    text = (resources.files("reportc") / "system-packages.txt").read_text(encoding="utf-8")
    return " ".join(line.strip() for line in text.splitlines()
                    if line.strip() and not line.lstrip().startswith("#"))


def _installed_from_git() -> dict | None:
    """pip's record of a VCS install (PEP 610 direct_url.json), if this reportc is one."""
    try:
        record = metadata.distribution("reportc").read_text("direct_url.json")
        data = json.loads(record) if record else None
    except (metadata.PackageNotFoundError, ValueError):
        return None
    return data if isinstance(data, dict) and "vcs_info" in data else None


def default_pin() -> str:
    """The running reportc as a pip requirement: its git URL and the exact commit when it
    was installed from git, else a git tag of this version to fill in."""
    record = _installed_from_git()
    if record:
        vcs = record["vcs_info"]
        revision = vcs.get("requested_revision") or vcs.get("commit_id", "")
        return f"reportc @ git+{record['url']}@{revision}"
    return f"reportc @ git+https://github.com/YOUR-ORG/reportc@v{__version__}"
